"""Answer analysis rules: sentences, STAR parts, numbers, ownership, vagueness, relevance."""

import subprocess
import sys

import pytest

from interview_core.text.analysis import analyze_answer
from interview_core.text.sentences import content_words, split_clauses, split_sentences
from interview_core.text.signals import (
    find_quantities,
    is_generic,
    measure_vagueness,
    relevance,
)
from interview_core.text.star import detect_star


def test_sentences_split_on_chinese_punctuation_and_newlines() -> None:
    text = "当时我负责华东区。结果如何？\n我们做了很多事！还有；  \n。。"
    assert split_sentences(text) == ("当时我负责华东区", "结果如何", "我们做了很多事", "还有")
    assert split_clauses("当时我负责华东区，客户很多、订单也多") == (
        "当时我负责华东区",
        "客户很多",
        "订单也多",
    )


def test_content_words_drop_stopwords_and_question_boilerplate() -> None:
    words = content_words("请讲一次你说服一位犹豫不决的客户最终成交的经历。")
    assert {"说服", "客户", "成交"} <= words
    assert not {"请", "讲", "一次", "你", "经历", "的", "一位"} & words


def test_star_parts_are_found_by_cue_words() -> None:
    sentences = split_sentences(
        "去年我在华东区做销售。我的任务是季度末前拿下这个客户。"
        "我先约客户面谈，了解他的顾虑。最终签下了86万元的合同。"
    )
    star = detect_star(sentences)
    assert star.situation == ("去年我在华东区做销售",)
    assert star.task == ("我的任务是季度末前拿下这个客户",)
    assert star.action == ("我先约客户面谈，了解他的顾虑",)
    assert star.result == ("最终签下了86万元的合同",)
    assert star.missing == () and star.completeness == 1.0


@pytest.mark.parametrize(
    ("sentence", "part", "present"),
    [
        ("目标是三个月内把销售额提升20%", "result", False),  # a target is a task
        ("目标是提升20%，结果提升了25%", "result", True),
        ("三个月后良品率提升到了97.5%", "result", True),
        ("我觉得需要多沟通", "action", False),  # an opinion, not an action
        ("我会先倾听客户的需求", "action", False),  # a habit or a plan
        ("如果客户不满意我就联系主管", "action", False),
        ("我学习能力很强", "action", False),
        ("然后排查了数据库的慢查询", "action", True),  # a step without a subject
        ("我一般会先道歉，然后反馈给主管", "action", False),
        ("我和同事一起整理了问答清单", "action", True),
        ("在大促期间订单量翻倍", "situation", True),
    ],
)
def test_star_edge_cases(sentence: str, part: str, present: bool) -> None:
    star = detect_star((sentence,))
    assert (part not in star.missing) is present


def test_quantities_have_kinds_and_dates_are_not_results() -> None:
    found = find_quantities(
        split_sentences(
            "2022年3月我接手门店。营业额增长了15%，达到86万元，是原来的两倍。"
            "用了三个月，服务了120家客户，提升了5个百分点。有一天我去了现场。"
        )
    )
    assert [(q.text, q.kind) for q in found] == [
        ("15%", "percent"),
        ("86万元", "amount"),
        ("两倍", "multiple"),
        ("三个月", "duration"),
        ("120家", "count"),
        ("5个百分点", "percent"),
    ]
    assert found[0].quote == "营业额增长了15%，达到86万元，是原来的两倍"


def test_ownership_counts_who_did_the_actions() -> None:
    owned = analyze_answer("我先约客户面谈。然后我协调了技术部门。我觉得很好。", "").ownership
    assert (owned.first_person, owned.collective, owned.ratio) == (2, 0, 1.0)
    shared = analyze_answer("我们做了很多工作，大家一起整理了方案。我联系了客户。", "").ownership
    assert (shared.first_person, shared.collective) == (1, 2)
    assert shared.ratio == pytest.approx(0.33)
    assert shared.collective_quotes == ("我们做了很多工作", "大家一起整理了方案")
    assert analyze_answer("沟通很重要。", "").ownership.ratio is None


def test_vagueness_counts_hedges_and_generic_sentences() -> None:
    sentences = split_sentences(
        "我觉得沟通很重要。大概差不多就行吧。当时我联系了客户，签下了合同。"
    )
    vagueness = measure_vagueness(sentences)
    assert vagueness.hedges == ("大概", "差不多")
    assert vagueness.generic == ("我觉得沟通很重要",)
    assert vagueness.index == pytest.approx(1.0)
    assert vagueness.substantive_length == len("当时我联系了客户，签下了合同")
    assert is_generic("我这个人抗压能力比较强")
    assert not is_generic("我觉得当时做得还不够好")


def test_relevance_is_the_share_of_question_words_used() -> None:
    question = "请讲一次你说服一位犹豫不决的客户最终成交的经历。"
    assert relevance(question, "客户犹豫了很久，最终成交，是我说服的") == 1.0
    assert relevance(question, "我喜欢打篮球") == 0.0
    assert relevance("请讲讲。", "任何回答") == 0.0


def test_importing_the_text_package_does_not_load_jieba() -> None:
    code = (
        "import sys, interview_core.text.scoring, interview_core.text.followup, interview_core.cli;"
        "assert 'jieba' not in sys.modules, 'jieba imported at import time'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
