"""The steps of one candidate's story over real HTTP through the WeCom sandbox (see
``test_workflow_end_to_end``, which runs them all in order): each step acts as a person
would in the sandbox and asserts what they see. The security tests replay the story to look
for her data at rest and after its purge."""

from __future__ import annotations

import base64
from collections import Counter
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from recruiting import clock
from recruiting.bootstrap import Services
from recruiting.domain.routing import SURVEY_ANSWER, answer_key
from recruiting.models import (
    Application,
    ApplicationStatus,
    Candidate,
    CandidateContact,
    InboxEvent,
    Interview,
    InterviewAssignment,
    InterviewInvitation,
    InterviewNote,
    InterviewRound,
    JobOpening,
    Offer,
    OutboxMessage,
    ReminderDelivery,
    RoundKind,
    Score,
    Staff,
    SurveyResponse,
)
from recruiting.models.interviews import NoteKind
from recruiting.ports.outbound import Channel
from recruiting.services.after_interview.surveys import COMMENT_INVITE
from tests.e2e import chat
from tests.e2e.chat import Timeline, texts
from tests.e2e.stack import FrozenScheduler, Stack
from tests.unit.core.mediafactory import amr_from_wav, espeak_wav
from wecom_bot.sandbox.kf import DEFAULT_ACCOUNTS

HR, LEAD, SECOND = "lina", "wangqiang", "chenjing"
PANEL = (LEAD, SECOND)
MODEL = [
    {"code": "customer_focus", "name": "客户导向", "weight": "0.3"},
    {"code": "communication", "name": "沟通能力", "weight": "0.3"},
    {"code": "results", "name": "结果导向", "weight": "0.2"},
    {"code": "stress", "name": "抗压能力", "weight": "0.2"},
]
NOTE = "候选人说去年负责一个犹豫的大客户，他多次上门沟通，了解客户对售后的顾虑。"
REMINDER = "【面试提醒】"
FROM_SERVICE = 5  # 微信客服 origin of messages the service sent


class Story(FrozenScheduler):
    """The running stack, the candidate's 微信客服 id, and the clocks the test moves."""

    def __init__(self, stack: Stack, services: Services) -> None:
        self.stack = stack
        self.services = services
        self.kf_user = ""
        self.candidate_id = 0
        self.interview_id = 0
        self.ticks = 0

    async def kf(self) -> list[dict[str, Any]]:
        """What the service sent the candidate in 微信客服, oldest first."""
        params = {"external_userid": self.kf_user}
        found = (await self.stack.console.get("/sandbox/messages", params=params)).json()["kf"]
        return [m for m in found if m["origin"] == FROM_SERVICE]

    async def kf_until(self, test: Callable[[list[dict[str, Any]]], bool]) -> list[dict[str, Any]]:
        async def probe() -> list[dict[str, Any]] | None:
            out = await self.kf()
            return out if test(out) else None

        found: list[dict[str, Any]] = await chat.wait(probe)
        return found

    async def candidate_says(self, text: str, menu_id: str = "") -> None:
        body = {"external_userid": self.kf_user, "text": text, "menu_id": menu_id}
        said = await self.stack.console.post("/sandbox/kf", json=body)
        assert said.status_code == 200 and said.json()["status"] == 200, said.text


def said(m: dict[str, Any]) -> str:
    """A 微信客服 message's words (a menu's head or a text)."""
    return str(m["msgmenu"]["head_content"] if m["msgtype"] == "msgmenu" else m["text"]["content"])


def count(timeline_texts: list[str], needle: str) -> int:
    return sum(needle in t for t in timeline_texts)


# ---- the story's steps -------------------------------------------------------------------


async def an_opening_and_a_candidate_who_wrote_to_kf(story: Story) -> None:
    job = await JobOpening.create(code="sales", title="销售代表", competency_model=MODEL,
                                  city="上海", department="销售部")  # fmt: skip
    await InterviewRound.create(
        job=job, name="二面", sequence=2, kind=RoundKind.LIVE, panel_size=2,
        duration_minutes=60, competencies=[m["code"] for m in MODEL],
    )  # fmt: skip
    candidate = await Candidate.create(name="赵敏")
    await Application.create(candidate=candidate, job=job, status="interviewing")
    story.candidate_id = candidate.id
    # She came to 微信客服 from an earlier invitation's code (how a kf customer is bound to a
    # candidate); the binding is the given here. Then she writes: the reply window opens.
    first = await story.stack.console.post("/sandbox/kf", json={"name": "赵敏", "text": "在吗"})
    assert first.status_code == 200, first.text
    await chat.wait(
        lambda: InboxEvent.filter(kind="kf", status="done").exists()
    )  # unbound: ignored
    customers = (await story.stack.console.get("/sandbox/members")).json()["customers"]
    story.kf_user = next(c["external_userid"] for c in customers if c["name"] == "赵敏")
    await CandidateContact.create(candidate=candidate, kf_open_kfid=next(iter(DEFAULT_ACCOUNTS)),
                                  kf_external_userid=story.kf_user)  # fmt: skip
    await story.candidate_says("你好，想问一下面试安排")
    await chat.wait(lambda: _kf_window_open(candidate.id))


async def _kf_window_open(candidate_id: int) -> bool:
    contact = await CandidateContact.get(candidate_id=candidate_id)
    return contact.kf_window_start is not None


async def hr_schedules_in_chat_and_clicks_a_slot(story: Story) -> None:
    stack = story.stack
    await stack.say(HR, "安排面试 赵敏 销售代表")
    timeline = await chat.until(stack, HR, lambda t: len(chat.cards(t, "book-")) == 1)
    card = chat.cards(timeline, "book-")[0]["content"]
    assert len(card["button_list"]) == 3 and "赵敏" in card["main_title"]["title"]
    slot = card["button_list"][0]
    await chat.click(stack, HR, card["task_id"], slot["key"])

    def booked(t: Timeline) -> bool:  # a text and the card's update: two deliveries
        return (
            count(texts(t), "已预约") == 1 and chat.card_state(t, card["task_id"])["updates"] == 1
        )

    await chat.until(stack, HR, booked)
    interview = await Interview.get(application__candidate_id=story.candidate_id)
    story.interview_id = interview.id
    assert interview.status == "invited"
    assigned = await InterviewAssignment.filter(interview_id=interview.id).prefetch_related(
        "interviewer"
    )
    lead = {a.interviewer.wecom_userid: a.lead for a in assigned}  # type: ignore[attr-defined]
    assert lead == {LEAD: True, SECOND: False}, lead


async def the_invitation_reaches_her_in_kf_and_she_confirms(story: Story) -> InterviewInvitation:
    invitation = await InterviewInvitation.get(interview_id=story.interview_id)
    out = await story.kf_until(lambda o: any(m["msgtype"] == "msgmenu" for m in o))
    [menu] = [m for m in out if m["msgtype"] == "msgmenu"]
    assert invitation.reference in said(menu) and "销售代表" in said(menu)
    key = answer_key(f"invite:{invitation.id}", "confirm")
    confirm = next(i["click"] for i in menu["msgmenu"]["list"] if i["click"]["id"] == key)
    await story.candidate_says(confirm["content"], confirm["id"])
    await chat.wait(lambda: _status(story.interview_id, "confirmed"))
    await story.kf_until(lambda o: any("已确认" in said(m) for m in o))
    return invitation


async def hrs_card_shows_the_confirmation(story: Story, invitation: InterviewInvitation) -> None:
    assert invitation.hr_userid == HR

    def confirmed(t: Timeline) -> bool:
        state = chat.card_state(t, invitation.task_id)
        return state["updates"] >= 1 and _status_row(state) == "候选人已确认参加"

    await chat.until(story.stack, HR, confirmed)


def _status_row(state: dict[str, Any]) -> str:
    rows = state["card"]["horizontal_content_list"]
    return str(next(r["value"] for r in rows if r["keyname"] == "状态"))


async def _status(interview_id: int, status: str) -> bool:
    return (await Interview.get(id=interview_id)).status == status


async def reminders_reach_everyone_once(story: Story, start: datetime) -> None:
    for n, before, day in ((1, timedelta(hours=24), "明天"), (2, timedelta(hours=1), "今天")):
        story.scheduler_at(start - before + timedelta(minutes=1))
        out = await story.kf_until(_reminded(n))
        assert day in [said(m) for m in out if REMINDER in said(m)][-1]
        for userid in PANEL:
            timeline = await chat.until(story.stack, userid, _reminded_in_chat(n))
            assert day in [x for x in texts(timeline) if REMINDER in x][-1]
        await story.ticked(2)  # two more ticks at this time send nothing more
        assert _reminded(n)(await story.kf())
        for userid in PANEL:
            assert _reminded_in_chat(n)(await story.stack.chat(userid))
    assert await ReminderDelivery.filter(interview_id=story.interview_id).count() == 2 * 3


def _reminded(n: int) -> Callable[[list[dict[str, Any]]], bool]:
    return lambda out: sum(REMINDER in said(m) for m in out) == n


def _reminded_in_chat(n: int) -> Callable[[Timeline], bool]:
    return lambda timeline: count(texts(timeline), REMINDER) == n


@asynccontextmanager
async def the_service_clock_at(at: datetime) -> AsyncIterator[None]:
    """The service's clock runs from ``at`` (the live interview is booked days ahead); then,
    once every message of that time went out, real time again."""
    real_now = clock.now
    shift = at - real_now()
    clock.now = lambda: real_now() + shift
    try:
        yield
        await chat.wait(_outbox_settled)
    finally:
        clock.now = real_now


async def the_lead_runs_the_interview_in_chat(story: Story, tmp_path: Path) -> None:
    stack = story.stack
    wav = espeak_wav(tmp_path / "note.wav", "hou4 xuan3 ren2 shuo1 ke4 hu4 man3 yi4 du4 ti2 sheng1")
    amr = amr_from_wav(wav, tmp_path / "note").read_bytes()
    await stack.say(LEAD, "开始面试")
    await chat.until(stack, LEAD, lambda t: count(texts(t), "已开始面试") == 1)
    await chat.until(stack, SECOND, lambda t: count(texts(t), "王强 已开始面试") == 1)
    assert await _status(story.interview_id, "in_progress")

    await stack.say(LEAD, NOTE)
    timeline = await chat.until(stack, LEAD, lambda t: count(texts(t), "【笔记】") == 1)
    prompt = next(x for x in texts(timeline) if "【笔记】" in x)
    assert "尚缺证据" in prompt and "追问" in prompt and "评分锚点" in prompt
    voice = await stack.console.post("/sandbox/voice", json={
        "userid": LEAD, "data_base64": base64.b64encode(amr).decode()})  # fmt: skip
    assert voice.status_code == 200, voice.text
    await chat.until(stack, LEAD, lambda t: count(texts(t), "【笔记】本场已记录 2 条") == 1)
    notes = await InterviewNote.filter(interview_id=story.interview_id).order_by("id")
    assert [n.kind for n in notes] == [NoteKind.TEXT, NoteKind.VOICE]
    await stack.say(LEAD, "结束面试")
    await chat.until(stack, LEAD, lambda t: count(texts(t), "已结束面试") == 1)
    assert await _status(story.interview_id, "completed")


async def both_score_and_hr_gets_the_consolidation(story: Story) -> None:
    stack = story.stack
    levels = {LEAD: ([4, 4, 3], [4]), SECOND: ([2, 4, 3], [3])}
    for userid, (first, second) in levels.items():
        timeline = await chat.until(stack, userid, lambda t: len(chat.cards(t, "lscore-")) == 2)
        cards = chat.cards(timeline, "lscore-")
        await chat.submit_levels(stack, userid, cards[0], first)
        await chat.submit_levels(stack, userid, cards[1], second)
    timeline = await chat.until(stack, HR, lambda t: count(texts(t), "【面试汇总】") == 1)
    summary = next(x for x in texts(timeline) if "【面试汇总】" in x)
    assert "客户导向：王强 4｜陈静 2" in summary and "仅供参考" in summary
    humans = await Score.filter(interview_id=story.interview_id, rater_kind="human").count()
    assert humans == 2 * len(MODEL)


async def _outbox_settled() -> bool:
    return not await OutboxMessage.filter(status__in=["pending", "processing"]).exists()


async def the_survey_job_asks_and_they_answer(story: Story) -> None:
    stack = story.stack
    done = await Interview.get(id=story.interview_id)
    assert done.completed_at is not None
    story.scheduler_at(done.completed_at + timedelta(minutes=11))
    await story.services.scheduler.run_once()  # the survey and summary jobs, at that time
    # She answers each question from the latest menu, then writes a comment.
    for asked in (1, 2, 3):
        out = await story.kf_until(_survey_menus(asked))
        latest = [m for m in out if m["msgtype"] == "msgmenu"][-1]
        item = latest["msgmenu"]["list"][0]["click"]
        await story.candidate_says(item["content"], item["id"])
    await story.kf_until(lambda o: any(COMMENT_INVITE in said(m) for m in o))
    await story.candidate_says("面试官很专业，希望提前告知面试形式")
    await chat.wait(lambda: _comment_saved(story.candidate_id))

    timeline = await chat.until(stack, SECOND, lambda t: len(chat.cards(t, "survey-")) == 1)
    card = chat.cards(timeline, "survey-")[0]["content"]
    selected = [{"question_key": "questions_fit", "option_ids": ["fit"]},
                {"question_key": "time_enough", "option_ids": ["tight"]},
                {"question_key": "prompts_useful", "option_ids": ["useful"]}]  # fmt: skip
    await chat.click(stack, SECOND, card["task_id"], card["submit_button"]["key"], selected)
    chen = await Staff.get(wecom_userid=SECOND)
    answer = await chat.wait(lambda: SurveyResponse.get_or_none(
        interview_id=story.interview_id, respondent_key=f"staff:{chen.id}", answers__not={}))  # fmt: skip
    assert answer.answers["time_enough"] == "tight"


def _survey_menus(n: int) -> Callable[[list[dict[str, Any]]], bool]:
    """True once ``n`` survey questions were asked (each a menu of ``survey.answer:`` keys)."""

    def test(out: list[dict[str, Any]]) -> bool:
        menus = [m for m in out if m["msgtype"] == "msgmenu"]
        ids = [m["msgmenu"]["list"][0]["click"]["id"] for m in menus]
        return sum(i.startswith(f"{SURVEY_ANSWER}:") for i in ids) == n

    return test


async def _comment_saved(candidate_id: int) -> bool:
    rows = await SurveyResponse.filter(respondent_key=f"candidate:{candidate_id}")
    return any("希望提前告知" in (r.comment or "") for r in rows)


async def hr_releases_the_summary_and_she_receives_it(story: Story) -> None:
    stack = story.stack
    await story.services.scheduler.run_once()
    timeline = await chat.until(stack, HR, lambda t: len(chat.cards(t, "summary-")) == 1)
    assert count(texts(timeline), "【候选人反馈草稿】") == 1
    card = chat.cards(timeline, "summary-")[0]["content"]
    release = next(b for b in card["button_list"] if b["text"] == "发布给候选人")
    await chat.click(stack, HR, card["task_id"], release["key"])
    out = await story.kf_until(lambda o: any("做得好的方面" in said(m) for m in o))

    def released(t: Timeline) -> bool:
        return chat.card_state(t, card["task_id"]).get("finished_text") == "已发布"

    state = chat.card_state(await chat.until(stack, HR, released), card["task_id"])
    assert "已由 李娜" in state["card"]["sub_title_text"]
    assert sum("做得好的方面" in said(m) for m in out) == 1


async def hr_sends_the_offer_and_it_is_approved(story: Story) -> None:
    stack = story.stack
    await stack.say(HR, "发offer 赵敏 入职2030-03-16")
    timeline = await chat.until(stack, HR, lambda t: len(chat.cards(t, "offer-")) == 1)
    card = chat.cards(timeline, "offer-")[0]["content"]
    await chat.click(stack, HR, card["task_id"], card["button_list"][0]["key"])  # 提交审批
    approvals = await chat.wait(lambda: _approvals(stack))
    sp_no = approvals[0]["sp_no"]
    await chat.wait(lambda: Offer.get_or_none(sp_no=sp_no, status="pending_approval"))
    await stack.console.post("/sandbox/faults", json={"callback_repeats": 2})
    decided = await stack.console.post("/sandbox/approval",
                                       json={"sp_no": sp_no, "status": 2, "speech": "同意"})  # fmt: skip
    assert decided.status_code == 200 and decided.json()["status"] == 200, decided.text
    assert decided.json()["attempts"] == 2
    await chat.wait(lambda: Offer.get_or_none(sp_no=sp_no, status="approved"))
    timeline = await chat.until(stack, HR, lambda t: count(texts(t), "offer 已通过") == 1)
    application = await Application.get(candidate_id=story.candidate_id)
    assert application.status == ApplicationStatus.OFFER


async def _approvals(stack: Stack) -> list[dict[str, Any]]:
    return list((await stack.console.get("/sandbox/approvals")).json()["approvals"])


async def the_handoffs_are_in_the_outbox_once(story: Story) -> None:
    await chat.wait(_outbox_settled)
    letters = [r for r in await OutboxMessage.filter(channel=Channel.CANDIDATE)
               if "录用邀请（offer）" in str(r.payload.get("content"))]  # fmt: skip
    assert [r.recipient for r in letters] == [f"candidate:{story.candidate_id}"]
    ehr = await OutboxMessage.filter(channel="ehr")
    assert sorted(r.payload["op"] for r in ehr) == ["archive", "employee"]
    payroll = await OutboxMessage.filter(channel="payroll")
    assert len(payroll) == 1
    assert {r.status for r in [*letters, *ehr, *payroll]} == {"done"}
    out = await story.kf_until(lambda o: any("录用邀请（offer）" in said(m) for m in o))
    assert sum("录用邀请（offer）" in said(m) for m in out) == 1


async def she_accepts_the_offer_in_kf(story: Story) -> None:
    """The letter's menu: her tap on 接受offer is recorded once and HR hears of it."""
    out = await story.kf()
    menus = [m for m in out if m["msgtype"] == "msgmenu"]
    letter = [m for m in menus if "offer.accept:" in str(m["msgmenu"])][-1]
    accept = next(i["click"] for i in letter["msgmenu"]["list"] if "accept" in i["click"]["id"])
    await story.candidate_says(accept["content"], accept["id"])
    await chat.until(story.stack, HR, lambda t: count(texts(t), "接受了「销售代表」的 offer") == 1)
    # her welcome is a separate delivery that may land after HR's (a busy machine, parallel runs)
    await story.kf_until(lambda o: any("欢迎加入" in said(m) for m in o))
    offer = await Offer.get(application__candidate_id=story.candidate_id)
    assert offer.candidate_answer == "accept" and offer.answered_at is not None


async def what_each_person_received(story: Story) -> None:
    """Everyone's messages at the end: each thing once, nothing else."""
    _saw([said(m) for m in await story.kf()], [
        "已转给负责您的 HR",  # her first question, before any invitation, went to HR
        "诚邀您参加「销售代表」岗位的二面", "已确认：", REMINDER, REMINDER,
        "想听听您的感受", "2/3", "3/3", COMMENT_INVITE, "已收到您的意见",
        "面试的反馈", "录用邀请（offer）", "请点选按钮答复", "欢迎加入",
    ])  # fmt: skip
    _saw(texts(await story.stack.chat(HR)), [
        "已预约", "【面试汇总】", "【候选人反馈草稿】", "【offer 审批中】",
        "【offer 已通过】", "接受了「销售代表」的 offer",
    ])  # fmt: skip
    _saw(texts(await story.stack.chat(LEAD)), [
        REMINDER, REMINDER, "已开始面试", "【笔记】本场已记录 1 条", "【笔记】本场已记录 2 条",
        "已结束面试", "【面试汇总】",
    ])  # fmt: skip
    _saw(texts(await story.stack.chat(SECOND)), [REMINDER, REMINDER, "王强 已开始面试"])


def _saw(messages: list[str], expected: list[str]) -> None:
    """Each message matches one expected marker, and each marker is met as often as listed."""
    matched = [next((e for e in expected if e in m), m[:40]) for m in messages]
    assert Counter(matched) == Counter(expected), matched
