"""An empty database to run the migrations on (a SQLite file, or a PostgreSQL database made
for the test and dropped after it), and rows that fill just the columns a row needs: for the
tests that upgrade a database holding rows written by an older schema."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from tortoise import Tortoise, connections
from tortoise.backends.base.executor import EXECUTOR_CACHE
from tortoise.migrations.api import migrate

from recruiting.db import close_database
from tests.conftest import POSTGRES_URL, require_service


@pytest.fixture(params=["sqlite", "postgres"])
async def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    # Tortoise caches insert SQL per connection *name*; tests switch dialects under "default".
    EXECUTOR_CACHE.clear()
    if request.param == "sqlite":
        yield f"sqlite://{tmp_path}/upgrade.sqlite3"
        return
    require_service("PostgreSQL", "127.0.0.1", 5432)
    name = f"upgrade_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(POSTGRES_URL)
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield POSTGRES_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        await close_database()
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def _required_columns(table: str, sqlite: bool) -> list[tuple[str, str]]:
    """(column, type) of the NOT NULL columns without a database default."""
    conn = connections.get("default")
    if sqlite:
        rows = (await conn.execute_query(f'PRAGMA table_info("{table}")'))[1]
        return [(r["name"], r["type"].lower()) for r in rows
                if r["notnull"] and r["dflt_value"] is None and not r["pk"]]  # fmt: skip
    sql = ("SELECT column_name, data_type FROM information_schema.columns WHERE table_name = $1"
           " AND is_nullable = 'NO' AND column_default IS NULL")  # fmt: skip
    rows = (await conn.execute_query(sql, [table]))[1]
    return [(r["column_name"], r["data_type"].lower()) for r in rows]


def _placeholder(kind: str, sqlite: bool) -> Any:
    if "int" in kind or "serial" in kind:
        return 1
    if "bool" in kind:
        return 0 if sqlite else False
    if "timestamp" in kind or "date" in kind:
        return datetime.now(UTC).isoformat() if sqlite else datetime.now(UTC)
    if "json" in kind:
        return "{}"
    if "numeric" in kind or "decimal" in kind:
        return "1" if sqlite else 1
    return "x"


async def insert_row(table: str, sqlite: bool) -> None:
    """One row with placeholder values in the NOT NULL columns that have no default."""
    columns = await _required_columns(table, sqlite)
    names = ", ".join(f'"{c}"' for c, _ in columns)
    marks = ", ".join("?" if sqlite else f"${i + 1}" for i in range(len(columns)))
    values = [_placeholder(kind, sqlite) for _, kind in columns]
    await connections.get("default").execute_query(
        f'INSERT INTO "{table}" ({names}) VALUES ({marks})', values
    )


async def an_interview_at(config: dict[str, Any], migration: str, sqlite: bool) -> None:
    """Migrate the empty database up to ``migration`` (of the recruiting app), open it, and
    insert one interview with the rows it needs: an opening, a candidate, their application
    and a round."""
    await migrate(config=config, target=f"recruiting.{migration}")
    await Tortoise.init(config=config)
    for table in ("job_opening", "candidate", "application", "interview_round", "interview"):
        await insert_row(table, sqlite)
