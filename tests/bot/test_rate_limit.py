"""Keeping under Teams' limits: 7 messages a second to one conversation, 30 requests a second in
one tenant. The clock is a fake that moves only when the limiter sleeps."""

from __future__ import annotations

from bot.rate_limit import PER_TENANT, Rate, RateLimiter, per_tenant_for

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


def most_in_any(times: list[float], seconds: float) -> int:
    """The most sends in any window of `seconds` (one starting at each send)."""
    return max(sum(1 for t in times if start <= t < start + seconds) for start in times)


async def test_a_sustained_stream_to_one_thread_keeps_to_both_of_its_limits():
    clock = FrozenClock()
    limiter = limiter_on(clock, per_conversation=(Rate(7, 1.0), Rate(60, 30.0)))
    sent = []

    for _ in range(120):
        await limiter.acquire(TENANT, "thread-1")
        sent.append(clock.now)

    assert most_in_any(sent, 1.0) == 7
    assert most_in_any(sent, 30.0) == 60
    assert 30.0 <= clock.now <= 40.0  # the second 60 begin when the first are 30 s old


async def test_no_second_holds_more_than_the_tenant_limit_not_even_the_first():
    # A bucket starting full let 30 go at once and 30 more within the same second.
    clock = FrozenClock()
    limiter = limiter_on(clock)
    sent = []

    for thread in range(100):
        await limiter.acquire(TENANT, f"thread-{thread}")
        sent.append(clock.now)

    assert most_in_any(sent, 1.0) == 30


async def test_idle_windows_are_dropped():
    clock = FrozenClock()
    limiter = limiter_on(clock, sweep_every=60.0)
    for thread in range(10):
        await limiter.acquire(TENANT, f"thread-{thread}")
    assert limiter.tracked == 11  # ten threads and the tenant

    clock.now += 120.0
    await limiter.acquire(TENANT, "thread-new")

    assert limiter.tracked == 2


async def test_two_instances_together_keep_to_one_tenant_budget():
    # Each process counts on its own: with two, each may send half of the tenant's budget.
    clock = FrozenClock()
    instances = [limiter_on(clock, per_tenant=per_tenant_for(2)) for _ in range(2)]
    for thread in range(15):
        for limiter in instances:
            await limiter.acquire(TENANT, f"thread-{thread}")
    assert clock.slept == []  # 30 in the first second between them

    await instances[0].acquire(TENANT, "thread-15")
    assert len(clock.slept) == 1


def test_an_instance_alone_has_the_whole_budget_and_never_less_than_one():
    assert per_tenant_for(1) == PER_TENANT
    assert per_tenant_for(100)[0].count == 1
