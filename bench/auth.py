"""The cost of validating incoming Bot Framework tokens (auth stays on in production), with locally
signed tokens and a local OpenID metadata endpoint (a benchmark, not a test: run it on purpose,
read the figures).

    .venv/bin/python bench/auth.py
    .venv/bin/python bench/auth.py --n 5000 --concurrency 100 --remote-ms 80

An RSA key pair signs tokens as the Bot Framework channel service does (issuer
https://api.botframework.com, audience the bot's app id, a serviceurl claim, nbf/exp, a kid
header); a small aiohttp server on 127.0.0.1 serves the OpenID configuration and the keys (with
the `endorsements` Bot Framework keys carry) and counts what is asked of it. Our real
PooledBotFrameworkAuthentication, built from Settings with an app id and password, validates them
through the SDK's own path (ChannelValidation, JwtTokenExtractor, _OpenIdMetadata).

The SDK is pointed at the local endpoint in the two ways it supports:
- production's path (no channel service configured: _PublicCloudBotFrameworkAuthentication →
  JwtTokenValidation → ChannelValidation) reads the public class attribute
  ChannelValidation.open_id_metadata_endpoint (channel_validation.py:15, :88-92);
- a configured TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL (ConfigurationBotFrameworkAuthentication
  → BotFrameworkAuthenticationFactory) switches to _ParameterizedBotFrameworkAuthentication, a
  different class than production runs, so it is measured only for comparison.

Each is run with the SDK's stock key cache and with bot/auth_cache.py's, and beside them auth
off (local mode, no app id) as the floor. The steady state is measured in interleaved blocks, so
that whatever else the machine is doing weighs on all alike. Time "after" below is the cache's
clock moved on (the stock one's last_updated moved back), not waited for. The endpoint runs in a thread of its own: the stock SDK fetches keys with a blocking
requests.get on the caller's event loop, so a server on that loop would never answer.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import socket
import statistics
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import jwt
from aiohttp import web
from botbuilder.schema import Activity, ChannelAccount, ConversationAccount
from botframework.connector.auth import (
    AuthenticationConstants,
    ChannelValidation,
    JwtTokenExtractor,
)
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from bot import auth_cache
from bot.config import Settings
from bot.connector_pool import ConnectionPool, PooledBotFrameworkAuthentication

APP_ID = "00000000-0000-0000-0000-00000000b07"
SERVICE_URL = "https://smba.trafficmanager.net/emea/"
ISSUER = AuthenticationConstants.TO_BOT_FROM_CHANNEL_TOKEN_ISSUER
CHANNEL = "msteams"
BUDGET_US = 5000.0  # issue #9: an unloaded turn under 5 ms p50


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- keys and tokens --------------------------------------------------------------------------


@dataclass
class Key:
    kid: str
    private: rsa.RSAPrivateKey
    endorsements: list[str] = field(default_factory=lambda: [CHANNEL])

    @property
    def jwk(self) -> dict[str, Any]:
        public = json.loads(RSAAlgorithm.to_jwk(self.private.public_key()))
        return {**public, "use": "sig", "kid": self.kid, "endorsements": self.endorsements}


def make_key() -> Key:
    return Key(
        uuid.uuid4().hex[:27], rsa.generate_private_key(public_exponent=65537, key_size=2048)
    )


def token(
    key: Key,
    *,
    kid: str | None = None,
    audience: str = APP_ID,
    service_url: str = SERVICE_URL,
    expires_in: int = 3600,
) -> str:
    """A token as the channel service signs it (the shape of a real one, of a real length)."""
    now = int(time.time())
    claims = {
        "serviceurl": service_url,
        "nbf": now - 300,
        "exp": now + expires_in,
        "iss": ISSUER,
        "aud": audience,
    }
    headers = {"kid": kid or key.kid, "x5t": kid or key.kid, "typ": "JWT"}
    return jwt.encode(claims, key.private, algorithm="RS256", headers=headers)


def activity(channel_id: str = CHANNEL) -> Activity:
    return Activity(
        type="message",
        id="1",
        channel_id=channel_id,
        service_url=SERVICE_URL,
        from_property=ChannelAccount(id="29:someone"),
        recipient=ChannelAccount(id=f"28:{APP_ID}"),
        conversation=ConversationAccount(id="a:conversation"),
        text="hei",
    )


# --- the OpenID metadata endpoint -------------------------------------------------------------


class OpenIdEndpoint:
    """OpenID configuration and keys on 127.0.0.1, in a thread with its own event loop."""

    def __init__(self, keys: list[Key]) -> None:
        self.keys = list(keys)
        self.hits: Counter[str] = Counter()
        self.delay = 0.0  # seconds before each answer (a far-away login.botframework.com)
        self.failing = False  # answer 503 (an outage)
        self.port = free_port()
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def url(self, name: str = "channel") -> str:
        return f"http://127.0.0.1:{self.port}/{name}/v1/.well-known/openidconfiguration"

    def counts(self) -> tuple[int, int]:
        return self.hits["metadata"], self.hits["keys"]

    async def _answer(self, request: web.Request, what: str) -> web.Response:
        self.hits[what] += 1
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.failing:
            return web.Response(status=503)
        if what == "keys":
            return web.json_response({"keys": [key.jwk for key in self.keys]})
        base = f"http://127.0.0.1:{self.port}/{request.match_info['name']}"
        return web.json_response(
            {
                "issuer": ISSUER,
                "authorization_endpoint": "https://invalid.botframework.com",
                "jwks_uri": f"{base}/v1/.well-known/keys",
                "id_token_signing_alg_values_supported": ["RS256"],
                "token_endpoint_auth_methods_supported": ["private_key_jwt"],
            }
        )

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)
        app = web.Application()
        app.router.add_get(
            "/{name}/v1/.well-known/openidconfiguration",
            lambda request: self._answer(request, "metadata"),
        )
        app.router.add_get(
            "/{name}/v1/.well-known/keys", lambda request: self._answer(request, "keys")
        )
        self._runner = web.AppRunner(app, access_log=None)
        self._loop.run_until_complete(self._runner.setup())
        site = web.TCPSite(self._runner, "127.0.0.1", self.port)
        self._loop.run_until_complete(site.start())
        self._ready.set()
        self._loop.run_forever()
        self._loop.run_until_complete(self._runner.cleanup())
        self._loop.close()

    def start(self) -> None:
        self._thread.start()
        self._ready.wait(10)

    def stop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)


# --- the authentication under test ------------------------------------------------------------


def settings() -> Settings:
    return Settings(_env_file=None, MicrosoftAppId=APP_ID, MicrosoftAppPassword="not-a-secret")


def production_auth(url: str) -> PooledBotFrameworkAuthentication:
    """What bot/app.py builds, with the channel's metadata URL pointed here."""
    ChannelValidation.open_id_metadata_endpoint = url
    return PooledBotFrameworkAuthentication(settings().bot_framework_config(), ConnectionPool())


def configured_auth(url: str, emulator_url: str) -> PooledBotFrameworkAuthentication:
    """The same with the public cloud's settings spelled out and the metadata URL configured."""
    config = settings().bot_framework_config()
    values = {
        "TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL": url,
        "TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL": emulator_url,
        "TO_BOT_FROM_CHANNEL_TOKEN_ISSUER": ISSUER,
        "TO_CHANNEL_FROM_BOT_OAUTH_SCOPE": AuthenticationConstants.TO_CHANNEL_FROM_BOT_OAUTH_SCOPE,
        "TO_CHANNEL_FROM_BOT_LOGIN_URL": AuthenticationConstants.TO_CHANNEL_FROM_BOT_LOGIN_URL,
        "OAUTH_URL": AuthenticationConstants.OAUTH_URL,
        "CALLER_ID": "urn:botframework:azure",
    }
    for name, value in values.items():
        setattr(config, name, value)
    return PooledBotFrameworkAuthentication(config, ConnectionPool())


class Clock:
    """auth_cache's clock, which the benchmark moves on."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.monotonic() + self.offset


@dataclass
class Variant:
    name: str
    fixed: bool
    clock: Clock = field(default_factory=Clock)

    def reset(self) -> None:
        """An empty key cache, stock or fixed."""
        JwtTokenExtractor.metadataCache.clear()
        if self.fixed:
            auth_cache.install(clock=self.clock)
        else:
            auth_cache.uninstall()

    def age(self, hours: float) -> None:
        """Move the cache's time on by this much."""
        self.clock.offset += hours * 3600
        if not self.fixed:
            for metadata in JwtTokenExtractor.metadataCache.values():
                metadata.last_updated -= timedelta(hours=hours)


Validate = Callable[[str, Activity | None], Awaitable[str | None]]


def validator(auth: PooledBotFrameworkAuthentication) -> Validate:
    default = activity()

    async def validate(header: str, on: Activity | None = None) -> str | None:
        """None when accepted, else the exception's type (bot/app.py answers 401 to any)."""
        try:
            await auth.authenticate_request(on or default, header)
        except Exception as error:
            return type(error).__name__
        return None

    return validate


# --- measuring --------------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def summary(latencies_us: list[float]) -> str:
    return (
        f"mean {statistics.fmean(latencies_us):.0f} µs, p50 {percentile(latencies_us, 0.5):.0f} µs,"
        f" p99 {percentile(latencies_us, 0.99):.0f} µs"
    )


class StallMeter:
    """The longest the event loop went without turning (a 1 ms ticker's largest lateness)."""

    def __init__(self) -> None:
        self.longest = 0.0
        self._task: asyncio.Task[None] | None = None

    async def _tick(self) -> None:
        while True:
            started = time.perf_counter()
            await asyncio.sleep(0.001)
            self.longest = max(self.longest, time.perf_counter() - started - 0.001)

    async def __aenter__(self) -> StallMeter:
        self._task = asyncio.create_task(self._tick())
        await asyncio.sleep(0.005)
        self.longest = 0.0
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._task is not None
        self._task.cancel()
        with suppress(asyncio.CancelledError):
            await self._task


@contextmanager
def counted(endpoint: OpenIdEndpoint) -> Iterator[list[int]]:
    """[metadata hits, keys hits] during the block."""
    before = endpoint.counts()
    delta = [0, 0]
    try:
        yield delta
    finally:
        after = endpoint.counts()
        delta[0], delta[1] = after[0] - before[0], after[1] - before[1]


def hits(delta: list[int]) -> str:
    return f"metadata hits {delta[0]}, JWKS hits {delta[1]}"


async def sequential(validate: Validate, header: str, n: int) -> tuple[list[float], float, int]:
    latencies: list[float] = []
    failed = 0
    cpu = time.thread_time_ns()
    for _ in range(n):
        started = time.perf_counter_ns()
        failed += (await validate(header, None)) is not None
        latencies.append((time.perf_counter_ns() - started) / 1000)
    return latencies, (time.thread_time_ns() - cpu) / 1000 / n, failed


async def concurrent(
    validate: Validate, header: str, n: int, width: int
) -> tuple[list[float], float, float, int]:
    latencies: list[float] = []
    failed = 0
    left = iter(range(n))

    async def worker() -> None:
        nonlocal failed
        for _ in left:
            started = time.perf_counter_ns()
            failed += (await validate(header, None)) is not None
            latencies.append((time.perf_counter_ns() - started) / 1000)

    cpu = time.thread_time_ns()
    wall = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(width)))
    wall = time.perf_counter() - wall
    return latencies, (time.thread_time_ns() - cpu) / 1000 / n, n / wall, failed


async def rejections(
    validate: Validate, headers: list[str], on: Activity | None = None
) -> tuple[str, int, float]:
    """(the first refusal's exception, how many got through, mean µs per request)."""
    outcomes: list[str | None] = []
    started = time.perf_counter_ns()
    for header in headers:
        outcomes.append(await validate(header, on))
    mean_us = (time.perf_counter_ns() - started) / 1000 / len(headers)
    refused = [outcome for outcome in outcomes if outcome is not None]
    return (refused[0] if refused else "-"), outcomes.count(None), mean_us


# --- the run ----------------------------------------------------------------------------------


def line(tag: str, text: str) -> None:
    print(f"[{tag}] {text}", flush=True)


async def run_variant(
    variant: Variant, endpoint: OpenIdEndpoint, key: Key, args: argparse.Namespace
) -> None:
    tag = variant.name
    validate = validator(production_auth(endpoint.url("channel")))
    good = f"Bearer {token(key)}"

    # (a) the first validation: fetches the metadata and the keys (median of 5 cold starts)
    firsts: list[float] = []
    stalls: list[float] = []
    with counted(endpoint) as delta:
        for _ in range(5):
            variant.reset()
            async with StallMeter() as stall:
                started = time.perf_counter()
                outcome = await validate(good, None)
                firsts.append((time.perf_counter() - started) * 1000)
            stalls.append(stall.longest * 1000)
            assert outcome is None, outcome
    line(
        tag,
        f"first validation (empty cache): {statistics.median(firsts):.1f} ms, event loop"
        f" stalled {statistics.median(stalls):.1f} ms (medians of 5); per cold start"
        f" {delta[0] / 5:g} metadata + {delta[1] / 5:g} JWKS hits",
    )

    variant.reset()
    with counted(endpoint) as delta:
        started = time.perf_counter()
        outcomes = await asyncio.gather(*(validate(good, None) for _ in range(args.concurrency)))
        cold_ms = (time.perf_counter() - started) * 1000
    line(
        tag,
        f"cold start, {args.concurrency} at once: {outcomes.count(None)}/{len(outcomes)} accepted"
        f" in {cold_ms:.1f} ms ({hits(delta)})",
    )

    # (d) refusals
    rogue = make_key()
    rogue.kid = key.kid  # the same key id, signed with another key: a forgery
    cases: list[tuple[str, list[str], Activity | None]] = [
        ("forged (right kid, wrong key)", [f"Bearer {token(rogue)}"] * args.rejections, None),
        ("expired 10 min ago", [f"Bearer {token(key, expires_in=-600)}"] * args.rejections, None),
        (
            "audience another bot",
            [f"Bearer {token(key, audience=str(uuid.uuid4()))}"] * args.rejections,
            None,
        ),
        (
            "serviceurl not the activity's",
            [f"Bearer {token(key, service_url='https://evil.example/')}"] * args.rejections,
            None,
        ),
        ("channel the key is not endorsed for", [good] * args.rejections, activity("webchat")),
    ]
    for name, headers, on in cases:
        with counted(endpoint) as delta:
            refused_as, accepted, mean_us = await rejections(validate, headers, on)
        line(
            tag,
            f"refused {name}: {len(headers) - accepted}/{len(headers)} refused ({refused_as}),"
            f" {mean_us:.0f} µs each, {hits(delta)}",
        )

    # (e) unknown key ids: may each one make the bot fetch the keys again?
    unknown = [f"Bearer {token(key, kid=uuid.uuid4().hex)}" for _ in range(args.unknown)]
    with counted(endpoint) as delta:
        refused_as, accepted, mean_us = await rejections(validate, unknown)
    line(
        tag,
        f"unknown kid, {args.unknown:,} requests each with a new kid (keys fetched moments"
        f" before): {args.unknown - accepted:,}"
        f" refused ({refused_as}), {mean_us:.0f} µs each, {hits(delta)}",
    )
    with counted(endpoint) as delta:
        for _ in range(12):
            variant.age(10 / 60)
            await rejections(validate, unknown[: args.unknown // 12])
    line(
        tag,
        f"unknown kid, the same spread over 2 simulated hours (12 bursts, 10 min apart): {hits(delta)}",
    )

    # the channel starts signing with a key published after the last fetch
    variant.reset()
    await validate(good, None)
    rotated = make_key()
    endpoint.keys.append(rotated)
    new_header = [f"Bearer {token(rotated)}"]
    timeline = []
    with counted(endpoint) as delta:
        for hours, when in ((0.1, "6 min"), (1.9, "2 h"), (23, "25 h")):
            variant.age(hours)
            _, accepted, _ = await rejections(validate, new_header)
            await asyncio.sleep(0.05)  # a refresh started beside the request may finish
            timeline.append(f"{'accepted' if accepted else 'refused'} {when} after the last fetch")
            if accepted:
                break
    line(tag, f"key rotation (new kid appears in the JWKS): {', '.join(timeline)}; {hits(delta)}")
    endpoint.keys.remove(rotated)

    # the daily refresh, against a far-away endpoint: does it hold up every request?
    variant.reset()
    await validate(good, None)
    variant.age(25)
    endpoint.delay = args.remote_ms / 1000
    async with StallMeter() as stall:
        with counted(endpoint) as delta:
            started = time.perf_counter()
            outcome = await validate(good, None)
            took_ms = (time.perf_counter() - started) * 1000
            await asyncio.sleep(2.5 * endpoint.delay + 0.05)  # a refresh started beside it
    endpoint.delay = 0.0
    line(
        tag,
        f"daily refresh (keys 25 h old), endpoint {args.remote_ms} ms away: the request that"
        f" finds them old is {'accepted' if outcome is None else 'refused'} in {took_ms:.0f} ms;"
        f" event loop stalled {stall.longest * 1000:.0f} ms (every other turn waits that"
        f" long); {hits(delta)}",
    )

    # the daily refresh while the endpoint is down
    variant.reset()
    await validate(good, None)
    variant.age(25)
    endpoint.failing = True
    with counted(endpoint) as delta:
        _, accepted, mean_us = await rejections(validate, [good] * args.rejections)
        await asyncio.sleep(0.05)
    endpoint.failing = False
    line(
        tag,
        f"daily refresh while the endpoint answers 503: {accepted}/{args.rejections} accepted,"
        f" {mean_us:.0f} µs each, {hits(delta)}",
    )


@dataclass
class Contender:
    name: str
    validate: Validate
    header: str
    channel_url: str | None = None  # production's path: ChannelValidation's URL for it
    sequential: list[float] = field(default_factory=list)
    sequential_cpu: list[float] = field(default_factory=list)
    concurrent: list[float] = field(default_factory=list)
    concurrent_cpu: list[float] = field(default_factory=list)
    concurrent_wall: float = 0.0

    def point(self) -> None:
        if self.channel_url is not None:
            ChannelValidation.open_id_metadata_endpoint = self.channel_url


async def steady_state(endpoint: OpenIdEndpoint, key: Key, args: argparse.Namespace) -> None:
    """(b) and (c): the contenders measured in turns, block by block, so that whatever else the
    machine is doing weighs on all of them alike. The fixed ones' SigningKeys sit in the SDK's
    cache under their own URL, where install() would put them."""
    auth_cache.uninstall()
    JwtTokenExtractor.metadataCache.clear()
    for name in ("fixed", "configured-fixed"):
        JwtTokenExtractor.metadataCache[endpoint.url(name)] = auth_cache.SigningKeys(
            endpoint.url(name)
        )
    good = f"Bearer {token(key)}"
    production = validator(production_auth(endpoint.url("stock")))
    local_mode = PooledBotFrameworkAuthentication(
        Settings(_env_file=None).bot_framework_config(), ConnectionPool()
    )
    emulator = endpoint.url("emulator")
    contenders = [
        Contender("auth off (local mode)", validator(local_mode), ""),
        Contender("stock SDK", production, good, endpoint.url("stock")),
        Contender("bot/auth_cache", production, good, endpoint.url("fixed")),
        Contender(
            "stock SDK, configured URL",
            validator(configured_auth(endpoint.url("configured-stock"), emulator)),
            good,
        ),
        Contender(
            "bot/auth_cache, configured URL",
            validator(configured_auth(endpoint.url("configured-fixed"), emulator)),
            good,
        ),
    ]
    for contender in contenders:
        contender.point()
        for _ in range(200):
            assert await contender.validate(contender.header, None) is None, contender.name
    rounds = 10
    block = max(1, args.n // rounds)
    with counted(endpoint) as delta:
        for round_ in range(rounds):
            shift = round_ % len(contenders)
            for contender in contenders[shift:] + contenders[:shift]:
                contender.point()
                latencies, cpu_us, failed = await sequential(
                    contender.validate, contender.header, block
                )
                assert not failed, contender.name
                contender.sequential += latencies
                contender.sequential_cpu.append(cpu_us)
                started = time.perf_counter()
                latencies, cpu_us, _, failed = await concurrent(
                    contender.validate, contender.header, block, args.concurrency
                )
                contender.concurrent_wall += time.perf_counter() - started
                assert not failed, contender.name
                contender.concurrent += latencies
                contender.concurrent_cpu.append(cpu_us)
    total = rounds * block
    for contender in contenders:
        line(
            contender.name,
            f"sequential, {total:,} validations: {summary(contender.sequential)};"
            f" CPU {statistics.fmean(contender.sequential_cpu):.0f} µs/validation",
        )
        line(
            contender.name,
            f"{args.concurrency} concurrent, {total:,} validations:"
            f" {total / contender.concurrent_wall:,.0f} validations/s; latency"
            f" {summary(contender.concurrent)}; CPU"
            f" {statistics.fmean(contender.concurrent_cpu):.0f} µs/validation",
        )
    line(
        "steady state",
        f"endpoint hits during the {2 * total * (len(contenders) - 1):,} validations with a token"
        f" (after the first fetches): {hits(delta)}",
    )
    off = percentile(contenders[0].sequential, 0.5)
    for contender in contenders[1:3]:
        p50 = percentile(contender.sequential, 0.5)
        line(
            "budget",
            f"{contender.name}: validation p50 {p50:.0f} µs = {p50 / BUDGET_US:.0%} of the 5 ms"
            f" p50 turn budget ({p50 - off:.0f} µs more than with auth off)",
        )


def components(key: Key) -> None:
    """What one validation is made of (the stock path parses the token five times)."""
    raw = token(key)
    public = RSAAlgorithm.from_jwk(key.jwk)

    def each(work: Callable[[], object], n: int = 2000) -> float:
        started = time.perf_counter_ns()
        for _ in range(n):
            work()
        return (time.perf_counter_ns() - started) / 1000 / n

    unverified = each(lambda: jwt.decode(raw, options={"verify_signature": False}))
    header = each(lambda: jwt.get_unverified_header(raw))
    verified = each(
        lambda: jwt.decode(raw, public, algorithms=["RS256"], options={"verify_aud": False})
    )
    from_jwk = each(lambda: RSAAlgorithm.from_jwk(json.dumps(key.jwk)))
    line(
        "parts",
        f"token {len(raw)} chars: PyJWT unverified decode {unverified:.0f} µs (3 per validation:"
        f" skill, emulator, issuer checks), header {header:.0f} µs (1), verified RS256 decode"
        f" {verified:.0f} µs (1), JWK→RSA key {from_jwk:.0f} µs (stock: 1 per validation)",
    )


async def main_async(args: argparse.Namespace) -> None:
    key = make_key()
    endpoint = OpenIdEndpoint([key, make_key()])
    endpoint.start()
    line("machine", f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} at the start")
    try:
        components(key)
        await steady_state(endpoint, key, args)
        for variant in (Variant("stock SDK", fixed=False), Variant("bot/auth_cache", fixed=True)):
            await run_variant(variant, endpoint, key, args)
        line("machine", f"load average {os.getloadavg()[0]:.2f} at the end")
    finally:
        auth_cache.uninstall()
        ChannelValidation.open_id_metadata_endpoint = None
        endpoint.stop()


def main() -> None:
    logging.basicConfig(level=logging.WARNING, format="[log] %(name)s: %(message)s")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000, help="steady-state validations per run")
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--rejections", type=int, default=200, help="requests per refusal case")
    parser.add_argument("--unknown", type=int, default=1200, help="requests with unknown kids")
    parser.add_argument(
        "--remote-ms", type=int, default=50, help="the endpoint's delay for the daily-refresh run"
    )
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
