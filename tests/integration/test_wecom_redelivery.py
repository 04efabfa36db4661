"""A crash between WeCom's answer and the local commit, then the outbox's redelivery:
WeCom (the sandbox, over real HTTP through the real client) ends up with exactly one
approval, one schedule, one 微信客服 message, one 客户群发.

The crash is injected in the client seam: the real call goes through, then the process
"dies" (an exception no sender handles escapes the relay, the row stays claimed). The lease
runs out and the relay delivers the same row again, as the sweep of a restarted worker
would."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sanic import Sanic

from recruiting import clock
from recruiting.infra.memory_kv import MemoryKeyValueStore
from recruiting.models import (
    Application,
    Candidate,
    CandidateContact,
    CandidateMessage,
    Interview,
    InterviewRound,
    JobOpening,
    OutboxMessage,
    ProcessingStatus,
    SendAttempt,
)
from recruiting.ports.approval import OfferApprovalRequest, approval_draft
from recruiting.ports.outbound import Channel, OutboundDraft, OutboundMessage, OutboundSender
from recruiting.services.messaging.effects import Effects
from recruiting.services.messaging.outbox import OutboxRelay
from recruiting.settings import load_settings
from tests.serving import free_port, serving
from wecom_bot.candidate_channel import CandidateChannelSender
from wecom_bot.client import WeComClient, build_client
from wecom_bot.client.errors import WeComBusy, WeComNoPermission
from wecom_bot.offer_approval import WeComOfferApprovalSender, load_offer_template
from wecom_bot.sandbox.app import create_sandbox_app
from wecom_bot.sandbox.kf import DEFAULT_ACCOUNTS
from wecom_bot.sandbox.state import SandboxState
from wecom_bot.schedule_sender import WeComMeetingSender, WeComScheduleSender

SH = dt.timezone(dt.timedelta(hours=8))
OPEN_KFID = next(iter(DEFAULT_ACCOUNTS))
_names = iter(range(10_000))


class Crash(Exception):
    """The process dies: nothing after the outside call runs (no sender catches this)."""


class CrashAfter:
    """Passes every call to ``api``; the first call of ``method`` goes through to WeCom and
    then crashes before its answer reaches the caller."""

    def __init__(self, api: Any, method: str) -> None:
        self._api, self._method, self.crashed = api, method, False

    def __getattr__(self, name: str) -> Any:
        real = getattr(self._api, name)
        if name != self._method or self.crashed:
            return real

        async def call(*args: Any, **kwargs: Any) -> Any:
            await real(*args, **kwargs)
            self.crashed = True
            raise Crash(name)

        return call


@dataclass
class Wecom:
    client: WeComClient
    state: SandboxState


@pytest.fixture
async def wecom(database: str, tmp_path: Path) -> AsyncIterator[Wecom]:
    port = free_port()
    settings = load_settings(None, {"DATA_DIR": str(tmp_path), "SANDBOX_PORT": str(port)})
    Sanic.test_mode = True
    sandbox = create_sandbox_app(settings, name=f"redeliver{next(_names)}", keep_history=False)
    async with serving(sandbox, port):
        client = build_client(settings.wecom, MemoryKeyValueStore())
        try:
            yield Wecom(client, sandbox.ctx.state)
        finally:
            await client.aclose()


async def _stored(drafts: list[OutboundDraft], *, cause: str) -> list[int]:
    """The drafts' outbox rows, written as a service writes them (nothing queued)."""
    async with Effects(None).unit() as unit:
        return await unit.add(drafts, cause=cause)


async def crash_then_redeliver(sender: OutboundSender, draft: OutboundDraft) -> OutboxMessage:
    """Deliver the draft's row: the first try crashes; after the lease the row goes again."""
    [row_id] = await _stored([draft], cause="test")
    relay = OutboxRelay({draft.channel: sender}, lease_seconds=60, max_attempts=5)
    with pytest.raises(Crash):
        await relay.deliver(row_id)
    assert not await relay.deliver(row_id)  # still leased by the dead worker
    await OutboxMessage.filter(id=row_id).update(lease_until=clock.now() - dt.timedelta(seconds=1))
    assert await relay.deliver(row_id)
    row = await OutboxMessage.get(id=row_id)
    assert row.status == ProcessingStatus.DONE and row.attempts == 2
    return row


class Outcomes:
    def __init__(self) -> None:
        self.numbers: dict[int, str] = {}

    async def submitted_number(self, offer_id: int) -> str | None:
        return self.numbers.get(offer_id)

    async def submitted(self, offer_id: int, sp_no: str) -> None:
        self.numbers[offer_id] = sp_no

    async def refused(self, offer_id: int, code: int | None, reason: str) -> None:
        raise AssertionError(f"refused {code}: {reason}")


REQUEST = OfferApprovalRequest(
    offer_id=7, creator="lina", candidate="张三", job="销售代表", department="销售部",
    city="上海", base_salary="25000.00", bonus_months="2", year_end_bonus="50000.00",
    allowances="1500.00", start_date="2027-03-01",
)  # fmt: skip


async def test_approval_submitted_before_a_crash_is_adopted(wecom: Wecom) -> None:
    # Someone else's approval on the same template and creator: listed, read, not adopted.
    other = load_offer_template().body(REQUEST, SH, "ZPSOMEONEELSE")
    await wecom.client.approval.apply_event(other)
    outcomes = Outcomes()
    api = CrashAfter(wecom.client.approval, "apply_event")
    sender = WeComOfferApprovalSender(api, load_offer_template(), outcomes, SH)
    row = await crash_then_redeliver(sender, approval_draft(REQUEST, "applyevent"))
    assert api.crashed
    approvals = wecom.state.approvals.approvals
    assert len(approvals) == 2  # the other one and ours: no second submission
    ours = [sp for sp, a in approvals.items() if "ZPSOMEONEELSE" not in str(a.apply_data)]
    assert outcomes.numbers == {7: ours[0]}
    assert row.result == {"sp_no": ours[0], "adopted": True}
    attempt = await SendAttempt.get(key=f"approval:{row.idempotency_key}")
    texts = {c["id"]: c["value"] for c in approvals[ours[0]].apply_data["contents"]}
    assert texts["Text-reference"] == {"text": attempt.marker}


async def test_approval_that_never_reached_wecom_is_submitted_on_redelivery(
    wecom: Wecom,
) -> None:
    outcomes = Outcomes()
    sender = WeComOfferApprovalSender(wecom.client.approval, load_offer_template(), outcomes, SH)
    draft = approval_draft(REQUEST, "applyevent")
    [row_id] = await _stored([draft], cause="test")
    await SendAttempt.create(key=f"approval:test:{draft.key}", marker="ZPNEVERSENT")
    relay = OutboxRelay({draft.channel: sender}, lease_seconds=60, max_attempts=5)
    assert await relay.deliver(row_id)
    assert list(outcomes.numbers.values()) == list(wecom.state.approvals.approvals)


async def _interview() -> Interview:
    job = await JobOpening.create(code="sales", title="销售代表")
    round_ = await InterviewRound.create(job=job, name="业务面", duration_minutes=60)
    candidate = await Candidate.create(name="赵敏")
    application = await Application.create(candidate=candidate, job=job)
    return await Interview.create(application=application, round=round_)


def _schedule_draft(interview: Interview) -> OutboundDraft:
    start = int((clock.now() + dt.timedelta(days=3)).timestamp())
    payload = {"interview_id": interview.id, "op": "add", "schedule_id": "", "start": start,
               "end": start + 3600, "attendees": ["wangqiang", "chenjing"],
               "summary": "面试：业务面", "location": "A 座 12 楼"}  # fmt: skip
    return OutboundDraft(Channel.WECOM_SCHEDULE, f"interview:{interview.id}", payload, "v0")


async def test_schedule_added_before_a_crash_is_found_in_the_app_calendar(wecom: Wecom) -> None:
    calendar = {"summary": "面试日程", "color": "#3366FF", "admins": ["zhangwei"]}
    cal_id = (await wecom.client.base.post("/cgi-bin/oa/calendar/add", {"calendar": calendar}))[
        "cal_id"
    ]
    interview = await _interview()
    api = CrashAfter(wecom.client.schedule, "add")
    row = await crash_then_redeliver(WeComScheduleSender(api, cal_id), _schedule_draft(interview))
    schedules = wecom.state.schedules.schedules
    assert api.crashed and len(schedules) == 1
    [(schedule_id, schedule)] = schedules.items()
    assert schedule["cal_id"] == cal_id and schedule["description"].startswith("系统编号：ZP")
    assert (await Interview.get(id=interview.id)).wecom_schedule_id == schedule_id
    assert row.result == {"schedule_id": schedule_id, "adopted": True}


async def test_schedule_in_the_default_calendar_cannot_be_looked_up(wecom: Wecom) -> None:
    """Without an app calendar the gap stays (and is logged): the redelivery adds again."""
    interview = await _interview()
    api = CrashAfter(wecom.client.schedule, "add")
    await crash_then_redeliver(WeComScheduleSender(api), _schedule_draft(interview))
    assert len(wecom.state.schedules.schedules) == 2


async def test_schedule_deleted_before_a_crash_is_not_left_failing(wecom: Wecom) -> None:
    """The delete went through, the crash came before the id was cleared: WeCom refuses the
    second delete, which the attempt on record explains; the row is done, not dead."""
    interview = await _interview()
    sender = WeComScheduleSender(wecom.client.schedule)
    await sender.deliver(OutboundMessage(0, Channel.WECOM_SCHEDULE, "x",
                                         _schedule_draft(interview).payload, 1, "add"))  # fmt: skip
    assert len(wecom.state.schedules.schedules) == 1
    api = CrashAfter(wecom.client.schedule, "delete")
    delete = OutboundDraft(Channel.WECOM_SCHEDULE, f"interview:{interview.id}",
                           {"interview_id": interview.id, "op": "delete"}, "v1")  # fmt: skip
    row = await crash_then_redeliver(WeComScheduleSender(api), delete)
    assert api.crashed and wecom.state.schedules.schedules == {}
    assert (await Interview.get(id=interview.id)).wecom_schedule_id == ""
    assert row.result["deleted"]


class BusyOnce:
    """The WeCom schedule API whose first delete WeCom answers with "system busy"."""

    def __init__(self, api: Any) -> None:
        self._api, self.refused = api, False

    def __getattr__(self, name: str) -> Any:
        return getattr(self._api, name)

    async def delete(self, schedule_id: str) -> dict[str, Any]:
        if not self.refused:
            self.refused = True
            raise WeComBusy(-1, "system busy", "/cgi-bin/oa/schedule/del")
        answer: dict[str, Any] = await self._api.delete(schedule_id)
        return answer


async def test_a_delete_wecom_answered_busy_is_not_read_as_done_later(wecom: Wecom) -> None:
    """WeCom answered the first delete (busy): nothing was deleted, so a later refusal is a
    refusal, not the sign of a delete that went through before a crash."""
    interview = await _interview()
    add = _schedule_draft(interview).payload
    await WeComScheduleSender(wecom.client.schedule).deliver(
        OutboundMessage(0, Channel.WECOM_SCHEDULE, "x", add, 1, "add")
    )
    [schedule_id] = wecom.state.schedules.schedules
    sender = WeComScheduleSender(BusyOnce(wecom.client.schedule))
    delete = {"interview_id": interview.id, "op": "delete"}
    with pytest.raises(WeComBusy):
        await sender.deliver(OutboundMessage(0, Channel.WECOM_SCHEDULE, "x", delete, 1, "del"))
    wecom.state.faults.fail_next("oa/schedule/del", 48002)
    with pytest.raises(WeComNoPermission):
        await sender.deliver(OutboundMessage(0, Channel.WECOM_SCHEDULE, "x", delete, 2, "del"))
    assert schedule_id in wecom.state.schedules.schedules
    assert (await Interview.get(id=interview.id)).wecom_schedule_id == schedule_id


def _meeting_draft(interview: Interview) -> OutboundDraft:
    start = int((clock.now() + dt.timedelta(days=3)).timestamp())
    payload = {"interview_id": interview.id, "title": "远程面试：业务面", "start": start,
               "duration": 3600, "invitees": ["wangqiang", "chenjing"]}  # fmt: skip
    return OutboundDraft(Channel.WECOM_MEETING, f"interview:{interview.id}", payload, "m")


async def test_meeting_made_before_a_crash_is_found_and_its_link_kept(wecom: Wecom) -> None:
    interview = await _interview()
    draft = _meeting_draft(interview)
    # Someone else's meeting of the same admin at the same time: listed, read, not adopted.
    other = {"admin_userid": "wangqiang", "title": "周会", "meeting_start": draft.payload["start"],
             "meeting_duration": 1800, "description": "系统编号：ZPSOMEONEELSE"}  # fmt: skip
    await wecom.client.meeting.create(other)
    api = CrashAfter(wecom.client.meeting, "create")
    row = await crash_then_redeliver(WeComMeetingSender(api), draft)
    meetings = wecom.state.schedules.meetings
    assert api.crashed and len(meetings) == 2  # the other one and ours: no second meeting
    [(meetingid, ours)] = [(i, m) for i, m in meetings.items() if m["title"] != "周会"]
    assert ours["description"].startswith("系统编号：ZP")
    assert (await Interview.get(id=interview.id)).meeting_link == ours["meeting_link"]
    assert row.result == {"meetingid": meetingid, "meeting_link": ours["meeting_link"],
                          "adopted": True}  # fmt: skip


async def test_meeting_that_never_reached_wecom_is_made_on_redelivery(wecom: Wecom) -> None:
    interview = await _interview()
    draft = _meeting_draft(interview)
    [row_id] = await _stored([draft], cause="meeting")
    await SendAttempt.create(key=f"meeting:meeting:{draft.key}", marker="ZPNEVERSENT")
    relay = OutboxRelay({draft.channel: WeComMeetingSender(wecom.client.meeting)},
                        lease_seconds=60, max_attempts=5)  # fmt: skip
    assert await relay.deliver(row_id)  # an attempt on record, nothing found: made now
    [meeting] = wecom.state.schedules.meetings.values()
    assert meeting["description"] == "系统编号：ZPNEVERSENT"
    assert (await Interview.get(id=interview.id)).meeting_link == meeting["meeting_link"]


async def _candidate(wecom: Wecom, *, kf: bool) -> tuple[Candidate, str]:
    candidate = await Candidate.create(name="赵敏")
    if kf:
        user = wecom.state.kf.customer("赵敏")
        wecom.state.kf.customer_says(OPEN_KFID, user, "你好")
        await CandidateContact.create(candidate=candidate, kf_open_kfid=OPEN_KFID,
                                      kf_external_userid=user, kf_window_start=clock.now())  # fmt: skip
    else:
        _, user = wecom.state.customers.customer_adds("赵敏", userid="lina")
        await CandidateContact.create(candidate=candidate, external_userid=user,
                                      recruiter_userid="lina")  # fmt: skip
    return candidate, user


def _candidate_draft(candidate: Candidate) -> OutboundDraft:
    payload = {"kind": "text", "content": "您的面试安排在周三上午十点。"}
    return OutboundDraft(Channel.CANDIDATE, f"candidate:{candidate.id}", payload, "notice")


async def test_kf_message_sent_before_a_crash_is_not_sent_again(wecom: Wecom) -> None:
    candidate, user = await _candidate(wecom, kf=True)
    kf = CrashAfter(wecom.client.kf, "send_msg")
    sender = CandidateChannelSender(kf, wecom.client.externalcontact, None)
    row = await crash_then_redeliver(sender, _candidate_draft(candidate))
    sent = wecom.state.kf.outbox
    assert kf.crashed and len(sent) == 1 and sent[0].external_userid == user
    assert row.result["route"] == "kf" and row.result["msgid"] == sent[0].msgid
    kept = await CandidateMessage.get(outbox_key=row.idempotency_key)
    assert (kept.route, kept.delivery) == ("kf", "sent")


async def test_group_send_made_before_a_crash_is_not_repeated(wecom: Wecom) -> None:
    candidate, user = await _candidate(wecom, kf=False)
    external = CrashAfter(wecom.client.externalcontact, "add_msg_template")
    sender = CandidateChannelSender(wecom.client.kf, external, None)
    row = await crash_then_redeliver(sender, _candidate_draft(candidate))
    templates = wecom.state.customers.msg_templates
    assert external.crashed and len(templates) == 1 and templates[0]["external_userid"] == [user]
    # Its msgid never reached us: the message is in the mini-app inbox (kept there anyway).
    assert row.result["route"] == "miniapp"


async def test_group_send_whose_msgid_was_recorded_waits_for_the_recruiter(
    wecom: Wecom, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The crash comes after the msgid was recorded: the redelivery adopts that send."""
    from recruiting.services.candidate_channel import contacts as candidate_contacts

    candidate, _ = await _candidate(wecom, kf=False)
    real = candidate_contacts.revise
    crashed: list[bool] = []

    async def revise_then_crash(message: CandidateMessage, payload: dict[str, Any]) -> None:
        if not crashed:
            crashed.append(True)
            raise Crash("revise")
        await real(message, payload)

    monkeypatch.setattr(candidate_contacts, "revise", revise_then_crash)
    sender = CandidateChannelSender(wecom.client.kf, wecom.client.externalcontact, None)
    row = await crash_then_redeliver(sender, _candidate_draft(candidate))
    templates = wecom.state.customers.msg_templates
    assert crashed and len(templates) == 1
    assert row.result["route"] == "external" and row.result["msgid"] == templates[0]["msgid"]
    told = await OutboxMessage.filter(idempotency_key__startswith="confirm-send:").count()
    assert told == 1


async def test_kf_refusal_is_not_taken_for_an_earlier_send(wecom: Wecom) -> None:
    """WeCom refuses the first send (it answered: nothing went out); the retry sends it,
    rather than reading its own refusal as "sent before"."""
    candidate, _ = await _candidate(wecom, kf=True)
    wecom.state.faults.fail_next("kf/send_msg", 95018, text="send msg session status invalid")
    sender = CandidateChannelSender(wecom.client.kf, wecom.client.externalcontact, None)
    [row_id] = await _stored([_candidate_draft(candidate)], cause="test")
    relay = OutboxRelay({Channel.CANDIDATE: sender}, lease_seconds=60, max_attempts=5)
    assert not await relay.deliver(row_id)  # refused: retried later
    assert wecom.state.kf.outbox == [] and not await SendAttempt.exists()
    await OutboxMessage.filter(id=row_id).update(next_attempt_at=None)
    assert await relay.deliver(row_id)
    assert len(wecom.state.kf.outbox) == 1


async def test_group_send_recorded_before_a_crash_still_asks_the_recruiter(
    wecom: Wecom, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The crash comes after the delivery was recorded, before the recruiter was asked to
    confirm it: the redelivery must not take the record for the whole job."""
    from recruiting.services.candidate_channel import contacts as candidate_contacts

    candidate, _ = await _candidate(wecom, kf=False)
    crashed: list[bool] = []

    async def crash(*args: Any, **kwargs: Any) -> None:
        crashed.append(True)
        raise Crash("ask_recruiter_to_confirm")

    monkeypatch.setattr(candidate_contacts, "ask_recruiter_to_confirm", crash)
    sender = CandidateChannelSender(wecom.client.kf, wecom.client.externalcontact, None)
    [row_id] = await _stored([_candidate_draft(candidate)], cause="test")
    relay = OutboxRelay({Channel.CANDIDATE: sender}, lease_seconds=60, max_attempts=5)
    with pytest.raises(Crash):
        await relay.deliver(row_id)
    monkeypatch.undo()
    await OutboxMessage.filter(id=row_id).update(lease_until=clock.now() - dt.timedelta(seconds=1))
    assert await relay.deliver(row_id)
    assert crashed and len(wecom.state.customers.msg_templates) == 1
    told = await OutboxMessage.filter(idempotency_key__startswith="confirm-send:").count()
    assert told == 1


async def test_kf_message_counted_before_a_crash_does_not_go_again_by_another_route(
    wecom: Wecom, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fifth reply of the window went out and was counted, then the crash: on the
    redelivery the window looks closed, yet the message must not go out a second time
    through the recruiter's external contact."""
    from recruiting.services.candidate_channel import contacts as candidate_contacts

    candidate, _ = await _candidate(wecom, kf=True)
    _, external = wecom.state.customers.customer_adds("赵敏", userid="lina")
    await CandidateContact.filter(candidate_id=candidate.id).update(
        external_userid=external, recruiter_userid="lina", kf_window_sent=4
    )
    real = candidate_contacts.kf_sent
    crashed: list[bool] = []

    async def counted_then_crash(candidate_id: int) -> None:
        await real(candidate_id)
        if not crashed:
            crashed.append(True)
            raise Crash("kf_sent")

    monkeypatch.setattr(candidate_contacts, "kf_sent", counted_then_crash)
    sender = CandidateChannelSender(wecom.client.kf, wecom.client.externalcontact, None)
    row = await crash_then_redeliver(sender, _candidate_draft(candidate))
    assert crashed and len(wecom.state.kf.outbox) == 1
    assert wecom.state.customers.msg_templates == []
    assert row.result["route"] == "kf" and row.result["msgid"] == wecom.state.kf.outbox[0].msgid
    kept = await CandidateMessage.get(outbox_key=row.idempotency_key)
    assert (kept.route, kept.delivery) == ("kf", "sent")
