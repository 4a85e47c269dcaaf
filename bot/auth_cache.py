"""The signing keys of incoming Bot Framework tokens, cached the way the SDK means to.

botframework-connector 4.17 (archived) keeps one `_OpenIdMetadata` per OpenID metadata URL in
`JwtTokenExtractor.metadataCache` and refreshes its keys once a day, which is right. But in
botframework/connector/auth/jwt_token_extractor.py:

- the keys are fetched with `requests.get` without a timeout, on the event loop (:141, :144):
  every turn of the process waits while they are fetched, for ever if the connection hangs;
- a failed daily refresh raises out of every validation (:130-131) and is tried again by the next
  request: while the metadata endpoint is down, every request fetches and every request is
  refused, although the keys already held are still good;
- a key id that is not among the keys raises IndexError in `_find` (:152), so "refresh when a key
  is not found, at most once an hour" (:134-137) never runs: a key the channel starts signing
  with is refused until the next daily refresh, up to a day later;
- every validation rebuilds the RSA public key from its JWK (:153).

`SigningKeys` keeps the SDK's contract (`await get(kid)` gives an object with `public_key` and
`endorsements`) and fixes those: keys are fetched with aiohttp and a timeout, one fetch at a time;
the daily refresh runs beside the requests, which keep using the keys held; those stay in use
while a refresh fails (tried again after `retry_after`); an unknown key id fetches again at most
once per `unknown_key_refresh` (as .NET's minimum refresh interval: a flood of made-up key ids
costs one fetch per five minutes, not one per request) and is then refused with PermissionError;
each key is parsed once. `install()` makes the SDK's extractor take its keys from here, for every
metadata URL it is given (the channel's, the emulator's, a configured one).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import aiohttp
from botframework.connector.auth import JwtTokenExtractor
from jwt.algorithms import RSAAlgorithm

log = logging.getLogger(__name__)

DAY = 24 * 3600.0


@dataclass(frozen=True)
class SigningKey:
    """What the SDK's extractor reads of a key (its `_OpenIdConfig`)."""

    public_key: Any
    endorsements: list[str]


class SigningKeys:
    """The keys published behind one OpenID metadata URL."""

    def __init__(
        self,
        url: str,
        *,
        clock: Callable[[], float] = time.monotonic,
        timeout: float = 10.0,
        max_age: float = DAY,
        retry_after: float = 30.0,
        unknown_key_refresh: float = 300.0,
    ) -> None:
        self.url = url
        self._clock = clock
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._max_age = max_age
        self._retry_after = retry_after
        self._unknown_key_refresh = unknown_key_refresh
        self._keys: dict[str, SigningKey] = {}
        self._fetched_at: float | None = None  # the last fetch that gave keys
        self._attempted_at: float | None = None  # the last fetch begun, whatever came of it
        self._refreshing: asyncio.Future[None] | None = None

    async def get(self, key_id: str | None) -> SigningKey:
        now = self._clock()
        stale = self._fetched_at is None or now - self._fetched_at >= self._max_age
        if stale and self._may_fetch(now, self._retry_after):
            refresh = self._refresh()
            if not self._keys:
                await asyncio.shield(refresh)
            # Else the day-old keys serve this request while the new ones are fetched.
        key = self._keys.get(key_id) if key_id else None
        if key is None and key_id and self._may_fetch(self._clock(), self._unknown_key_refresh):
            # The channel may have begun signing with a key published since the last fetch.
            await asyncio.shield(self._refresh())
            key = self._keys.get(key_id)
        if key is None:
            raise PermissionError("Unauthorized. The token's signing key is not known.")
        return key

    def _may_fetch(self, now: float, interval: float) -> bool:
        return self._attempted_at is None or now - self._attempted_at >= interval

    def _refresh(self) -> asyncio.Future[None]:
        """One fetch at a time: whoever asks while one runs is given that one. (Awaited through
        shield: a request that gives up must not cancel the others' fetch.)"""
        running = self._refreshing
        loop = asyncio.get_running_loop()
        if running is None or running.done() or running.get_loop() is not loop:
            running = self._refreshing = loop.create_task(self._fetch())
        return running

    async def _fetch(self) -> None:
        self._attempted_at = self._clock()
        try:
            # trust_env: a proxy from HTTPS_PROXY, as the SDK's requests would have used.
            async with aiohttp.ClientSession(timeout=self._timeout, trust_env=True) as session:
                async with session.get(self.url) as response:
                    response.raise_for_status()
                    jwks_uri = (await response.json(content_type=None))["jwks_uri"]
                async with session.get(jwks_uri) as response:
                    response.raise_for_status()
                    document = await response.json(content_type=None)
            keys = parse_keys(document["keys"])
        except Exception as error:
            log.warning(
                "could not fetch the token signing keys from %s (%s); %s",
                self.url,
                type(error).__name__,
                "keeping the keys held" if self._keys else "no keys held",
            )
            return
        if not keys:
            log.warning("no usable token signing keys at %s; keeping the keys held", self.url)
            return
        self._keys = keys
        self._fetched_at = self._clock()


def parse_keys(jwks: list[dict[str, Any]]) -> dict[str, SigningKey]:
    """RSA keys by key id, each parsed once; anything else is left out."""
    keys: dict[str, SigningKey] = {}
    for jwk in jwks:
        key_id = jwk.get("kid") if isinstance(jwk, dict) else None
        if not key_id or jwk.get("kty") != "RSA":
            continue
        try:
            public_key = RSAAlgorithm.from_jwk(jwk)
        except Exception as error:
            log.warning("left out signing key %s: %s", key_id, type(error).__name__)
            continue
        keys[key_id] = SigningKey(public_key, list(jwk.get("endorsements") or []))
    return keys


_sdk_get_open_id_metadata = JwtTokenExtractor.get_open_id_metadata
# The clock of the installed keys: a test's, given to install(), stays until uninstall(), also
# when the bot installs again as it starts (PooledBotFrameworkAuthentication).
_clock: Callable[[], float] = time.monotonic


def _now() -> float:
    return _clock()


def install(*, clock: Callable[[], float] | None = None) -> None:
    """Make the SDK's JwtTokenExtractor take its keys from SigningKeys (safe to call again).

    The SDK's own cache (`JwtTokenExtractor.metadataCache`, by URL) still holds them; a stock
    `_OpenIdMetadata` already in it is replaced."""
    global _clock
    if clock is not None:
        _clock = clock

    def metadata_for(metadata_url: str) -> SigningKeys:
        cached = JwtTokenExtractor.metadataCache.get(metadata_url)
        if not isinstance(cached, SigningKeys):
            cached = SigningKeys(metadata_url, clock=_now)
            JwtTokenExtractor.metadataCache[metadata_url] = cached
        return cached

    JwtTokenExtractor.get_open_id_metadata = staticmethod(metadata_for)  # type: ignore[method-assign]


def uninstall() -> None:
    """The SDK's own metadata objects again (for tests and benchmarks)."""
    global _clock
    _clock = time.monotonic
    JwtTokenExtractor.get_open_id_metadata = staticmethod(_sdk_get_open_id_metadata)  # type: ignore[method-assign]
    for url, cached in list(JwtTokenExtractor.metadataCache.items()):
        if isinstance(cached, SigningKeys):
            del JwtTokenExtractor.metadataCache[url]
