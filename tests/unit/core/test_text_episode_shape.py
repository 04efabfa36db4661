"""Rules v2, second round: what an episode needs (an occasion, an actor acting on an object, a
consequence) and what lists, career summaries and stories of another question lack."""

from __future__ import annotations

from interview_core.text.analysis import analyze_answer
from interview_core.text.concepts import missing_concepts, question_concepts
from interview_core.text.flags import Gaming
from interview_core.text.followup import follow_up
from interview_core.text.jobs import builtin_job
from interview_core.text.scoring import AnswerScore, score_answer

SERVICE = builtin_job("customer_service")
REPEATED = "说说你发现并改进一个客户反复遇到的问题的经历。"
PLANT = builtin_job("production_supervisor")
RULES = "请讲一次你在交期压力下坚持按规程操作、没有违规赶工的经历。"
RULES_ASKS = ("合规意识", "风险控制")  # a question the job's file does not hold
SALES = builtin_job("sales")
PERSUADE = "请讲一次你说服一位犹豫不决的客户最终成交的经历。"


def _level(result: AnswerScore, names: tuple[str, ...]) -> float:
    values = [result.competency(n).score or 1.0 for n in names]
    return sum(values) / len(values)


def test_a_spoken_paragraph_of_abstractions_is_a_list_whatever_its_words() -> None:
    answer = (
        "嗯，这块我一直很重视，质量第一、客户至上。就是，ISO、QC、8D这些我都很熟，然后目标管理、"
        "过程监督、持续改善、标准输出，这些都是我平时在抓的。我带的班组良品率百分之九十九。"
    )
    result = score_answer(answer, RULES, PLANT, competencies=RULES_ASKS)
    assert Gaming.KEYWORD_LIST in {f.code for f in result.flags}
    assert _level(result, RULES_ASKS) == 1.0
    assert not analyze_answer(answer, RULES).episode.named  # names only listed: no case


def test_examples_of_a_point_are_not_a_list() -> None:
    answer = (
        "我觉得要看数据，比如说销售额、客流量、转化率、客单价、连带率、坪效，"
        "看到哪个低了就去找原因，然后跟店员一起改。"
    )
    result = score_answer(
        answer, "你是如何用数据发现门店经营问题的？", builtin_job("store_manager")
    )
    assert Gaming.KEYWORD_LIST not in {f.code for f in result.flags}


def test_a_period_summed_up_in_numbers_is_no_episode() -> None:
    answer = (
        "我前年一年开了九十六单，签约率大概百分之四十，比组里平均高了八个点。"
        "犹豫的客户我大概跟了五十多个，最后拿下了三十多个，转化率百分之六十，连续两个季度第一。"
    )
    result = score_answer(answer, PERSUADE, SALES)
    assert Gaming.EMPTY_NUMBERS in {f.code for f in result.flags}
    assert _level(result, ("客户导向", "沟通能力")) == 1.0


def test_a_career_summed_up_in_a_storys_clothes_is_an_empty_account() -> None:
    answer = (
        "我在上家公司两年里，一共引入了 6 项新技术，平均每项 10 天上线。其中最典型的一次，"
        "我用 3 天掌握了一个新组件，性能提升 200%，故障减少 50%，节约成本 10 余万元。"
        "我累计写了技术文档 20 余篇，组织分享 8 次，覆盖 80 多人次。"
    )
    question = "介绍一次你在短时间内学习一项新技术并应用到项目中的经历。"
    result = score_answer(answer, question, builtin_job("software_engineer"))
    assert Gaming.EMPTY_NUMBERS in {f.code for f in result.flags}
    assert _level(result, ("学习能力", "专业技能")) == 1.0


def test_a_concrete_practice_against_a_general_background_is_an_episode() -> None:
    """以前每次都要… is the situation of the story, not a general account instead of one."""
    practice = (
        "我们组以前每次碰到客户问发票，都要去两个系统里来回查，一通电话要六分钟。"
        "我把常见的四种发票问题整理成一张表，写清楚去哪查、怎么回，放在组里的共享文档里。"
        "用了以后这类电话平均降到了三分钟。"
    )
    honest = score_answer(practice, REPEATED, SERVICE)
    assert not honest.flags, honest.flags
    listed = score_answer(
        "问题解决，客户导向，闭环管理，根因分析，持续改进，我负责，我主导。", REPEATED, SERVICE
    )
    assert listed.flags
    names = ("问题解决", "客户导向")
    assert _level(honest, names) > _level(listed, names) + 1.0


def test_the_question_concepts_are_read_in_everyday_words() -> None:
    assert [c.name for c in question_concepts(REPEATED)] == ["反复出现的问题"]
    said = analyze_answer("有段时间老是有客户打电话来问同一个退款进度，我就……", REPEATED)
    assert missing_concepts(REPEATED, said.episode.reads) == ()
    once = analyze_answer("有一次一个客户打电话来很生气，我先道歉，然后帮他退了款。", REPEATED)
    assert missing_concepts(REPEATED, once.episode.reads) == ("反复出现的问题",)
    assert missing_concepts("讲讲你的一次经历。", once.episode.reads) == ()  # nothing named


def test_a_story_of_another_situation_is_off_topic_and_asked_back() -> None:
    """A speed-up told for a question about refusing to break the rules under a deadline."""
    speedup = (
        "那年四季度订单特别多，交期老是拖。我带着两个组长把装配过程拍下来一段一段看，"
        "把能提前做的准备都挪到开线之前，又做了一个物料小推车。每个班练了两周，"
        "装配时间从四十分钟降到了二十五分钟，交期达成率从百分之八十五提到了百分之九十七。"
    )
    result = score_answer(speedup, RULES, PLANT, competencies=RULES_ASKS)
    flags = {f.code: f for f in result.flags}
    assert Gaming.OFF_TOPIC in flags
    assert "按规程操作" in flags[Gaming.OFF_TOPIC].reason
    # rules-v3: the flag is a fitted penalty, not a forced 1.0 (a false flag must not sink an
    # honest story): the guidelines' ceiling of 2 at most, below an answer to the question
    on_topic = score_answer(KEPT, RULES, PLANT, competencies=RULES_ASKS)
    for name in RULES_ASKS:
        score = result.competency(name).score or 1.0
        assert score <= 2.0 and result.competency(name).breakdown["off_topic"] < 0
        assert score < (on_topic.competency(name).score or 1.0)
        assert not result.competency(name).from_behaviour  # no live prompt counts it covered
    found = follow_up(speedup, RULES, PLANT, competencies=RULES_ASKS)
    assert "按规程操作" in found.question and found.quote in speedup
    assert not on_topic.flags


KEPT = (
    "去年月底赶一批货，主任让我们跳过首件检验先开机。我没同意，还是按规程做了首件，"
    "结果发现尺寸偏了，及时调了机，那批货按时交了，一件没返工。"
)
