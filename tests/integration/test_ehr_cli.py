"""``python -m ehr_adapter`` as an operator runs it, against a real SQLite file."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import sys
from datetime import date
from pathlib import Path

from ehr_adapter.files import write_table
from recruiting.infra.pii import FieldCipher
from recruiting.infra.sealed_fields import install_cipher
from recruiting.models import Application, Candidate, JobOpening, OutboxMessage, ProcessingStatus
from recruiting.services.offers.ehr import EhrSync
from recruiting.services.shared.audit import Actor

KEY = b"\x05" * 32
ROOT = Path(__file__).resolve().parents[2]


async def cli(tmp_path: Path, db: str, *args: str, **env: str) -> tuple[int, str, str]:
    environment = {
        **os.environ,
        "DATABASE_URL": db,
        "DATA_DIR": str(tmp_path),
        "PII_KEYS": "k1:" + base64.b64encode(KEY).decode(),
        **env,
    }
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "ehr_adapter", *args, cwd=ROOT, env=environment,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await proc.communicate()
    return proc.returncode or 0, out.decode(), err.decode()


async def test_dry_run_sync_export_import(sqlite_db: str, tmp_path: Path) -> None:
    cipher = FieldCipher({"k1": KEY}, "k1")
    install_cipher(cipher)  # the CLI's PII_KEYS: it reads what this test writes
    job = await JobOpening.create(code="OPS-01", title="运营专员", city="成都")
    candidate = await Candidate.create(
        name="王芳", phone_enc=cipher.encrypt("13912345678", "candidate.phone")
    )
    application = await Application.create(candidate=candidate, job=job)
    await EhrSync().record_hire(application.id, Actor("zhangwei"), start_date=date(2027, 1, 4))

    rest = {"EHR_ADAPTER": "rest", "EHR_BASE_URL": "http://127.0.0.1:9"}
    code, out, err = await cli(tmp_path, sqlite_db, "sync", "--dry-run", **rest)
    assert code == 0, err
    lines = [json.loads(line) for line in out.splitlines()]
    assert [line["op"] for line in lines] == ["archive", "employee"]
    assert lines[1]["would_send"]["mobile"] == "«加密»"  # personal data never shown
    assert lines[1]["would_send"]["entryDate"] == "2027-01-04"
    assert "13912345678" not in out
    assert await OutboxMessage.filter(status=ProcessingStatus.PENDING).count() == 2

    code, out, err = await cli(tmp_path, sqlite_db, "sync", EHR_ADAPTER="file")
    assert code == 0, err
    assert "sent 2 of 2" in out
    assert await OutboxMessage.filter(status=ProcessingStatus.DONE).count() == 2

    code, out, err = await cli(tmp_path, sqlite_db, "export", "--format", "csv")
    assert code == 0, err
    employees = next(Path(p) for p in out.splitlines() if p.endswith("新员工.csv"))
    assert "13912345678" in employees.read_text(encoding="utf-8-sig")

    bad = tmp_path / "job_openings.xlsx"
    write_table(bad, ["岗位编码", "岗位名称", "状态", "胜任力编码", "胜任力名称", "权重"],
                [["OPS-02", "运营主管", "招聘中", "LEAD", "领导力", "0.5"]])  # fmt: skip
    code, out, err = await cli(tmp_path, sqlite_db, "import", str(bad))
    assert code == 1 and "第 2 行" in err and "nothing was applied" in out
    good = tmp_path / "job_openings2.xlsx"
    write_table(good, ["岗位编码", "岗位名称", "状态", "胜任力编码", "胜任力名称", "权重"],
                [["OPS-02", "运营主管", "招聘中", "LEAD", "领导力", "1"]])  # fmt: skip
    code, out, err = await cli(tmp_path, sqlite_db, "import", str(good))
    assert code == 0, err
    assert "1 created" in out
