"""Live-interview use cases with fake ports (prompts, voice, speech) on a SQLite file:
commands, notes, voice notes, finishing, scoring clicks and comments."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from recruiting import clock
from recruiting.domain.assessment_reasons import NoTranscript, no_transcript_label
from recruiting.domain.routing import route_key
from recruiting.errors import RetryLater
from recruiting.models import AuditLog, Interview, InterviewNote, OutboxMessage, Score, Staff
from recruiting.models.interviews import NoteKind
from recruiting.ports.voice_notes import SpokenText
from recruiting.services.live import texts as say
from recruiting.services.live.context import load_context
from recruiting.services.live.interview import UNTRANSCRIBED
from recruiting.services.live.panel_scoring import SCORE
from recruiting.services.messaging.conversation import HELP_TEXT
from tests.fakes.live import Gone, Live, clicked, live_world, said, spoke


@pytest.fixture
async def world(sqlite_db: str) -> Live:
    return await live_world()


def content(drafts: list[Any]) -> str:
    [draft] = drafts
    return str(draft.payload["content"])


async def rows(recipient: str) -> list[OutboxMessage]:
    return await OutboxMessage.filter(recipient=recipient).order_by("id")


async def summaries(recipient: str) -> list[str]:
    texts = [str(r.payload.get("content", "")) for r in await rows(recipient)]
    return [t for t in texts if t.startswith("【面试汇总】")]


async def test_start_takes_the_nearest_interview_and_tells_the_panel(world: Live) -> None:
    reply = content(await world.bot.on_text(said("wangqiang", "好的，开始面试吧")))
    assert reply.startswith("已开始面试：周芳 · 销售代表 · 二面")
    assert "本轮考察：客户导向、沟通能力、结果导向" in reply
    interview = await Interview.get(id=world.interview.id)
    assert interview.status == "in_progress" and interview.version == 1
    [notice] = await rows("chenjing")
    assert notice.payload["content"].startswith("王强 已开始面试：周芳")
    assert await AuditLog.filter(action="start_interview", actor="wangqiang").count() == 1
    again = content(await world.bot.on_text(said("chenjing", "start interview")))
    assert again.startswith("面试正在进行：周芳")


async def test_start_from_scheduled_and_only_within_two_hours(sqlite_db: str) -> None:
    far = await live_world(minutes_from_now=180, status="scheduled")
    reply = content(await far.bot.on_text(said("wangqiang", "开始面试")))
    assert reply.startswith(say.NO_INTERVIEW_TO_START)
    assert "您今天的面试" in reply or say.NO_INTERVIEWS_TODAY in reply
    near = await live_world(minutes_from_now=-30, status="scheduled")
    content(await near.bot.on_text(said("wangqiang", "开始面试")))
    assert (await Interview.get(id=near.interview.id)).status == "in_progress"
    assert (await Interview.get(id=far.interview.id)).status == "scheduled"


async def test_commands_still_work_during_an_interview(world: Live) -> None:
    await world.bot.on_text(said("wangqiang", "开始面试"))
    assert content(await world.bot.on_text(said("wangqiang", "帮助"))) == HELP_TEXT
    brief = content(await world.bot.on_text(said("wangqiang", "候选人 周芳")))
    assert brief.startswith("候选人 周芳\n应聘：销售代表") and "← 您参与" in brief
    today = content(await world.bot.on_text(said("wangqiang", "今天的面试")))
    assert "周芳 · 销售代表 · 二面（进行中）" in today or today == say.NO_INTERVIEWS_TODAY
    # Text that merely starts like a command is a note.
    assert await world.bot.on_text(said("wangqiang", "候选人表现不错，沟通有条理")) == []
    assert await InterviewNote.filter(interview_id=world.interview.id).count() == 1


async def test_text_note_is_stored_once_and_prompted(world: Live) -> None:
    await world.bot.on_text(said("wangqiang", "开始面试"))
    note = said("wangqiang", "候选人讲了客户导向的例子", msg_id="m-1")
    assert await world.bot.on_text(note) == []
    assert await world.bot.on_text(note) == []  # a second processing of the same MsgId
    [stored] = await InterviewNote.filter(interview_id=world.interview.id)
    assert stored.kind == NoteKind.TEXT and stored.source_msg_id == "m-1"
    [prompt] = [r for r in await rows("wangqiang") if "【笔记】" in r.payload["content"]]
    text = prompt.payload["content"]
    assert "尚缺证据：沟通能力、结果导向（已有证据：客户导向）" in text
    assert "追问（缺结果）：你提到“候选人讲了客户导" in text and "锚点1" in text
    assert world.prompts.asked == [(["候选人讲了客户导向的例子"], "候选人讲了客户导向的例子")]


async def test_voice_note_is_fetched_transcribed_and_kept(world: Live) -> None:
    await world.bot.on_text(said("wangqiang", "开始面试"))
    voice = spoke("wangqiang", msg_id="v-1")
    assert await world.live.on_voice(voice) == []
    assert await world.live.on_voice(voice) == []  # processed again: not fetched again
    assert world.voice.fetched == ["media-v-1"]
    [note] = await InterviewNote.filter(interview_id=world.interview.id)
    assert note.kind == NoteKind.VOICE and note.body == "客户导向很强"
    [prompt] = [r for r in await rows("wangqiang") if "【笔记】" in r.payload["content"]]
    assert "语音 4 秒，转写：“客户导向很强”" in prompt.payload["content"]


async def test_untranscribed_voice_keeps_the_reason_and_is_not_analysed(world: Live) -> None:
    await world.bot.on_text(said("wangqiang", "开始面试"))
    code = NoTranscript.MODEL_MISSING
    label = no_transcript_label(code)
    world.speech.result = SpokenText(False, "", 3.0, label, code=code)
    await world.live.on_voice(spoke("wangqiang"))
    [note] = await InterviewNote.filter(interview_id=world.interview.id)
    assert note.body == f"{UNTRANSCRIBED}{label}"
    [prompt] = [r for r in await rows("wangqiang") if "【笔记】" in r.payload["content"]]
    assert f"未能转写：{label}。请用文字补记要点。" in prompt.payload["content"]
    assert world.prompts.asked == []  # nothing to analyse yet
    await world.bot.on_text(said("wangqiang", "提到了沟通"))
    assert world.prompts.asked == [(["提到了沟通"], "提到了沟通")]


async def test_voice_download_refused_for_good_or_for_now(world: Live) -> None:
    await world.bot.on_text(said("wangqiang", "开始面试"))
    world.voice.error = RetryLater("busy")
    with pytest.raises(RetryLater):
        await world.live.on_voice(spoke("wangqiang", msg_id="v-2"))
    assert await InterviewNote.all().count() == 0  # the inbox retries it
    world.voice.error = Gone("invalid media_id")
    await world.live.on_voice(spoke("wangqiang", msg_id="v-3"))
    [note] = await InterviewNote.all()
    assert note.body == f"{UNTRANSCRIBED}{no_transcript_label(NoTranscript.DOWNLOAD_FAILED)}"
    assert world.speech.heard == []


async def test_voice_outside_an_interview_is_ignored(world: Live) -> None:
    assert await world.live.on_voice(spoke("wangqiang")) == []
    assert await world.live.on_voice(spoke("visitor")) == []
    assert world.voice.fetched == [] and await OutboxMessage.all().count() == 0


async def test_finish_scores_the_notes_and_sends_cards_to_the_panel(world: Live) -> None:
    await world.bot.on_text(said("wangqiang", "开始面试"))
    await world.bot.on_text(said("chenjing", "客户导向：主动回访"))
    day_ago = clock.now() - timedelta(days=1)
    await Interview.filter(id=world.interview.id).update(updated_at=day_ago)
    reply = content(await world.bot.on_text(said("chenjing", "面试结束了")))
    assert "已结束面试：周芳" in reply and "共记录 1 条笔记" in reply and "王强、陈静" in reply
    assert (await Interview.get(id=world.interview.id)).status == "completed"
    ai = {s.competency: s for s in await Score.filter(rater_key="ai:fake@1")}
    assert ai["客户导向"].value == 3 and ai["沟通能力"].value is None
    assert ai["客户导向"].evidence[0]["quote"] == "客户导向：主动回访"
    for userid in ("wangqiang", "chenjing"):
        [card] = [r for r in await rows(userid) if r.payload["kind"] == "template_card"]
        selects = card.payload["card"]["select_list"]
        assert [s["question_key"] for s in selects] == [
            "customer_focus",
            "communication",
            "results",
        ]
        assert card.payload["card"]["submit_button"]["key"] == route_key(
            SCORE, world.interview.id, 0
        )
    again = content(await world.bot.on_text(said("wangqiang", "结束面试")))
    assert again.startswith("面试已结束：周芳")
    assert content(await world.bot.on_text(said("lina", "结束面试"))) == say.NONE_IN_PROGRESS


async def _finished(world: Live) -> str:
    await world.bot.on_text(said("wangqiang", "开始面试"))
    await world.bot.on_text(said("wangqiang", "结束面试"))
    return route_key(SCORE, world.interview.id, 0)


async def test_scoring_card_click_stores_updates_and_confirms(world: Live) -> None:
    key = await _finished(world)
    levels = {"customer_focus": 4, "communication": 3, "results": 5}
    [update] = await world.scoring.on_card_click(clicked("wangqiang", key, levels, code="rc-1"))
    assert update.payload["kind"] == "template_card_update"
    assert update.payload["response_code"] == "rc-1"
    card = update.payload["card"]
    assert card["task_id"] == "task-1" and "已记录" in card["main_title"]["desc"]
    assert [s["selected_id"] for s in card["select_list"]] == ["4", "3", "5"]
    scores = await Score.filter(rater_key=f"staff:{world.lead.id}").order_by("competency")
    assert sorted(float(s.value) for s in scores) == [3.0, 4.0, 5.0]
    assert await AuditLog.filter(action="score_submit", actor="wangqiang").count() == 1
    await world.scoring.on_card_click(clicked("wangqiang", key, {**levels, "results": 2}))
    [audit] = await AuditLog.filter(action="score_update", actor="wangqiang")
    assert "结果导向 5→2" in audit.detail


async def test_only_the_panel_scores_and_only_after_the_end(world: Live) -> None:
    key = route_key(SCORE, world.interview.id, 0)
    await world.bot.on_text(said("wangqiang", "开始面试"))
    [early] = await world.scoring.on_card_click(clicked("wangqiang", key, {"results": 3}))
    assert early.payload["content"] == say.NOT_SCORABLE
    await world.bot.on_text(said("wangqiang", "结束面试"))
    [refused] = await world.scoring.on_card_click(clicked("lina", key, {"results": 3}))
    assert refused.payload["content"] == say.ONLY_PANEL_SCORES
    assert await AuditLog.filter(action="score_submit", actor="lina", allowed=False).exists()
    assert await Score.filter(rater_kind="human").count() == 0
    assert await world.scoring.on_card_click(clicked("lina", "outbox.retry:1", {})) == []


async def test_a_text_after_submitting_is_the_comment(world: Live) -> None:
    key = await _finished(world)
    unsure = content(await world.bot.on_text(said("wangqiang", "建议进入终面")))
    assert unsure.startswith("抱歉，没有理解")  # nothing scored yet: no comment is open
    await world.scoring.on_card_click(clicked("wangqiang", key, {"results": 4}))
    reply = content(await world.bot.on_text(said("wangqiang", "建议进入终面")))
    assert reply.startswith("已保存为您对 周芳 · 销售代表 · 二面 评分的评语")
    [score] = await Score.filter(rater_key=f"staff:{world.lead.id}")
    assert score.comment == "建议进入终面"
    await world.scoring.on_card_click(clicked("wangqiang", key, {"customer_focus": 3}))
    later = await Score.get(rater_key=f"staff:{world.lead.id}", competency="客户导向")
    assert later.comment == "建议进入终面"  # a later card keeps the comment
    await Score.all().update(updated_at=clock.now() - timedelta(minutes=31))
    late = content(await world.bot.on_text(said("wangqiang", "补充一句")))
    assert late.startswith("抱歉，没有理解")


async def test_consolidation_when_the_whole_panel_has_scored(world: Live) -> None:
    key = await _finished(world)
    await world.scoring.on_card_click(
        clicked("wangqiang", key, {"customer_focus": 4, "communication": 4, "results": 4})
    )
    assert await summaries("lina") == []
    await world.scoring.on_card_click(
        clicked("chenjing", key, {"customer_focus": 2, "communication": 4, "results": 3})
    )
    for userid in ("lina", "wangqiang"):  # HR and the lead interviewer
        [text] = await summaries(userid)
        assert "客户导向：王强 4｜陈静 2｜AI 参考 未评估" in text and "相差 2 分" in text
        assert "沟通能力：王强 4｜陈静 4" in text and "校准" in text
    assert await summaries("chenjing") == []
    ctx = await load_context(world.interview.id)
    summary = await world.scoring.consolidate(ctx, world.prompts.competencies(ctx.scope))
    assert summary.complete and summary.disagreements == ["客户导向"]


async def test_inactive_or_unknown_members_get_no_live_features(world: Live) -> None:
    await Staff.filter(wecom_userid="chenjing").update(active=False)
    await world.bot.on_text(said("wangqiang", "开始面试"))
    [reply] = await world.bot.on_text(said("chenjing", "开始面试"))
    assert "还不是招聘系统中登记的员工" in reply.payload["content"]


async def test_scoring_card_records_nothing_a_careless_tap_did_not_choose(world: Live) -> None:
    """The card comes with nothing selected; a submit of the untouched card is refused in
    Chinese and stores nothing; an unanswered competency stays not scored."""
    key = await _finished(world)
    [card] = [r for r in await rows("wangqiang") if r.payload["kind"] == "template_card"]
    selects = card.payload["card"]["select_list"]
    assert {s["selected_id"] for s in selects} == {"none"}
    untouched: dict[str, int | str] = {s["question_key"]: s["selected_id"] for s in selects}
    [reply] = await world.scoring.on_card_click(clicked("wangqiang", key, untouched))
    assert reply.payload["content"].startswith("您还没有为任何一项选择分数，本次提交未记录")
    assert await Score.filter(rater_key=f"staff:{world.lead.id}").count() == 0
    one: dict[str, int | str] = {**untouched, "communication": 4}
    [update] = await world.scoring.on_card_click(clicked("wangqiang", key, one, code="rc-2"))
    [score] = await Score.filter(rater_key=f"staff:{world.lead.id}")
    assert (score.competency, float(score.value)) == ("沟通能力", 4.0)
    card_after = update.payload["card"]
    assert [s["selected_id"] for s in card_after["select_list"]] == ["none", "4", "none"]
    assert "未评分：客户导向、结果导向" in card_after["main_title"]["desc"]
    [audit] = await AuditLog.filter(action="score_submit", actor="wangqiang")
    assert "未评分：客户导向、结果导向" in audit.detail
