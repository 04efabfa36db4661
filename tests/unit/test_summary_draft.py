"""Drafting the candidate summary from scores: panel first, AI marked, nothing invented."""

from __future__ import annotations

import re

from recruiting.domain.summary_draft import (
    Basis,
    DraftInput,
    Outcome,
    Rating,
    Rubric,
    draft_summary,
)

ANCHORS = {
    name: tuple(f"{name}的{level}级表现" for level in "一二三四五")
    for name in ("客户导向", "沟通能力", "结果导向", "抗压能力")
}
RUBRICS = [Rubric(name, anchors) for name, anchors in ANCHORS.items()]
NOTE_QUOTE = "候选人说去年负责一个犹豫的大客户"


def _input(ratings: dict[str, Rating], **kw: object) -> DraftInput:
    return DraftInput("销售代表", "二面", RUBRICS, ratings, **kw)  # type: ignore[arg-type]


def test_panel_scores_come_first_and_the_ai_is_only_in_hr_notes() -> None:
    ratings = {
        "客户导向": Rating(human=(4, 5), raters=("王强", "陈静"), ai=2.0, ai_quotes=(NOTE_QUOTE,)),
        "沟通能力": Rating(human=(4, 4), raters=("王强", "陈静"), ai=4.0),
        "结果导向": Rating(human=(2, 3), raters=("王强", "陈静")),
        "抗压能力": Rating(ai=1.0),  # only the AI: not used for the candidate's text
    }
    draft = draft_summary(_input(ratings))
    assert draft.basis is Basis.HUMAN and not draft.needs_writing
    assert draft.levels == {"客户导向": 4.5, "沟通能力": 4.0, "结果导向": 2.5}
    assert draft.strengths.splitlines()[0].startswith("客户导向：")
    assert "客户导向的五级表现" in draft.strengths and "沟通能力的四级表现" in draft.strengths
    assert (
        draft.improvements.startswith("结果导向：") and "结果导向的四级表现" in draft.improvements
    )
    assert "抗压能力" not in draft.strengths + draft.improvements
    assert "正在综合评估二面" in draft.next_step
    # No numbers and no interviewer's notes reach the candidate's text.
    candidate_text = draft.strengths + draft.improvements + draft.next_step
    assert not re.search(r"\d", candidate_text) and NOTE_QUOTE not in candidate_text
    # HR sees every rater, and the AI marked as advisory with its quote.
    assert "依据：面试官评分" in draft.hr_notes
    assert (
        "客户导向：面试官 王强 4、陈静 5；AI 参考 2「候选人说去年负责一个犹豫的大客户」"
        in draft.hr_notes
    )


def test_ai_only_drafts_say_so_and_quote_only_the_candidates_own_words() -> None:
    ratings = {"沟通能力": Rating(ai=4.2, ai_quotes=("我先听客户把顾虑说完，再逐条回应",)),
               "结果导向": Rating(ai=2.4)}  # fmt: skip
    live = draft_summary(_input(ratings))
    assert live.basis is Basis.AI and "仅有 AI 参考评分" in live.hr_notes
    assert "我先听客户" not in live.strengths  # live: the quote is from interviewer notes
    recorded = draft_summary(_input(ratings, own_words_quotable=True))
    assert "例如您提到“我先听客户把顾虑说完，再逐条回应”" in recorded.strengths


def test_rejected_candidates_get_respectful_specific_suggestions_without_quotes() -> None:
    ratings = {
        "客户导向": Rating(human=(4,), raters=("王强",), ai=4.0, ai_quotes=("我自己的话",)),
        "沟通能力": Rating(human=(1,), raters=("王强",)),
        "结果导向": Rating(human=(2,), raters=("王强",)),
        "抗压能力": Rating(human=(3,), raters=("王强",)),
    }
    draft = draft_summary(_input(ratings, outcome=Outcome.REJECTED, own_words_quotable=True))
    lines = draft.improvements.splitlines()
    assert [line.split("：")[0] for line in lines] == ["沟通能力", "结果导向"]  # the weakest two
    assert all("情境—任务—行动—结果" in line for line in lines)
    assert "沟通能力的四级表现" in lines[0]  # a concrete target from the rubric
    assert "没有继续推进您的申请" in draft.next_step and "感谢" in draft.next_step
    assert "我自己的话" not in draft.strengths + draft.improvements
    assert not re.search(r"\d", draft.strengths + draft.improvements + draft.next_step)


def test_with_no_scores_nothing_is_invented_and_hr_must_write_it() -> None:
    draft = draft_summary(_input({}, missing_raters=("王强", "陈静")))
    assert draft.needs_writing and draft.basis is Basis.NONE
    assert (draft.strengths, draft.improvements, draft.next_step) == ("", "", "")
    assert "无法起草" in draft.hr_notes and "请 HR 撰写" in draft.hr_notes
    assert "尚未评分：王强、陈静" in draft.hr_notes


def test_scores_of_competencies_outside_the_model_are_ignored() -> None:
    draft = draft_summary(_input({"编程能力": Rating(human=(5,), raters=("王强",))}))
    assert draft.needs_writing


def test_all_strong_still_names_something_to_grow_and_offer_next_step() -> None:
    ratings = {n: Rating(human=(4,), raters=("王强",)) for n in ANCHORS}
    draft = draft_summary(_input(ratings, outcome=Outcome.OFFER))
    assert len(draft.strengths.splitlines()) == 2
    assert draft.improvements.startswith("各项表现均达到较好水平")
    assert "offer" in draft.next_step
