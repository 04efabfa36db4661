"""A competency's score rests on the behaviour shown for it, not on the whole answer's level."""

from __future__ import annotations

from interview_core.text.jobs import builtin_job
from interview_core.text.scoring import SUPPORT_CAPS, score_answer, support_cap

SWE = builtin_job("software_engineer")
LEARN = "介绍一次你在短时间内学习一项新技术并应用到项目中的经历。"
# A strong learning story; sharing with the group is one passing sentence at the end
STORY = (
    "上个季度组里要把日志检索从自建脚本换成 Elasticsearch，可是没人碰过，我就把这件事接了下来。"
    "我花了三个晚上读官方指南，又在自己电脑上用 Docker 起了一个单节点，拿一周的真实日志做试验。"
    "导入时发现中文分词不对，搜不到关键词，我查了社区的讨论，换成 IK 分词器并重建了索引。"
    "十天后新检索上线，查一次日志从原来的两三分钟变成了一秒以内。"
    "后来我把踩过的坑整理成一份上手文档，给组里做了一次分享。"
)


def test_a_competency_shown_in_one_passing_sentence_stays_at_three() -> None:
    result = score_answer(STORY, LEARN, SWE)
    learning, teamwork = result.competency("学习能力"), result.competency("团队协作")
    assert learning.score is not None and learning.score > SUPPORT_CAPS[1], learning.breakdown
    assert teamwork.score is not None, "an indicator shown by behaviour is still assessed"
    assert len(teamwork.evidence) == 1
    assert teamwork.score <= SUPPORT_CAPS[1] < learning.score
    assert teamwork.breakdown.get("thin_evidence", 0.0) < 0


def test_asked_competencies_stay_assessed_and_the_cap_grows_with_behaviour() -> None:
    thin = score_answer("我看了几篇教程，后来项目里就用上了。", LEARN, SWE)
    for name in ("学习能力", "专业技能"):
        score = thin.competency(name).score
        assert score is not None and score <= SUPPORT_CAPS[1]
    caps = [support_cap(n) for n in range(len(SUPPORT_CAPS) + 2)]
    assert caps == sorted(caps) and caps[1] < 4.0 and caps[-1] == 5.0


def test_a_score_on_one_sentence_is_trusted_less() -> None:
    """Confidence says how well founded a score is: one sentence of behaviour is little."""
    result = score_answer(STORY, LEARN, SWE)
    learning, teamwork = result.competency("学习能力"), result.competency("团队协作")
    assert learning.confidence is not None and teamwork.confidence is not None
    assert teamwork.confidence < learning.confidence
    assert teamwork.confidence <= 0.6 * 0.95
