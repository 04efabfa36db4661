"""Follow-up questions: one template per gap, verbatim quotes, depth when nothing is missing."""

import pytest

from interview_core.text.followup import NO_QUOTE, follow_up, trim_clause
from interview_core.text.jobs import builtin_job
from interview_core.text.reported import first_person, is_reported

QUESTION = "说说你带领班组提升良品率的经历。"
SITUATION = "去年车间返工很多。"
TASK = "我负责降低返工率。"
ACTION = "我优化了生产流程，重新设计了排班表。"
RESULT = "最终返工率从8%降到了3%。"


@pytest.mark.parametrize(
    ("answer", "target", "phrase"),
    [
        (TASK + ACTION + RESULT, "situation", "背景"),
        (SITUATION + ACTION + RESULT, "task", "职责"),
        (SITUATION + TASK + "生产流程很关键，返工率从8%降到了3%。", "action", "怎么推动"),
        (SITUATION + TASK + ACTION, "result", "结果如何"),
        (
            SITUATION + TASK + "我们重新设计了排班表，大家一起优化了流程。" + RESULT,
            "ownership",
            "你本人",
        ),
        (SITUATION + TASK + ACTION + "最终返工率明显下降了。", "quantification", "具体的数字"),
    ],
)
def test_each_gap_has_its_own_question_quoting_the_answer(
    answer: str, target: str, phrase: str
) -> None:
    result = follow_up(answer, QUESTION)
    assert result.target == target and target in result.missing
    assert result.quote and result.quote in answer
    assert result.question.startswith(f"你提到“{result.quote}”，")
    assert phrase in result.question


def test_the_example_of_the_brief() -> None:
    result = follow_up(SITUATION + TASK + ACTION, QUESTION)
    assert result.question == "你提到“优化了生产流程”，最后结果如何？有没有可以衡量的变化？"


def test_missing_action_and_result_asks_for_both() -> None:
    result = follow_up("我觉得生产流程很重要，返工一般是因为流程不好。", QUESTION)
    assert result.missing == ["situation", "task", "action", "result"]
    assert result.target == "action" and result.question.endswith("结果如何？")


def test_a_complete_answer_gets_a_depth_question_on_the_weakest_competency() -> None:
    answer = SITUATION + TASK + "我带着班组长分析了不良品，优化了生产流程。" + RESULT
    job = builtin_job("production_supervisor")
    result = follow_up(answer, QUESTION, job)
    assert result.missing == [] and result.target == "depth"
    assert result.competency in [c.name for c in job.competencies]
    assert f"体现{result.competency}" in result.question and result.quote in answer
    without_job = follow_up(answer, QUESTION)
    assert without_job.target == "reflection" and without_job.competency is None


def test_an_empty_answer_asks_for_an_example_without_quoting() -> None:
    result = follow_up("  ", QUESTION)
    assert result.quote == "" and result.question == NO_QUOTE


def test_quotes_are_short_verbatim_clauses_cut_at_words() -> None:
    clause = "然后我协调技术部门制定了二十四小时响应的售后服务方案并在三家门店试点"
    quote = trim_clause(clause)
    assert quote.startswith("协调") and quote in clause and len(quote) <= 20
    assert trim_clause("我们重新设计了排班表", keep_subject=True) == "我们重新设计了排班表"
    assert trim_clause("我整改") == "我整改"  # too short to cut further


def test_follow_up_is_deterministic_and_serialisable() -> None:
    answer = SITUATION + TASK + ACTION
    first = follow_up(answer, QUESTION, builtin_job("production_supervisor"))
    assert first == follow_up(answer, QUESTION, builtin_job("production_supervisor"))
    assert set(first.to_json()) == {"missing", "target", "question", "quote", "verbatim",
                                    "competency"}  # fmt: skip


@pytest.mark.parametrize(
    ("note", "said"),
    [
        ("他说团队里他负责培训新人", "你提到团队里你负责培训新人，"),
        ("候选人说他主导了客户回访流程", "你提到你主导了客户回访流程，"),
        ("她提到：我们团队一起做的", "你提到你们团队一起做的，"),
        ("他负责大客户维护，经常加班", "你提到你负责大客户维护，"),
    ],
)
def test_a_third_person_note_is_not_quoted_as_the_candidates_words(note: str, said: str) -> None:
    """你提到"他说团队里他负责培训新人" was the interviewer's note read back as her words."""
    found = follow_up(note, "", builtin_job("sales"), note=True)
    assert found.question.startswith(said), found.question
    assert not found.verbatim and "“" not in found.question
    assert not {"他", "她", "候选人", "我"} & set(found.question.replace("你本人", ""))
    assert found.to_json()["verbatim"] is False


def test_first_person_notes_and_answers_are_still_quoted_verbatim() -> None:
    note = follow_up("我负责培训新人，带了5个人", "", builtin_job("sales"), note=True)
    assert note.verbatim and f"“{note.quote}”" in note.question
    answer = follow_up("我的经理他说我做得好。" + ACTION, QUESTION)  # an answer: no rewording
    assert answer.verbatim and answer.quote in "我的经理他说我做得好。" + ACTION


@pytest.mark.parametrize(
    "note",
    [
        "其他同事都不愿意接，我主动接了这个客户",
        "业余弹吉他，用了data分析客户流失",
        "我们组帮助他人解决问题",
    ],
)
def test_a_first_person_note_with_他_inside_a_word_is_left_as_written(note: str) -> None:
    """其他 / 吉他 / 他人 / data are words of their own, not the candidate in the third person."""
    assert not is_reported(note)
    assert first_person(note) == note


def test_a_third_person_note_still_becomes_the_candidates_words() -> None:
    note = "他说团队里他负责培训新人，其他人配合他"
    assert is_reported(note)
    assert first_person(note) == "团队里我负责培训新人，其他人配合我"
