"""Figures the candidate is seen analysing measure something: no empty-numbers flag."""

from __future__ import annotations

from interview_core.text.analysis import analyze_answer
from interview_core.text.flags import Gaming
from interview_core.text.gaming import analysed_figures
from interview_core.text.jobs import builtin_job
from interview_core.text.scoring import HONEST_FLOOR, score_answer
from interview_core.text.sentences import plain, split_clauses

STORE = builtin_job("store_manager")
DATA = "你是如何用数据发现门店经营问题的？"
# A manager who pulled the orders, grouped them by half-hour and changed the rota, with figures
ANALYSED = (
    "那段时间我导出了近8周的订单，按半小时分组统计，对比每个时段排了几个人，"
    "算出晚上9点以后平均每半小时6单、排了5个人。我把晚班从5人减到3人，"
    "调完后人工成本降了百分之九，晚班人效提升了百分之六十，出餐超时率从百分之十二降到百分之五。"
)
# The same rates claimed with one 分析 and no figure of what was analysed
CLAIMED = (
    "那段时间我用三个维度去分析，人工成本降了百分之九，晚班人效提升了百分之六十，"
    "出餐超时率从百分之十二降到百分之五，满意度百分之九十八。"
)


def test_figures_beside_the_candidates_own_analysis_are_measured() -> None:
    assert analysed_figures(analyze_answer(ANALYSED, DATA).episode)
    result = score_answer(ANALYSED, DATA, STORE)
    assert Gaming.EMPTY_NUMBERS not in {f.code for f in result.flags}, result.flags
    for name in ("数据分析", "执行力"):
        score = result.competency(name).score
        assert score is not None and score >= 3.0, result.competency(name).breakdown


def test_rates_claimed_around_one_analysis_word_are_still_empty() -> None:
    assert not analysed_figures(analyze_answer(CLAIMED, DATA).episode)
    result = score_answer(CLAIMED, DATA, STORE)
    assert Gaming.EMPTY_NUMBERS in {f.code for f in result.flags}
    assert (result.competency("数据分析").score or 0.0) < HONEST_FLOOR


def test_a_clock_time_is_one_clause_and_measures_what_was_analysed() -> None:
    """21:00 is a time of day, not two clauses (21 | 00以后) with a bare number each."""
    assert split_clauses("我把21:00以后的订单导出来，分组统计") == (
        "我把21:00以后的订单导出来",
        "分组统计",
    )
    assert split_clauses("原因：人手不够") == ("原因", "人手不够")
    assert analysed_figures(analyze_answer("我把21:00以后的订单导出来，分组统计。", DATA).episode)


def test_a_sum_of_money_keeps_its_unit_before_a_word_it_sounds_like() -> None:
    """2400元工资 is money, not 2400员工资: after a figure, 元 is the unit, no misheard 员."""
    assert plain("每月多付2400元工资") == "每月多付2400元工资"
    assert plain("多付三十元工资") == "多付三十元工资"
    assert plain("这个元工很积极") == "这个员工很积极"  # a recogniser's 元工 is still put right


# A recogniser's transcript of a concrete fix: a score that fell and came back, a queue
# threshold (超过五个人) and a week on the floor. Once read as a pile of empty numbers: 超过五个
# was taken for the 过五个 of a career's tally, and 那阵子 was no occasion.
QUEUE = (
    "我在社区店管收银 那阵子顾客老说结账排队太久 评分从4.8掉到4.3 我开了个会 "
    "定了个规矩 收银台前排队超过五个人 就叫理货的同事开第二个台 我自己也顶了一周晚高峰 "
    "一个月后评分回到4.7"
)


def test_a_threshold_and_a_score_that_came_back_are_a_story_not_empty_numbers() -> None:
    episode = analyze_answer(QUEUE, "").episode
    assert episode.told and not episode.general
    asked = "请讲一次门店的顾客评分明显下滑时你把服务扭转回来的经历。"
    result = score_answer(QUEUE, asked, STORE, competencies=("领导力", "客户导向"))
    assert Gaming.EMPTY_NUMBERS not in {f.code for f in result.flags}, result.flags
    score = result.competency("客户导向").score
    assert score is not None and score > HONEST_FLOOR, result.competency("客户导向").breakdown
