"""Issue 12 item 3: every file and folder the service writes is its user's only (0600/0700),
and decrypted scratch copies do not outlive the process that made them.

Each test starts from the permissive umask of a default shell (022), so a mode that comes out
right was set by the service, not inherited from the test run.
"""

from __future__ import annotations

import asyncio
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from ehr_adapter.config import DEFAULT_MAPPINGS
from ehr_adapter.files import FileExchange
from ehr_adapter.mapping import load_mapping
from payroll_bridge.adapters.csv_file import CsvPayroll
from payroll_bridge.offer import Offer
from payroll_bridge.port import NewHire
from recruiting.db import close_database, migrate_schema, open_database
from recruiting.infra.media_store import LocalMediaStore
from recruiting.infra.scratch import prepare_scratch, wipe_stale
from recruiting.models import Candidate, Staff
from tests.e2e.stack import running
from tests.unit.ehr_records import ARCHIVE, EMPLOYEE, unseal


@pytest.fixture(autouse=True)
def shell_umask() -> Iterator[None]:
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


def loose_modes(root: Path) -> dict[str, str]:
    """Everything under ``root`` (and root) not 0700 (folders) or 0600 (files)."""
    loose = {}
    for path in [root, *root.rglob("*")]:
        mode = stat.S_IMODE(path.lstat().st_mode)
        if mode != (0o700 if path.is_dir() else 0o600):
            loose[str(path.relative_to(root))] = oct(mode)
    return loose


async def test_the_running_service_writes_nothing_others_can_read(tmp_path: Path) -> None:
    data = tmp_path / "data"
    async with running("sqlite", data, "modes", premigrated=False) as (settings, service, console):
        said = await console.post("/sandbox/say", json={"userid": "lina", "text": "帮助"})
        assert said.status_code == 200
        services = service.ctx.services
        media = LocalMediaStore(settings.miniapp.media_dir, services.shared.cipher)
        appender = await media.appender("answers/1/0/x", 0)
        await appender.write(b"recording")
        await appender.close()
        await media.export("answers/1/0/x", next((data / "tmp").iterdir()) / "copy.media")
        await Candidate.create(name="甲")
        written = {p.name for p in data.rglob("*")}
        assert {"recruiting.sqlite3", "recruiting.sqlite3-wal", "recruiting.sqlite3-shm",
                "pii.keys", "media", "tmp", "payroll"} <= written, written  # fmt: skip
        assert loose_modes(data) == {}


def test_payroll_csv_and_ehr_spool_are_owner_only(tmp_path: Path) -> None:
    hire = NewHire("E-1", "张三", date(2030, 3, 1), Offer("shanghai", Decimal("20000")),
                   Decimal("20000"), Decimal("20000"), Decimal("0.07"))  # fmt: skip
    folder = tmp_path / "payroll"
    folder.mkdir(mode=0o700)
    payroll = CsvPayroll(folder / "new-hires.csv")
    asyncio.run(payroll.hand_off(hire))
    exchange = FileExchange(tmp_path / "ehr", load_mapping(DEFAULT_MAPPINGS["file"]), unseal)
    asyncio.run(exchange.push_archive(ARCHIVE, idempotency_key="a"))
    asyncio.run(exchange.create_employee(EMPLOYEE, idempotency_key="e"))
    exchange.export("csv")
    assert loose_modes(folder) == {} and loose_modes(tmp_path / "ehr") == {}


async def test_files_an_older_version_left_readable_are_tightened(tmp_path: Path) -> None:
    data = tmp_path / "var"
    async with running("sqlite", data, "old", premigrated=False) as (_, _service, console):
        await console.post("/sandbox/say", json={"userid": "lina", "text": "帮助"})
    for path in [data, *data.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    async with running("sqlite", data, "new") as (_, _service, console):
        await console.post("/sandbox/say", json={"userid": "lina", "text": "帮助"})
        assert loose_modes(data) == {}


async def test_a_shared_folder_holding_the_database_is_left_alone(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    shared.chmod(0o755)
    url = f"sqlite://{shared}/recruiting.sqlite3"
    await migrate_schema(url)
    await open_database(url)
    try:
        await Staff.create(wecom_userid="u1", name="乙")
    finally:
        await close_database()
    assert stat.S_IMODE(shared.stat().st_mode) == 0o755
    assert {k: v for k, v in loose_modes(shared).items() if k != "."} == {}


def test_scratch_of_a_dead_process_is_wiped_at_start(tmp_path: Path) -> None:
    root = tmp_path / "tmp"
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    stale = root / dead.stdout.strip() / "analysis-x"
    stale.mkdir(parents=True)
    (stale / "answer.media").write_bytes(b"decrypted recording")
    mine = prepare_scratch(root)
    assert sorted(p.name for p in root.iterdir()) == [mine.name]
    assert loose_modes(root) == {}


def test_scratch_of_a_reused_pid_is_wiped_and_a_live_ones_kept(tmp_path: Path) -> None:
    root = tmp_path / "tmp"
    root.mkdir()
    parent = root / str(os.getppid())  # alive: pytest's parent
    (parent / "x").mkdir(parents=True)
    reused = root / "1"  # alive (init), but the folder names another start time
    (reused / "analysis-y").mkdir(parents=True)
    (reused / ".started").write_text("1", encoding="ascii")
    assert wipe_stale(root) == 1
    assert sorted(p.name for p in root.iterdir()) == [parent.name]


def test_a_process_removes_its_scratch_when_it_exits_and_a_killed_ones_is_wiped_by_a_sweep(
    tmp_path: Path,
) -> None:
    root = tmp_path / "tmp"
    code = (
        "import sys, pathlib; from recruiting.infra.scratch import prepare_scratch; "
        "d = prepare_scratch(pathlib.Path(sys.argv[1])); (d / 'copy').write_bytes(b'x'); "
        "print(d, flush=True); import os, signal; "
        "os.kill(os.getpid(), signal.SIGKILL) if sys.argv[2] == 'kill' else None"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])}
    exited = subprocess.run([sys.executable, "-c", code, str(root), "exit"], env=env,
                            capture_output=True, text=True, check=True)  # fmt: skip
    assert not Path(exited.stdout.strip()).exists()
    killed = subprocess.run([sys.executable, "-c", code, str(root), "kill"], env=env,
                            capture_output=True, text=True)  # fmt: skip
    assert killed.returncode == -9
    left = Path(killed.stdout.strip())
    assert (left / "copy").exists()  # kill -9: nothing could run
    assert wipe_stale(root) == 1 and not left.exists()  # what a worker's sweep does


async def test_a_worker_sweep_wipes_dead_processes_scratch(tmp_path: Path) -> None:
    data = tmp_path / "data"
    async with running("sqlite", data, "sweep") as (_, service, _console):
        stale = data / "tmp" / "999999" / "analysis-z"  # no such pid
        stale.mkdir(parents=True)
        await service.ctx.services.worker.sweep()
        assert not stale.parent.exists()


def test_open_private_reads_without_creating_and_writes_owner_only(tmp_path: Path) -> None:
    from recruiting.infra.private_files import open_private

    missing = tmp_path / "absent.txt"
    with pytest.raises(FileNotFoundError):
        open_private(missing, "r", encoding="utf-8")
    assert not missing.exists()  # reading never creates the file
    with open_private(missing, "w", encoding="utf-8") as out:
        out.write("x")
    assert stat.S_IMODE(missing.stat().st_mode) == 0o600
    with open_private(missing, "r", encoding="utf-8") as back:
        assert back.read() == "x"
