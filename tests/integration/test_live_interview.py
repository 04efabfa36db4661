"""Live interviews on SQLite and PostgreSQL with the real text core: prompt batching against
the outbox, two panelists starting at once, the panel's scores and their consolidation, and
what an interviewer may see of a candidate."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from interview_core.live import ENGINE, CoreLivePrompts
from recruiting.domain.routing import route_key
from recruiting.models import (
    AuditLog,
    Interview,
    InterviewNote,
    OutboxMessage,
    ProcessingStatus,
    RaterKind,
    Score,
)
from recruiting.services.live.interview import LiveInterviews
from recruiting.services.live.panel_scoring import SCORE, PanelScoring
from recruiting.services.messaging.conversation import Conversation
from recruiting.services.messaging.effects import Effects
from tests.fakes.live import SH, Live, clicked, live_world, said

NOTES = [
    "去年双十一前门店客单价连续下滑，她负责牵头做会员活动。",
    "她先分析了近半年的销售数据，和顾客逐一沟通了解诉求。",
    "最终活动期间客单价提升了35%，复购率也提高了。",
]


async def real_world() -> Live:
    world = await live_world()
    prompts = CoreLivePrompts()
    effects = Effects(None)
    scoring = PanelScoring(prompts, effects, SH)
    live = LiveInterviews(SH, prompts, world.voice, world.speech, scoring, effects)
    return replace(world, live=live, scoring=scoring, bot=Conversation(SH, live))


async def prompts_to(userid: str) -> list[OutboxMessage]:
    rows = await OutboxMessage.filter(recipient=userid).order_by("id")
    return [r for r in rows if str(r.payload.get("content", "")).startswith("【笔记】")]


async def test_a_newer_note_rewrites_the_waiting_prompt(database: str) -> None:
    world = await real_world()
    await world.bot.on_text(said("wangqiang", "开始面试"))
    await world.bot.on_text(said("wangqiang", NOTES[0]))
    await world.bot.on_text(said("wangqiang", NOTES[1]))
    [waiting] = await prompts_to("wangqiang")  # still unsent: one message, the newest state
    assert waiting.payload["content"].startswith("【笔记】本场已记录 2 条")
    assert "顾客逐一沟通" in waiting.payload["content"]
    # Once the relay has taken it, the next note gets a message of its own.
    await OutboxMessage.filter(id=waiting.id).update(status=ProcessingStatus.PROCESSING, attempts=1)
    await world.bot.on_text(said("wangqiang", NOTES[2]))
    first, second = await prompts_to("wangqiang")
    assert first.id == waiting.id and "本场已记录 3 条" in second.payload["content"]
    # Another interviewer's notes have their own prompt.
    await world.bot.on_text(said("chenjing", "表达清楚"))
    assert len(await prompts_to("chenjing")) == 1


async def test_real_prompt_names_gaps_quotes_and_anchors(database: str) -> None:
    world = await real_world()
    await world.bot.on_text(said("wangqiang", "开始面试"))
    await world.bot.on_text(said("wangqiang", NOTES[0]))
    [prompt] = await prompts_to("wangqiang")
    text = prompt.payload["content"]
    assert "尚缺证据：" in text and "追问（缺" in text
    assert "你提到你负责" in text and "你提到“她" not in text  # her words, asked back to her
    assert "评分锚点" in text and "\n5 " in text and len(text.encode()) <= 2048


async def test_two_panelists_starting_at_once_start_it_once(database: str) -> None:
    world = await real_world()
    a, b = await asyncio.gather(
        world.bot.on_text(said("wangqiang", "开始面试")),
        world.bot.on_text(said("chenjing", "开始面试")),
    )
    replies = sorted(str(d.payload["content"])[:6] for d in (*a, *b))
    assert replies == ["已开始面试：", "面试正在进行"]
    interview = await Interview.get(id=world.interview.id)
    assert interview.status == "in_progress" and interview.version == 1
    assert await AuditLog.filter(action="start_interview").count() == 1


async def test_panel_scores_consolidation_and_audit(database: str) -> None:
    world = await real_world()
    await world.bot.on_text(said("wangqiang", "开始面试"))
    for note in NOTES:
        await world.bot.on_text(said("wangqiang", note))
    await world.bot.on_text(said("wangqiang", "结束面试"))
    ai = {s.competency: s for s in await Score.filter(rater_kind=RaterKind.AI)}
    assert set(ai) == {"客户导向", "沟通能力", "结果导向"} and ai["客户导向"].rater_key == ENGINE
    assert all(s.value is None or 1 <= s.value <= 5 for s in ai.values())
    assert any(s.value is not None and s.evidence for s in ai.values())

    key = route_key(SCORE, world.interview.id, 0)
    await world.scoring.on_card_click(
        clicked(
            "wangqiang", key, {"customer_focus": 5, "communication": 4, "results_orientation": 4}
        )
    )
    await world.scoring.on_card_click(
        clicked(
            "chenjing", key, {"customer_focus": 3, "communication": 4, "results_orientation": 1}
        )
    )
    summaries = await OutboxMessage.filter(idempotency_key__contains=":panel:").order_by("id")
    assert sorted(r.recipient for r in summaries) == ["lina", "wangqiang"]
    text = summaries[0].payload["content"]
    assert "客户导向：王强 5｜陈静 3" in text and "结果导向：王强 4｜陈静 1" in text
    assert "AI 参考" in text and "AI 依据：“" in text and "客户导向、结果导向" in text

    # The same values again: recorded (audited) but nothing new to tell.
    again = {"customer_focus": 3, "communication": 4, "results_orientation": 1}
    await world.scoring.on_card_click(clicked("chenjing", key, again))
    assert await OutboxMessage.filter(idempotency_key__contains=":panel:").count() == 2
    await world.scoring.on_card_click(clicked("chenjing", key, {**again, "results_orientation": 3}))
    assert await OutboxMessage.filter(idempotency_key__contains=":panel:").count() == 4
    updates = await AuditLog.filter(action="score_update", actor="chenjing").order_by("id")
    assert [u.detail.split("；")[-1] for u in updates] == ["结果导向 1→1", "结果导向 1→3"]
    humans = await Score.filter(rater_kind=RaterKind.HUMAN).count()
    assert humans == 6  # two raters × three competencies, updated in place


async def test_the_last_two_cards_submitted_at_once_consolidate_once(database: str) -> None:
    world = await real_world()
    await world.bot.on_text(said("wangqiang", "开始面试"))
    await world.bot.on_text(said("wangqiang", "结束面试"))
    key = route_key(SCORE, world.interview.id, 0)
    levels = {"customer_focus": 4, "communication": 4, "results_orientation": 4}
    await asyncio.gather(
        world.scoring.on_card_click(clicked("wangqiang", key, levels)),
        world.scoring.on_card_click(clicked("chenjing", key, {**levels, "communication": 2})),
    )
    summaries = await OutboxMessage.filter(idempotency_key__contains=":panel:")
    assert sorted(r.recipient for r in summaries) == ["lina", "wangqiang"]


async def test_candidate_brief_respects_the_panel(database: str) -> None:
    world = await real_world()
    brief = world.bot
    [mine] = await brief.on_text(said("wangqiang", "候选人 周芳"))
    assert "应聘：销售代表" in mine.payload["content"]
    await Interview.filter(id=world.interview.id).update(status="completed")
    [hr] = await brief.on_text(said("lina", "候选人：周芳"))
    assert "二面（现场）" in hr.payload["content"] and "已完成" in hr.payload["content"]
    await world.interview.assignments.all().delete()  # type: ignore[attr-defined]
    [refused] = await brief.on_text(said("wangqiang", "候选人 周芳"))
    assert refused.payload["content"].startswith("没有找到您可以查看的候选人「周芳」")
    views = await AuditLog.filter(action="view_candidate_brief").order_by("id")
    assert [(v.actor, v.allowed) for v in views] == [
        ("wangqiang", True), ("lina", True), ("wangqiang", False)]  # fmt: skip
    assert await InterviewNote.all().count() == 0
