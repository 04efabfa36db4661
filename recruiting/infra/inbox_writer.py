"""Group commit for received callbacks: the ones that arrive together share one INSERT.

Each caller still waits for its own row to be committed before WeCom gets its 200, so no
acknowledged callback can be lost; under load, one statement (and one round trip) serves a
whole batch instead of one per callback. At low load a batch holds one row, at no extra wait.
Two batches may be in flight at once: while one waits for its commit (an fsync), the next
is screened and sent, so the process is not idle between commits. Batches are independent:
the database's unique key settles a key that appears in both.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise import connections
from tortoise.exceptions import BaseORMException
from tortoise.timezone import get_default_timezone

from recruiting import clock
from recruiting.errors import ExternalServiceError

log = logging.getLogger(__name__)

_COLUMNS = (
    "source", "dedup_key", "kind", "from_user", "payload_enc", "status", "attempts",
    "received_at", "error",
)  # fmt: skip


@dataclass(frozen=True)
class NewInboxRow:
    source: str
    dedup_key: str
    kind: str
    from_user: str
    payload_enc: str


StoredHook = Callable[[list[tuple[NewInboxRow, int | None]]], Awaitable[None]]
ScreenHook = Callable[[list[NewInboxRow]], Awaitable[list[bool]]]


class InboxWriter:
    def __init__(
        self, screen: ScreenHook, on_stored: StoredHook, max_batch: int = 128, in_flight: int = 2
    ) -> None:
        """Per batch: ``screen`` says which rows are known duplicates (they skip the
        database), then the rest are inserted, then ``on_stored`` gets them with their new
        id (None: the database already had the key)."""
        self._screen = screen
        self._on_stored = on_stored
        self._max_batch = max_batch
        self._waiting: list[tuple[NewInboxRow, asyncio.Future[int | None]]] = []
        self._in_flight = in_flight
        self._flushers = 0
        self._background: set[asyncio.Task[None]] = set()

    async def insert(self, row: NewInboxRow) -> int | None:
        """The new row's id, or None when a row with its (source, dedup_key) exists."""
        future: asyncio.Future[int | None] = asyncio.get_running_loop().create_future()
        self._waiting.append((row, future))
        if self._flushers < self._in_flight:
            self._flushers += 1
            self._track(asyncio.get_running_loop().create_task(self._flush()))
        return await future

    async def _flush(self) -> None:
        try:
            while self._waiting:
                batch = self._waiting[: self._max_batch]
                del self._waiting[: len(batch)]
                await self._write(batch)
        finally:
            self._flushers -= 1

    async def _write(self, batch: list[tuple[NewInboxRow, asyncio.Future[int | None]]]) -> None:
        try:
            known = await self._screen([row for row, _ in batch])
            for (_, future), duplicate in zip(batch, known, strict=True):
                if duplicate:
                    future.set_result(None)
            batch = [item for item, duplicate in zip(batch, known, strict=True) if not duplicate]
            inserted = await _insert_ignoring_duplicates([row for row, _ in batch]) if batch else {}
        except (BaseORMException, OSError, ExternalServiceError) as exc:
            error = ExternalServiceError(f"inbox insert failed: {exc}")
            for _, future in batch:
                if not future.done():
                    future.set_exception(error)
            return
        results = [(row, inserted.pop(row.dedup_key, None)) for row, _ in batch]
        for (_, future), (_, inbox_id) in zip(batch, results, strict=True):
            # A key twice in one batch: the first caller gets the id, the second a duplicate.
            if not future.done():
                future.set_result(inbox_id)
        # Committed rows are safe: marking and queueing them need not delay the 200.
        self._track(asyncio.get_running_loop().create_task(self._after_store(results)))

    def _track(self, task: asyncio.Task[None]) -> None:
        """The loop keeps only weak references to tasks: hold them until they finish."""
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _after_store(self, results: list[tuple[NewInboxRow, int | None]]) -> None:
        try:
            await self._on_stored(results)
        except ExternalServiceError as exc:  # stored, not queued: the sweep will find them
            log.warning("inbox rows stored but not queued: %s", exc.message)

    async def drain(self) -> None:
        """Wait for the writes, marking and queueing still running (shutdown, tests)."""
        while self._background:
            await asyncio.gather(*self._background, return_exceptions=True)


async def _insert_ignoring_duplicates(rows: list[NewInboxRow]) -> dict[str, int]:
    conn = connections.get("default")
    postgres = conn.capabilities.dialect == "postgres"
    received = db_time(clock.now(), postgres)
    params: list[Any] = []
    groups = []
    for row in rows:
        start = len(params)
        params += [row.source, row.dedup_key, row.kind, row.from_user, row.payload_enc,
                   "pending", 0, received, ""]  # fmt: skip
        marks = [f"${start + i + 1}" if postgres else "?" for i in range(len(_COLUMNS))]
        groups.append("(" + ",".join(marks) + ")")
    columns = ",".join(f'"{c}"' for c in _COLUMNS)
    sql = (
        f'INSERT INTO "inbox_event" ({columns}) VALUES {",".join(groups)} '  # noqa: S608 - only placeholders are interpolated
        'ON CONFLICT ("source","dedup_key") DO NOTHING RETURNING "id","dedup_key"'
    )
    result = await conn.execute_query_dict(sql, params)
    return {str(r["dedup_key"]): int(r["id"]) for r in result}


def db_time(moment: datetime, postgres: bool) -> Any:
    """PostgreSQL takes aware datetimes; Tortoise stores SQLite times as text in its zone."""
    return moment if postgres else str(moment.astimezone(get_default_timezone()))
