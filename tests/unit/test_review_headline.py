"""HR's "ready for review" message shows each answer's AI overall next to its coverage, and
no overall where the analysis withheld it (too little of the job covered)."""

from __future__ import annotations

from typing import Any

from recruiting.models import AnalysisStatus, Answer
from recruiting.services.recorded.review_ready import headline


def _answer(index: int, score: dict[str, Any] | None, status: str = "done") -> Answer:
    analysis = {"score": score} if score is not None else None
    return Answer(question_index=index, analysis_status=AnalysisStatus(status), analysis=analysis)


def test_coverage_stands_next_to_the_overall_and_a_withheld_one_is_not_shown() -> None:
    shown = {"overall": 72.5, "coverage": 0.7, "min_coverage": 0.4, "overall_withheld": False}
    withheld = {"overall": None, "coverage": 0.25, "min_coverage": 0.4, "overall_withheld": True}
    nothing = {"overall": None, "coverage": 0.0, "min_coverage": 0.4, "overall_withheld": False}
    assert headline(_answer(0, shown)) == "第 1 题：AI 综合分 72 / 100，评估覆盖 70%"
    text = headline(_answer(1, withheld))
    assert text == "第 2 题：评估覆盖 25%，低于 40%，不给出 AI 综合分" and "90" not in text
    assert headline(_answer(2, nothing)) == "第 3 题：AI 未评分（回答中没有与岗位能力项对应的内容）"
    silent = _answer(5, nothing)
    silent.analysis = {"score": nothing, "transcript": {"available": False}}
    assert headline(silent) == "第 6 题：没有语音转写，AI 未评分，请查看录像"
    assert headline(_answer(3, None)) == ""
    assert headline(_answer(4, shown, "failed")) == ""


def test_a_flagged_answer_says_why_next_to_its_overall() -> None:
    flag = {"code": "echo", "label": "基本是在复述题目，没有新的内容", "reason": "…", "quotes": []}
    score = {"overall": 0.0, "coverage": 0.45, "min_coverage": 0.4, "flags": [flag]}
    assert headline(_answer(0, score)) == (
        "第 1 题：AI 综合分 0 / 100，评估覆盖 45%（⚠ 基本是在复述题目，没有新的内容）"
    )


def test_a_flag_stored_without_a_label_is_named_in_chinese_not_by_its_code() -> None:
    score = {"overall": 10.0, "coverage": 0.5, "min_coverage": 0.4, "flags": [{"code": "echo"}]}
    assert headline(_answer(0, score)) == (
        "第 1 题：AI 综合分 10 / 100，评估覆盖 50%（⚠ 回答有异常标记）"
    )
