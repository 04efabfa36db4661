"""Migration 0025 on a database the previous version wrote (SQLite and PostgreSQL): an
integrity event's text, an offer's pay, a data request's outcome and where a candidate or an
application came from are sealed in place, read back as they were (the sources still found by
value), empty values stay empty, and running the sealing again changes nothing. Values the
models write afterwards are sealed too."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from tortoise import connections
from tortoise.migrations.api import migrate

from recruiting.db import close_database, migrate_schema, open_database, tortoise_config
from recruiting.infra.sealed_fields import seal_plaintext_rows
from recruiting.models import (
    Application,
    Candidate,
    DataRequest,
    IntegrityEvent,
    Interview,
    InterviewMode,
    InterviewRound,
    JobOpening,
    Offer,
    RoundKind,
)
from tests.conftest import TEST_CIPHER
from tests.integration.empty_database import empty_url

__all__ = ["empty_url"]  # the fixture

BEFORE = "recruiting.0023_workbench_indexes"
SEALED = [("integrity_event", "detail", "text"), ("offer", "base_salary", "text"),
          ("offer", "bonus_months", "text"), ("offer", "allowances", "text"),
          ("data_request", "outcome", "text"), ("candidate", "source", "searchable"),
          ("application", "channel", "searchable")]  # fmt: skip
SOURCE = "朋友推荐（李雷）"  # typed by HR: names the referrer
DETAIL = "切到微信回复了老板的消息"
REFUSED = "未更正：邮箱无法收信，候选人说已换工作"


class Old:
    """Rows as the previous version wrote them, in the dialect's own terms."""

    def __init__(self, postgres: bool) -> None:
        self.postgres = postgres

    def when(self) -> Any:
        now = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
        return now if self.postgres else now.isoformat()

    def amount(self, text: str) -> Any:
        """PostgreSQL's NUMERIC took a Decimal; Tortoise wrote SQLite's str(Decimal)."""
        return Decimal(text) if self.postgres else text

    async def insert(self, table: str, values: dict[str, Any]) -> None:
        names = ", ".join(f'"{name}"' for name in values)
        marks = ", ".join(f"${i + 1}" if self.postgres else "?" for i in range(len(values)))
        await connections.get("default").execute_query(
            f'INSERT INTO "{table}" ({names}) VALUES ({marks})',
            list(values.values()),
        )


async def write_old_rows(old: Old) -> None:
    name = TEST_CIPHER.encrypt_searchable
    at = old.when()
    await old.insert("job_opening", {"code": "S1", "title": "销售代表", "department": "",
                                     "city": "上海", "status": "open", "competency_model": "[]",
                                     "created_at": at})  # fmt: skip
    for who, source in (
        (name("赵敏", "candidate.name"), SOURCE),
        (name("孙丽", "candidate.name"), ""),
    ):
        await old.insert("candidate", {"name": who, "source": source, "created_at": at})
    for candidate_id, channel in ((1, SOURCE), (2, "direct")):
        await old.insert("application", {"status": "offer", "channel": channel, "created_at": at,
                                         "candidate_id": candidate_id, "job_id": 1})  # fmt: skip
    await old.insert("interview_round", {
        "name": "录制面试", "sequence": 1, "kind": "recorded", "duration_minutes": 30,
        "panel_size": 1, "competencies": "[]", "questions": "[]", "job_id": 1, "preparation": "",
    })  # fmt: skip
    await old.insert("interview", {
        "status": "completed", "mode": "recorded", "location": "", "meeting_link": "",
        "wecom_schedule_id": "", "version": 0, "created_at": at, "updated_at": at,
        "application_id": 1, "round_id": 1,
    })  # fmt: skip
    for kind, detail in (("app_backgrounded", DETAIL), ("network_switch", "")):
        await old.insert("integrity_event", {"kind": kind, "detail": detail, "received_at": at,
                                             "interview_id": 1})  # fmt: skip
    await old.insert("offer", {
        "created_by": "lina", "status": "approved", "city": "shanghai",
        "base_salary": old.amount("12000.5"), "bonus_months": old.amount("1.5"),
        "allowances": old.amount("800"), "start_date": date(2026, 12, 1) if old.postgres
        else "2026-12-01", "version": 1, "error": "", "created_at": at, "updated_at": at,
        "application_id": 1, "candidate_answer": "",
    })  # fmt: skip
    for status, outcome in (("refused", REFUSED), ("completed", "已删除")):
        await old.insert("data_request", {
            "candidate_id": 1, "kind": "correction", "status": status, "via": "miniapp",
            "recorded_by": "candidate:1", "field": "email", "new_value": "", "note": "",
            "due_at": at, "created_at": at, "handled_by": "lina", "outcome": outcome,
        })  # fmt: skip


@pytest.fixture
async def old_database(empty_url: str) -> AsyncIterator[str]:
    """A database at migration 0023 holding those values in the clear."""
    url = empty_url
    await migrate(config=tortoise_config(url), target=BEFORE)
    await connections.close_all()
    await open_database(url)
    await write_old_rows(Old(not url.startswith("sqlite")))
    await close_database()
    yield url
    await close_database()


async def stored() -> dict[str, list[str]]:
    """``table.column`` → the raw values, in id order."""
    conn = connections.get("default")
    out = {}
    for table, column, _ in SEALED:
        rows = await conn.execute_query_dict(f'SELECT "{column}" AS v FROM "{table}" ORDER BY "id"')
        out[f"{table}.{column}"] = [str(r["v"]) for r in rows]
    return out


async def test_old_clear_values_are_sealed_once_and_read_back(old_database: str) -> None:
    await migrate_schema(old_database)
    await open_database(old_database)
    raw = await stored()
    opened = {where: [TEST_CIPHER.decrypt(v, where) if v else "" for v in values]
              for where, values in raw.items()}  # fmt: skip
    for where, values in raw.items():
        assert all(TEST_CIPHER.is_token(v) for v in values if v), (where, values)
    assert opened["integrity_event.detail"] == [DETAIL, ""]  # empty stays empty
    assert opened["data_request.outcome"] == [REFUSED, "已删除"]
    assert opened["candidate.source"] == [SOURCE, ""]
    assert opened["application.channel"] == [SOURCE, "direct"]
    assert raw["application.channel"][0] == TEST_CIPHER.encrypt_searchable(
        SOURCE, "application.channel"
    )
    pay = [Decimal(opened[f"offer.{c}"][0]) for c in ("base_salary", "bonus_months", "allowances")]
    assert pay == [Decimal("12000.5"), Decimal("1.5"), Decimal(800)]
    assert not [s for s in (SOURCE, DETAIL, "邮箱") if s in repr(raw)]

    # the models read what was written, and find the sources by value
    assert (await IntegrityEvent.get(id=1)).detail == DETAIL
    offer = await Offer.get(id=1)
    assert (offer.base_salary, offer.bonus_months, offer.allowances) == (
        Decimal("12000.50"), Decimal("1.50"), Decimal("800.00"))  # fmt: skip
    assert str(offer.base_salary) == "12000.50"  # as the NUMERIC(12,2) column gave it
    assert [r.outcome for r in await DataRequest.all().order_by("id")] == [REFUSED, "已删除"]
    assert (await Candidate.get(source=SOURCE)).id == 1
    assert (await Candidate.get(source="")).id == 2
    assert [a.id for a in await Application.filter(channel=SOURCE)] == [1]
    assert (await Application.get(channel="direct")).candidate_id == 2

    conn = connections.get("default")
    assert await seal_plaintext_rows(conn, SEALED) == 0
    await close_database()
    await migrate_schema(old_database)  # nothing pending: a no-op
    await open_database(old_database)
    assert await stored() == raw


async def test_new_values_are_written_sealed(database: str) -> None:
    job = await JobOpening.create(code="S2", title="店长")
    candidate = await Candidate.create(name="周芷若", source=SOURCE)
    application = await Application.create(candidate=candidate, job=job, channel=SOURCE)
    round_ = await InterviewRound.create(job=job, name="录制", kind=RoundKind.RECORDED)
    interview = await Interview.create(application=application, round=round_,
                                       mode=InterviewMode.RECORDED)  # fmt: skip
    await IntegrityEvent.create(interview=interview, kind="app_backgrounded", detail=DETAIL)
    offer = await Offer.create(application=application, created_by="lina", city="shanghai",
                               base_salary=Decimal("15000"), bonus_months=2.5, allowances=1.1,
                               start_date=date(2027, 1, 4))  # fmt: skip
    await DataRequest.create(candidate_id=candidate.id, kind="correction", outcome=REFUSED,
                             created_at=datetime.now(UTC), due_at=datetime.now(UTC))  # fmt: skip
    raw = await stored()
    for where, values in raw.items():
        assert [TEST_CIPHER.is_token(v) for v in values] == [True], (where, values)
    assert TEST_CIPHER.decrypt(raw["offer.bonus_months"][0], "offer.bonus_months") == "2.50"
    assert TEST_CIPHER.decrypt(raw["offer.allowances"][0], "offer.allowances") == "1.10"
    again = await Offer.get(id=offer.id)
    assert (again.base_salary, again.bonus_months, again.allowances) == (
        Decimal("15000.00"), Decimal("2.50"), Decimal("1.10"))  # fmt: skip
    assert (await IntegrityEvent.get(interview_id=interview.id)).detail == DETAIL
    assert (await Application.get(channel=SOURCE)).id == application.id
    assert (await Candidate.get(source=SOURCE)).id == candidate.id
    with pytest.raises(ValueError, match="12 digits"):  # NUMERIC(12,2)'s bound, kept
        await Offer.filter(id=offer.id).update(base_salary=Decimal("12345678901.00"))
