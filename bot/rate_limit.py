"""How fast the bot writes to Teams: sliding windows per conversation and per tenant.

Teams throttles a bot per thread (conversation) and per tenant, and answers 429 beyond that
(learn.microsoft.com/microsoftteams/platform/bots/how-to/rate-limit). Keeping under the limits
here is cheaper than being told so: a 429 costs a round trip and a backoff, and Teams counts
the refused request too.

A window counts the sends of the last `per` seconds, so no second (or 30 seconds) ever holds
more than the limit. Token buckets, used before, let a full bucket and a second's refill go in
the same second: twice the limit (two instances sent 58 in one second to one tenant, against
Teams' 50; bench/instances.py).
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Rate:
    """At most `count` requests in any `per` seconds: a quiet key may send `count` at once, and
    the next when the first of them is `per` seconds old."""

    count: int
    per: float


# Per bot per thread Teams allows 7 messages a second and 60 in 30 seconds (a sustained 2 a
# second): both windows, so a long burst to one chat slows down before Teams says 429.
PER_CONVERSATION: tuple[Rate, ...] = (Rate(7, 1.0), Rate(60, 30.0))
# Teams allows 50 a second per app per tenant; 30 leaves room for the replies in turns, which
# do not pass through this limiter.
PER_TENANT: tuple[Rate, ...] = (Rate(30, 1.0),)


def per_tenant_for(instances: int) -> tuple[Rate, ...]:
    """Each instance's share of the tenant budget: the windows live in each process, so with N
    instances sending at once each may use a N-th (two instances each counting the whole budget
    were measured at 89 sends in a second to one tenant, bench/instances.py)."""
    return tuple(Rate(max(1, rate.count // max(1, instances)), rate.per) for rate in PER_TENANT)


class _Window:
    """The times of the sends of the last `per` seconds (at most `count` of them)."""

    __slots__ = ("count", "per", "sent")

    def __init__(self, rate: Rate) -> None:
        self.count = rate.count
        self.per = rate.per
        self.sent: deque[float] = deque()

    def forget(self, now: float) -> None:
        sent = self.sent
        while sent and sent[0] <= now - self.per:
            sent.popleft()

    def wait(self, now: float) -> float:
        """Seconds until one more may be sent (after forget)."""
        if len(self.sent) < self.count:
            return 0.0
        return self.sent[len(self.sent) - self.count] + self.per - now

    def empty(self, now: float) -> bool:
        return not self.sent or self.sent[-1] <= now - self.per


class RateLimiter:
    """Every request to Teams awaits `acquire` first; it returns when both the conversation's
    and the tenant's windows have room, and counts the request in each.

    An empty window is the same as none, so windows with nothing in them are dropped now and
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
        self._windows: dict[tuple[str, str], list[_Window]] = {}
        self._swept = clock()

    @property
    def tracked(self) -> int:
        """How many conversations and tenants have windows just now."""
        return len(self._windows)

    async def acquire(self, tenant_id: str, conversation_id: str) -> None:
        while True:
            now = self._clock()
            self._sweep(now)
            windows = self._windows_of(("tenant", tenant_id), self._per_tenant)
            windows += self._windows_of(("conversation", conversation_id), self._per_conversation)
            for window in windows:
                window.forget(now)
            wait = max((window.wait(now) for window in windows), default=0.0)
            if wait <= 0.0:
                # No await between the check and the count: no other task can come between.
                for window in windows:
                    window.sent.append(now)
                return
            # Counting nothing while waiting: a cancelled wait costs nothing, and whoever is
            # first when there is room again goes first.
            await self._sleep(wait)

    def _windows_of(self, key: tuple[str, str], rates: Sequence[Rate]) -> list[_Window]:
        windows = self._windows.get(key)
        if windows is None:
            windows = self._windows[key] = [_Window(rate) for rate in rates]
        return list(windows)

    def _sweep(self, now: float) -> None:
        if now - self._swept < self._sweep_every:
            return
        self._swept = now
        for key in [
            k for k, windows in self._windows.items() if all(w.empty(now) for w in windows)
        ]:
            del self._windows[key]
