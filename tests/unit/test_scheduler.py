"""The scheduler package on its in-process lease: the job registry, one leader among several
guards, failover when the leader's lease expires, and ticks that run jobs on the leader only
with the scheduler's clock."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from scheduler.jobs import JobRegistry
from scheduler.leader import LeaderGuard, MemoryLease
from scheduler.runner import Scheduler

T0 = datetime(2026, 11, 18, 6, 0, tzinfo=UTC)


class FakeTime:
    def __init__(self) -> None:
        self.value = 1000.0

    def __call__(self) -> float:
        return self.value


def guards(n: int, ttl: float = 30.0) -> tuple[FakeTime, list[LeaderGuard]]:
    clock, table = FakeTime(), {}  # type: ignore[var-annotated]
    return clock, [
        LeaderGuard(MemoryLease(table, monotonic=clock), ttl, f"g{i}", monotonic=clock)
        for i in range(n)
    ]


def test_registry_refuses_duplicates_and_bad_intervals() -> None:
    async def job(now: datetime) -> int:
        return 0

    registry = JobRegistry()
    registry.add("a", job)
    registry.add("b", job, every=timedelta(minutes=5))
    assert registry.names() == ["a", "b"] and len(registry) == 2
    with pytest.raises(ValueError, match="already registered"):
        registry.add("a", job)
    with pytest.raises(ValueError, match="positive"):
        registry.add("c", job, every=timedelta(0))


async def test_only_one_guard_leads() -> None:
    _, (a, b, c) = guards(3)
    results = await asyncio.gather(a.refresh(), b.refresh(), c.refresh())
    assert sorted(results) == [False, False, True]
    assert [a.is_leader, b.is_leader, c.is_leader] == results
    # renewing keeps it with the same one
    assert await a.refresh() is results[0] and await b.refresh() is results[1]


async def test_a_follower_takes_over_when_the_leader_lease_expires() -> None:
    clock, (a, b) = guards(2, ttl=30.0)
    assert await a.refresh() and not await b.refresh()
    clock.value += 20  # a renews in time
    assert await a.refresh() and not await b.refresh()
    clock.value += 25  # 25 s after a's last renewal: a trusts itself only 0.8 · ttl
    assert not a.is_leader
    assert not await b.refresh()  # but the lease itself still runs (30 s)
    clock.value += 6  # a died: its lease expired
    assert await b.refresh() and b.is_leader
    assert not await a.refresh() and not a.is_leader  # a came back: it follows now


async def test_resigning_hands_over_at_once() -> None:
    _, (a, b) = guards(2)
    assert await a.refresh()
    await a.resign()
    assert not a.is_leader
    assert await b.refresh()
    await a.resign()  # not leading: harmless, and b keeps its lease
    assert await b.refresh()


async def test_jobs_run_on_the_leader_only_with_the_scheduler_clock() -> None:
    seen: list[tuple[str, datetime]] = []

    def registry(name: str) -> JobRegistry:
        async def job(now: datetime) -> int:
            seen.append((name, now))
            return 2

        r = JobRegistry()
        r.add("count", job)
        return r

    _, (a, b) = guards(2)
    one = Scheduler(registry("one"), a, tick=timedelta(seconds=1), clock=lambda: T0)
    two = Scheduler(registry("two"), b, tick=timedelta(seconds=1), clock=lambda: T0)
    assert await one.run_once() == {"count": 2}
    assert await two.run_once() == {"count": None}
    assert seen == [("one", T0)]


async def test_a_failing_job_does_not_stop_the_others() -> None:
    ran: list[str] = []

    async def broken(now: datetime) -> int:
        raise RuntimeError("boom")

    async def fine(now: datetime) -> int:
        ran.append("fine")
        return 1

    registry = JobRegistry()
    registry.add("broken", broken)
    registry.add("fine", fine)
    _, (a,) = guards(1)
    result = await Scheduler(registry, a, tick=timedelta(seconds=1)).run_once()
    assert result == {"broken": 0, "fine": 1} and ran == ["fine"]


async def test_the_running_scheduler_ticks_and_releases_its_lease_on_stop() -> None:
    ticks: list[datetime] = []
    enough = asyncio.Event()

    async def job(now: datetime) -> int:
        ticks.append(now)
        if len(ticks) >= 2:
            enough.set()
        return 0

    registry = JobRegistry()
    registry.add("tick", job, every=timedelta(seconds=0.05))
    table: dict[str, tuple[str, float]] = {}
    guard = LeaderGuard(MemoryLease(table), 30.0, "runner")
    scheduler = Scheduler(registry, guard, tick=timedelta(seconds=1), clock=lambda: T0)
    await scheduler.start()
    try:
        assert scheduler.running
        await asyncio.wait_for(enough.wait(), 10)
    finally:
        await scheduler.stop()
    assert set(ticks) == {T0} and not scheduler.running
    assert table == {}  # the lease was given up
