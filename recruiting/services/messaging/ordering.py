"""Per-conversation order for inbox and outbox rows.

Rows for the same conversation (the sender of a callback, the recipient of a message) are
handled strictly in id order: a row waits while an earlier one of its conversation is
unfinished (enforced in the claim, ``recruiting.infra.claims``), and finishing a row hands
the next one to the queue. Different conversations
still run in parallel. Without this, two quick messages could be answered out of order.
"""

from __future__ import annotations

from typing import Any, cast

from tortoise.models import Model

from recruiting.models import ProcessingStatus

UNFINISHED = (ProcessingStatus.PENDING, ProcessingStatus.PROCESSING)
# System senders (approval events come from "sys", 微信客服 events from nobody) need no order.
UNORDERED_SENDERS = frozenset({"", "sys"})


async def next_unfinished(model: type[Model], row_id: int, **conversation: Any) -> int | None:
    ids = (
        await model.filter(id__gt=row_id, status__in=UNFINISHED, **conversation)
        .order_by("id")
        .limit(1)
        .values_list("id", flat=True)
    )
    return int(cast(int, ids[0])) if ids else None
