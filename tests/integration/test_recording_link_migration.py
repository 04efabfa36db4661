"""Migration 0024 on a database holding recorded-interview links (SQLite and PostgreSQL):
table ``invitation`` becomes ``recording_link`` with its rows, the sealed openid that
redeemed a link still opens and is still found by value, the index follows the table's
name, new links continue the ids, and going back restores the old table."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tortoise import Tortoise, connections
from tortoise.migrations.api import migrate

from recruiting.db import tortoise_config
from recruiting.models import Interview, RecordingLink
from tests.conftest import TEST_CIPHER
from tests.integration.empty_database import an_interview_at, empty_url

__all__ = ["empty_url"]  # the fixture

BEFORE = "0023_workbench_indexes"
RENAMED = "0024_recording_link"  # later migrations (0025 seals in place) are one-way
OPENID = "o-wx-zhaomin"


async def _tables_and_indexes(sqlite: bool) -> tuple[set[str], set[str]]:
    conn = connections.get("default")
    if sqlite:
        rows = (await conn.execute_query("SELECT type, name FROM sqlite_master"))[1]
        tables = {r["name"] for r in rows if r["type"] == "table"}
        return tables, {r["name"] for r in rows if r["type"] == "index"}
    tables = {r["table_name"] for r in (await conn.execute_query(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"))[1]}  # fmt: skip
    indexes = {r["indexname"] for r in (await conn.execute_query(
        "SELECT indexname FROM pg_indexes WHERE schemaname = 'public'"))[1]}  # fmt: skip
    return tables, indexes


async def test_links_keep_their_rows_through_the_rename(empty_url: str) -> None:
    sqlite = empty_url.startswith("sqlite")
    config = tortoise_config(empty_url)
    await an_interview_at(config, BEFORE, sqlite)
    conn = connections.get("default")
    [interview] = (await conn.execute_query('SELECT "id" FROM "interview"'))[1]
    marks = ", ".join("?" if sqlite else f"${i + 1}" for i in range(7))
    expires = datetime(2026, 12, 20, 8, 0, tzinfo=UTC)
    for token, by in (("a", TEST_CIPHER.encrypt_searchable(OPENID, "invitation.redeemed_by")),
                      ("b", "")):  # fmt: skip
        values = [token * 64, interview["id"], "lina", expires, expires if by else None, by,
                  expires - timedelta(days=14)]  # fmt: skip
        if sqlite:
            values = [v.isoformat() if isinstance(v, datetime) else v for v in values]
        await conn.execute_query(
            'INSERT INTO "invitation" ("token_hash", "interview_id", "created_by", "expires_at",'
            f' "redeemed_at", "redeemed_by", "created_at") VALUES ({marks})',
            values,
        )
    await Tortoise.close_connections()

    await migrate(config=config, target=f"recruiting.{RENAMED}")

    await Tortoise.init(config=config)
    try:
        tables, indexes = await _tables_and_indexes(sqlite)
        assert "recording_link" in tables and "invitation" not in tables
        named = {i for i in indexes if i.startswith("idx_")}
        assert not {i for i in named if "invitati" in i}, named
        assert {i for i in named if i.startswith("idx_recording_")}, named
        used, unused = await RecordingLink.all().order_by("id")
        assert (used.token_hash, used.created_by, used.expires_at) == ("a" * 64, "lina", expires)
        assert (used.redeemed_by, used.redeemed_at) == (OPENID, expires)
        assert (unused.redeemed_by, unused.redeemed_at) == ("", None)
        assert await RecordingLink.get(redeemed_by=OPENID) == used  # found by value
        # values only: the placeholder interview row holds values its enums would refuse
        linked = Interview.filter(recording_links__redeemed_by=OPENID).values_list("id", flat=True)
        assert await linked == [interview["id"]]
        later = await RecordingLink.create(token_hash="c" * 64, interview_id=interview["id"],
                                           created_by="lina", expires_at=expires)  # fmt: skip
        assert later.id > unused.id
    finally:
        await Tortoise.close_connections()

    await migrate(config=config, target=f"recruiting.{BEFORE}")  # back: the old table again

    await Tortoise.init(config=config)
    try:
        tables, _ = await _tables_and_indexes(sqlite)
        assert "invitation" in tables and "recording_link" not in tables
        rows = (await connections.get("default").execute_query(
            'SELECT "redeemed_by" FROM "invitation" ORDER BY "id"'))[1]  # fmt: skip
        sealed = [str(r["redeemed_by"]) for r in rows]
        assert TEST_CIPHER.decrypt(sealed[0], "invitation.redeemed_by") == OPENID
        assert sealed[1:] == ["", ""]
    finally:
        await Tortoise.close_connections()
