"""Two scheduler instances against one PostgreSQL and Redis: in two processes ticking at the
same moment, each reminder is written exactly once (with the Redis leader lock, and even
without it); a restarted instance writes nothing twice; when the leader dies, a follower
takes over once the lease expires and carries on where it stopped."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import redis.asyncio as aioredis

from recruiting.db import close_database
from recruiting.domain.availability import Interval, Proposal
from recruiting.domain.roles import Role
from recruiting.models import (
    Application,
    Candidate,
    Interview,
    InterviewRound,
    JobOpening,
    OutboxMessage,
    ReminderDelivery,
    Staff,
    SubjectKind,
)
from recruiting.services.scheduling.reminders import ReminderService
from recruiting.services.scheduling.slots import SchedulingRules, SchedulingService
from recruiting.services.shared.sessions import Principal
from scheduler.jobs import JobRegistry
from scheduler.leader import LOCK_KEY, LeaderGuard, RedisLease
from scheduler.runner import Scheduler
from tests.conftest import POSTGRES_URL, REDIS_URL, shared_services_env
from tests.integration.reminder_instance import POLICY

ROOT = Path(__file__).resolve().parents[2]
SH = ZoneInfo("Asia/Shanghai")
START = datetime(2030, 11, 26, 10, tzinfo=SH)  # a Tuesday 10:00, as in test_reminders
H, DAY = timedelta(hours=1), timedelta(hours=24)
HR = Principal(1, SubjectKind.STAFF, userid="lina", roles=frozenset({Role.HR}))


@pytest.fixture
async def booked() -> AsyncIterator[list[Interview]]:
    """Three invited interviews (candidate + two interviewers each) on PostgreSQL + Redis."""
    await shared_services_env()
    job = await JobOpening.create(code="dev", title="后端工程师")
    round_ = await InterviewRound.create(job=job, name="技术面", duration_minutes=60, panel_size=2)
    staff = [await Staff.create(wecom_userid=f"iv{n}", name=f"面试官{n}", roles=["interviewer"])
             for n in range(2)]  # fmt: skip
    scheduling = SchedulingService(SchedulingRules(SH))
    interviews = []
    for n, hour in enumerate((10, 14, 15)):
        application = await Application.create(candidate=await Candidate.create(name=f"候选{n}"),
                                               job=job)  # fmt: skip
        start = START.replace(hour=hour)
        proposal = Proposal(Interval(start, start + H), tuple(s.id for s in staff))
        interview = await scheduling.book(HR, application.id, round_.id, proposal)
        await Interview.filter(id=interview.id).update(status="invited")
        interviews.append(interview)
    yield interviews
    await close_database()


async def instances(n: int, now: datetime, mode: str, ticks: int = 5) -> list[dict[str, Any]]:
    """Run ``n`` instances in their own processes, release them together, collect results."""
    env = os.environ | {"PYTHONPATH": str(ROOT)}
    args = [POSTGRES_URL, REDIS_URL, now.isoformat(), mode, str(ticks)]
    pipe = asyncio.subprocess.PIPE
    procs = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tests.integration.reminder_instance",
            *args,
            cwd=ROOT,
            env=env,
            stdin=pipe,
            stdout=pipe,
        )
        for _ in range(n)
    ]
    try:
        for p in procs:
            assert p.stdout is not None
            line = await asyncio.wait_for(p.stdout.readline(), 60)
            assert line.strip() == b"ready", line
        for p in procs:  # all ready: go at once
            assert p.stdin is not None
            p.stdin.write(b"go\n")
            await p.stdin.drain()
        results = []
        for p in procs:
            assert p.stdout is not None
            results.append(json.loads(await asyncio.wait_for(p.stdout.readline(), 60)))
        for p in procs:  # only now may the leader give its lease up
            assert p.stdin is not None
            p.stdin.write(b"stop\n")
            await p.stdin.drain()
        for p in procs:
            assert await asyncio.wait_for(p.wait(), 60) == 0
        return results
    finally:
        for p in procs:
            if p.returncode is None:
                p.kill()
                await p.wait()


async def written() -> list[str]:
    rows = await OutboxMessage.filter(idempotency_key__startswith="reminder:")
    keys = [r.idempotency_key for r in rows]
    assert len(keys) == len(set(keys)) == await ReminderDelivery.all().count()
    return sorted(keys)


async def test_two_processes_with_the_leader_lock(booked: list[Interview]) -> None:
    results = await instances(2, START - DAY + timedelta(minutes=1), "lock")
    assert sorted(r["led"] for r in results) == [False, True]
    assert [r["written"] for r in results if not r["led"]] == [0]
    keys = await written()
    assert sum(r["written"] for r in results) == len(keys) == 3  # the 10:00 one's 24 h mark
    assert all(":1440m:" in k for k in keys)


async def test_two_processes_without_the_lock_still_write_each_reminder_once(
    booked: list[Interview],
) -> None:
    now = START.replace(hour=9, minute=30)  # 1 h mark of the 10:00 one, 24 h of the others
    results = await instances(2, now, "nolock", ticks=3)
    keys = await written()
    assert sum(r["written"] for r in results) == len(keys) == 9
    assert sum(":60m:" in k for k in keys) == 3 and sum(":1440m:" in k for k in keys) == 6


async def test_a_restarted_instance_writes_nothing_twice(booked: list[Interview]) -> None:
    first = START - DAY + timedelta(minutes=1)
    assert [r["written"] for r in await instances(1, first, "lock", ticks=2)] == [3]
    again = await instances(1, first + timedelta(minutes=5), "lock", ticks=2)
    assert [r["written"] for r in again] == [0]
    # the 10:00 one's 1 h mark, and the 24 h marks of 14:00 and 15:00 passed meanwhile
    assert [r["written"] for r in await instances(1, START - H, "lock", ticks=1)] == [9]
    assert len(await written()) == 12


async def test_a_follower_takes_over_when_the_leader_dies(booked: list[Interview]) -> None:
    r = aioredis.from_url(REDIS_URL, decode_responses=True)
    leases = [RedisLease(r), RedisLease(r)]
    service = ReminderService(POLICY)
    schedulers = []
    for n, lease in enumerate(leases):
        registry = JobRegistry()
        registry.add("reminders.send_due", service.send_due)
        schedulers.append(Scheduler(registry, LeaderGuard(lease, 1.0, f"s{n}"),
                                    tick=timedelta(seconds=1)))  # fmt: skip
    a, b = schedulers
    a.clock = b.clock = lambda: START - DAY
    assert await a.run_once() == {"reminders.send_due": 3}
    assert await b.run_once() == {"reminders.send_due": None}
    assert await leases[1].release(b.guard.token) is False  # not its lease to give up
    assert await r.get(LOCK_KEY) == a.guard.token
    # a dies here (no renewal, no release); b keeps trying until the lease has expired
    a.clock = b.clock = lambda: START - H
    deadline = asyncio.get_running_loop().time() + 15
    while not await b.guard.refresh():
        assert asyncio.get_running_loop().time() < deadline, "b never took over"
        await asyncio.sleep(0.1)
    assert await b.run_once() == {"reminders.send_due": 9}
    assert await a.run_once() == {"reminders.send_due": None}  # a came back: it follows
    await a.stop()  # a's release must not remove b's lease
    assert await r.get(LOCK_KEY) == b.guard.token
    await b.stop()
    assert await r.get(LOCK_KEY) is None
    await r.aclose()
    assert len(await written()) == 12
