"""Invitations on SQLite and PostgreSQL with fake WeCom APIs: the use case (invite, 确认 /
改期 / 拒绝, superseded invitations, repeated answers), the candidate-channel sender's route
choice (kf window, 95001 fallback, external contact awaiting confirmation, mini-app inbox
with a contact way), staff-card updates by the newest response code, and the kf sync."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from recruiting import clock
from recruiting.domain.invitation_answers import Answer
from recruiting.domain.roles import Role
from recruiting.domain.routing import answer_key
from recruiting.models import (
    Application,
    Candidate,
    CandidateContact,
    CandidateMessage,
    CardCode,
    ContactWay,
    Interview,
    InterviewInvitation,
    InterviewRound,
    InterviewSlot,
    InvitationStatus,
    JobOpening,
    KfCursor,
    OutboxMessage,
    Staff,
    SubjectKind,
)
from recruiting.ports.outbound import Channel, OutboundMessage
from recruiting.services.candidate_channel.answers import CandidateAnswers
from recruiting.services.invitations.lifecycle import InterviewInvitations
from recruiting.services.messaging.answer_routes import answer_routes
from recruiting.services.scheduling.slots import SchedulingRules, SchedulingService
from recruiting.services.shared.sessions import Principal
from recruiting.services.shared.staff_cards import remember_code
from wecom_bot.candidate_channel import CandidateChannelSender, KfSync
from wecom_bot.client import WeComApiError, WeComKfWindowClosed
from wecom_bot.staff_card_sender import StaffCardSender

SH = ZoneInfo("Asia/Shanghai")
HR = Principal(1, SubjectKind.STAFF, userid="lina", roles=frozenset({Role.HR}))


class FakeKf:
    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []
        self.closed = False
        self.pages: list[dict[str, Any]] = []
        self.syncs: list[dict[str, str]] = []

    async def send_msg(self, payload: dict[str, Any]) -> dict[str, Any]:
        if self.closed:
            raise WeComKfWindowClosed(95001, "send msg count limit", "/cgi-bin/kf/send_msg")
        self.sent.append(payload)
        return {"msgid": payload.get("msgid", "m")}

    async def sync_msg(self, cursor: str = "", token: str = "", limit: int = 1000,
                       open_kfid: str = "") -> dict[str, Any]:  # fmt: skip
        self.syncs.append({"cursor": cursor, "token": token})
        if token == "expired":
            raise WeComApiError(95007, "invalid msg token", "/cgi-bin/kf/sync_msg")
        index = int(cursor or 0)
        return self.pages[index] if index < len(self.pages) else {"next_cursor": cursor,
                                                                  "msg_list": []}  # fmt: skip


class FakeExternal:
    def __init__(self) -> None:
        self.ways: list[dict[str, Any]] = []
        self.templates: list[dict[str, Any]] = []

    async def add_contact_way(self, payload: dict[str, Any]) -> dict[str, Any]:
        self.ways.append(payload)
        return {"config_id": f"cfg{len(self.ways)}", "qr_code": f"https://qr/{len(self.ways)}"}

    async def add_msg_template(self, payload: dict[str, Any]) -> dict[str, Any]:
        self.templates.append(payload)
        return {"msgid": f"t{len(self.templates)}", "fail_list": []}


class FakeCards:
    def __init__(self, refused: set[str] | None = None) -> None:
        self.refused = refused or set()
        self.updates: list[tuple[str, str]] = []
        self.sent: list[OutboundMessage] = []

    async def update_template_card(self, userids: Sequence[str], response_code: str, *,
                                   template_card: Mapping[str, Any] | None = None,
                                   ) -> dict[str, Any]:  # fmt: skip
        if response_code in self.refused:
            raise WeComApiError(40058, "invalid response_code", "/cgi-bin/x")
        self.updates.append((userids[0], response_code))
        return {}

    async def deliver(self, message: OutboundMessage) -> dict[str, Any]:
        self.sent.append(message)
        card = (
            message.payload.get("card") if message.payload.get("kind") == "template_card" else None
        )
        return {"msgid": "x", "response_code": f"send-{card['task_id']}" if card else ""}


@dataclass(frozen=True)
class InvitationWorld:
    scheduling: SchedulingService
    invitations: InterviewInvitations
    interview: Interview  # booked with 面试官0 on a Monday two weeks ahead, not yet invited
    candidate: Candidate
    answers: CandidateAnswers


@pytest.fixture
async def world(database: str) -> InvitationWorld:
    job = await JobOpening.create(code="sales", title="销售代表")
    round_ = await InterviewRound.create(job=job, name="业务面", duration_minutes=60,
                                         panel_size=1, preparation="业绩材料")  # fmt: skip
    candidate = await Candidate.create(name="赵敏")
    application = await Application.create(candidate=candidate, job=job)
    staff = [await Staff.create(wecom_userid=f"iv{n}", name=f"面试官{n}", title="经理",
                                roles=["interviewer"]) for n in range(2)]  # fmt: skip
    await Staff.create(wecom_userid="lina", name="李娜", roles=["hr"])
    scheduling = SchedulingService(SchedulingRules(SH))
    invitations = InterviewInvitations(scheduling, SH)
    start = (datetime.now(SH) + timedelta(days=7 - datetime.now(SH).weekday() + 7)).replace(
        hour=10, minute=0, second=0, microsecond=0)  # fmt: skip
    proposal = (await scheduling.propose(HR, round_.id, [_day(start)], [staff[0].id]))[0]
    interview = await scheduling.book(HR, application.id, round_.id, proposal,
                                      location="A 座 12 楼")  # fmt: skip
    return InvitationWorld(scheduling=scheduling, invitations=invitations, interview=interview,
                           candidate=candidate, answers=CandidateAnswers(invitations))  # fmt: skip


def _day(start: datetime) -> Any:
    from recruiting.domain.availability import Interval

    return Interval(start.replace(hour=0), start.replace(hour=0) + timedelta(days=1))


async def _rows(channel: str) -> list[OutboxMessage]:
    return await OutboxMessage.filter(channel=channel).order_by("id")


def _message(row: OutboxMessage, attempt: int = 1) -> OutboundMessage:
    return OutboundMessage(row.id, row.channel, row.recipient, dict(row.payload), attempt,
                           row.idempotency_key)  # fmt: skip


async def test_booking_invites_once_with_every_fact(world: InvitationWorld) -> None:
    invitations = world.invitations
    interview = world.interview
    first = await invitations.invite(HR, interview.id)
    again = await invitations.invite(HR, interview.id)
    assert first.id == again.id
    assert (await Interview.get(id=interview.id)).status == "invited"
    [row] = await _rows(Channel.CANDIDATE)
    content = row.payload["content"]
    for fact in ("销售代表", "业务面", "A 座 12 楼", "面试官0（经理）", "业绩材料", "60 分钟",
                 "「设备检测」页", first.reference, "10:00"):  # fmt: skip
        assert fact in content, fact
    assert [c["key"] for c in row.payload["choices"]] == ["confirm", "reschedule", "decline"]
    cards = [r for r in await _rows("wecom.message") if r.payload["kind"] == "template_card"]
    assert [c.recipient for c in cards] == ["lina"]
    assert cards[0].payload["card"]["task_id"] == first.task_id


async def test_confirm_then_repeat(world: InvitationWorld) -> None:
    invitations = world.invitations
    inv = await invitations.invite(HR, world.interview.id)
    cid = world.candidate.id
    done = await invitations.answer(cid, Answer("confirm"), source_id="kf:1")
    assert done.result == "confirmed"
    assert (
        await invitations.answer(cid, Answer("confirm"), source_id="kf:1")
    ).result == "duplicate"
    assert (await invitations.answer(cid, Answer("confirm"), source_id="kf:2")).result == "already"
    assert (await Interview.get(id=inv.interview_id)).status == "confirmed"  # type: ignore[attr-defined]
    updates = [r for r in await _rows("wecom.message") if r.payload["kind"] == "staff_card_update"]
    assert len(updates) == 1 and updates[0].payload["task_id"] == inv.task_id


async def test_hr_cancelling_tells_the_invited_candidate_once(world: InvitationWorld) -> None:
    invitations = world.invitations
    interview = world.interview
    inv = await invitations.invite(HR, interview.id)
    cid = world.candidate.id
    await invitations.answer(cid, Answer("confirm"), source_id="kf:c1")
    await world.scheduling.cancel(HR, interview.id, "岗位关闭")
    assert await invitations.withdraw(HR, interview.id, "岗位关闭") == 1
    assert await invitations.withdraw(HR, interview.id, "岗位关闭") == 0
    told = [r for r in await _rows(Channel.CANDIDATE) if "已取消" in r.payload["content"]]
    assert len(told) == 1 and "岗位关闭" in told[0].payload["content"]
    assert (await InterviewInvitation.get(id=inv.id)).status == InvitationStatus.WITHDRAWN
    late = await invitations.answer(cid, Answer("decline"), source_id="kf:c2")
    assert late.result == "closed"  # not a decline: HR is not told the candidate refused


async def test_one_message_synced_twice_at_once_is_answered_once(world: InvitationWorld) -> None:
    """Two kf syncs racing over the same message (no invitation to answer): the reply row's
    unique source decides; the loser reports a duplicate instead of failing its callback."""
    invitations = world.invitations
    cid = world.candidate.id
    outcomes = await asyncio.gather(
        *(invitations.answer(cid, Answer("confirm"), source_id="kf:race") for _ in range(4))
    )
    assert sorted(o.result for o in outcomes) == ["duplicate"] * 3 + ["no_invitation"]
    assert len(await _rows(Channel.CANDIDATE)) == 1


async def test_reschedule_offers_three_slots_and_a_pick_moves_the_interview(
    world: InvitationWorld,
) -> None:
    invitations = world.invitations
    interview = world.interview
    inv = await invitations.invite(HR, interview.id)
    cid = world.candidate.id
    offered = await invitations.answer(cid, Answer("reschedule"), subject=f"invite:{inv.id}")
    assert offered.result == "offered"
    assert (await Interview.get(id=interview.id)).status == "reschedule_requested"
    inv = await InterviewInvitation.get(id=inv.id)
    assert len(inv.offered) == 3
    assert all(o["start"] != interview.starts_at.isoformat() for o in inv.offered)  # type: ignore[union-attr]
    picked = await invitations.answer(cid, Answer("slot:1"), subject=f"slots:{inv.id}")
    assert picked.result == "rescheduled"
    moved = await Interview.get(id=interview.id)
    assert moved.status == "invited"
    assert moved.starts_at == datetime.fromisoformat(inv.offered[1]["start"])
    old = await InterviewInvitation.get(id=inv.id)
    assert old.status == InvitationStatus.SUPERSEDED and old.superseded_by == picked.invitation_id
    new = await InterviewInvitation.get(id=picked.invitation_id)
    assert new.status == InvitationStatus.SENT and new.starts_at == moved.starts_at
    late = await invitations.answer(cid, Answer("confirm"), subject=f"invite:{old.id}")
    assert late.result == "superseded" and new.reference in late.message
    # Without a subject the newest open invitation is meant.
    assert (await invitations.answer(cid, Answer("confirm"))).invitation_id == new.id


async def test_decline_cancels_and_frees_the_time(world: InvitationWorld) -> None:
    invitations = world.invitations
    interview = world.interview
    await invitations.invite(HR, interview.id)
    cid = world.candidate.id
    assert (
        await invitations.answer(cid, Answer("decline"), source_id="app:1")
    ).result == "declined"
    assert (await Interview.get(id=interview.id)).status == "cancelled"
    assert not await InterviewSlot.filter(interview_id=interview.id).exists()
    told = [r for r in await _rows("wecom.message") if r.payload["kind"] == "text"]
    assert any("拒绝" in r.payload["content"] for r in told)
    again = await invitations.answer(cid, Answer("decline"), source_id="app:2")
    assert again.result == "closed"


async def test_sender_routes_inbox_kf_fallback_and_external(world: InvitationWorld) -> None:
    invitations = world.invitations
    inv = await invitations.invite(HR, world.interview.id)
    cid = world.candidate.id
    kf, external = FakeKf(), FakeExternal()
    sender = CandidateChannelSender(kf, external, None)
    [row] = await _rows(Channel.CANDIDATE)
    # No route yet: the mini-app inbox, with a contact way for this invitation (made once).
    result = await sender.deliver(_message(row))
    assert result["route"] == "miniapp" and result["contact_way"] == "https://qr/1"
    assert (await sender.deliver(_message(row, attempt=2)))["repeat"] is True
    assert len(external.ways) == 1 and external.ways[0]["state"] == inv.reference
    assert await ContactWay.filter(state=inv.reference).count() == 1
    # The candidate writes to 微信客服 with the invitation code: kf is bound and open.
    answers = world.answers
    bound = await answers.kf_message("wk1", "wm-kf", "k1", f"你好 {inv.reference}", "",
                                     clock.now())  # fmt: skip
    assert bound is not None and bound.result == "bound"
    reply = (await _rows(Channel.CANDIDATE))[-1]
    assert (await sender.deliver(_message(reply)))["route"] == "kf"
    assert kf.sent[-1]["touser"] == "wm-kf" and len(kf.sent[-1]["msgid"]) == 32
    # A tapped msgmenu item answers; WeCom now refuses (95001): the inbox takes the reply.
    kf.closed = True
    menu_id = answer_key(f"invite:{inv.id}", "confirm")
    done = await answers.kf_message("wk1", "wm-kf", "k2", "确认", menu_id, clock.now())
    assert done is not None and done.result == "confirmed"
    reply = [r for r in await _rows(Channel.CANDIDATE)][-1]
    assert (await sender.deliver(_message(reply)))["route"] == "miniapp"
    assert (await CandidateContact.get(candidate_id=cid)).kf_window_sent == 5
    # The candidate adds the recruiter through the contact way: external route, confirmed
    # by the recruiter (told by app message, once).
    await CandidateContact.filter(candidate_id=cid).update(kf_window_start=clock.now()
                                                           - timedelta(hours=49))  # fmt: skip
    assert await answers.contact_added("lina", "wm-ext", inv.reference)
    contact = await CandidateContact.get(candidate_id=cid)
    assert (contact.external_userid, contact.recruiter_userid) == ("wm-ext", "lina")
    text = await invitations.answer(cid, Answer("confirm"), source_id="kf:3")
    assert text.result == "already"
    last = (await _rows(Channel.CANDIDATE))[-1]
    result = await sender.deliver(_message(last))
    assert result["route"] == "external" and result["delivery"] == "awaiting_confirmation"
    assert external.templates[-1]["sender"] == "lina"
    assert external.templates[-1]["external_userid"] == ["wm-ext"]
    await sender.deliver(_message(last, attempt=2))
    assert len(external.templates) == 1
    told = [r for r in await _rows("wecom.message") if r.idempotency_key.startswith("confirm-send")]
    assert len(told) == 1 and "等待您确认" in told[0].payload["content"]
    kept = await CandidateMessage.get(outbox_key=last.idempotency_key)
    assert kept.delivery == "awaiting_confirmation"


async def test_remote_invitation_waits_for_the_meeting_link(world: InvitationWorld) -> None:
    interview = world.interview
    await Interview.filter(id=interview.id).update(mode="remote")
    await world.invitations.invite(HR, interview.id)
    [row] = await _rows(Channel.CANDIDATE)
    sender = CandidateChannelSender(FakeKf(), FakeExternal(), None)
    from recruiting.errors import RetryLater

    with pytest.raises(RetryLater):
        await sender.deliver(_message(row))
    await Interview.filter(id=interview.id).update(meeting_link="https://meeting.example/1")
    await sender.deliver(_message(row, attempt=2))
    kept = await CandidateMessage.get(outbox_key=row.idempotency_key)
    assert "https://meeting.example/1" in kept.payload["content"]


async def test_staff_card_updates_take_the_newest_code(database: str) -> None:
    cards = FakeCards(refused={"click-old"})
    sender = StaffCardSender(cards, cards)
    card = {"card_type": "button_interaction", "task_id": "invite-x"}
    await sender.deliver(OutboundMessage(1, "wecom.message", "lina",
                                         {"kind": "template_card", "card": card}, 1))  # fmt: skip
    update = {"kind": "staff_card_update", "task_id": "invite-x", "card": card,
              "fallback": "状态变了"}  # fmt: skip
    assert (await sender.deliver(OutboundMessage(2, "wecom.message", "lina", update, 1)))["updated"]
    assert cards.updates == [("lina", "send-invite-x")]
    # No code left: the news comes as text.
    told = await sender.deliver(OutboundMessage(3, "wecom.message", "lina", update, 1))
    assert told["updated"] is False and cards.sent[-1].payload == {"kind": "text",
                                                                    "content": "状态变了"}  # fmt: skip
    # A click gives a fresh code; a refused code is spent and the next one is tried.
    await remember_code("invite-x", "lina", "click-1")
    await remember_code("invite-x", "lina", "click-old")
    assert (await sender.deliver(OutboundMessage(4, "wecom.message", "lina", update, 1)))["updated"]
    assert cards.updates[-1] == ("lina", "click-1")
    assert await CardCode.filter(used_at=None).count() == 0


async def test_kf_sync_pages_and_keeps_the_cursor(world: InvitationWorld) -> None:
    inv = await world.invitations.invite(HR, world.interview.id)
    kf = FakeKf()
    msg = {"origin": 3, "msgtype": "text", "open_kfid": "wk1", "external_userid": "wm-kf",
           "send_time": int(clock.now().timestamp())}  # fmt: skip
    kf.pages = [
        {"next_cursor": "1", "has_more": 1,
         "msg_list": [{**msg, "msgid": "a", "text": {"content": f"我是赵敏 {inv.reference}"}}]},
        {"next_cursor": "2", "has_more": 0,
         "msg_list": [{**msg, "msgid": "b", "text": {"content": "确认"}},
                      {**msg, "msgid": "c", "origin": 5, "text": {"content": "ours"}}]},
    ]  # fmt: skip
    from recruiting.domain.inbound import KfEvent

    event = KfEvent("kf", "", "", "", 0, "event", "kf_msg_or_event", "d", token="expired",
                    open_kf_id="wk1")  # fmt: skip
    await KfSync(kf, world.answers).on_event(event)
    assert (await KfCursor.get(open_kfid="wk1")).cursor == "2"
    assert (await Interview.get(id=world.interview.id)).status == "confirmed"
    # The same callback again reads nothing new and changes nothing.
    await KfSync(kf, world.answers).on_event(event)
    assert kf.syncs[-1]["cursor"] == "2"
    assert (await InterviewInvitation.get(id=inv.id)).status == InvitationStatus.CONFIRMED


async def test_schedule_command_books_once_and_refuses_non_hr(database: str) -> None:
    from recruiting.domain.inbound import CardClick, TextMessage
    from recruiting.services.scheduling.chat import ScheduleChat

    job = await JobOpening.create(code="sales", title="销售代表")
    await InterviewRound.create(job=job, name="业务面", duration_minutes=60, panel_size=1)
    application = await Application.create(candidate=await Candidate.create(name="赵敏"), job=job)
    await Staff.create(wecom_userid="iv0", name="王强", roles=["interviewer"])
    hr = await Staff.create(wecom_userid="lina", name="李娜", roles=["hr"])
    interviewer = await Staff.get(wecom_userid="iv0")
    scheduling = SchedulingService(SchedulingRules(SH))
    chat = ScheduleChat(scheduling, InterviewInvitations(scheduling, SH), SH)

    def said(text: str, who: str) -> TextMessage:
        return TextMessage("text", who, "", "", 0, "text", "", f"m-{text}", content=text)

    assert await chat.on_text(hr, said("帮助", "lina")) is None
    [refused] = await chat.on_text(interviewer, said("安排面试 赵敏 销售代表", "iv0")) or []
    assert "只有 HR" in refused.payload["content"]
    [unknown] = await chat.on_text(hr, said("安排面试 张三 销售代表", "lina")) or []
    assert "没有找到候选人" in unknown.payload["content"]
    [card] = await chat.on_text(hr, said("schedule 赵敏 sales", "lina")) or []
    buttons = card.payload["card"]["button_list"]
    assert len(buttons) == 3 and card.recipient == "lina"

    def click(key: str) -> CardClick:
        return CardClick("card_click", "lina", "", "", 0, "event", "template_card_event", key,
                         event_key=key, task_id=card.payload["card"]["task_id"],
                         response_code="rc")  # fmt: skip

    drafts = await chat.on_card_click(click(buttons[0]["key"]))
    assert "已预约" in drafts[0].payload["content"]
    assert drafts[1].payload["kind"] == "template_card_update"
    interview = await Interview.get(application_id=application.id)
    assert interview.status == "invited"
    assert await InterviewInvitation.filter(interview_id=interview.id).count() == 1
    again = await chat.on_card_click(click(buttons[1]["key"]))
    assert "无需重复预约" in again[0].payload["content"]
    assert await Interview.filter(application_id=application.id).count() == 1


async def test_schedule_command_with_too_few_interviewers_is_answered_in_chinese(
    database: str,
) -> None:
    """A round needing a panel of two with one interviewer on staff: HR is told so in
    Chinese (it used to raise out of the chat handler: no reply, the callback retried)."""
    from recruiting.domain.inbound import TextMessage
    from recruiting.services.scheduling.chat import ScheduleChat
    from tests.people_text import problems

    job = await JobOpening.create(code="sales", title="销售代表")
    await InterviewRound.create(job=job, name="业务面", duration_minutes=60, panel_size=2)
    await Application.create(candidate=await Candidate.create(name="赵敏"), job=job)
    await Staff.create(wecom_userid="iv0", name="王强", roles=["interviewer"])
    hr = await Staff.create(wecom_userid="lina", name="李娜", roles=["hr"])
    scheduling = SchedulingService(SchedulingRules(SH))
    chat = ScheduleChat(scheduling, InterviewInvitations(scheduling, SH), SH)
    text = "安排面试 赵敏 销售代表"
    message = TextMessage("text", "lina", "", "", 0, "text", "", "m-1", content=text)
    [told] = await chat.on_text(hr, message) or []
    content = told.payload["content"]
    assert told.recipient == "lina" and "需要 2 位面试官" in content
    assert problems(content) == [], content


async def test_choices_of_other_features_go_to_their_handler(world: InvitationWorld) -> None:
    from recruiting.services.invitations.lifecycle import Outcome

    seen: list[tuple[int, str, str, str]] = []

    async def survey(candidate_id: int, subject: str, key: str, *, source_id: str,
                     text: str) -> Outcome:  # fmt: skip
        seen.append((candidate_id, subject, key, source_id))
        return Outcome("recorded", "谢谢")

    cid = world.candidate.id
    answers = CandidateAnswers(world.invitations, answer_routes(world.invitations, survey=survey))
    message = await CandidateMessage.create(
        outbox_key="survey:9:ask", candidate_id=cid, subject="survey:9", route="miniapp",
        payload={"kind": "choices", "content": "满意吗", "subject": "survey:9",
                 "choices": [{"key": "5", "label": "很满意"}]},
    )  # fmt: skip
    me = Principal(2, SubjectKind.CANDIDATE, candidate_id=cid)
    assert (await answers.answer_in_app(me, message.id, "5")).result == "recorded"
    # a menu sent before the upgrade (subject|choice) is still understood
    done = await answers.kf_message("wk1", "wm-x", "k9", "很满意", "survey:9|5", clock.now())
    assert done is None  # an unbound kf customer is not guessed at
    await CandidateContact.create(candidate_id=cid, kf_external_userid="wm-x")
    done = await answers.kf_message("wk1", "wm-x", "k9", "很满意", "survey:9|5", clock.now())
    assert done is not None and done.result == "recorded"
    assert seen == [(cid, "survey:9", "5", f"app:{message.id}:5"), (cid, "survey:9", "5", "kf:k9")]
    stranger = Principal(3, SubjectKind.CANDIDATE, candidate_id=cid + 1000)
    from recruiting.errors import NotFound

    with pytest.raises(NotFound):
        await answers.answer_in_app(stranger, message.id, "5")
