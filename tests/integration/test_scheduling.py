"""Booking on SQLite and PostgreSQL: the database refuses double booking, whatever the timing;
rescheduling and cancelling free the time; WeCom effects are written with the booking."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from recruiting.domain.availability import Interval, Proposal
from recruiting.domain.roles import Role
from recruiting.errors import AccessDenied, Conflict, InvalidTransition
from recruiting.models import (
    Application,
    Candidate,
    Interview,
    InterviewMode,
    InterviewRound,
    InterviewSlot,
    JobOpening,
    OutboxMessage,
    Staff,
    SubjectKind,
)
from recruiting.ports.outbound import Channel
from recruiting.services.scheduling.slots import SchedulingRules, SchedulingService, SlotTaken
from recruiting.services.shared.sessions import Principal

SH = ZoneInfo("Asia/Shanghai")
MONDAY_10 = datetime(2030, 11, 25, 10, tzinfo=SH)
HR = Principal(1, SubjectKind.STAFF, userid="lina", roles=frozenset({Role.HR}))


@dataclass(frozen=True)
class SchedulingWorld:
    """One job with a one-interviewer round and a two-interviewer panel round, three
    candidates applying and three interviewers."""

    round: InterviewRound
    panel: InterviewRound
    apps: list[Application]
    staff: list[Staff]
    service: SchedulingService


@pytest.fixture
async def world(database: str) -> SchedulingWorld:
    job = await JobOpening.create(code="j", title="岗位")
    round_ = await InterviewRound.create(job=job, name="技术面", duration_minutes=60, panel_size=1)
    panel = await InterviewRound.create(job=job, name="终面", sequence=2, duration_minutes=45,
                                        panel_size=2)  # fmt: skip
    apps = []
    for n in range(3):
        candidate = await Candidate.create(name=f"候选人{n}")
        apps.append(await Application.create(candidate=candidate, job=job))
    staff = [await Staff.create(wecom_userid=f"iv{n}", name=f"面试官{n}", roles=["interviewer"])
             for n in range(3)]  # fmt: skip
    return SchedulingWorld(round=round_, panel=panel, apps=apps, staff=staff,
                           service=SchedulingService(SchedulingRules(SH)))  # fmt: skip


def _slot(start: datetime, minutes: int, *who: Staff) -> Proposal:
    return Proposal(Interval(start, start + timedelta(minutes=minutes)), tuple(s.id for s in who))


async def test_two_hr_people_booking_the_same_interviewer_at_once(world: SchedulingWorld) -> None:
    service, iv = world.service, world.staff[0]
    overlapping = [_slot(MONDAY_10, 60, iv), _slot(MONDAY_10 + timedelta(minutes=30), 60, iv)]
    results = await asyncio.gather(
        *(service.book(HR, app.id, world.round.id, p)
          for app, p in zip(world.apps, overlapping, strict=False)),
        return_exceptions=True,
    )  # fmt: skip
    won = [r for r in results if isinstance(r, Interview)]
    lost = [r for r in results if isinstance(r, SlotTaken)]
    assert len(won) == 1 and len(lost) == 1, results
    assert len(lost[0].alternatives) == 3
    taken = Interval(won[0].starts_at, won[0].ends_at)
    assert all(not a.slot.overlaps(taken) or iv.id not in a.interviewers
               for a in lost[0].alternatives)  # fmt: skip
    assert await InterviewSlot.filter(interviewer_id=iv.id).count() == 4  # 60 min = 4 blocks
    effects = await OutboxMessage.filter(channel=Channel.WECOM_SCHEDULE)
    assert [e.payload["interview_id"] for e in effects] == [won[0].id]


async def test_the_loser_books_one_of_the_alternatives(world: SchedulingWorld) -> None:
    service, iv = world.service, world.staff[0]
    await service.book(HR, world.apps[0].id, world.round.id, _slot(MONDAY_10, 60, iv))
    with pytest.raises(SlotTaken) as taken:
        await service.book(HR, world.apps[1].id, world.round.id, _slot(MONDAY_10, 60, iv))
    option = taken.value.alternatives[0]
    assert option.slot.start != MONDAY_10 or iv.id not in option.interviewers
    again = await service.book(HR, world.apps[1].id, world.round.id, option)
    assert again.id


async def test_panels_remote_meetings_reschedule_cancel_and_no_show(world: SchedulingWorld) -> None:
    service = world.service
    a, b, c = world.staff
    interview = await service.book(HR, world.apps[0].id, world.panel.id,
                                   _slot(MONDAY_10, 45, a, b), mode=InterviewMode.REMOTE)  # fmt: skip
    assert await OutboxMessage.filter(channel=Channel.WECOM_MEETING).count() == 1
    assert await InterviewSlot.filter(interview_id=interview.id).count() == 6  # 2 × 3 blocks
    moved = await service.reschedule(
        HR, interview.id, _slot(MONDAY_10 + timedelta(days=1), 45, a, c)
    )
    assert moved.status == "scheduled" and moved.version == 1  # not sent yet: stays scheduled
    holders = {s.interviewer_id for s in await InterviewSlot.filter(interview_id=interview.id)}  # type: ignore[attr-defined]
    assert holders == {a.id, c.id}
    # b's old time is free again: another interview can take it.
    await service.book(HR, world.apps[1].id, world.round.id, _slot(MONDAY_10, 60, b))
    await service.cancel(HR, interview.id, "candidate withdrew")
    assert not await InterviewSlot.filter(interview_id=interview.id).exists()
    ops = [m.payload["op"] for m in await OutboxMessage.filter(
        channel=Channel.WECOM_SCHEDULE, recipient=f"interview:{interview.id}").order_by("id")]  # fmt: skip
    assert ops == ["add", "update", "delete"]
    with pytest.raises(Conflict, match="已取消"):
        await service.no_show(HR, interview.id)
    kept = await service.book(HR, world.apps[2].id, world.round.id,
                              _slot(MONDAY_10 + timedelta(days=2), 60, c))  # fmt: skip
    with pytest.raises(InvalidTransition):  # a no-show needs a confirmed interview
        await service.no_show(HR, kept.id)


async def test_only_hr_books_and_only_interviewers_sit(world: SchedulingWorld) -> None:
    service, iv = world.service, world.staff[0]
    outsider = Principal(2, SubjectKind.STAFF, userid="fin", roles=frozenset({Role.FINANCE}))
    with pytest.raises(AccessDenied):
        await service.book(outsider, world.apps[0].id, world.round.id,
                           _slot(MONDAY_10, 60, iv))  # fmt: skip
    hr_only = await Staff.create(wecom_userid="hr2", name="HR", roles=["hr"])
    with pytest.raises(Exception, match="在职且有面试官角色"):
        await service.book(HR, world.apps[0].id, world.round.id,
                           _slot(MONDAY_10, 60, hr_only))  # fmt: skip


async def test_an_onsite_booking_without_a_place_takes_the_configured_one(
    world: SchedulingWorld,
) -> None:
    """Round, else opening, else the lead interviewer's office; a given place wins; a remote
    interview has none (it gets a meeting)."""
    service, (iv0, iv1, _) = world.service, world.staff
    round_, job = world.round, await JobOpening.get(code="j")
    await Staff.filter(id=iv0.id).update(office="深圳南山 A 座 12 楼")
    day = MONDAY_10
    first = await service.book(HR, world.apps[0].id, round_.id, _slot(day, 60, iv0))
    assert first.location == "深圳南山 A 座 12 楼"
    await JobOpening.filter(id=job.id).update(interview_location="上海总部 5 楼")
    second = await service.book(HR, world.apps[1].id, round_.id,
                                _slot(day + timedelta(days=1), 60, iv1))  # fmt: skip
    assert second.location == "上海总部 5 楼"
    await InterviewRound.filter(id=round_.id).update(location="北京总部 3 楼 301")
    third = await service.book(HR, world.apps[2].id, round_.id,
                               _slot(day + timedelta(days=2), 60, iv0))  # fmt: skip
    assert third.location == "北京总部 3 楼 301"
    for interview in (first, second, third):
        await service.cancel(HR, interview.id)
    given = await service.book(HR, world.apps[0].id, round_.id,
                               _slot(day + timedelta(days=3), 60, iv0),
                               location="  前台接待  ")  # fmt: skip
    assert given.location == "前台接待"
    room = "https://meeting.tencent.com/dm/standing-room"
    await InterviewRound.filter(id=round_.id).update(meeting_link=room)
    remote = await service.book(HR, world.apps[1].id, round_.id,
                                _slot(day + timedelta(days=4), 60, iv1),
                                mode=InterviewMode.REMOTE)  # fmt: skip
    assert remote.location == "" and remote.meeting_link == room  # the round's standing room
    assert given.meeting_link == ""


async def test_proposals_pick_interviewers_who_fit_the_opening(world: SchedulingWorld) -> None:
    service, (iv0, _, iv2) = world.service, world.staff
    await JobOpening.filter(code="j").update(title="销售代表", department="销售部")
    await Staff.filter(id=iv0.id).update(title="技术面试官", department="研发中心")
    await Staff.filter(id=iv2.id).update(title="销售总监", department="销售部")
    window = Interval(MONDAY_10, MONDAY_10 + timedelta(days=2))
    found = await service.propose(HR, world.round.id, [window])
    assert found and {p.interviewers for p in found} == {(iv2.id,)}
    panel = await service.propose(HR, world.panel.id, [window])
    assert panel and all(iv2.id in p.interviewers for p in panel)
    # The sales director is busy for the whole window: the others are proposed, not nobody.
    await service.book(HR, world.apps[0].id, world.round.id, _slot(MONDAY_10, 60, iv2))
    await InterviewSlot.bulk_create([
        InterviewSlot(interviewer_id=iv2.id, starts_at=MONDAY_10 + timedelta(minutes=15 * n),
                      ends_at=MONDAY_10 + timedelta(minutes=15 * (n + 1)))
        for n in range(4, 4 * 48)
    ])  # fmt: skip
    fallback = await service.propose(HR, world.round.id, [window])
    assert fallback and all(iv2.id not in p.interviewers for p in fallback)
