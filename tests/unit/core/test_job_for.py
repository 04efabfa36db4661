"""The opening's competency model as the scorer's job (``interview_core.service.job_for``):
a model the scorer cannot use is refused with a reason HR and interviewers can act on, in
Chinese (it is stored as the answer's ``analysis_reason``), naming the competency."""

from __future__ import annotations

import pytest

from interview_core.service import job_for
from recruiting.errors import InvalidInput
from tests.people_text import problems


def _refusal(model: list[dict[str, object]]) -> str:
    with pytest.raises(InvalidInput) as caught:
        job_for("custom", "销售代表", model)
    assert problems(caught.value.message) == [], caught.value.message
    return caught.value.message


def test_a_usable_model_is_the_job() -> None:
    job = job_for("custom", "销售代表", [{"name": "沟通能力", "weight": "0.6"},
                                        {"code": "teamwork", "weight": "0.4"}])  # fmt: skip
    assert [c.name for c in job.competencies] == ["沟通能力", "团队协作"]


def test_an_unknown_competency_is_named_in_chinese() -> None:
    said = _refusal([{"name": "谈判能力", "weight": "1"}])
    assert "「谈判能力」不在能力库中" in said and "known" not in said


def test_a_missing_weight_is_named_in_chinese() -> None:
    said = _refusal([{"name": "沟通能力"}])
    assert "「沟通能力」没有设置权重" in said


def test_weights_that_do_not_add_up_are_refused_in_chinese() -> None:
    said = _refusal([{"name": "沟通能力", "weight": "0.5"}, {"name": "团队协作", "weight": "0.2"}])
    assert "权重合计须为 100%" in said


@pytest.mark.parametrize("weight", ["NaN", "sNaN", "Infinity", "abc"])
def test_a_weight_that_is_no_number_is_named_in_chinese(weight: str) -> None:
    said = _refusal([{"name": "沟通能力", "weight": weight}, {"name": "团队协作", "weight": "0.5"}])
    assert "「沟通能力」没有设置权重" in said
