"""How fast the bot writes to Teams: token buckets per conversation and per tenant.

Teams throttles a bot per thread (conversation) and per tenant, and answers 429 beyond that
(learn.microsoft.com/microsoftteams/platform/bots/how-to/rate-limit). Keeping under the limits
here is cheaper than being told so: a 429 costs a round trip and a backoff, and Teams counts
the refused request too.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Rate:
    """`count` requests per `per` seconds: a bucket of `count` tokens refilled at count/per a
    second, so a quiet key may send `count` at once and then keeps to the pace."""

    count: int
    per: float


# Per bot per thread Teams allows 7 messages a second and 60 in 30 seconds (a sustained 2 a
# second): both buckets, so a long burst to one chat slows down before Teams says 429.
PER_CONVERSATION: tuple[Rate, ...] = (Rate(7, 1.0), Rate(60, 30.0))
# Teams allows 50 a second per app per tenant; 30 leaves room for the replies in turns, which
# do not pass through this limiter.
PER_TENANT: tuple[Rate, ...] = (Rate(30, 1.0),)


def per_tenant_for(instances: int) -> tuple[Rate, ...]:
    """Each instance's share of the tenant budget: the buckets live in each process, so with N
    instances sending at once each may use a N-th (two instances on their own buckets were
    measured at 89 sends in a second to one tenant, bench/instances.py)."""
    return tuple(Rate(max(1, rate.count // max(1, instances)), rate.per) for rate in PER_TENANT)


# Refilling in floating point can stop a hair short of a whole token.
_EPSILON = 1e-9


class _Bucket:
    __slots__ = ("capacity", "rate", "tokens", "updated")

    def __init__(self, rate: Rate, now: float) -> None:
        self.capacity = float(rate.count)
        self.rate = rate.count / rate.per
        self.tokens = self.capacity
        self.updated = now

    def refill(self, now: float) -> None:
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now

    def wait(self) -> float:
        """Seconds until a token is here (after refill)."""
        missing = 1.0 - self.tokens
        return 0.0 if missing <= _EPSILON else missing / self.rate

    def full(self, now: float) -> bool:
        return self.tokens + (now - self.updated) * self.rate >= self.capacity


class RateLimiter:
    """Every request to Teams awaits `acquire` first; it returns when both the conversation's
    and the tenant's buckets have a token, and takes one from each.

    A full bucket is the same as none, so buckets that have filled up again are dropped now and
    then: memory follows the conversations written to in the last minute or so, not all of them.
    The clock and the sleep are injectable so tests need not wait.
    """

    def __init__(
        self,
        per_conversation: Sequence[Rate] = PER_CONVERSATION,
        per_tenant: Sequence[Rate] = PER_TENANT,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        sweep_every: float = 60.0,
    ) -> None:
        self._per_conversation = tuple(per_conversation)
        self._per_tenant = tuple(per_tenant)
        self._clock = clock
        self._sleep = sleep
        self._sweep_every = sweep_every
        self._buckets: dict[tuple[str, str], list[_Bucket]] = {}
        self._swept = clock()

    @property
    def tracked(self) -> int:
        """How many conversations and tenants have buckets just now."""
        return len(self._buckets)

    async def acquire(self, tenant_id: str, conversation_id: str) -> None:
        while True:
            now = self._clock()
            self._sweep(now)
            buckets = self._buckets_of(("tenant", tenant_id), self._per_tenant, now)
            buckets += self._buckets_of(
                ("conversation", conversation_id), self._per_conversation, now
            )
            for bucket in buckets:
                bucket.refill(now)
            wait = max((bucket.wait() for bucket in buckets), default=0.0)
            if wait <= 0.0:
                # No await between the check and the take: no other task can come between.
                for bucket in buckets:
                    bucket.tokens -= 1.0
                return
            # Taking nothing while waiting: a cancelled wait costs no token, and whoever is
            # first when the tokens are back goes first.
            await self._sleep(wait)

    def _buckets_of(self, key: tuple[str, str], rates: Sequence[Rate], now: float) -> list[_Bucket]:
        buckets = self._buckets.get(key)
        if buckets is None:
            buckets = self._buckets[key] = [_Bucket(rate, now) for rate in rates]
        return list(buckets)

    def _sweep(self, now: float) -> None:
        if now - self._swept < self._sweep_every:
            return
        self._swept = now
        for key in [k for k, buckets in self._buckets.items() if all(b.full(now) for b in buckets)]:
            del self._buckets[key]
