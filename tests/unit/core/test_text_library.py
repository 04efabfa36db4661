"""Competency library and job competency models: content, loading and validation errors."""

from decimal import Decimal
from pathlib import Path

import pytest

from interview_core.text.jobs import (
    builtin_job,
    builtin_jobs,
    equal_weights,
    load_job,
    resolve_job,
    selection,
)
from interview_core.text.library import default_library, load_library
from recruiting.errors import InvalidInput

REQUIRED = [
    "沟通能力", "团队协作", "问题解决", "客户导向", "抗压能力", "学习能力", "领导力", "执行力",
    "创新能力", "数据分析", "风险控制", "合规意识", "项目管理", "专业技能", "结果导向",
]  # fmt: skip


def test_library_has_the_fifteen_competencies_with_full_content() -> None:
    library = default_library()
    assert len(library) >= 15
    assert set(REQUIRED) <= set(library.names())
    for competency in library.competencies:
        assert competency.code.isascii() and competency.code.isidentifier()
        assert competency.definition
        assert 3 <= len(competency.indicators) <= 5, competency.name
        assert len(competency.keywords) >= 10, competency.name
        assert len(competency.anchors) == 5 and all(competency.anchors), competency.name
        assert len(set(competency.anchors)) == 5, f"{competency.name}: anchors must differ"


def test_library_lookup_by_name_or_code_and_unknown_names_list_the_known() -> None:
    library = default_library()
    assert library.get("沟通能力") is library.get("communication")
    with pytest.raises(
        InvalidInput, match="unknown competency '沟通力'; known: 沟通能力, 团队协作"
    ):
        library.get("沟通力")


def test_anchor_levels_are_clamped() -> None:
    competency = default_library().get("执行力")
    assert competency.anchor(0) == competency.anchors[0]
    assert competency.anchor(5) == competency.anchor(9) == competency.anchors[4]


def test_library_file_missing_an_anchor_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "lib.yaml"
    path.write_text(
        "competencies:\n  - {code: x, name: 测试, definition: d, indicators: [a],"
        " keywords: [k], anchors: {1: a, 2: b, 3: c, 4: d}}\n",
        encoding="utf-8",
    )
    with pytest.raises(InvalidInput, match=r"lib.yaml: competency 测试: .*anchors"):
        load_library(path)


def test_builtin_jobs_load_and_validate_with_the_domain_model() -> None:
    jobs = builtin_jobs()
    assert {"sales", "software_engineer", "store_manager", "customer_service",
            "production_supervisor"} <= set(jobs)  # fmt: skip
    for code, job in jobs.items():
        model = job.competency_model()
        assert sum(item.weight for item in model.items) == Decimal(1), code
        assert job.title and job.questions, code
        assert all(q.competencies for q in job.questions), code
        assert all(item.keywords for item in job.competencies), code


def _write_job(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "job.yaml"
    path.write_text(body, encoding="utf-8")
    return path


def test_weights_not_adding_up_name_the_file_and_the_sum(tmp_path: Path) -> None:
    path = _write_job(
        tmp_path,
        'title: 测试\ncompetencies:\n  - {name: 沟通能力, weight: "0.5"}\n'
        '  - {name: 客户导向, weight: "0.4"}\n',
    )
    with pytest.raises(InvalidInput) as caught:
        load_job(path)
    assert str(path) in caught.value.message
    assert "weights must add up to 1, they add up to 0.9" in caught.value.message


def test_unknown_competency_in_a_job_lists_the_known_names(tmp_path: Path) -> None:
    path = _write_job(tmp_path, 'title: 测试\ncompetencies:\n  - {name: 销售能力, weight: "1"}\n')
    with pytest.raises(
        InvalidInput, match=r"job.yaml: unknown competency '销售能力'; known: 沟通能力"
    ):
        load_job(path)


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ("title: x\n", "non-empty 'competencies' list"),
        ('competencies:\n  - {name: 沟通能力, weight: "abc"}\n', "not a decimal number"),
        ('competencies:\n  - {name: 沟通能力, weight: "-1"}\n', "weight must be positive"),
        ("competencies:\n  - {name: 沟通能力}\n", "needs a name (or code) and a weight"),
        (
            'competencies:\n  - {name: 沟通能力, weight: "0.5"}\n  - {name: 沟通能力, weight: "0.5"}\n',
            "competency listed twice: 沟通能力",
        ),
        (
            'competencies:\n  - {name: 沟通能力, weight: "1"}\n'
            "questions:\n  - {text: 你好, competencies: [领导力]}\n",
            "targets 领导力, which the job does not weigh",
        ),
        ("competencies: [\n", "not valid YAML"),
    ],
)
def test_malformed_job_files_are_refused_clearly(tmp_path: Path, body: str, problem: str) -> None:
    path = _write_job(tmp_path, body)
    with pytest.raises(InvalidInput) as caught:
        load_job(path)
    assert caught.value.message.startswith(str(path))
    assert problem in caught.value.message


def test_float_weights_are_read_through_their_decimal_text(tmp_path: Path) -> None:
    path = _write_job(
        tmp_path,
        "competencies:\n  - {name: 沟通能力, weight: 0.7}\n  - {code: teamwork, weight: 0.3}\n",
    )
    job = load_job(path)
    assert [c.weight for c in job.competencies] == [Decimal("0.7"), Decimal("0.3")]
    assert job.code == "job" and job.competencies[1].name == "团队协作"


def test_selection_gives_equal_weights_that_add_up_exactly() -> None:
    job = selection(["沟通能力", " 客户导向", "执行力", "沟通能力"])
    assert [c.name for c in job.competencies] == ["沟通能力", "客户导向", "执行力"]
    assert sum(c.weight for c in job.competencies) == Decimal(1)
    for count in range(1, 16):
        assert sum(equal_weights(count)) == Decimal(1)


def test_selection_of_unknown_or_no_competencies_is_invalid_input() -> None:
    with pytest.raises(InvalidInput, match="unknown competency '口才'; known: 沟通能力"):
        selection(["沟通能力", "口才"])
    with pytest.raises(InvalidInput, match="at least one competency"):
        selection([" ", ""])


def test_resolve_job_accepts_builtin_names_and_paths() -> None:
    sales = builtin_job("sales")
    assert resolve_job("sales") is sales
    path = Path(__file__).resolve().parents[3] / "interview_core/data/jobs/sales.yaml"
    assert resolve_job(str(path)) == sales
    with pytest.raises(
        InvalidInput, match="unknown job 'cashier'; built-in jobs: customer_service"
    ):
        resolve_job("cashier")
