"""The outbox relay: deliver each stored effect through its channel, retrying safely.

A row is claimed with a lease, sent, then marked sent. If the process dies between the send
and the mark, the row is sent again after the lease with ``attempt > 1`` so the sender can
ask the channel to suppress the duplicate (WeCom's ``enable_duplicate_check``).
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import cast

from tortoise.expressions import Q
from tortoise.functions import Min

from recruiting import clock
from recruiting.errors import ExternalServiceError, InvalidInput, RetryLater
from recruiting.infra.claims import claim_row
from recruiting.models import OutboxMessage, ProcessingStatus
from recruiting.ports.outbound import OutboundMessage, OutboundSender
from recruiting.ports.queue import OUTBOX_TOPIC, TaskQueue
from recruiting.services.ordering import next_unfinished

log = logging.getLogger(__name__)


class OutboxRelay:
    def __init__(
        self,
        senders: dict[str, OutboundSender],
        *,
        lease_seconds: int,
        max_attempts: int,
        queue: TaskQueue | None = None,
    ) -> None:
        self._senders = senders
        self._queue = queue
        self._lease = timedelta(seconds=lease_seconds)
        self._max_attempts = max_attempts

    async def claim(self, outbox_id: int) -> OutboxMessage | None:
        """Take the row if due and unleased, and no earlier message to the same recipient
        is still unsent (that one hands this one on when it is done)."""
        now = clock.now()
        taken = await claim_row(
            "outbox_message",
            outbox_id,
            now=now,
            lease_until=now + self._lease,
            conversation=("recipient", "channel"),
            due_column="next_attempt_at",
        )
        return await OutboxMessage.get(id=outbox_id) if taken else None

    async def deliver(self, outbox_id: int) -> bool:
        """Send one row if it is due and unclaimed; True when it was sent now."""
        row = await self.claim(outbox_id)
        if row is None:
            return False
        sender = self._senders.get(row.channel)
        if sender is None:
            await self._give_up(row, f"no sender for channel {row.channel!r}")
            return False
        message = OutboundMessage(
            id=row.id,
            channel=row.channel,
            recipient=row.recipient,
            payload=dict(row.payload),
            attempt=row.attempts,
            idempotency_key=row.idempotency_key,
        )
        try:
            result = await sender.deliver(message)
        except RetryLater as exc:
            await self._retry(row, str(exc), delay=exc.retry_after)
            return False
        except InvalidInput as exc:
            await self._give_up(row, str(exc))
            return False
        except ExternalServiceError as exc:
            await self._retry(row, str(exc), delay=min(2.0**row.attempts, 600.0))
            return False
        await OutboxMessage.filter(id=row.id).update(
            status=ProcessingStatus.DONE, sent_at=clock.now(), result=result, lease_until=None
        )
        await self._hand_on(row)
        return True

    async def _hand_on(self, row: OutboxMessage) -> None:
        successor = await next_unfinished(
            OutboxMessage, row.id, channel=row.channel, recipient=row.recipient
        )
        if successor is not None and self._queue is not None:
            await self._queue.put(OUTBOX_TOPIC, str(successor))

    async def _retry(self, row: OutboxMessage, error: str, *, delay: float) -> None:
        if row.attempts >= self._max_attempts:
            await self._give_up(row, error)
            return
        await OutboxMessage.filter(id=row.id).update(
            status=ProcessingStatus.PENDING,
            next_attempt_at=clock.now() + timedelta(seconds=delay),
            lease_until=None,
            error=error[:512],
        )

    async def _give_up(self, row: OutboxMessage, error: str) -> None:
        log.error("outbox %s (%s) failed for good: %s", row.id, row.channel, error)
        await OutboxMessage.filter(id=row.id).update(
            status=ProcessingStatus.FAILED, lease_until=None, error=error[:512]
        )
        await self._hand_on(row)

    async def due_ids(self, grace: float = 0.0, limit: int = 500) -> list[int]:
        """Due rows that waited longer than ``grace`` seconds, or whose worker died; only the
        first of each recipient (the others follow it through the hand-on)."""
        now = clock.now()
        waited = now - timedelta(seconds=grace)
        due = Q(status=ProcessingStatus.PENDING) & (
            Q(next_attempt_at__isnull=True, created_at__lt=waited) | Q(next_attempt_at__lte=now)
        )
        abandoned = Q(status=ProcessingStatus.PROCESSING, lease_until__lt=now)
        heads = (
            await OutboxMessage.filter(due | abandoned)
            .annotate(head=Min("id"))
            .group_by("recipient", "channel")
            .limit(limit)
            .values_list("head", flat=True)
        )
        return sorted(int(i) for i in cast(list[int], heads))
