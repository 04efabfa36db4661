"""The README's curl walk-through of a recorded interview, run as written against
``python -m recruiting run``: if an API change breaks a step, this fails before a newcomer
does. Only the ports are changed (the walk-through talks to 8000/8001).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.serving import ROOT, run_process

README = ROOT / "README.md"
FIRST, LAST = "B=localhost:8000/miniapp/v1", "/staff/interviews/$iid -H"


def walkthrough() -> str:
    """The shell blocks from the walk-through's first line to its results."""
    blocks = re.findall(r"```sh\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)
    text = "\n".join(blocks)
    start = text.index(FIRST)
    end = text.index("\n", text.index(LAST))
    return text[start:end]


def test_the_readme_walkthrough_runs_as_written(tmp_path: Path) -> None:
    missing = [tool for tool in ("curl", "jq", "sha256sum") if shutil.which(tool) is None]
    if missing:
        pytest.fail(f"the walk-through needs {', '.join(missing)}", pytrace=False)
    proc, base, sandbox = run_process(tmp_path, {"RECRUITING__ANALYSIS__PROCESSES": "0"})
    try:
        script = walkthrough()
        script = script.replace("localhost:8000", base.removeprefix("http://"))
        script = script.replace("localhost:8001", sandbox.removeprefix("http://"))
        script = script.replace(".venv/bin/python ", f"{ROOT}/.venv/bin/python ")
        script = script.replace("scripts/sample_answer.py", f"{ROOT}/scripts/sample_answer.py")
        # Print what the later assertions read, one JSON document a line.
        script += '\necho; echo "STATE $(curl -s $B/interviews/$iid -H "$A" | jq -c .)"'
        done = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", script],
            cwd=tmp_path, capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr + done.stdout
        state = json.loads(done.stdout.rsplit("STATE ", 1)[1])
        assert state["status"] == "completed"
        statuses = [a["status"] for a in state["answers"]]
        assert statuses == ["submitted", "skipped"], state
        assert not re.search(r'"error":"[^"]', done.stdout), done.stdout  # no step refused
    finally:
        proc.terminate()
        proc.wait(timeout=20)
