"""Rules v2: behaviour is the evidence, gaming is flagged, spoken transcripts are read fairly."""

from __future__ import annotations

import pytest

from interview_core.live import CoreLivePrompts
from interview_core.text.analysis import analyze_answer
from interview_core.text.flags import Gaming
from interview_core.text.followup import follow_up
from interview_core.text.gaming import REASON_QUOTE
from interview_core.text.jobs import builtin_job
from interview_core.text.scoring import AnswerScore, score_answer
from interview_core.text.sentences import plain, split_sentences
from recruiting.ports.live_prompts import LiveScope

SALES = builtin_job("sales")
PERSUADE = "请讲一次你说服一位犹豫不决的客户最终成交的经历。"
SWE = builtin_job("software_engineer")
DISAGREE = "说说你和产品、测试同事在一个项目里意见不一致时是怎么处理的。"

STORY = (
    "去年我跟进一家做服装批发的客户，老板对我们的报价一直犹豫。我先上门拜访了两次，了解到他主要担心"
    "售后没人管。于是我把售后流程给他讲清楚，还带他去看了附近一个老客户的使用情况。后来他放心了，"
    "最终签了12万元的合同。"
)
WEAK = "之前有个客户一直犹豫，我给他打了几次电话，介绍了产品，后来他买了。"
GAMING = {
    Gaming.KEYWORD_LIST: "客户导向，沟通能力，团队协作，结果导向，我负责，我主导，提升了百分之五十。",
    Gaming.ECHO: "我说服过犹豫不决的客户，最终成交了，这是一次说服客户成交的经历。",
    Gaming.SELF_DESCRIPTION: "我是一个很有耐心的人，沟通能力很强，客户都很喜欢我，说服客户是我的强项。",
    Gaming.EMPTY_NUMBERS: "我的业绩提升了200%，客户满意度100%，每年完成500万，成交率第一。",
    Gaming.OFF_TOPIC: (
        "我讲一个组织部门团建的事吧。去年我负责策划，我先做了问卷调查大家想去哪里，"
        "然后联系了三家旅行社比价，最后选了一家性价比最高的，大家都玩得很开心。"
    ),
}


def _asked(result: AnswerScore, names: tuple[str, ...] = ("客户导向", "沟通能力")) -> float:
    """The answer's score on the question's competencies (not assessed counts as 1)."""
    values = [result.competency(n).score or 1.0 for n in names]
    return sum(values) / len(values)


@pytest.mark.parametrize("kind", list(GAMING), ids=[k.value for k in GAMING])
def test_each_gaming_kind_is_flagged_lowered_and_explained(kind: Gaming) -> None:
    answer = GAMING[kind]
    result = score_answer(answer, PERSUADE, SALES)
    flags = {f.code: f for f in result.flags}
    assert kind in flags, [f.code for f in result.flags]
    flag = flags[kind]
    assert flag.reason and not flag.reason.isascii() and flag.label
    assert flag.quotes and all(q in answer for q in flag.quotes)
    assert result.to_json()["flags"][0]["code"] in {k.value for k in Gaming}
    genuine = score_answer(STORY, PERSUADE, SALES)
    assert not genuine.flags
    for name in ("客户导向", "沟通能力"):
        gamed, honest = result.competency(name), genuine.competency(name)
        assert (gamed.score or 1.0) < (honest.score or 0.0)
        assert (gamed.confidence or 0.0) < (honest.confidence or 0.0)
    assert _asked(result) < _asked(score_answer(WEAK, PERSUADE, SALES))


@pytest.mark.parametrize("kind", [Gaming.KEYWORD_LIST, Gaming.ECHO])
def test_keyword_lists_and_echoes_stay_at_or_below_40(kind: Gaming) -> None:
    result = score_answer(GAMING[kind], PERSUADE, SALES)
    assert result.overall is None or result.overall <= 40


def test_a_buzzword_self_description_ranks_below_an_honest_weak_answer() -> None:
    buzz = score_answer(GAMING[Gaming.SELF_DESCRIPTION], PERSUADE, SALES)
    weak = score_answer(WEAK, PERSUADE, SALES)
    assert not weak.flags
    for name in ("客户导向", "沟通能力"):
        assert (buzz.competency(name).score or 1.0) < (weak.competency(name).score or 0.0)
    assert (buzz.overall or 0.0) < (weak.overall or 0.0)


def test_a_star_story_that_never_names_the_competency_is_assessed_from_behaviour() -> None:
    story = (
        "去年做会员积分改版，产品经理要两周内上线全部功能，测试那边觉得时间太短，两边在周会上吵了起来。"
        "会后我分别找他们聊，把需求拆成了十二个功能点，和产品一起按用户价值排了优先级，"
        "又跟测试对了每个功能点的测试范围。最后两边同意第一期先上七个核心功能，"
        "第一期按时上线，线上缺陷比上个版本少了60%。"
    )
    assert not {"团队", "协作", "合作", "配合"} & set(plain(story))
    for word in ("团队", "协作", "合作", "配合", "沟通"):
        assert word not in story
    result = score_answer(story, DISAGREE, SWE)
    teamwork = result.competency("团队协作")
    assert teamwork.score is not None and teamwork.score >= 3.0, teamwork.breakdown
    assert teamwork.evidence and all(e.quote in story for e in teamwork.evidence)
    vague = score_answer("意见不一致很正常，我觉得多沟通就可以了。", DISAGREE, SWE)
    assert (vague.competency("团队协作").score or 1.0) < teamwork.score


ASR_STORY = (
    "嗯 那个 去年有个客户 他一直在犹豫要不要买我们的设备 我就先去他厂里看了一下 "
    "然后发现他担心的是售后 于是我带他去看了我们另一个老客户的现场 "
    "就是 最后他就签了合同 签了十二万"
)
WRITTEN_STORY = (
    "去年有个客户一直在犹豫要不要买我们的设备。我先去他厂里看了一下，发现他担心的是售后。"
    "于是我带他去看了我们另一个老客户的现场。最后他签了合同，签了十二万。"
)


def test_an_unpunctuated_recogniser_transcript_is_split_and_scored_like_the_written_story() -> None:
    sentences = split_sentences(ASR_STORY)
    assert len(sentences) >= 5 and all(s in ASR_STORY for s in sentences)
    assert "嗯" not in sentences and "那个" not in sentences  # fillers are no sentences
    spoken = score_answer(ASR_STORY, PERSUADE, SALES)
    written = score_answer(WRITTEN_STORY, PERSUADE, SALES)
    assert not spoken.flags
    for name in ("客户导向", "沟通能力"):
        said, wrote = spoken.competency(name), written.competency(name)
        assert said.score is not None and wrote.score is not None
        assert abs(said.score - wrote.score) <= 0.5, (name, said.score, wrote.score)
        assert all(e.quote in ASR_STORY for e in said.evidence)
    assert spoken.analysis.episode.own and spoken.analysis.episode.results


def test_a_long_unpunctuated_stretch_is_cut_before_discourse_markers() -> None:
    text = (
        "我先查看了监控发现数据库连接池被打满然后用慢查询日志定位到一条没走索引的查询于是我加了索引"
    )
    pieces = split_sentences(text)
    assert len(pieces) == 3 and "".join(pieces) == text
    assert pieces[1].startswith("然后") and pieces[2].startswith("于是")


def test_the_episode_says_who_did_what_to_what() -> None:
    episode = analyze_answer(
        "会后我分别找两边沟通，把需求拆成了十二个功能点。我们一起加班赶了进度。客户很满意。", ""
    ).episode
    owned = [(c.verb, c.object) for c in episode.own]
    assert owned[0][0] == "找" and owned[1] == ("拆成", "十二个功能点")
    assert [c.text for c in episode.shared] == ["我们一起加班赶了进度"]
    assert episode.results and episode.results[0].text == "客户很满意"


@pytest.mark.parametrize(
    ("answer", "told"),
    [
        ("我一般会先道歉，然后反馈给主管。", False),  # a habit
        ("如果客户不满意，我就联系主管。", False),  # a hypothesis
        ("我会多跟客户沟通，了解他的需求。", False),  # a plan: 了解 is no 了
        ("我负责，我主导。", False),  # claims without anything done
        ("上个月我联系了主管，给客户办了退款。", True),
    ],
)
def test_habits_plans_and_claims_are_no_story(answer: str, told: bool) -> None:
    assert analyze_answer(answer, "").episode.told is told


@pytest.mark.parametrize(
    "answer",
    [
        "我将来要做到更好。",  # 将来 is the future, not 将 + object + verb
        "这件事以后我将来一定做到最好。",
        "上次失败以后，我将来要把复盘做到每周一次。",
        "我以后争取把流程做完。",
    ],
)
def test_promises_are_no_done_action(answer: str) -> None:
    assert analyze_answer(answer, "").episode.own == ()


def test_numbers_are_tied_when_they_say_what_they_measure() -> None:
    episode = analyze_answer(
        "我重写了这条查询，接口响应时间从3秒降到了150毫秒，提升了百分之五十。", ""
    ).episode
    assert {q.text for q in episode.tied_numbers} >= {"150毫秒"}
    assert [q.text for q in episode.unmeasured] == ["百分之五十"]


def test_gaming_answers_get_an_example_question_quoting_the_flagged_words() -> None:
    answer = GAMING[Gaming.SELF_DESCRIPTION]
    found = follow_up(answer, PERSUADE, SALES)
    assert found.target == "example" and found.quote and found.quote in answer
    assert f"“{found.quote}”" in found.question and "具体事例" in found.question
    assert found.competency is None  # never a competency suggested from a buzzword


def test_a_follow_up_never_suggests_a_competency_the_answer_only_names() -> None:
    answer = "去年我在门店做店长，沟通能力和客户导向都很重要。我调整了排班，最后营业额涨了15%。"
    found = follow_up(
        answer, "请讲一次你带领门店团队扭转业绩下滑的经历。", builtin_job("store_manager")
    )
    assert found.competency != "客户导向"


def test_the_live_prompt_flags_buzzwords_and_does_not_count_them_as_coverage() -> None:
    model = [
        {"code": "customer_focus", "name": "客户导向", "weight": "0.5"},
        {"code": "communication", "name": "沟通能力", "weight": "0.5"},
    ]
    scope = LiveScope("sales-x", "销售代表", model)
    note = "他说他是一个很有耐心的人，沟通能力很强，很有客户意识"
    prompt = CoreLivePrompts().prompt(scope, [note], note)
    assert prompt.covered == [] and set(prompt.uncovered) == {"客户导向", "沟通能力"}
    assert prompt.flags and prompt.flags[0].startswith("只有自我评价")
    assert "具体事例" in prompt.question


def test_a_story_announced_with_the_questions_subject_or_a_framing_is_not_off_topic() -> None:
    for opening in ("我讲一个说服老客户的事吧。", "说一次没做好的经历。", ""):
        result = score_answer(opening + STORY, PERSUADE, SALES)
        assert not result.flags, (opening, result.flags)
    returned = (
        "我讲一个退货的事吧。上个月有位顾客拿着开胶的鞋来店里，当着别的顾客大声投诉。"
        "我先请她到休息区，听她说完，当场道歉并办了退款，一周后又打电话回访，她说很满意。"
    )
    complaint = score_answer(
        returned, "说说你处理一次顾客激烈投诉的经历。", builtin_job("store_manager")
    )
    assert not complaint.flags, complaint.flags  # the story speaks of the question after all


def test_the_question_asks_which_competencies_are_scored_from_the_story() -> None:
    asked = score_answer(STORY, PERSUADE, SALES)
    assert asked.competency("客户导向").score is not None
    assert asked.competency("沟通能力").score is not None
    assert asked.competency("学习能力").score is None  # nothing learnt in this story
    chosen = score_answer(STORY, "讲讲你的一次经历。", SALES, competencies=["沟通能力"])
    assert chosen.competency("沟通能力").score is not None
    other = score_answer("我喜欢打篮球和看电影。", PERSUADE, SALES)
    assert other.overall is None and all(c.score is None for c in other.competencies)
    assert all("未评估" in (c.not_assessed_reason or "") for c in other.competencies)


def test_an_off_topic_story_is_asked_for_one_that_answers_the_question() -> None:
    answer = GAMING[Gaming.OFF_TOPIC]
    found = follow_up(answer, PERSUADE, SALES)
    assert found.target == "example" and found.quote in answer
    assert "与题目所问的情境不太一样" in found.question


def test_bare_numbers_name_things_and_claim_nothing() -> None:
    story = (
        "上周H5活动页在安卓7和8上白屏，我先看了错误监控，发现是日期库用了新语法，"
        "于是我让Babel单独转译这个包，发版以后白屏投诉第二天就没了。"
    )
    result = score_answer(story, "请讲一次你排查并解决线上疑难故障的经历。", SWE)
    assert not result.flags and result.analysis.episode.unmeasured == ()
    assert follow_up(story, "请讲一次你排查并解决线上疑难故障的经历。", SWE).target != "example"


def test_a_self_description_reason_quotes_a_long_answer_shortened_and_keeps_quotes_verbatim() -> (
    None
):
    answer = (
        "我是一个性格开朗、很有耐心并且非常善于和各种类型的客户打交道的人。"
        "我的沟通能力很强，抗压能力也很强，领导和同事都说我学习能力特别突出。"
        "我是一个责任心很强、做事认真细致、始终以客户为中心的人。"
    )
    flags = score_answer(answer, PERSUADE, SALES).flags
    flag = next(f for f in flags if f.code is Gaming.SELF_DESCRIPTION)
    quoted = flag.reason.split("（", 1)[1].rsplit("）", 1)[0]
    assert len(quoted) <= REASON_QUOTE and quoted.endswith("…")
    assert all(q in answer for q in flag.quotes) and len("".join(flag.quotes)) > REASON_QUOTE


# An echo in other words: the question's situation paraphrased (犹豫 → 拿不定主意, 成交 → 签了),
# then a claim to have done just that, with nothing of one real occasion
PARAPHRASED_ECHO = (
    "就是客户拿不定主意的时候，作为销售就要想办法说服客户，让客户最终签单。"
    "我当时也是这样做的，说服了犹豫的客户，最后成交了。"
)
# A habit announced the same way and then told step by step: weak, honest, no echo
HABIT = (
    "遇到犹豫的客户，我一般是这样做的：先问清楚他担心什么，是价格还是售后，"
    "再拿同类客户的案例给他看，最后约个时间请他来门店试用。"
)


def test_a_paraphrased_echo_claiming_to_have_done_it_is_an_echo() -> None:
    flags = {f.code for f in score_answer(PARAPHRASED_ECHO, PERSUADE, SALES).flags}
    assert Gaming.ECHO in flags
    assert not score_answer(HABIT, PERSUADE, SALES).flags


@pytest.mark.parametrize(
    ("clause", "occasion"),
    [
        ("前端也能写一点", False),  # a little, not one o'clock
        ("有两点体会", False),
        ("晚上十点还在店里", True),
        ("十点以后没人来", True),
        ("下个月销售额涨了两成", True),
        ("有顾客在点评上说尺码少", True),
    ],
)
def test_an_occasion_is_a_time_or_a_person_not_a_little(clause: str, occasion: bool) -> None:
    assert bool(analyze_answer(clause, "").episode.particular) is occasion


def test_rather_is_no_comparison() -> None:
    assert analyze_answer("我这个人比较喜欢琢磨。", "").episode.own == ()
    compared = analyze_answer("我比较了三家供应商的报价。", "").episode.own
    assert [(c.verb, c.object) for c in compared] == [("比较", "三家供应商的报价")]


# A keyword list written as sentences: claims and CV phrases around rates, no occasion
CV_PHRASES = (
    "在那次任务里我主导了整体统筹，负责目标拆解、分工授权和节点管控，带领团队以身作则、"
    "凝聚人心、执行到位，团队效率提升了百分之四十，销售额增长了百分之三十。"
)


def test_cv_phrases_written_as_sentences_are_a_keyword_list() -> None:
    result = score_answer(CV_PHRASES, PERSUADE, SALES)
    assert Gaming.KEYWORD_LIST in {f.code for f in result.flags}, result.flags
    assert (result.overall or 0.0) <= 40
