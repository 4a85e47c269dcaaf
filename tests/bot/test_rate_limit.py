"""Keeping under Teams' limits: 7 messages a second to one conversation, 30 requests a second in
one tenant. The clock is a fake that moves only when the limiter sleeps."""

from __future__ import annotations

from bot.rate_limit import Rate, RateLimiter

TENANT = "tenant-a"


class FrozenClock:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def limiter_on(clock: FrozenClock, **options) -> RateLimiter:
    return RateLimiter(clock=clock, sleep=clock.sleep, **options)


async def test_the_eighth_message_to_one_thread_in_a_second_waits_and_another_thread_does_not():
    clock = FrozenClock()
    limiter = limiter_on(clock)
    for _ in range(7):
        await limiter.acquire(TENANT, "thread-1")
    assert clock.slept == []

    await limiter.acquire(TENANT, "thread-2")
    assert clock.slept == []

    await limiter.acquire(TENANT, "thread-1")
    assert len(clock.slept) == 1
    assert 0 < clock.now <= 1.0


async def test_the_tenant_limit_holds_across_threads_each_under_its_own():
    clock = FrozenClock()
    limiter = limiter_on(clock)
    for thread in range(30):
        await limiter.acquire(TENANT, f"thread-{thread}")
    assert clock.slept == []

    await limiter.acquire(TENANT, "thread-30")
    assert len(clock.slept) == 1

    await limiter.acquire("another-tenant", "thread-31")
    assert len(clock.slept) == 1


async def test_a_sustained_stream_to_one_thread_keeps_to_the_slowest_rate():
    clock = FrozenClock()
    limiter = limiter_on(clock, per_conversation=(Rate(7, 1.0), Rate(60, 30.0)))

    for _ in range(120):
        await limiter.acquire(TENANT, "thread-1")

    # 60 at once from the full bucket of 30 s, then 2 a second.
    assert 29.0 <= clock.now <= 31.0


async def test_idle_buckets_are_dropped():
    clock = FrozenClock()
    limiter = limiter_on(clock, sweep_every=60.0)
    for thread in range(10):
        await limiter.acquire(TENANT, f"thread-{thread}")
    assert limiter.tracked == 11  # ten threads and the tenant

    clock.now += 120.0
    await limiter.acquire(TENANT, "thread-new")

    assert limiter.tracked == 2
