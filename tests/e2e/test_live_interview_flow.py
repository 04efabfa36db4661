"""A live interview in WeCom chat, over real HTTP through the sandbox: the interviewer starts
it, sends a text note and a real AMR voice note (espeak-ng speech), gets live prompts, ends
it; both panel members score by clicking their cards; the consolidation with a disagreement
flag reaches HR and the lead interviewer."""

from __future__ import annotations

import base64
from datetime import timedelta
from pathlib import Path
from typing import Any

from recruiting import clock
from recruiting.models import (
    Application,
    AuditLog,
    Candidate,
    Interview,
    InterviewAssignment,
    InterviewNote,
    InterviewRound,
    JobOpening,
    RaterKind,
    RoundKind,
    Score,
    Staff,
)
from recruiting.models.interviews import NoteKind
from tests.e2e import chat
from tests.e2e.candidate_story import MODEL, NOTE
from tests.e2e.stack import Stack
from tests.unit.core.mediafactory import amr_from_wav, espeak_wav


async def _timeline(stack: Stack, userid: str) -> list[dict[str, Any]]:
    return await stack.chat(userid)


async def _book() -> Interview:
    job = await JobOpening.create(code="live-sales", title="销售代表", competency_model=MODEL)
    round_ = await InterviewRound.create(
        job=job, name="二面", sequence=2, kind=RoundKind.LIVE, panel_size=2,
        competencies=["customer_focus", "communication", "results", "stress"],
    )  # fmt: skip
    first = await InterviewRound.create(job=job, name="一面", sequence=1, kind=RoundKind.LIVE)
    candidate = await Candidate.create(name="周芳", phone_enc="v1.k.secret")
    application = await Application.create(candidate=candidate, job=job)
    await Interview.create(application=application, round=first, status="completed",
                           starts_at=clock.now() - timedelta(days=3))  # fmt: skip
    starts = clock.now() + timedelta(minutes=20)
    interview = await Interview.create(
        application=application, round=round_, status="confirmed",
        starts_at=starts, ends_at=starts + timedelta(minutes=60),
    )  # fmt: skip
    for userid, lead in (("wangqiang", True), ("chenjing", False)):
        staff = await Staff.get(wecom_userid=userid)
        await InterviewAssignment.create(interview=interview, interviewer=staff, lead=lead)
    return interview


async def test_live_interview_notes_prompts_panel_scores(stack: Stack, tmp_path: Path) -> None:
    interview = await _book()
    wav = espeak_wav(tmp_path / "note.wav", "hou4 xuan3 ren2 shuo1 ke4 hu4 man3 yi4 du4 ti2 sheng1")
    amr = amr_from_wav(wav, tmp_path / "note").read_bytes()

    await stack.say("wangqiang", "开始面试吧")
    timeline = await chat.until(
        stack, "wangqiang", lambda t: any("已开始面试" in x for x in chat.texts(t))
    )
    assert any("周芳 · 销售代表 · 二面" in x for x in chat.texts(timeline))
    await chat.until(
        stack, "chenjing", lambda t: any("王强 已开始面试" in x for x in chat.texts(t))
    )
    assert (await Interview.get(id=interview.id)).status == "in_progress"

    await stack.say("wangqiang", "候选人 周芳")
    brief = await chat.until(
        stack, "wangqiang", lambda t: any("候选人 周芳" in x for x in chat.texts(t))
    )
    text = next(x for x in chat.texts(brief) if x.startswith("候选人 周芳"))
    assert "一面" in text and "已完成" in text and "secret" not in text

    await stack.say("wangqiang", NOTE)
    timeline = await chat.until(
        stack, "wangqiang", lambda t: any("【笔记】" in x for x in chat.texts(t))
    )
    prompt = next(x for x in chat.texts(timeline) if "【笔记】" in x)
    assert "尚缺证据" in prompt and "结果导向" in prompt and "追问" in prompt
    assert "评分锚点" in prompt
    # The note reports her in the third person: asked back to her, not quoted as her words.
    assert "你提到你多次上门沟通，" in prompt and "你提到“" not in prompt

    voice = await stack.console.post("/sandbox/voice", json={
        "userid": "wangqiang", "data_base64": base64.b64encode(amr).decode()})  # fmt: skip
    assert voice.status_code == 200, voice.text
    second = "【笔记】本场已记录 2 条"
    timeline = await chat.until(
        stack, "wangqiang", lambda t: any(second in x for x in chat.texts(t))
    )
    spoken = next(x for x in chat.texts(timeline) if second in x)
    assert "未能转写" in spoken  # no speech model installed here, and it says why
    notes = await InterviewNote.filter(interview_id=interview.id).order_by("id")
    assert [n.kind for n in notes] == [NoteKind.TEXT, NoteKind.VOICE]
    assert notes[1].media_ref.startswith(f"notes/{interview.id}/")

    await stack.say("wangqiang", "结束面试")
    # The cards are written with the finish, the reply after it: either may arrive first.
    timeline = await chat.until(
        stack,
        "wangqiang",
        lambda t: len(chat.cards(t)) == 2 and any("已结束面试" in x for x in chat.texts(t)),
    )
    assert any("已结束面试" in x and "共记录 2 条笔记" in x for x in chat.texts(timeline))
    cards = chat.cards(timeline)
    assert [len(c["content"]["select_list"]) for c in cards] == [3, 1]
    theirs = chat.cards(await chat.until(stack, "chenjing", lambda t: len(chat.cards(t)) == 2))
    ai = await Score.filter(interview_id=interview.id, rater_kind=RaterKind.AI)
    assert {s.competency for s in ai} == {"客户导向", "沟通能力", "结果导向", "抗压能力"}

    await chat.submit_levels(stack, "wangqiang", cards[0], [4, 4, 3])
    await chat.submit_levels(stack, "wangqiang", cards[1], [4])
    await chat.submit_levels(stack, "chenjing", theirs[0], [2, 4, 3])
    await chat.submit_levels(stack, "chenjing", theirs[1], [3])
    hr = await chat.until(stack, "lina", lambda t: any("【面试汇总】" in x for x in chat.texts(t)))
    summary = next(x for x in chat.texts(hr) if "【面试汇总】" in x)
    assert "客户导向：王强 4｜陈静 2" in summary and "相差 2 分" in summary
    assert "校准" in summary and "AI 参考" in summary and "仅供参考" in summary
    lead = await chat.until(
        stack, "wangqiang", lambda t: any("【面试汇总】" in x for x in chat.texts(t))
    )
    assert sum("【面试汇总】" in x for x in chat.texts(lead)) == 1

    # The submitted card was updated in WeCom to show what was recorded.
    state = next(c for c in chat.cards(await _timeline(stack, "chenjing"))
                 if c["content"]["task_id"] == theirs[0]["content"]["task_id"])  # fmt: skip
    assert state["card_state"]["updates"] == 1
    assert "已记录" in state["card_state"]["card"]["main_title"]["desc"]

    # A second submit updates the score, is audited, and sends the updated consolidation.
    updated = {**theirs[0], "content": state["card_state"]["card"]}
    await chat.submit_levels(stack, "chenjing", updated, [4, 4, 3])
    await chat.until(stack, "lina", lambda t: sum("【面试汇总】" in x for x in chat.texts(t)) == 2)
    chen = await Staff.get(wecom_userid="chenjing")
    score = await Score.get(interview_id=interview.id, competency="客户导向",
                            rater_key=f"staff:{chen.id}")  # fmt: skip
    assert score.value == 4
    assert await AuditLog.filter(action="score_update", actor="chenjing").exists()
    # WeCom dropped nothing (it silently drops a member's 31st message within a minute).
    for userid in ("wangqiang", "chenjing", "lina"):
        sent = [m for m in await _timeline(stack, userid) if "deliveries" in m]
        assert all(m["deliveries"][userid] == "delivered" for m in sent)
