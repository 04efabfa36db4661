"""Typed offer answers and survey options: decisions only when the text says nothing else."""

from __future__ import annotations

import pytest

from recruiting.domain.surveys import CANDIDATE_QUESTIONS
from recruiting.domain.typed_answers import (
    Reading,
    read_offer_answer,
    read_option,
    read_pool_answer,
)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("接受offer", "accept"), ("接受", "accept"), ("我接受", "accept"), ("同意", "accept"),
        ("好的，我接受这份 Offer，谢谢！", "accept"), ("ACCEPT", "accept"),
        ("婉拒", "decline"), ("拒绝offer", "decline"), ("不接受", "decline"),
        ("我不考虑了", "decline"), ("不同意。", "decline"), ("谢谢，我决定放弃", "decline"),
    ],
)  # fmt: skip
def test_clear_decisions(text: str, key: str) -> None:
    reading = read_offer_answer(text)
    assert (reading.kind, reading.key) == (Reading.DECISION, key)


@pytest.mark.parametrize(
    ("text", "extra"),
    [
        ("确认", False), ("好的", False), ("OK", False),
        ("接受，但希望晚一周入职", True), ("接受还是拒绝我再想想", True), ("不好意思，我接受不了", True),
    ],
)  # fmt: skip
def test_unclear_text_is_never_a_decision(text: str, extra: bool) -> None:
    reading = read_offer_answer(text)
    assert reading.kind == Reading.UNCLEAR and reading.extra is extra


def test_about_the_offer_or_not_about_it() -> None:
    assert read_offer_answer("offer 的截止日期能延后吗？").kind == Reading.ABOUT
    assert read_offer_answer("拒绝这次面试").kind == Reading.NONE  # names the interview only
    assert read_offer_answer("请问什么时候出结果").kind == Reading.NONE
    assert read_offer_answer("  ").kind == Reading.NONE


def test_survey_options_typed() -> None:
    satisfaction, _, difficulty = CANDIDATE_QUESTIONS
    assert [read_option(satisfaction, t) for t in ("4", "4分", "很满意", "5 很满意", "不满意")] == [
        "4", "4", "5", "5", "2"]  # fmt: skip
    assert read_option(satisfaction, "满意吧") is None
    assert read_option(satisfaction, "等待时间有点长") is None
    assert read_option(difficulty, "太难") == "hard" and read_option(difficulty, "4") is None


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("同意", "grant"), ("同意加入人才库", "grant"), ("好的，同意，谢谢！", "grant"),
        ("愿意加入", "grant"), ("不同意", "decline"), ("不同意加入人才库", "decline"),
        ("我不加入了", "decline"), ("不好意思，暂时不需要", "decline"),
        ("好的", None), ("OK", None), ("同意，但想先看看岗位", None), ("人才库是什么？", None),
        ("", None),
    ],
)  # fmt: skip
def test_talent_pool_answers_are_read_only_when_explicit(text: str, key: str | None) -> None:
    assert read_pool_answer(text) == key
