"""Interview reminders on SQLite and PostgreSQL, on a fixed clock: written once per recipient
and offset whatever runs them (twice, concurrently, after a restart), none for cancelled or
moved interviews (also when already waiting in the outbox), candidate quiet hours, catch-up
after an outage."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from recruiting.domain.availability import Interval, Proposal
from recruiting.domain.reminders import Audience, QuietHours, ReminderPolicy
from recruiting.domain.roles import Role
from recruiting.models import (
    Application,
    Candidate,
    Interview,
    InterviewMode,
    InterviewRound,
    JobOpening,
    OutboxMessage,
    ProcessingStatus,
    ReminderDelivery,
    Staff,
    SubjectKind,
)
from recruiting.ports.outbound import Channel
from recruiting.services.messaging.outbox import OutboxRelay
from recruiting.services.scheduling.reminders import (
    Due,
    ReminderService,
    gate_reminders,
    reminder_key,
)
from recruiting.services.scheduling.slots import SchedulingRules, SchedulingService
from recruiting.services.shared.sessions import Principal
from tests.fakes.outbound import RecordingSender

SH = ZoneInfo("Asia/Shanghai")
START = datetime(2030, 11, 26, 10, tzinfo=SH)  # a Tuesday 10:00
H, DAY = timedelta(hours=1), timedelta(hours=24)
HR = Principal(1, SubjectKind.STAFF, userid="lina", roles=frozenset({Role.HR}))
POLICY = ReminderPolicy((DAY, H), SH, QuietHours(time(22), time(8)))


@dataclass(frozen=True)
class ReminderWorld:
    round: InterviewRound  # a two-interviewer round
    application: Application
    candidate: Candidate
    staff: list[Staff]  # three interviewers; book() seats the first two
    scheduling: SchedulingService


@pytest.fixture
async def world(database: str) -> ReminderWorld:
    job = await JobOpening.create(code="dev", title="后端工程师")
    round_ = await InterviewRound.create(job=job, name="技术面", duration_minutes=60, panel_size=2)
    candidate = await Candidate.create(name="赵敏")
    application = await Application.create(candidate=candidate, job=job)
    staff = [await Staff.create(wecom_userid=f"iv{n}", name=f"面试官{n}", roles=["interviewer"])
             for n in range(3)]  # fmt: skip
    scheduling = SchedulingService(SchedulingRules(SH))
    return ReminderWorld(round=round_, application=application, candidate=candidate,
                         staff=staff, scheduling=scheduling)  # fmt: skip


async def book(world: ReminderWorld, start: datetime = START, *, invite: bool = True,
               mode: InterviewMode = InterviewMode.REMOTE) -> Interview:  # fmt: skip
    panel = world.staff[:2]
    proposal = Proposal(Interval(start, start + H), tuple(s.id for s in panel))
    interview: Interview = await world.scheduling.book(
        HR, world.application.id, world.round.id, proposal, mode=mode, location="3楼"
    )
    if invite:  # what the invitation piece does when the candidate is sent the invitation
        await Interview.filter(id=interview.id).update(status="invited")
    await interview.refresh_from_db()
    return interview


async def reminders() -> list[tuple[str, str, int]]:
    rows = await OutboxMessage.filter(idempotency_key__startswith="reminder:").order_by("id")
    deliveries = {d.outbox_id: d for d in await ReminderDelivery.all()}
    assert set(deliveries) == {r.id for r in rows}  # one delivery row per outbox row
    return sorted((r.channel, r.recipient, deliveries[r.id].offset_minutes) for r in rows)


def expected(world: ReminderWorld, minutes: int, *, candidate: bool = True) -> list[Any]:
    out = [(Channel.WECOM_MESSAGE, "iv0", minutes), (Channel.WECOM_MESSAGE, "iv1", minutes)]
    if candidate:
        out.append((Channel.CANDIDATE, f"candidate:{world.candidate.id}", minutes))
    return sorted(out)


async def test_each_offset_is_written_once_to_candidate_and_panel(world: ReminderWorld) -> None:
    interview = await book(world)
    service = ReminderService(POLICY)
    assert await service.send_due(START - DAY - timedelta(minutes=1)) == 0
    assert await service.send_due(START - DAY) == 3
    assert await service.send_due(START - DAY + timedelta(minutes=5)) == 0
    assert await reminders() == expected(world, 1440)
    # a restart: a new service, same database
    assert await ReminderService(POLICY).send_due(START - DAY + timedelta(minutes=10)) == 0
    assert await service.send_due(START - H) == 3
    assert await service.send_due(START - timedelta(minutes=1)) == 0
    assert await reminders() == sorted(expected(world, 1440) + expected(world, 60))

    iv0 = await OutboxMessage.get(recipient="iv0", idempotency_key__contains=":60m:")
    assert iv0.idempotency_key == reminder_key(interview.id, "iv0", 60, int(START.timestamp()))
    text = iv0.payload["content"]
    assert "后端工程师（技术面）" in text and "11月26日（周二）10:00–11:00" in text
    assert "线上视频面试" in text and "今天" in text
    cand = await OutboxMessage.get(channel=Channel.CANDIDATE, idempotency_key__contains=":1440m:")
    assert cand.payload["kind"] == "text" and "明天" in cand.payload["content"]
    assert "设备检测" in cand.payload["content"]


async def test_onsite_reminder_names_the_place_and_no_device_check(world: ReminderWorld) -> None:
    await book(world, mode=InterviewMode.ONSITE)
    await ReminderService(POLICY).send_due(START - H)
    cand = await OutboxMessage.get(channel=Channel.CANDIDATE)
    assert "地点：3楼" in cand.payload["content"] and "设备检测" not in cand.payload["content"]


async def test_after_an_outage_only_the_nearest_offset_goes(world: ReminderWorld) -> None:
    await book(world)
    service = ReminderService(POLICY)
    assert await service.send_due(START - timedelta(minutes=30)) == 3
    assert await service.send_due(START - timedelta(minutes=10)) == 0
    assert await reminders() == expected(world, 60)  # the 24 h ones are never written
    assert await service.send_due(START + timedelta(minutes=1)) == 0


async def test_nothing_after_the_start(world: ReminderWorld) -> None:
    await book(world)
    assert await ReminderService(POLICY).send_due(START) == 0
    assert await ReminderService(POLICY).send_due(START + timedelta(hours=2)) == 0
    assert await reminders() == []


async def test_a_scheduled_interview_reminds_only_the_panel(world: ReminderWorld) -> None:
    await book(world, invite=False)
    assert await ReminderService(POLICY).send_due(START - H) == 2
    assert await reminders() == expected(world, 60, candidate=False)


async def test_candidate_quiet_hours(world: ReminderWorld) -> None:
    late = START.replace(hour=17) + timedelta(days=7)  # 24 h mark in working hours
    interview = await book(world, late)
    start = late.replace(hour=23)  # the 24 h mark is 23:00 the day before: quiet
    await Interview.filter(id=interview.id).update(starts_at=start.astimezone(UTC))
    service = ReminderService(POLICY)
    assert await service.send_due(start - DAY) == 2  # the panel only
    assert await service.send_due(start - DAY + timedelta(hours=8, minutes=59)) == 0
    assert await service.send_due(start.replace(hour=8)) == 1  # the candidate, at 08:00
    assert await reminders() == expected(world, 1440)


async def test_cancel_stops_reminders_also_those_already_in_the_outbox(
    world: ReminderWorld,
) -> None:
    interview = await book(world)
    service = ReminderService(POLICY)
    assert await service.send_due(START - DAY) == 3
    await world.scheduling.cancel(HR, interview.id, "岗位关闭")
    assert await service.send_due(START - H) == 0
    recorder = RecordingSender()
    relay = OutboxRelay(gate_reminders({Channel.WECOM_MESSAGE: recorder, Channel.CANDIDATE: recorder}),
                        lease_seconds=30, max_attempts=3)  # fmt: skip
    pending = await OutboxMessage.filter(idempotency_key__startswith="reminder:")
    assert len(pending) == 3
    for row in pending:
        await relay.deliver(row.id)
    assert recorder.sent == []
    for row in await OutboxMessage.filter(idempotency_key__startswith="reminder:"):
        assert row.status == ProcessingStatus.DONE
        assert row.result == {"skipped": "interview is cancelled"}


async def test_reschedule_gets_new_reminders_and_the_old_ones_never_go(
    world: ReminderWorld,
) -> None:
    interview = await book(world)
    service = ReminderService(POLICY)
    assert await service.send_due(START - DAY) == 3
    later = START + timedelta(days=2)
    panel = world.staff[1:3]  # iv1 stays, iv2 replaces iv0
    await world.scheduling.reschedule(
        HR, interview.id, Proposal(Interval(later, later + H), tuple(s.id for s in panel))
    )
    recorder = RecordingSender()
    relay = OutboxRelay(gate_reminders({Channel.WECOM_MESSAGE: recorder, Channel.CANDIDATE: recorder}),
                        lease_seconds=30, max_attempts=3)  # fmt: skip
    for row in await OutboxMessage.filter(idempotency_key__startswith="reminder:"):
        await relay.deliver(row.id)
    assert recorder.sent == []  # the old time's reminders are all skipped
    assert await service.send_due(START - H) == 0  # nothing at the old time
    assert await service.send_due(later - DAY) == 3  # the new time gets its own
    new = await OutboxMessage.filter(
        idempotency_key__endswith=f":{int(later.timestamp())}"
    ).order_by("id")
    assert sorted(r.recipient for r in new) == sorted(
        ["iv1", "iv2", f"candidate:{world.candidate.id}"]
    )
    for row in new:
        assert await relay.deliver(row.id)
    assert sorted(m.recipient for m in recorder.sent) == sorted(r.recipient for r in new)
    assert all("11月28日" in m.payload["content"] for m in recorder.sent)


async def test_concurrent_runs_write_each_reminder_once(world: ReminderWorld) -> None:
    for n, hour in enumerate((10, 14, 15, 16)):  # around the lunch break
        candidate = await Candidate.create(name=f"候选人{n}")
        application = await Application.create(candidate=candidate, job_id=world.round.job_id)
        await book(replace(world, application=application), START.replace(hour=hour),
                   invite=n % 2 == 0)  # fmt: skip
    services = [ReminderService(POLICY) for _ in range(4)]
    now = START - timedelta(minutes=30)  # the 1 h reminders of the first one, 24 h of the rest
    counts = await asyncio.gather(*(s.send_due(now) for s in services for _ in range(3)))
    rows = await OutboxMessage.filter(idempotency_key__startswith="reminder:")
    # interviews 0 and 2 were sent to the candidate: 3 recipients, 1 and 3: the panel only
    assert sum(counts) == len(rows) == 3 + 2 + 3 + 2
    assert len({r.idempotency_key for r in rows}) == len(rows)
    assert await ReminderDelivery.all().count() == len(rows)


async def test_the_database_lets_only_one_writer_win(world: ReminderWorld) -> None:
    """Two writers that both found a reminder missing and insert it at once (what two
    schedulers without a leader lock would do): one row, the other rolls back."""
    interview = await book(world)
    await interview.fetch_related("round__job", "application")
    due = Due(interview, Audience.INTERVIEWER, "iv0", H)
    service = ReminderService(POLICY)
    results = await asyncio.gather(*(service._write(due, START - H) for _ in range(4)))
    assert results.count(None) == 3
    assert await OutboxMessage.filter(recipient="iv0").count() == 1
    assert await ReminderDelivery.all().count() == 1
