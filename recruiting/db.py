"""Database wiring: the Tortoise config for a URL, start/stop, and schema migrations.

The schema is changed only by migrations in ``recruiting/migrations`` (Tortoise's own
dialect-neutral migration engine), so an upgrade never needs a wipe, on SQLite or PostgreSQL.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tortoise import Tortoise, connections
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.exceptions import BaseORMException
from tortoise.migrations.api import migrate

from recruiting.errors import ConfigError, ExternalServiceError
from recruiting.infra.private_files import private_dir, private_file, tighten

APP = "recruiting"


def tortoise_config(database_url: str) -> dict[str, Any]:
    """Times are stored in UTC. Tortoise converts values it writes to its zone but passes
    filter values through as they are, and SQLite compares times as text: with any other
    zone, ``lease_until < now`` compares "08:00+08:00" with "00:00+00:00" and is wrong.
    So the database zone is UTC, queries use ``recruiting.clock.now()`` (UTC), and the
    tenant's zone (settings.timezone) is applied only when showing a time to a person."""
    url = database_url
    for scheme in ("postgresql://", "postgres://"):
        if url.startswith(scheme):
            url = "asyncpg://" + url.removeprefix(scheme)
    if url.startswith("sqlite://") and url != "sqlite://:memory:":
        private_dir(Path(url.removeprefix("sqlite://")).parent, ours=False)
    connection: str | dict[str, Any] = url
    if url.startswith("asyncpg://"):
        connection = expand_db_url(url)
        # asyncpg's default reset sends "RESET ALL; UNLISTEN *; CLOSE ALL; …" after every
        # pooled query: a second round trip each time. We keep no session state (no SET,
        # LISTEN, cursors or advisory locks); asyncpg still rolls back a leftover transaction.
        connection["credentials"]["reset"] = _keep_session
    return {
        "connections": {"default": connection},
        "apps": {
            APP: {
                "models": ["recruiting.models"],
                "default_connection": "default",
                "migrations": "recruiting.migrations",
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


async def _keep_session(connection: object) -> None:
    """Pool reset hook that resets nothing (see ``tortoise_config``)."""


# Used by `tortoise makemigrations` during development (see README "Changing the schema").
TORTOISE_ORM = tortoise_config("sqlite://var/dev.sqlite3")


async def migrate_schema(database_url: str) -> None:
    """Apply every pending migration (idempotent)."""
    _private_sqlite(database_url)
    try:
        await migrate(config=tortoise_config(database_url))
    except (OSError, BaseORMException) as exc:
        raise ExternalServiceError(f"database migration failed: {exc}") from exc
    finally:
        await connections.close_all()


async def open_database(database_url: str) -> None:
    """Open the ORM for the whole process (every task: request handlers, workers, jobs)."""
    await close_database()  # at most one process-wide context at a time
    _private_sqlite(database_url)
    try:
        await Tortoise.init(config=tortoise_config(database_url), _enable_global_fallback=True)
    except (OSError, BaseORMException) as exc:
        raise ConfigError(f"database_url (DATABASE_URL) cannot be opened: {exc}") from exc


def _private_sqlite(database_url: str) -> None:
    """The SQLite file is made 0600 before SQLite opens it: its -wal and -shm files take
    the database file's mode. Files an older version left readable are tightened."""
    if not database_url.startswith("sqlite://") or database_url == "sqlite://:memory:":
        return
    path = Path(database_url.removeprefix("sqlite://"))
    try:
        private_file(path)
        for suffix in ("-wal", "-shm", "-journal"):
            tighten(path.with_name(path.name + suffix))
    except OSError as exc:
        raise ConfigError(f"database_url (DATABASE_URL) cannot be created: {exc}") from exc


async def close_database() -> None:
    if Tortoise._get_context() is not None:
        await Tortoise.close_connections()
