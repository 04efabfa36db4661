"""One rule decides whether an overall AI score is shown: the report and HR's chat message
agree, also on analyses stored before the threshold was written into them."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from interview_core.report.html import _overall
from recruiting.domain.coverage import DEFAULT_MIN_COVERAGE, overall_of
from recruiting.services.recorded.review_ready import headline

OLD = {"overall": 90.0, "coverage": 0.25, "competencies": {}}  # stored before min_coverage


def answer(score: dict[str, Any]) -> Any:
    return SimpleNamespace(analysis={"score": score}, analysis_status="done", question_index=0)


def test_an_analysis_stored_without_a_threshold_gets_the_default() -> None:
    shown = overall_of(OLD)
    assert shown.withheld and shown.value is None and shown.threshold == DEFAULT_MIN_COVERAGE
    assert "不给出" in _overall(OLD)
    line = headline(answer(OLD))
    assert "不给出 AI 综合分" in line and "90" not in line and "低于 40%" in line


def test_enough_coverage_shows_the_overall_in_both() -> None:
    score = {"overall": 72.0, "coverage": 0.6, "min_coverage": 0.4, "competencies": {}}
    assert overall_of(score).value == 72.0
    assert "72 / 100" in _overall(score)
    assert "AI 综合分 72 / 100" in headline(answer(score))
