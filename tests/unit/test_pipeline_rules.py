"""The pipeline's pure rules: the derived stage, evidence quotes located in a transcript, the
timeline's order, HTTP byte ranges, and what a rejected candidate reads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from recruiting.domain.byte_range import RangeNotSatisfiable, byte_range
from recruiting.domain.pipeline import (
    REJECT_FOR_CANDIDATE,
    Happening,
    RejectReason,
    Stage,
    in_time_order,
    locate_quotes,
    reject_reason,
    rejection_text,
    stage_of,
)
from recruiting.services.pipeline.review import pieces


@pytest.mark.parametrize(
    ("status", "recorded", "live", "offer", "stage"),
    [
        ("applied", False, False, False, Stage.NEW),
        ("screening", False, False, False, Stage.SCREENED),
        ("interviewing", False, False, False, Stage.SCREENED),
        ("applied", True, False, False, Stage.RECORDED),
        ("screening", True, True, False, Stage.LIVE),
        ("interviewing", True, True, True, Stage.OFFER),
        ("offer", False, False, False, Stage.OFFER),
        ("rejected", True, True, True, Stage.REJECTED),
        ("hired", True, True, True, Stage.HIRED),
        ("withdrawn", True, False, False, Stage.WITHDRAWN),
    ],
)
def test_the_stage_follows_the_furthest_live_record(
    status: str, recorded: bool, live: bool, offer: bool, stage: Stage
) -> None:
    assert stage_of(status, recorded=recorded, live=live, offer=offer) is stage


SEGMENTS = [(0.0, "我负责过一个项目，"), (4.5, "当时客户 投诉 很多，"), (9.0, "我先安抚再复盘。")]


def test_quotes_are_found_in_their_segment_with_offsets_and_the_time_to_seek_to() -> None:
    [mark] = locate_quotes(SEGMENTS, ["客户投诉很多"])  # the transcript has spaces inside
    assert mark is not None
    assert (mark.segment, mark.at) == (1, 4.5)
    text = SEGMENTS[1][1]
    assert text[mark.start : mark.end] == "客户 投诉 很多"


def test_a_quote_over_a_segment_boundary_marks_the_first_segment_to_its_end() -> None:
    [mark] = locate_quotes(SEGMENTS, ["很多，我先安抚"])
    assert mark is not None and mark.segment == 1
    assert SEGMENTS[1][1][mark.start : mark.end] == "很多，"


def test_a_quote_that_is_not_in_the_transcript_has_no_mark() -> None:
    assert locate_quotes(SEGMENTS, ["从未说过的话", ""]) == [None, None]


def test_highlight_pieces_cover_the_text_once_even_when_marks_overlap() -> None:
    text = "我先安抚再复盘。"
    marks = [
        {"start": 2, "end": 4, "competency": "沟通"},
        {"start": 3, "end": 7, "competency": "复盘"},
    ]
    cut = pieces(text, marks)
    assert "".join(p for p, _ in cut) == text
    assert cut == [("我先", ""), ("安抚", "沟通"), ("再复盘", "复盘"), ("。", "")]


def test_the_timeline_is_oldest_first_stable_and_without_repeats() -> None:
    t0 = datetime(2026, 12, 1, 9, tzinfo=UTC)
    invite = Happening(t0, "invitation", "发出邀请")
    reminder = Happening(t0, "reminder", "提醒候选人")  # same moment: gathered after
    answer = Happening(t0 + timedelta(hours=1), "answer", "提交回答")
    applied = Happening(t0 - timedelta(days=1), "applied", "投递申请")
    assert in_time_order([answer, invite, reminder, applied, invite]) == [
        applied, invite, reminder, answer,
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, (0, 999, False)),
        ("bytes=0-99", (0, 99, True)),
        ("bytes=900-", (900, 999, True)),
        ("bytes=-100", (900, 999, True)),
        ("bytes=-5000", (0, 999, True)),
        ("bytes=990-5000", (990, 999, True)),
        ("bytes=0-1,5-9", (0, 999, False)),  # several ranges: the whole object
        ("items=0-9", (0, 999, False)),
        ("bytes=9-3", (0, 999, False)),
    ],
)
def test_byte_ranges(header: str | None, expected: tuple[int, int, bool]) -> None:
    part = byte_range(header, 1000)
    assert (part.start, part.end, part.partial) == expected
    assert part.length == expected[1] - expected[0] + 1


@pytest.mark.parametrize("header", ["bytes=1000-", "bytes=5000-6000", "bytes=-0"])
def test_unsatisfiable_ranges(header: str) -> None:
    with pytest.raises(RangeNotSatisfiable) as refused:
        byte_range(header, 1000)
    assert refused.value.size == 1000


def test_a_partial_range_names_itself_for_content_range() -> None:
    assert byte_range("bytes=10-19", 50).content_range == "bytes 10-19/50"


@pytest.mark.parametrize("reason", list(RejectReason))
def test_the_rejection_message_is_respectful_chinese_without_scores_or_ai(
    reason: RejectReason,
) -> None:
    text = rejection_text("销售代表", reason)
    assert "销售代表" in text and REJECT_FOR_CANDIDATE[reason] in text
    for word in ("AI", "评分", "分数", "系统", "算法"):
        assert word not in text
    assert not any("a" <= ch.lower() <= "z" for ch in text)


def test_a_reason_is_named_by_code_or_chinese_name() -> None:
    assert reject_reason("experience") is RejectReason.EXPERIENCE
    assert reject_reason("有更匹配的候选人") is RejectReason.BETTER_MATCH
    assert reject_reason("") is None and reject_reason("whatever") is None


def test_the_ai_engine_is_named_for_hr_never_by_its_key() -> None:
    from recruiting.domain.pipeline import RULES_ENGINE_NAME, ai_engine_name

    assert ai_engine_name("ai:rules-v2 (jieba)") == RULES_ENGINE_NAME
    assert ai_engine_name("ai:llm:qwen2.5-7b/2") == "大语言模型评分，模型 qwen2.5-7b"
    assert ai_engine_name("something") == "AI 评分"
