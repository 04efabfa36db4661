"""The durable inbox of received callbacks: accept once, claim with a lease, finish atomically.

``accept`` runs inside the callback request and must be fast: a key-value check, one insert,
one queue message. Everything else happens after the 200, in ``claim``/``complete``.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import timedelta
from typing import cast

from tortoise.expressions import Q
from tortoise.functions import Min

from recruiting import clock
from recruiting.domain.inbound import Inbound
from recruiting.infra.claims import claim_row
from recruiting.infra.inbox_writer import InboxWriter, NewInboxRow
from recruiting.infra.pii import FieldCipher
from recruiting.models import InboxEvent, ProcessingStatus
from recruiting.ports.kv import KeyValueStore
from recruiting.ports.outbound import OutboundDraft
from recruiting.ports.queue import INBOX_TOPIC, TaskQueue
from recruiting.services.messaging.effects import Effects
from recruiting.services.messaging.ordering import UNORDERED_SENDERS, next_unfinished

PAYLOAD_CONTEXT = "inbox.payload"  # the sealed payload's context (the eraser reads it too)


def _fast_key(row: NewInboxRow) -> str:
    return f"dedup:{row.source}:{row.dedup_key}"


@dataclass(frozen=True)
class Accepted:
    inbox_id: int | None
    duplicate: bool


class CallbackInbox:
    def __init__(
        self,
        kv: KeyValueStore,
        queue: TaskQueue,
        cipher: FieldCipher,
        *,
        dedup_ttl: int,
        lease_seconds: int,
        max_attempts: int,
    ) -> None:
        self._kv = kv
        self._queue = queue
        self._effects = Effects(queue)
        self._cipher = cipher
        self._dedup_ttl = dedup_ttl
        self._lease = timedelta(seconds=lease_seconds)
        self.max_attempts = max_attempts
        self._writer = InboxWriter(self._screen, self._stored)

    async def accept(self, event: Inbound, plaintext: bytes, source: str = "wecom") -> Accepted:
        """Store a verified callback once, then queue it; returns when it is committed.

        The database's unique key is the truth. The key-value store answers the common
        duplicate without the database: "p" while a first delivery is being stored, "s" once
        stored. A key left at "p" (the storing process died) sends retries to the database,
        which decides, so a crash between the two steps never loses the callback. Both
        steps run per batch of concurrent callbacks (``InboxWriter``), one round trip each.
        """
        inbox_id = await self._writer.insert(
            NewInboxRow(
                source=source,
                dedup_key=event.dedup_key,
                kind=event.kind,
                from_user=event.from_user[:64],
                payload_enc=self._cipher.encrypt(plaintext.decode("utf-8"), PAYLOAD_CONTEXT),
            )
        )
        return Accepted(inbox_id, duplicate=inbox_id is None)

    async def drain(self) -> None:
        """Finish the marking/queueing of stored callbacks (before shutting down)."""
        await self._writer.drain()

    async def _screen(self, rows: list[NewInboxRow]) -> list[bool]:
        """True for rows whose key says "already stored"; claims the others with "p"."""
        keys = [_fast_key(row) for row in rows]
        previous = await self._kv.claim_many(keys, "p", ttl=self._dedup_ttl)
        return [value == "s" for value in previous]

    async def _stored(self, rows: list[tuple[NewInboxRow, int | None]]) -> None:
        """Per batch: mark the keys stored and queue the new rows, two round trips at once."""
        if not rows:
            return
        keys = [_fast_key(row) for row, _ in rows]
        await asyncio.gather(
            self._kv.set_many(keys, "s", ttl=self._dedup_ttl),
            self._queue.put_many(INBOX_TOPIC, [str(i) for _, i in rows if i is not None]),
        )

    def plaintext(self, row: InboxEvent) -> bytes:
        return self._cipher.decrypt(row.payload_enc, PAYLOAD_CONTEXT).encode("utf-8")

    async def claim(self, inbox_id: int) -> InboxEvent | None:
        """Take the row unless another worker holds a live lease on it, or an earlier row
        from the same sender is still unfinished (that one hands this one on when done)."""
        now = clock.now()
        taken = await claim_row(
            "inbox_event",
            inbox_id,
            now=now,
            lease_until=now + self._lease,
            conversation=("from_user",),
            unordered=tuple(sorted(UNORDERED_SENDERS)),
        )
        return await InboxEvent.get(id=inbox_id) if taken else None

    async def _hand_on(self, row: InboxEvent) -> None:
        if row.from_user in UNORDERED_SENDERS:
            return
        successor = await next_unfinished(InboxEvent, row.id, from_user=row.from_user)
        if successor is not None:
            await self._queue.put(INBOX_TOPIC, str(successor))

    async def complete(self, row: InboxEvent, drafts: list[OutboundDraft]) -> list[int]:
        """Record the effects and mark the row done in one transaction (all or nothing)."""
        async with self._effects.unit() as unit:
            await unit.add(drafts, cause=f"inbox:{row.id}")
            await InboxEvent.filter(id=row.id).update(
                status=ProcessingStatus.DONE, processed_at=clock.now(), lease_until=None, error=""
            )
        await self._hand_on(row)
        return unit.created

    async def fail(self, row: InboxEvent, error: str) -> None:
        """Give the row back for a later retry, or park it as failed after max attempts."""
        final = row.attempts >= self.max_attempts
        backoff = timedelta(seconds=min(2**row.attempts, 300))
        await InboxEvent.filter(id=row.id).update(
            status=ProcessingStatus.FAILED if final else ProcessingStatus.PROCESSING,
            lease_until=None if final else clock.now() + backoff,
            error=error[:512],
        )
        if final:
            await self._hand_on(row)

    async def due_ids(self, grace: float = 0.0, limit: int = 500) -> list[int]:
        """Rows to (re)queue: waiting longer than ``grace`` seconds (their queue message may
        be lost), or abandoned by a dead worker. Of an ordered sender only the first row:
        the rest follow it through the hand-on, so sweeping them would only waste claims."""
        now = clock.now()
        stale = Q(status=ProcessingStatus.PENDING, received_at__lt=now - timedelta(seconds=grace))
        stale |= Q(status=ProcessingStatus.PROCESSING, lease_until__lt=now)
        heads = (
            await InboxEvent.filter(stale)
            .exclude(from_user__in=UNORDERED_SENDERS)
            .annotate(head=Min("id"))
            .group_by("from_user")
            .limit(limit)
            .values_list("head", flat=True)
        )
        unordered = (
            await InboxEvent.filter(stale, from_user__in=UNORDERED_SENDERS)
            .order_by("id")
            .limit(limit)
            .values_list("id", flat=True)
        )
        return sorted(int(i) for i in cast(list[int], [*heads, *unordered]))
