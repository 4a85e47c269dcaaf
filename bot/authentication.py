"""Who may send the bot an activity: the request's token, checked by the SDK's validator against
Microsoft's signing keys, and then by what a production bot needs besides.

- Tokens of the emulator's issuers are refused unless the bot runs in local mode: the SDK trusts
  those tenants whatever the activity says, even with its issuer check on.
- A channel's token names the service URL it was issued for (the "serviceurl" claim): the
  activity must name the same one, since the bot sends its reply, with its own token, there.
- In local mode (no app id: the Agents Playground, the Emulator) nothing is checked.
"""

from __future__ import annotations

import logging

from microsoft_agents.activity import Activity
from microsoft_agents.hosting.core import (
    AgentAuthConfiguration,
    ClaimsIdentity,
    JwtTokenValidator,
)

log = logging.getLogger(__name__)

# The Bot Framework Emulator's issuers (those botbuilder 4.17 took for any serviceUrl).
EMULATOR_ISSUERS = frozenset(
    {
        "https://sts.windows.net/d6d49420-f39b-4df7-a1dc-d59a935871db/",
        "https://login.microsoftonline.com/d6d49420-f39b-4df7-a1dc-d59a935871db/v2.0",
        "https://sts.windows.net/f8cdef31-a31e-4b4a-93e4-5f571e91255a/",
        "https://login.microsoftonline.com/f8cdef31-a31e-4b4a-93e4-5f571e91255a/v2.0",
        "https://sts.windows.net/72f988bf-86f1-41af-91ab-2d7cd011db47/",
        "https://sts.windows.net/cab8a31a-1906-4287-a0d8-4eef66b95f6e/",
        "https://login.microsoftonline.us/cab8a31a-1906-4287-a0d8-4eef66b95f6e/v2.0",
        "https://login.microsoftonline.us/f8cdef31-a31e-4b4a-93e4-5f571e91255a/",
        "https://login.microsoftonline.us/f8cdef31-a31e-4b4a-93e4-5f571e91255a/v2.0",
    }
)
SERVICE_URL_CLAIM = "serviceurl"


class Unauthorized(Exception):
    """The request is not from the channel (or, in local mode, the Playground): 401. The
    message says why, for the log; never the token or its claims."""


def emulator_issuer(claims: ClaimsIdentity) -> str | None:
    """The issuer of an authenticated request's token when it is one of the emulator's."""
    issuer = claims.claims.get("iss")
    return issuer if isinstance(issuer, str) and issuer in EMULATOR_ISSUERS else None


def _bearer(header: str) -> str | None:
    scheme, _, token = header.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or any(c.isspace() for c in token):
        return None
    return token


class RequestAuthentication:
    """Checks an incoming request; `configuration` None is local mode."""

    def __init__(self, configuration: AgentAuthConfiguration | None) -> None:
        self._validator = JwtTokenValidator(configuration) if configuration is not None else None

    async def claims_of(self, activity: Activity, header: str) -> ClaimsIdentity:
        """The request's claims. Raises Unauthorized."""
        if self._validator is None:
            # Anonymous: the SDK then sends replies without a token.
            return ClaimsIdentity()
        token = _bearer(header)
        if token is None:
            raise Unauthorized("no bearer token")
        try:
            claims = await self._validator.validate_token(token)
        except Exception as error:
            # PyJWT's errors and the SDK's ValueError for a bad token, a KeyError or the like
            # for a malformed one: all mean the same to the caller.
            raise Unauthorized(f"token not valid: {type(error).__name__}") from error
        issuer = emulator_issuer(claims)
        if issuer is not None:
            raise Unauthorized(f"an emulator token (issuer {issuer})")
        signed_for = claims.claims.get(SERVICE_URL_CLAIM)
        if signed_for is not None and not _same_url(str(signed_for), activity.service_url):
            raise Unauthorized("the activity's serviceUrl is not the one its token was issued for")
        return claims


def _same_url(signed: str, named: str | None) -> bool:
    return bool(named) and signed.rstrip("/").lower() == (named or "").rstrip("/").lower()
