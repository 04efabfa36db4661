"""The bot's live-interview texts: WeCom's 2048-byte limit, the prompt's parts, the panel's
consolidation with its disagreement flag, and the scoring card's shape."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, cast

from recruiting.domain.assessment_reasons import NoTranscript, no_transcript_label
from recruiting.domain.panel_summary import CompetencyLine, PanelSummary
from recruiting.ports.live_prompts import CompetencyBrief, LivePrompt
from recruiting.services.live import texts as say
from recruiting.services.live.context import LiveContext
from recruiting.services.live.panel_scoring import score_card

LONG = "评" * 300
BRIEF = CompetencyBrief("customer_focus", "客户导向", tuple(f"{i} {LONG}" for i in range(1, 6)))


def test_rubric_anchors_are_cut_at_a_clause_not_mid_word() -> None:
    anchor = "能主动了解客户的真实需求，并在承诺的时间内（通常是当天）给出可执行的方案，客户满意度明显提升"
    brief = CompetencyBrief("customer_focus", "客户导向", (anchor,) * 5)
    prompt = LivePrompt([], ["客户导向"], brief, [], "")
    text = say.prompt_text(1, say.text_note_line("好"), prompt)
    assert "\n1 能主动了解客户的真实需求，并在承诺的时间内（通常是当天）给出可执行的方案…\n" in text


def test_prompt_has_coverage_follow_up_and_anchors_within_the_limit() -> None:
    prompt = LivePrompt(["沟通能力"], ["客户导向", "结果导向"], BRIEF, ["action", "result"],
                        "你提到“牵头做会员活动”，能举个具体的例子吗？", "牵头做会员活动")  # fmt: skip
    text = say.prompt_text(3, say.text_note_line(LONG), prompt)
    assert text.startswith("【笔记】本场已记录 3 条。最新：“评")
    assert "尚缺证据：客户导向、结果导向（已有证据：沟通能力）" in text
    assert "追问（缺行动、结果）：你提到“牵头做会员活动”" in text
    assert "关注「客户导向」评分锚点：\n1 " in text and "\n5 " in text
    assert len(text.encode()) <= say.TEXT_LIMIT


def test_prompt_without_text_to_analyse() -> None:
    code = NoTranscript.MODEL_MISSING
    line = say.voice_note_line(12.4, "", no_transcript_label(code), code)
    text = say.prompt_text(1, line, None)
    assert "语音 12 秒已保存，未能转写：系统暂未开通语音识别。请用文字补记要点。" in text
    assert "本条没有可分析的文字" in text


def test_panel_text_flags_a_spread_of_two_points() -> None:
    lines = [
        CompetencyLine("客户导向", [("王强", 4.0), ("陈静", 2.0)], 2.8, ["主动回访了三次"]),
        CompetencyLine("沟通能力", [("王强", 4.0), ("陈静", 3.0)], None, []),
    ]
    summary = PanelSummary(1, "周芳 · 销售代表 · 二面", [("王强", True), ("陈静", False)], lines,
                           [("陈静", "表达清楚")], [])  # fmt: skip
    assert summary.complete and summary.disagreements == ["客户导向"]
    assert lines[1].spread == 1.0 and not lines[1].disagreement
    text = say.panel_text(summary)
    assert "面试官：王强（主面试官）、陈静" in text
    assert "客户导向：王强 4｜陈静 2｜AI 参考 2.8  ⚠ 相差 2 分" in text
    assert "AI 依据：“主动回访了三次”" in text
    assert "沟通能力：王强 4｜陈静 3｜AI 参考 未评估" in text
    assert "校准" in text and "· 陈静：表达清楚" in text and text.endswith(say.ADVISORY)


def test_one_rater_has_no_spread() -> None:
    line = CompetencyLine("客户导向", [("王强", 5.0), ("陈静", None)], None, [])
    assert line.spread is None and not line.disagreement


def test_score_card_asks_each_competency_one_to_five() -> None:
    ctx = cast(LiveContext, SimpleNamespace(
        id=7, candidate="周芳", job=SimpleNamespace(title="销售代表"),
        round=SimpleNamespace(name="二面")))  # fmt: skip
    card: dict[str, Any] = score_card(ctx, 1, 2, [BRIEF], "lscore-7-3-1-99")
    assert card["card_type"] == "multiple_interaction" and card["task_id"] == "lscore-7-3-1-99"
    [select] = card["select_list"]
    assert select["question_key"] == "customer_focus"
    # Nothing is pre-selected: WeCom would show the first option, so that one is "not scored".
    assert [o["id"] for o in select["option_list"]] == ["none", "1", "2", "3", "4", "5"]
    assert select["selected_id"] == "none" and select["option_list"][0]["text"] == "请选择分数"
    assert card["submit_button"] == {"text": "提交评分", "key": "live.score:7:1"}
    assert card["main_title"]["title"] == "面试评分 2/2：周芳"
    done = score_card(ctx, 1, 2, [BRIEF], "lscore-7-3-1-99", {"客户导向": 4}, recorded_at="10:32")
    assert done["select_list"][0]["selected_id"] == "4"
    assert done["main_title"]["desc"].startswith("已记录 10:32：客户导向 4")
    assert done["submit_button"]["text"] == "修改评分"


def test_prompt_warns_of_a_gaming_note_before_the_follow_up() -> None:
    flag = "只有自我评价，没有具体事例：回答是自我评价（我是一个很有耐心的人）"
    prompt = LivePrompt([], ["客户导向"], BRIEF, ["action"], "你提到“很有耐心”，能讲一次…？",
                        "很有耐心", [flag])  # fmt: skip
    text = say.prompt_text(1, say.text_note_line("他说他很有耐心"), prompt)
    lines = text.splitlines()
    warned = next(i for i, line in enumerate(lines) if line.startswith("⚠ 只有自我评价"))
    assert lines[warned + 1].startswith("追问")
    assert len(text.encode()) <= say.TEXT_LIMIT
