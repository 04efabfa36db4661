"""Survey rules: answer validation, the chat command, and the per-round aggregation."""

from __future__ import annotations

import pytest

from recruiting.domain.surveys import (
    CANDIDATE_QUESTIONS,
    INTERVIEWER_QUESTIONS,
    clean_comment,
    parse_command,
    stats_line,
    summarise,
    validate_answers,
)
from recruiting.errors import InvalidInput


def test_answers_accept_numbers_or_keys_and_refuse_anything_else() -> None:
    chosen = validate_answers(
        CANDIDATE_QUESTIONS, {"satisfaction": 4, "relevance": "5", "difficulty": "right"}
    )
    assert chosen == {"satisfaction": "4", "relevance": "5", "difficulty": "right"}
    for bad in (
        {"satisfaction": 6, "relevance": 5, "difficulty": "right"},
        {"satisfaction": True, "relevance": 5, "difficulty": "right"},
        {"satisfaction": 3, "relevance": 5},
        {"satisfaction": 3, "relevance": 5, "difficulty": "太难"},
        {"satisfaction": 3, "relevance": 5, "difficulty": "hard", "mood": "ok"},
    ):
        with pytest.raises(InvalidInput):
            validate_answers(CANDIDATE_QUESTIONS, bad)


def test_comment_is_trimmed_and_bounded() -> None:
    assert clean_comment("  很好 ") == "很好"
    assert clean_comment(None) == ""
    with pytest.raises(InvalidInput):
        clean_comment("长" * 501)
    with pytest.raises(InvalidInput):
        clean_comment(3)


def test_summary_counts_means_distributions_and_response_rate() -> None:
    rows = [
        {"satisfaction": "5", "relevance": "4", "difficulty": "right"},
        {"satisfaction": "3", "relevance": "4", "difficulty": "hard"},
        {"satisfaction": "4"},  # answered one question in chat, then stopped
        {},  # sent, never answered
    ]
    stats = summarise(CANDIDATE_QUESTIONS, rows)
    assert (stats.sent, stats.answered, stats.response_rate) == (4, 2, 0.5)
    satisfaction, relevance, difficulty = stats.questions
    assert (satisfaction.n, satisfaction.mean) == (3, 4.0)
    assert dict(satisfaction.distribution) == {
        "1 很不满意": 0, "2 不满意": 0, "3 一般": 1, "4 满意": 1, "5 很满意": 1,
    }  # fmt: skip
    assert (relevance.n, relevance.mean) == (2, 4.0)
    assert difficulty.mean is None
    assert dict(difficulty.distribution) == {"太简单": 0, "适中": 1, "太难": 1}
    line = stats_line(stats)
    assert "满意度 均分 4.0" in line and "难度 适中 1、太难 1" in line


def test_empty_summary_has_no_rate_and_no_means() -> None:
    stats = summarise(INTERVIEWER_QUESTIONS, [])
    assert stats.response_rate is None and stats.answered == 0
    assert all(q.n == 0 and q.mean is None for q in stats.questions)
    assert stats_line(stats) == ""


@pytest.mark.parametrize(
    ("text", "job"),
    [("问卷 销售代表", "销售代表"), ("问卷：销售代表", "销售代表"), ("survey sales", "sales"),
     ("Survey  sales rep ", "sales rep"), ("问卷", ""), ("问卷汇总 销售", "销售")],
)  # fmt: skip
def test_the_chat_command_takes_a_job(text: str, job: str) -> None:
    assert parse_command(text) == job


@pytest.mark.parametrize("text", ["问卷调查很重要", "候选人说问卷 不错", "surveying", "帮助"])
def test_other_texts_are_not_the_command(text: str) -> None:
    assert parse_command(text) is None
