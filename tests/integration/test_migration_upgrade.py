"""Upgrading a database that holds data: every column a later migration adds to an existing
table must get a value for the rows already there, or the upgrade stops a deployment (and a
newcomer's week-old ``var/recruiting.sqlite3``) at start with "contains null values".

The database is migrated to the last landed migration (``BASE``), every table that a later
migration changes gets a row filled with placeholder values, then the migrations run to the
head; the rows must survive with the new columns' defaults.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

from tortoise import Tortoise, connections
from tortoise.migrations import operations as ops
from tortoise.migrations.api import migrate

import recruiting.migrations
from recruiting.db import tortoise_config
from tests.integration.empty_database import empty_url, insert_row

__all__ = ["empty_url"]  # the fixture

BASE = "0010_offer_candidate_answer"  # the newest migration that had landed on 2026-12-06


def _later_migrations() -> list[Any]:
    names = sorted(m.name for m in pkgutil.iter_modules(recruiting.migrations.__path__))
    later = [n for n in names if n > BASE]
    return [importlib.import_module(f"recruiting.migrations.{n}").Migration for n in later]


def _altered_models() -> list[str]:
    """Models that exist at BASE and gain a column later (new tables cannot hold old rows)."""
    created, altered = set(), []
    for migration in _later_migrations():
        for op in migration.operations:
            if isinstance(op, ops.CreateModel):
                created.add(op.name)
            elif isinstance(op, ops.AddField) and op.model_name not in created:
                altered.append(op.model_name)
    return list(dict.fromkeys(altered))


def _with_references(models: list[str]) -> list[str]:
    """The tables of ``models`` and of the rows they must reference (an interview needs an
    application, a candidate and a job), referenced first."""
    apps = Tortoise.apps["recruiting"]
    ordered: list[str] = []

    def visit(name: str) -> None:
        meta = apps[name]._meta
        for fk in meta.fk_fields:
            field = meta.fields_map[fk]
            target = field.related_model.__name__  # type: ignore[attr-defined]
            if not field.null and target != name:
                visit(target)
        if meta.db_table not in ordered:
            ordered.append(meta.db_table)

    for model in models:
        visit(model)
    return ordered


async def test_later_migrations_upgrade_a_database_holding_rows(empty_url: str) -> None:
    models = _altered_models()
    assert models, "no migration after BASE alters an existing table: move BASE forward"
    sqlite = empty_url.startswith("sqlite")
    config = tortoise_config(empty_url)
    await migrate(config=config, target=f"recruiting.{BASE}")
    await Tortoise.init(config=config)
    tables = [Tortoise.apps["recruiting"][m]._meta.db_table for m in models]
    pending = _with_references(models)
    for _ in range(len(tables)):  # referenced tables first: retry what an FK refused
        failed = []
        for table in pending:
            try:
                await insert_row(table, sqlite)
            except Exception:  # an FK to a table not yet filled: next pass
                failed.append(table)
        pending = failed
    assert not pending, f"could not seed {pending}"
    await Tortoise.close_connections()

    await migrate(config=config)  # the upgrade itself: must not fail on the old rows

    await Tortoise.init(config=config)
    try:
        for table in tables:
            rows = (await connections.get("default").execute_query(f'SELECT * FROM "{table}"'))[1]
            assert len(rows) == 1, table  # the old row is still there, new columns filled
    finally:
        await Tortoise.close_connections()
