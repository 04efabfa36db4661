"""The scoring engine against hand-written answers (answers.yaml): orderings, confidence,
"not assessed", determinism, the JSON shape and follow-up questions."""

import itertools
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from interview_core.text.followup import follow_up
from interview_core.text.jobs import builtin_job, selection
from interview_core.text.scoring import AnswerScore, score_answer

FIXTURE = Path(__file__).with_name("answers.yaml")
GROUPS: list[dict[str, Any]] = yaml.safe_load(FIXTURE.read_text(encoding="utf-8"))["groups"]


def _text(group: dict[str, Any], answer: str) -> str:
    # YAML folds lines with spaces; Chinese prose has none.
    return re.sub(r"\s+", "", group["answers"][answer])


def _scores(group: dict[str, Any]) -> dict[str, AnswerScore]:
    job = builtin_job(group["job"])
    return {a: score_answer(_text(group, a), group["question"], job) for a in group["answers"]}


def _rank(value: float | None) -> float:
    return -1.0 if value is None else value  # not assessed ranks below any score


def _pairs(group: dict[str, Any]) -> list[tuple[str, str]]:
    return [(a, b) for chain in group["order"] for a, b in itertools.pairwise(chain)]


def test_fixture_is_big_enough() -> None:
    answers = sum(len(g["answers"]) for g in GROUPS)
    jobs = {g["job"] for g in GROUPS}
    assert answers >= 40 and len(GROUPS) >= 8 and len(jobs) == 5
    for group in GROUPS:
        assert group["target"] in [c.name for c in builtin_job(group["job"]).competencies]
        assert {a for chain in group["order"] for a in chain} <= set(group["answers"])


@pytest.mark.parametrize("group", GROUPS, ids=[g["id"] for g in GROUPS])
def test_orderings_hold_on_overall_and_on_the_targeted_competency(group: dict[str, Any]) -> None:
    scores = _scores(group)
    for better, worse in _pairs(group):
        top, low = scores[better], scores[worse]
        assert _rank(top.overall) > _rank(low.overall), (better, worse, top.overall, low.overall)
        top_t, low_t = top.competency(group["target"]), low.competency(group["target"])
        assert _rank(top_t.score) > _rank(low_t.score), (better, worse, top_t.score, low_t.score)


@pytest.mark.parametrize("group", GROUPS, ids=[g["id"] for g in GROUPS])
def test_vague_answers_get_lower_confidence(group: dict[str, Any]) -> None:
    scores = _scores(group)
    best = scores[group["order"][0][0]].competency(group["target"])
    assert best.confidence is not None
    for name in group.get("vague", []):
        vague = scores[name].competency(group["target"])
        assert vague.confidence is None or vague.confidence < best.confidence, name
        assert scores[name].analysis.vagueness.index > 0, name


@pytest.mark.parametrize("group", GROUPS, ids=[g["id"] for g in GROUPS])
def test_scores_stay_in_range_and_carry_their_evidence(group: dict[str, Any]) -> None:
    for name, result in _scores(group).items():
        text = _text(group, name)
        assert result.overall is None or 0.0 <= result.overall <= 100.0
        assert 0.0 <= result.coverage <= 1.0
        for item in result.competencies:
            if item.score is None:
                assert item.not_assessed_reason and not item.evidence and item.anchor is None
                continue
            assert 1.0 <= item.score <= 5.0 and item.score == round(item.score, 1)
            assert item.confidence is not None and 0.0 < item.confidence < 1.0
            assert item.evidence and all(e.quote in text and e.why for e in item.evidence)
            assert item.anchor in item_anchors(group, item.name)


def item_anchors(group: dict[str, Any], name: str) -> tuple[str, ...]:
    job = builtin_job(group["job"])
    return next(c.competency.anchors for c in job.competencies if c.name == name)


def test_no_evidence_means_not_assessed_never_zero() -> None:
    for group in GROUPS:
        scores = _scores(group)
        for answer, names in (group.get("not_assessed") or {}).items():
            for name in names:
                item = scores[answer].competency(name)
                assert item.score is None and item.confidence is None, (group["id"], name)
                assert "未评估" in (item.not_assessed_reason or "")
    result = score_answer(
        "我喜欢打篮球和看电影。", "请讲一次你带领团队的经历。", selection(["领导力"])
    )
    assert result.overall is None and result.coverage == 0.0
    assert result.to_json()["competencies"]["领导力"]["score"] is None


def test_overall_is_the_renormalised_mean_of_the_assessed_competencies() -> None:
    group = GROUPS[0]
    result = _scores(group)["strong"]
    assessed = [c for c in result.competencies if c.score is not None]
    assert 0 < len(assessed) < len(result.competencies)
    weight = sum(float(c.weight) for c in assessed)
    mean = sum(float(c.weight) * ((c.score or 0) - 1) / 4 for c in assessed) / weight
    assert result.overall == pytest.approx(round(mean * 100, 1))
    assert result.coverage == pytest.approx(weight)


def test_scoring_is_deterministic() -> None:
    group = GROUPS[3]
    job = builtin_job(group["job"])
    for name in group["answers"]:
        first = score_answer(_text(group, name), group["question"], job).to_json()
        second = score_answer(_text(group, name), group["question"], job).to_json()
        assert json.dumps(first, ensure_ascii=False) == json.dumps(second, ensure_ascii=False)


def test_json_has_the_documented_shape() -> None:
    group = GROUPS[0]
    data = _scores(group)["strong"].to_json()
    assert set(data) >= {"overall", "coverage", "competencies", "star", "quantified",
                         "ownership", "relevance", "vagueness", "length", "method"}  # fmt: skip
    assert data["method"] == "rules-v3 (jieba)"
    assert set(data["star"]) == {"situation", "task", "action", "result", "missing"}
    for item in data["competencies"].values():
        assert {"score", "confidence", "evidence", "anchor", "not_assessed_reason"} <= set(item)
    json.dumps(data)  # plain JSON types only
    assert data["length"] == len(_text(group, "strong"))


def _followups() -> list[tuple[dict[str, Any], str, str]]:
    return [(g, a, gap) for g in GROUPS for a, gap in (g.get("followup") or {}).items()]


@pytest.mark.parametrize(
    ("group", "answer", "gap"), _followups(), ids=[f"{g['id']}-{a}" for g, a, _ in _followups()]
)
def test_follow_up_targets_the_gap_and_quotes_the_answer(
    group: dict[str, Any], answer: str, gap: str
) -> None:
    text = _text(group, answer)
    result = follow_up(text, group["question"], builtin_job(group["job"]))
    assert result.target == gap and gap in result.missing
    assert result.quote and result.quote in text
    assert f"“{result.quote}”" in result.question
    assert len(result.quote) <= 20


def test_every_fixture_answer_gets_a_quoting_follow_up() -> None:
    for group in GROUPS:
        job = builtin_job(group["job"])
        for name in group["answers"]:
            text = _text(group, name)
            result = follow_up(text, group["question"], job)
            assert result.quote in text and result.quote in result.question, (group["id"], name)
            assert follow_up(text, group["question"], job) == result


def test_an_overall_on_too_little_of_the_job_is_withheld_in_the_json() -> None:
    group = GROUPS[0]
    job = builtin_job(group["job"])
    result = _scores(group)["strong"]
    assert result.overall is not None and 0 < result.coverage < 1
    below = score_answer(_text(group, "strong"), group["question"], job, result.coverage + 0.01)
    data = below.to_json()
    assert below.withheld and data["overall"] is None and data["overall_withheld"] is True
    assert data["coverage"] == result.coverage and data["min_coverage"] == result.coverage + 0.01
    shown = score_answer(_text(group, "strong"), group["question"], job, result.coverage)
    assert shown.to_json()["overall"] == result.overall and not shown.withheld
