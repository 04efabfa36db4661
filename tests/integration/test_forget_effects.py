"""The erasure's ``forget`` effects as the adapters deliver them: the payroll CSV and the
EHR file spool drop the candidate's records and nothing else; systems reached by API keep
their own record (skipped, not retried)."""

from __future__ import annotations

import json
from pathlib import Path

from ehr_adapter.build import NoEhr, unsealer
from ehr_adapter.config import DEFAULT_MAPPINGS
from ehr_adapter.files import FileExchange
from ehr_adapter.mapping import load_mapping
from ehr_adapter.sender import EhrSender
from payroll_bridge.adapters.csv_file import CsvPayroll
from payroll_bridge.adapters.memory import InMemoryPayroll
from payroll_bridge.handoff import PayrollHandOffSender
from recruiting.models import AuditLog
from recruiting.ports.outbound import OutboundMessage
from tests.conftest import TEST_CIPHER
from tests.unit.payroll.hires import hire


def message(payload: dict[str, object]) -> OutboundMessage:
    return OutboundMessage(1, "x", "candidate:7", payload, attempt=1, idempotency_key="k")


async def test_the_payroll_csv_drops_only_her_rows(tmp_path: Path) -> None:
    csv = CsvPayroll(tmp_path / "new-hires.csv")
    await csv.hand_off(hire("application-7", "赵敏"))
    await csv.hand_off(hire("application-8", "刘洋"))
    sender = PayrollHandOffSender(csv)
    done = await sender.deliver(message({"kind": "forget", "employee_ref": "application-7"}))
    assert done == {"removed": 1}
    text = csv.path.read_text(encoding="utf-8")
    assert "赵敏" not in text and "刘洋" in text and text.startswith("idempotency_key,")
    again = await sender.deliver(message({"kind": "forget", "employee_ref": "application-7"}))
    assert again == {"removed": 0}
    assert (await csv.hand_off(hire("application-8", "刘洋"))).duplicate  # still readable
    api = PayrollHandOffSender(InMemoryPayroll())
    assert "skipped" in await api.deliver(message({"kind": "forget", "employee_ref": "x"}))


async def test_the_ehr_spool_drops_her_records(sqlite_db: str, tmp_path: Path) -> None:
    exchange = FileExchange(
        tmp_path / "ehr", load_mapping(DEFAULT_MAPPINGS["file"]), unsealer(TEST_CIPHER)
    )
    for candidate_id, folder in ((7, "outgoing/archive"), (7, "exported/1/employee"),
                                 (8, "outgoing/archive")):  # fmt: skip
        path = tmp_path / "ehr" / folder / f"{candidate_id}-{folder[-3:]}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        body = {"key": "k", "op": "archive", "record": {"candidate": {"candidate_id": candidate_id,
                                                                      "name": "某人"}}}  # fmt: skip
        path.write_text(json.dumps(body), encoding="utf-8")
    forget = {"op": "forget", "candidate_id": 7, "application_ids": [3]}
    assert await EhrSender(exchange).deliver(message(forget)) == {"removed": 2}
    left = sorted(p.name for p in (tmp_path / "ehr").rglob("*.json"))
    assert left == ["8-ive.json"]
    entry = await AuditLog.get(action="forget")
    assert entry.subject_id == "7" and "2 spooled" in entry.detail
    assert "skipped" in await EhrSender(NoEhr()).deliver(message(forget))
