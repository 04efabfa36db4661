"""Migration 0011 on a database written by the previous version: the columns change type and
every plaintext value is sealed in place, readable and searchable afterwards; running the
sealing again changes nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from tortoise import connections
from tortoise.migrations.api import migrate

from recruiting.db import close_database, migrate_schema, open_database, tortoise_config
from recruiting.infra.sealed_fields import seal_plaintext_rows
from recruiting.models import Candidate, Consent, InterviewSlot, OutboxMessage, Staff
from tests.conftest import TEST_CIPHER
from tests.integration.empty_database import empty_url

__all__ = ["empty_url"]  # the fixture

BEFORE = "recruiting.0010_offer_candidate_answer"
SEALED = [("candidate", "name", "searchable"), ("candidate", "wechat_openid", "searchable"),
          ("staff", "name", "text"), ("outbox_message", "payload", "json")]  # fmt: skip


@pytest.fixture
async def old_database(empty_url: str) -> AsyncIterator[str]:
    """A database at migration 0010 holding rows in the clear, as the old version wrote."""
    url = empty_url
    await migrate(config=tortoise_config(url), target=BEFORE)
    await connections.close_all()
    await open_database(url)
    json = "" if url.startswith("sqlite") else "::jsonb"
    await connections.get("default").execute_script(
        "INSERT INTO candidate (name, wechat_openid, external_userid, created_at) VALUES "
        "('钱旧数据', 'o-old-openid', 'wm-old-external', CURRENT_TIMESTAMP);"
        "INSERT INTO staff (wecom_userid, name, title, roles, active, created_at) VALUES "
        "('oldhr', '孙旧员工', '', '[]', TRUE, CURRENT_TIMESTAMP);"
        "INSERT INTO consent (candidate_id, purpose, text_version, granted, decided_at) VALUES "
        "(1, 'recording', 'v1', TRUE, CURRENT_TIMESTAMP);"
        "INSERT INTO interview_slot (interviewer_id, starts_at, ends_at) VALUES "
        "(1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP);"
        "INSERT INTO outbox_message (idempotency_key, channel, recipient, payload, status, "
        "attempts, created_at, error) VALUES ('k1', 'wecom.message', 'oldhr', "
        f"'{{\"content\": \"旧聊天原文\"}}'{json}, 'done', 1, CURRENT_TIMESTAMP, '')"
    )
    await close_database()
    yield url
    await close_database()


async def _raw(table: str, column: str) -> str:
    rows = await connections.get("default").execute_query_dict(
        f'SELECT "{column}" AS v FROM "{table}"'
    )
    return str(rows[0]["v"])


async def test_old_plaintext_rows_are_sealed_once_and_still_found(old_database: str) -> None:
    await migrate_schema(old_database)
    await open_database(old_database)
    stored = {f"{t}.{c}": await _raw(t, c) for t, c, _ in SEALED}
    for where, value in stored.items():
        assert TEST_CIPHER.is_token(value.strip('"')), (where, value)
        assert "旧" not in value and "old" not in value, (where, value)

    candidate = await Candidate.get(wechat_openid="o-old-openid")
    assert (candidate.name, candidate.external_userid) == ("钱旧数据", "wm-old-external")
    assert await Candidate.get(name="钱旧数据") == candidate
    assert (await Staff.get(wecom_userid="oldhr")).name == "孙旧员工"
    assert (await OutboxMessage.get(idempotency_key="k1")).payload == {"content": "旧聊天原文"}

    # Rows that reference the converted tables are all still there.
    assert await Consent.filter(candidate_id=candidate.id).count() == 1
    assert await InterviewSlot.filter(interviewer__wecom_userid="oldhr").count() == 1

    assert await seal_plaintext_rows(connections.get("default"), SEALED) == 0
    await close_database()
    await migrate_schema(old_database)  # nothing pending: a no-op
    await open_database(old_database)
    assert {f"{t}.{c}": await _raw(t, c) for t, c, _ in SEALED} == stored


async def test_sealing_reads_a_large_table_in_batches(database: str) -> None:
    """More plaintext rows than one batch (and sealed rows among them): every row is sealed,
    across batch boundaries, and a second run finds nothing."""
    client = connections.get("default")
    for n in range(7):
        await client.execute_script(
            "INSERT INTO staff (wecom_userid, name, title, roles, active, created_at) VALUES "
            f"('u{n}', '旧员工{n}', '', '[]', TRUE, CURRENT_TIMESTAMP)"
        )
    await Staff.filter(wecom_userid="u3").update(name="新员工3")  # sealed already
    columns = [("staff", "name", "text")]
    assert await seal_plaintext_rows(client, columns, batch=2) == 6
    rows = await client.execute_query_dict('SELECT "name" AS v FROM "staff"')
    assert len(rows) == 7 and all(TEST_CIPHER.is_token(str(r["v"])) for r in rows)
    assert {s.name for s in await Staff.all()} == {f"旧员工{n}" for n in range(7) if n != 3} | {
        "新员工3"
    }
    assert await seal_plaintext_rows(client, columns, batch=2) == 0
