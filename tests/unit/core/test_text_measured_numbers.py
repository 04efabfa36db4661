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


# Changes told from their baseline, and a setting the candidate changed: measured, not claimed
BASELINE = (
    "那段时间2号线每天停机四五次，我把一周的停机记录和来料批次对了一遍，发现都出在新供应商的料上。"
    "我让仓库把新料比例从40%降到10%，烘料时间改成每批三小时。两周后停机没再出现，"
    "不良率从2.5%降到0.4%。"
)
# The same rates claimed with nothing they were measured from or done to
CLAIMED_RATES = (
    "那一年我把车间管得很好，不良率降低了百分之五十，效率提升了百分之三十，满意度百分之九十八。"
)


def _flags(answer: str, job: str, *asked: str) -> set[Gaming]:
    """The gaming flags of ``answer`` to a question of ``job`` asking ``asked``."""
    return {f.code for f in score_answer(answer, "", builtin_job(job), competencies=asked).flags}


def test_changes_from_a_baseline_are_measured_not_an_empty_account() -> None:
    assert Gaming.EMPTY_NUMBERS not in _flags(BASELINE, "production_supervisor", "问题解决")
    assert Gaming.EMPTY_NUMBERS in _flags(CLAIMED_RATES, "production_supervisor", "问题解决")


# A recogniser that spaces every word: its pieces are no list items
WORD_SPACED = (
    "我 之前 在 成都 做 订单 系统 后来 项目 要 把 消息 队列 换成 kafka 这块 分给 了 我 "
    "我 没用过 就 买了 一本 书 看了 前面 五章 然后 在 自己 电脑 上 搭了 一个 集群 做 实验 "
    "两周 后 把 订单 状态 推送 切了 过去 上线 以后 高峰期 消息 积压 基本 没有 了"
)


def test_a_word_spaced_transcript_is_no_keyword_list() -> None:
    assert Gaming.KEYWORD_LIST not in _flags(WORD_SPACED, "software_engineer", "学习能力")


# A failure told honestly: the loss rate named once, then its later values (降到7%、稳定在8%)
LOSS = (
    "刚当店长那年，水果损耗率大概12%，我把所有品类的订货都砍了三成。结果损耗是降到7%了，"
    "但营业额掉了两成。第二个月我只把软果改成少量多次订，最后损耗稳定在8%左右。"
)


def test_a_loss_rate_named_once_measures_its_later_values() -> None:
    episode = analyze_answer(LOSS, "").episode
    assert episode.unmeasured == () and episode.general == ()
    assert Gaming.EMPTY_NUMBERS not in _flags(LOSS, "store_manager", "结果导向", "数据分析")
