"""Rules v2 on questions and phrasings nobody tuned for: a flag needs strong evidence, since a
false flag sinks an honest answer to the bottom of its question."""

from __future__ import annotations

from interview_core.text.analysis import analyze_answer
from interview_core.text.concepts import question_concepts
from interview_core.text.flags import Gaming
from interview_core.text.followup import follow_up
from interview_core.text.jobs import builtin_job
from interview_core.text.scoring import HONEST_FLOOR, AnswerScore, score_answer

STORE = builtin_job("store_manager")
SALES = builtin_job("sales")
# A question the concept lexicon knows nothing about, as HR might write it tomorrow
SHORT_HANDED = "说说你在人手不够的时候是怎么保证服务质量的。"
ASKED = ("客户导向", "执行力")
WIN_BACK = "请讲一次你把一个流失的老客户重新争取回来的经历。"


def _codes(result: AnswerScore) -> set[Gaming]:
    return {f.code for f in result.flags}


def _level(result: AnswerScore) -> float:
    values = [c.score for c in result.competencies if c.score is not None]
    return sum(values) / len(values) if values else 1.0


def test_the_question_is_unknown_to_the_lexicon() -> None:
    assert question_concepts(SHORT_HANDED) == ()


def test_a_short_story_with_actions_and_figures_is_a_story_not_empty_numbers() -> None:
    answer = (
        "有家连锁药店因为发票开错两次，停了订货。我上门道歉后给他们重开了发票，"
        "约定每月5号前对一次账；两个月后他们又订了30箱。"
    )
    analysis = analyze_answer(answer, WIN_BACK)
    assert analysis.episode.told
    result = score_answer(answer, WIN_BACK, SALES)
    assert Gaming.EMPTY_NUMBERS not in _codes(result), result.flags
    assert _level(result) >= HONEST_FLOOR
    asked = follow_up(answer, WIN_BACK, SALES)  # the result is told: ask for something else
    assert asked is not None and asked.target != "result" and asked.quote in answer


def test_a_career_summed_up_in_a_recognisers_words_is_empty_numbers() -> None:
    answer = (
        "我做销售有六年了 前前后后 挽回过的客户 有两百多家 挽回率 一直都在百分之八十以上 "
        "回款 比部门平均 高了百分之二十 连续两年 评了销冠"
    )
    result = score_answer(answer, WIN_BACK, SALES)
    assert Gaming.EMPTY_NUMBERS in _codes(result), result.flags
    story = score_answer(
        "去年有一家做餐饮的老客户停了订货。我先上门问清原因，是送货总晚。我调整了他们的配送时段，"
        "又每周回访一次，三个月后他们恢复了每月20箱的订货。",
        WIN_BACK,
        SALES,
    )
    assert _level(result) < _level(story)


def test_points_numbered_as_a_view_are_a_list_not_a_story() -> None:
    answer = (
        "我觉得主要就是几点 第一是客户分层 第二是以客户为中心 第三是闭环复盘 "
        "我之前负责过这块 客户挽回率提升了百分之四十"
    )
    analysis = analyze_answer(answer, WIN_BACK)
    assert len(analysis.episode.points) == 3 and not analysis.episode.told
    result = score_answer(answer, WIN_BACK, SALES)
    assert Gaming.KEYWORD_LIST in _codes(result), result.flags


def test_self_praise_in_everyday_words_is_self_description() -> None:
    answer = (
        "我这个人性格比较随和，跟谁都处得来。我最大的优点就是有耐心，同事们也都说跟我合作很舒服。"
        "我也是一个责任心很强的人，我相信只要用心就一定能把客户服务好。"
    )
    result = score_answer(answer, SHORT_HANDED, STORE, competencies=ASKED)
    assert Gaming.SELF_DESCRIPTION in _codes(result), result.flags
    flag = next(f for f in result.flags if f.code is Gaming.SELF_DESCRIPTION)
    assert flag.quotes and all(q in answer for q in flag.quotes)


def test_a_story_in_other_words_than_the_question_is_not_off_topic() -> None:
    answer = (
        "那天店里两个同事请假，只剩我和一个新人。我把排队的顾客分成取货和咨询两队，取货的我先快速处理，"
        "咨询的请新人先登记。中午我没休息，下午五点前把积压的单都处理完了，没有一个顾客投诉。"
    )
    result = score_answer(answer, SHORT_HANDED, STORE, competencies=ASKED)
    assert Gaming.OFF_TOPIC not in _codes(result), result.flags
    assert _level(result) > HONEST_FLOOR
