"""``python -m interview_core score``: JSON on stdout, one error line and exit code 2."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
ANSWER = (
    "去年我负责一个犹豫不决的大客户。我先约他面谈，耐心倾听他的顾虑，"
    "然后协调技术部门制定了试点方案。最终签下了86万元的合同。"
)


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "interview_core", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )


def _transcript(tmp_path: Path) -> str:
    path = tmp_path / "answer.txt"
    path.write_text(ANSWER, encoding="utf-8")
    return str(path)


def test_score_with_a_builtin_job_prints_json(tmp_path: Path) -> None:
    done = _run("score", "--job", "sales", "--question", "请讲一次成交经历",
                "--transcript", _transcript(tmp_path))  # fmt: skip
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert 0 <= data["overall"] <= 100
    assert set(data["star"]) >= {"situation", "task", "action", "result"}
    for item in data["competencies"].values():
        assert {"score", "confidence", "evidence"} <= set(item)
    assert "客户导向" in done.stdout  # ensure_ascii=False
    assert done.stderr == ""  # jieba stays quiet


def test_score_with_a_job_file_and_with_competencies(tmp_path: Path) -> None:
    transcript = _transcript(tmp_path)
    job_file = str(ROOT / "interview_core/data/jobs/sales.yaml")
    by_file = _run("score", "--job", job_file, "--question", "成交", "--transcript", transcript)
    by_name = _run("score", "--job", "sales", "--question", "成交", "--transcript", transcript)
    assert by_file.stdout == by_name.stdout
    chosen = _run("score", "--competencies", "沟通能力，客户导向", "--question", "成交",
                  "--transcript", transcript)  # fmt: skip
    assert list(json.loads(chosen.stdout)["competencies"]) == ["沟通能力", "客户导向"]


def test_errors_are_one_line_on_stderr_with_exit_code_2(tmp_path: Path) -> None:
    transcript = _transcript(tmp_path)
    cases = [
        ("score", "--competencies", "沟通能力,口才", "--question", "q", "--transcript", transcript),
        ("score", "--job", "cashier", "--question", "q", "--transcript", transcript),
        ("score", "--job", "sales", "--question", "q", "--transcript", str(tmp_path / "no.txt")),
        ("score", "--question", "q", "--transcript", transcript),
    ]
    for args in cases:
        done = _run(*args)
        assert done.returncode == 2, args
        assert done.stdout == "" and done.stderr.count("\n") == 1, done.stderr
    assert "known: 沟通能力" in _run(*cases[0]).stderr
