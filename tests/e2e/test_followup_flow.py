"""After the interview, over real HTTP through the WeCom sandbox: each interviewer's survey
card is clicked (stored, card updated), the candidate answers the survey in the mini-app,
HR reads the summary (API and chat), the candidate summary is drafted by the job (with a
clock), HR taps 发布给候选人 on the card, the candidate channel gets it and the mini-app
shows it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from recruiting import clock
from recruiting.models import (
    Application,
    AuditLog,
    Candidate,
    Interview,
    InterviewAssignment,
    InterviewRound,
    JobOpening,
    OutboxMessage,
    RaterKind,
    RoundKind,
    Score,
    Staff,
    SurveyResponse,
)
from recruiting.ports.outbound import Channel
from tests.e2e import chat
from tests.e2e.stack import Stack

MODEL = [
    {"code": "customer_focus", "name": "客户导向", "weight": "0.4"},
    {"code": "communication", "name": "沟通能力", "weight": "0.3"},
    {"code": "results", "name": "结果导向", "weight": "0.3"},
]
OPENID = "o-followup-1"


async def _book() -> Interview:
    job = await JobOpening.create(code="fu-sales", title="销售代表", competency_model=MODEL)
    round_ = await InterviewRound.create(job=job, name="二面", sequence=2, kind=RoundKind.LIVE,
                                         panel_size=2)  # fmt: skip
    candidate = await Candidate.create(name="周芳", wechat_openid=OPENID)
    application = await Application.create(candidate=candidate, job=job)
    starts = clock.now() + timedelta(minutes=10)
    interview = await Interview.create(application=application, round=round_, status="confirmed",
                                       starts_at=starts, ends_at=starts + timedelta(hours=1))  # fmt: skip
    for userid, lead in (("wangqiang", True), ("chenjing", False)):
        staff = await Staff.get(wecom_userid=userid)
        await InterviewAssignment.create(interview=interview, interviewer=staff, lead=lead)
    return interview


async def _miniapp(stack: Stack) -> httpx.AsyncClient:
    base = f"http://127.0.0.1:{stack.settings.server.port}/miniapp/v1"
    return httpx.AsyncClient(base_url=base, timeout=15)


async def _token(
    stack: Stack, api: httpx.AsyncClient, *, openid: str = "", userid: str = ""
) -> str:
    if openid:
        code = (await stack.console.post("/sandbox/wechat_code", json={"openid": openid})).json()
        response = await api.post("/login/candidate", json=code)
    else:
        code = (await stack.console.post("/sandbox/jscode", json={"userid": userid})).json()
        response = await api.post("/login/staff", json={"code": code["code"]})
    assert response.status_code == 200, response.text
    return str(response.json()["token"])


async def test_surveys_and_summary_release_end_to_end(stack: Stack) -> None:
    services = stack.service.ctx.services
    interview = await _book()
    await stack.say("wangqiang", "开始面试")
    await chat.until(stack, "wangqiang", lambda t: any("已开始面试" in x for x in chat.texts(t)))
    await stack.say("wangqiang", "结束面试")
    await chat.until(stack, "wangqiang", lambda t: any("已结束面试" in x for x in chat.texts(t)))
    done = await Interview.get(id=interview.id)
    assert done.status == "completed" and done.completed_at is not None

    # Surveys: the job (run by the scheduler) with a clock past the delay; once only.
    later = done.completed_at + timedelta(minutes=11)
    assert await services.after_interview.surveys.send_due_surveys(done.completed_at) == 0
    assert await services.after_interview.surveys.send_due_surveys(later) == 3
    assert await services.after_interview.surveys.send_due_surveys(later) == 0
    timeline = await chat.until(stack, "chenjing", lambda t: len(chat.cards(t, "survey-")) == 1)
    card = chat.cards(timeline, "survey-")[0]["content"]
    assert card["card_type"] == "multiple_interaction"
    selected = [{"question_key": "questions_fit", "option_ids": ["fit"]},
                {"question_key": "time_enough", "option_ids": ["tight"]},
                {"question_key": "prompts_useful", "option_ids": ["useful"]}]  # fmt: skip
    await chat.click(stack, "chenjing", card["task_id"], card["submit_button"]["key"], selected)

    def updated(t: list[dict[str, Any]]) -> bool:
        return any(c["card_state"]["updates"] == 1 for c in chat.cards(t, "survey-"))

    timeline = await chat.until(stack, "chenjing", updated)
    state = chat.cards(timeline, "survey-")[0]["card_state"]
    assert state["finished_text"] == "已提交" and "已提交" in state["card"]["main_title"]["desc"]
    chen = await Staff.get(wecom_userid="chenjing")
    row = await SurveyResponse.get(interview_id=interview.id, respondent_key=f"staff:{chen.id}")
    assert row.answers == {"questions_fit": "fit", "time_enough": "tight",
                           "prompts_useful": "useful"}  # fmt: skip
    [asked] = await OutboxMessage.filter(channel=Channel.CANDIDATE)
    assert asked.payload["kind"] == "choices" and asked.payload["subject"].startswith("survey:")

    async with await _miniapp(stack) as api:
        me = {"Authorization": f"Bearer {await _token(stack, api, openid=OPENID)}"}
        path = f"/interviews/{interview.id}/survey"
        form = (await api.get(path, headers=me)).json()
        assert form["open"] and [q["key"] for q in form["questions"]] == [
            "satisfaction", "relevance", "difficulty"]  # fmt: skip
        bad = await api.post(path, headers=me, json={"answers": {"satisfaction": 9}})
        assert bad.status_code == 400 and bad.json()["error"] == "invalid_input"
        body = {"answers": {"satisfaction": 4, "relevance": 5, "difficulty": "hard"},
                "comment": "面试官很专业，希望提前告知面试形式"}  # fmt: skip
        answered = await api.post(path, headers=me, json=body)
        assert answered.status_code == 200, answered.text
        assert answered.json()["answers"]["difficulty"] == "hard"
        body["answers"]["satisfaction"] = 5  # type: ignore[index]
        assert (await api.post(path, headers=me, json=body)).json()["answers"][
            "satisfaction"
        ] == "5"

        # HR reads the survey summary (comments for HR only, audited); so in chat.
        hr = {"Authorization": f"Bearer {await _token(stack, api, userid='lina')}"}
        summary = await api.get("/staff/surveys", headers=hr, params={"job": "fu-sales"})
        assert summary.status_code == 200, summary.text
        [round_] = summary.json()["rounds"]
        assert round_["candidate"]["answered"] == 1 and round_["interviewer"]["answered"] == 1
        assert round_["interviewer"]["response_rate"] == 0.5
        assert summary.json()["comments"][0]["text"].startswith("面试官很专业")
        missing = await api.get("/staff/surveys", headers=hr)
        assert missing.status_code == 400 and missing.json()["error"] == "invalid_input"
        assert await AuditLog.filter(action="view_survey_summary", actor="lina").exists()
        await stack.say("lina", "问卷 销售代表")
        said = await chat.until(
            stack, "lina", lambda t: any("【问卷汇总】" in x for x in chat.texts(t))
        )
        text = next(x for x in chat.texts(said) if "【问卷汇总】" in x)
        assert "满意度 均分 5.0" in text and "希望提前告知" in text

        # The panel has scored (panel scoring is its own flow); the job drafts the summary.
        for userid, values in (("wangqiang", (5, 4, 2)), ("chenjing", (4, 4, 3))):
            staff = await Staff.get(wecom_userid=userid)
            for name, value in zip(("客户导向", "沟通能力", "结果导向"), values, strict=True):
                await Score.create(interview=interview, competency=name, rater=staff,
                                   rater_kind=RaterKind.HUMAN, rater_key=f"staff:{staff.id}",
                                   value=value)  # fmt: skip
        assert await services.after_interview.summaries.draft_due_summaries(later) == 1
        shown = (await api.get(f"/interviews/{interview.id}/summary", headers=me)).json()
        assert shown == {"released": False}  # a draft is not the candidate's yet
        timeline = await chat.until(stack, "lina", lambda t: len(chat.cards(t, "summary-")) == 1)
        draft = next(x for x in chat.texts(timeline) if "【候选人反馈草稿】" in x)
        assert "客户导向" in draft and "仅 HR 可见" in draft and "王强 5、陈静 4" in draft
        card = chat.cards(timeline, "summary-")[0]["content"]
        release = next(b for b in card["button_list"] if b["text"] == "发布给候选人")
        await chat.click(stack, "lina", card["task_id"], release["key"])

        def released(t: list[dict[str, Any]]) -> bool:
            return any(
                c["card_state"]["finished_text"] == "已发布" for c in chat.cards(t, "summary-")
            )

        timeline = await chat.until(stack, "lina", released)
        state = chat.cards(timeline, "summary-")[0]["card_state"]
        assert "已由 李娜" in state["card"]["sub_title_text"]
        sent = await OutboxMessage.filter(channel=Channel.CANDIDATE)
        summary_rows = [r for r in sent if r.payload.get("kind") == "link"]
        assert len(summary_rows) == 1 and "做得好的方面" in summary_rows[0].payload["content"]
        shown = (await api.get(f"/interviews/{interview.id}/summary", headers=me)).json()
        assert shown["released"] and shown["strengths"].startswith("客户导向")
        assert "王强" not in shown["strengths"] + shown["improvements"]
        assert await AuditLog.filter(action="release_summary", actor="lina", allowed=True).exists()
