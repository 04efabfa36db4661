"""HR's scheduling steps with their consequence for the candidate, as one unit of work
(``InterviewBooking``): a crash between booking and inviting, or between cancelling and
withdrawing, leaves neither step, never one; and the relay hears of the messages only
after both committed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from recruiting.domain.interview_state import InterviewStatus
from recruiting.domain.roles import Role
from recruiting.errors import AccessDenied
from recruiting.models import (
    Application,
    Candidate,
    Interview,
    InterviewInvitation,
    InterviewRound,
    InterviewSlot,
    InvitationStatus,
    JobOpening,
    OutboxMessage,
    Staff,
    SubjectKind,
)
from recruiting.ports.outbound import Channel
from recruiting.services.invitations.lifecycle import InterviewInvitations
from recruiting.services.scheduling.booking import InterviewBooking
from recruiting.services.scheduling.slots import SchedulingRules, SchedulingService
from recruiting.services.shared.sessions import Principal

SH = ZoneInfo("Asia/Shanghai")
HR = Principal(1, SubjectKind.STAFF, userid="lina", roles=frozenset({Role.HR}))


class Crash(RuntimeError):
    """The process dying between the two steps of a story step."""


@dataclass
class Queue:
    """The relay's wake-up queue: what was put, in order."""

    messages: list[str] = field(default_factory=list)

    async def put(self, topic: str, message: str) -> None:
        await self.put_many(topic, [message])

    async def put_many(self, topic: str, messages: list[str]) -> None:
        self.messages += [f"{topic}:{m}" for m in messages]

    async def get(self, topic: str, timeout: float) -> str | None:
        return None

    async def close(self) -> None:
        return None

    async def ids(self) -> list[int]:
        return sorted(int(m.removeprefix("outbox:")) for m in self.messages)


@dataclass(frozen=True)
class World:
    booking: InterviewBooking
    queue: Queue
    application: Application
    round: InterviewRound
    interviewer: Staff
    start: datetime


@pytest.fixture
async def world(database: str) -> World:
    job = await JobOpening.create(code="sales", title="销售代表")
    round_ = await InterviewRound.create(job=job, name="业务面", duration_minutes=60, panel_size=1)
    application = await Application.create(candidate=await Candidate.create(name="赵敏"), job=job)
    interviewer = await Staff.create(
        wecom_userid="iv0", name="王强", title="经理", roles=["interviewer"]
    )
    await Staff.create(wecom_userid="lina", name="李娜", roles=["hr"])
    queue = Queue()
    scheduling = SchedulingService(SchedulingRules(SH), queue)
    invitations = InterviewInvitations(scheduling, SH, queue)
    monday = datetime.now(SH) + timedelta(days=14 - datetime.now(SH).weekday())
    start = monday.replace(hour=10, minute=0, second=0, microsecond=0)
    booking = InterviewBooking(scheduling, invitations)
    return World(booking, queue, application, round_, interviewer, start)


async def _book(world: World) -> Interview:
    return await world.booking.book_and_invite(
        HR, world.application.id, world.round.id, world.start, [world.interviewer.id],
        location="A 座 12 楼",
    )  # fmt: skip


async def _outbox_ids() -> list[int]:
    return sorted(int(r.id) for r in await OutboxMessage.all())


async def test_booking_and_invitation_commit_together_and_are_queued_after(world: World) -> None:
    interview = await _book(world)
    assert interview.starts_at == world.start
    assert (await Interview.get(id=interview.id)).status == InterviewStatus.INVITED
    [invitation] = await InterviewInvitation.filter(interview_id=interview.id)
    assert invitation.status == InvitationStatus.SENT
    channels = sorted(str(r.channel) for r in await OutboxMessage.all())
    assert channels == sorted([Channel.WECOM_SCHEDULE, Channel.CANDIDATE, Channel.WECOM_MESSAGE])
    assert await world.queue.ids() == await _outbox_ids()  # every row, each once


async def test_a_crash_after_booking_leaves_no_booking_without_its_invitation(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def crash(*args: Any, **kwargs: Any) -> Any:
        raise Crash("died after the booking, before the invitation")

    monkeypatch.setattr(InterviewInvitations, "_create", crash)
    with pytest.raises(Crash):
        await _book(world)
    assert await Interview.all().count() == 0
    assert await InterviewSlot.all().count() == 0  # the time is free again
    assert await OutboxMessage.all().count() == 0  # no WeCom schedule for a phantom
    assert world.queue.messages == []

    monkeypatch.undo()  # the retry (HR clicks again) does both
    interview = await _book(world)
    assert await InterviewInvitation.filter(interview_id=interview.id).count() == 1
    assert await world.queue.ids() == await _outbox_ids()


async def test_a_crash_after_cancelling_leaves_the_interview_and_invitation_standing(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    interview = await _book(world)
    queued, rows = list(world.queue.messages), await _outbox_ids()

    async def crash(*args: Any, **kwargs: Any) -> Any:
        raise Crash("died after the cancellation, before the withdrawal")

    monkeypatch.setattr(InterviewInvitations, "withdraw", crash)
    with pytest.raises(Crash):
        await world.booking.cancel_and_withdraw(HR, interview.id, "岗位关闭")
    assert (await Interview.get(id=interview.id)).status == InterviewStatus.INVITED
    assert await InterviewSlot.filter(interview_id=interview.id).count() == 1 * 4  # 4 blocks
    assert await _outbox_ids() == rows and world.queue.messages == queued  # no schedule delete

    monkeypatch.undo()
    await world.booking.cancel_and_withdraw(HR, interview.id, "岗位关闭")
    assert (await Interview.get(id=interview.id)).status == InterviewStatus.CANCELLED
    [invitation] = await InterviewInvitation.filter(interview_id=interview.id)
    assert invitation.status == InvitationStatus.WITHDRAWN
    new = [r for r in await OutboxMessage.filter(id__gt=max(rows)).order_by("id")]
    assert {(r.channel, r.payload.get("op")) for r in new} >= {
        (Channel.WECOM_SCHEDULE, "delete"),
        (Channel.CANDIDATE, None),
    }
    assert await world.queue.ids() == await _outbox_ids()


async def test_who_may_not_schedule_is_refused_before_anything_is_read(world: World) -> None:
    interviewer = Principal(2, SubjectKind.STAFF, userid="iv0", roles=frozenset({Role.INTERVIEWER}))
    with pytest.raises(AccessDenied):  # not NotFound: unknown ids stay unknown
        await world.booking.reschedule_and_invite(interviewer, 999_999, world.start, [1])
    with pytest.raises(AccessDenied):
        await world.booking.book_and_invite(interviewer, 1, 999_999, world.start, [1])
