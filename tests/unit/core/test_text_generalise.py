"""Gaming flags that carry to questions no rule was written for: rates claimed in a story's
clothes, a subject announced in the job's setting words only, self-praise around a passing
occasion; and the honest stories beside them that must stay unflagged."""

from __future__ import annotations

from interview_core.text.concepts import unseen_questions
from interview_core.text.flags import Gaming
from interview_core.text.jobs import JobModel, builtin_job
from interview_core.text.scoring import HONEST_FLOOR, OFF_TOPIC_CAP, score_answer

SALES = builtin_job("sales")
PLANT = builtin_job("production_supervisor")
SERVICE = builtin_job("customer_service")
LEARN = "请讲一次你为了拿下一个客户，专门学习对方行业知识的经历。"
CONFLICT = "请讲一次你处理班组成员之间的矛盾、让生产恢复正常的经历。"


def _codes(answer: str, question: str, job: JobModel) -> set[str]:
    result = score_answer(answer, question, job)
    return {str(f.code) for f in result.flags}


def test_rates_claimed_around_no_concrete_action_are_an_empty_account() -> None:
    answer = (
        "嗯，那次那个客户，我前后花了两个月，然后熟悉程度大概到了百分之八十吧，"
        "最后成功率提升了百分之四十，满意度百分之九十五，业绩翻了三倍。"
    )
    result = score_answer(answer, LEARN, SALES)
    flags = {f.code: f for f in result.flags}
    assert Gaming.EMPTY_NUMBERS in flags and flags[Gaming.EMPTY_NUMBERS].quotes
    assert "衡量的是什么" in flags[Gaming.EMPTY_NUMBERS].reason
    asked = [c for c in result.competencies if c.name in ("学习能力", "客户导向")]
    assert asked and all(c.score is None or c.score < HONEST_FLOOR for c in asked)
    assert any(c.score is not None for c in asked)


def test_a_short_concrete_story_saying_a_figure_twice_is_no_pile_of_numbers() -> None:
    answer = (
        "两个叉车工为了抢一个装货口吵到停了工。我当场把两人分开，按出货单把装货口分给两人"
        "各管一边，当班剩下的车全部按时装完。"
    )
    assert Gaming.EMPTY_NUMBERS not in _codes(answer, CONFLICT, PLANT)


def test_a_subject_sharing_only_the_setting_with_the_question_is_off_topic() -> None:
    answer = (
        "我讲一个我帮老年客户交电费的例子。有个大爷打了好几次电话说不会在手机上交费，"
        "我就让他开免提，一步一步教他点，弄了二十分钟终于交上了，他后来还专门打电话来谢谢我。"
    )
    question = "请讲一次你遇到超出自己权限的客户要求时是怎么处理的。"
    asked = ["沟通能力", "问题解决"]
    with unseen_questions([question]):  # as a question HR writes tomorrow: no lexicon
        result = score_answer(answer, question, SERVICE, competencies=asked)
    flags = {f.code: f for f in result.flags}
    assert Gaming.OFF_TOPIC in flags and "老年客户" in flags[Gaming.OFF_TOPIC].reason
    assert flags[Gaming.OFF_TOPIC].quotes
    scores = [c.score for c in result.competencies if c.name in asked]
    assert scores and all(s is not None and s <= OFF_TOPIC_CAP < HONEST_FLOOR for s in scores)
    said = "我讲一个客户的要求超出我权限的例子。" + answer.split("。", 1)[1]
    with unseen_questions([question]):
        again = score_answer(said, question, SERVICE, competencies=asked)
    assert Gaming.OFF_TOPIC not in {f.code for f in again.flags}  # the question's own words


def test_a_story_framed_as_a_detour_is_not_off_topic() -> None:
    answer = (
        "我讲一个我走过弯路的事吧。上个月有批外壳老是划伤，我先以为是工人手法不对，"
        "培训了两次没用；后来我跟着料走了一遍，发现周转箱里没有隔板，加了隔板以后就没再出现。"
    )
    question = "说说你找到一个质量问题的根本原因并彻底解决的经历。"
    asked = ["问题解决", "风险控制"]
    with unseen_questions([question]):
        result = score_answer(answer, question, PLANT, competencies=asked)
    assert Gaming.OFF_TOPIC not in {f.code for f in result.flags}


def test_self_praise_around_a_passing_occasion_is_a_self_description() -> None:
    answer = (
        "我这个人吧，心态特别好，被拒绝了也不往心里去，睡一觉第二天又是精神饱满。"
        "我是一个目标感特别强的人，定了的事就一定要做成。"
        "同事也常说，有我在就没有拿不下的客户。"
    )
    question = "说说你被客户连续拒绝以后，调整方法最终达成目标的经历。"
    assert Gaming.SELF_DESCRIPTION in _codes(answer, question, SALES)
