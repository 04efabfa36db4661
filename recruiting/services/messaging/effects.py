"""One unit of work for outward effects: the outbox rows a change causes are written in the
change's own transaction and handed to the relay only after it commits.

    async with self._effects.unit() as unit:
        ...  # change state
        await unit.add(drafts, cause=f"offer:{offer.id}:submit")

A change is thus never committed without its messages nor the reverse, and the relay never
sees a row that may still roll back. A row's idempotency key is ``<cause>:<draft.key>``:
running the same cause twice (a redelivered callback, a second scheduler) stores each effect
once, and only rows new in this unit are queued.

A unit opened while another is open in the same task joins it (a savepoint in the same
transaction, queued when the outermost one commits), so use cases compose: booking and
inviting in ``book_and_invite`` commit as one or not at all.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from contextvars import ContextVar

from tortoise.transactions import in_transaction

from recruiting.models import OutboxMessage
from recruiting.ports.outbound import OutboundDraft
from recruiting.ports.queue import OUTBOX_TOPIC, TaskQueue

KEY_CHARS = 160  # outbox_message.idempotency_key


class Unit:
    """The effects of one open transaction; ``created`` are the ids of rows new in it."""

    def __init__(self) -> None:
        self.created: list[int] = []

    async def add(self, drafts: Sequence[OutboundDraft], *, cause: str) -> list[int]:
        """Store each draft once under ``<cause>:<draft.key>``; the ids of the new rows."""
        new: list[int] = []
        for draft in drafts:
            row, is_new = await OutboxMessage.get_or_create(
                idempotency_key=f"{cause}:{draft.key}"[:KEY_CHARS],
                defaults={
                    "channel": draft.channel,
                    "recipient": draft.recipient,
                    "payload": draft.payload,
                },
            )
            if is_new:
                new.append(int(row.id))
        self.created += new
        return new


_open: ContextVar[Unit | None] = ContextVar("effects_unit", default=None)


class Effects:
    """Opens units of work; the relay learns of their rows through ``queue`` (None: the
    relay's sweep finds them, as in tests and one-off commands)."""

    def __init__(self, queue: TaskQueue | None) -> None:
        self._queue = queue

    @asynccontextmanager
    async def unit(self) -> AsyncIterator[Unit]:
        outer = _open.get()
        unit = Unit()
        token = _open.set(unit)
        try:
            async with in_transaction():
                yield unit
        finally:
            _open.reset(token)
        if outer is not None:
            outer.created += unit.created  # the outer unit commits and queues them
        elif self._queue is not None and unit.created:
            await self._queue.put_many(OUTBOX_TOPIC, [str(i) for i in unit.created])
