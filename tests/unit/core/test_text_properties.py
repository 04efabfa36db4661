"""Properties of the scoring engine over generated answers (hypothesis)."""

import re
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from interview_core.text.jobs import builtin_job
from interview_core.text.scoring import score_answer

FIXTURE = Path(__file__).with_name("answers.yaml")
GROUPS = yaml.safe_load(FIXTURE.read_text(encoding="utf-8"))["groups"]
CASES = [
    (g["job"], g["question"], re.sub(r"\s+", "", text))
    for g in GROUPS
    for text in g["answers"].values()
]
VAGUE = ["大概就是这样吧。", "可能差不多吧。", "应该还行吧，之类的。", "反正也许就那样。"]
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(case=st.sampled_from(CASES), extra=st.lists(st.sampled_from(VAGUE), min_size=1, max_size=3))
def test_appending_vague_sentences_never_raises_a_score(
    case: tuple[str, str, str], extra: list[str]
) -> None:
    job_name, question, answer = case
    job = builtin_job(job_name)
    before = score_answer(answer, question, job)
    after = score_answer(answer + "。" + "".join(extra), question, job)
    for old, new in zip(before.competencies, after.competencies, strict=True):
        assert (old.score is None) == (new.score is None)
        if old.score is not None and new.score is not None:
            assert new.score <= old.score
            assert (new.confidence or 0) <= (old.confidence or 0)
    if before.overall is not None and after.overall is not None:
        assert after.overall <= before.overall


chinese = st.text(
    alphabet=st.sampled_from(
        list("我们当时负责客户沟通提升了结果最终团队数据分析可能大概，。！？0123456789%万")
    ),
    max_size=120,
)


@SETTINGS
@given(answer=chinese, job_name=st.sampled_from(sorted({g["job"] for g in GROUPS})))
def test_scores_stay_in_their_ranges_for_any_text(answer: str, job_name: str) -> None:
    result = score_answer(answer, "请讲一次你解决问题的经历。", builtin_job(job_name))
    assert result.overall is None or 0.0 <= result.overall <= 100.0
    assert 0.0 <= result.coverage <= 1.0
    for item in result.competencies:
        assert item.score is None or 1.0 <= item.score <= 5.0
        assert item.confidence is None or 0.0 < item.confidence < 1.0
        assert all(e.quote in answer for e in item.evidence)
    assert result.to_json() == score_answer(answer, "请讲一次你解决问题的经历。",
                                            builtin_job(job_name)).to_json()  # fmt: skip
