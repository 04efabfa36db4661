"""Outward effects: a message to a person through some channel (WeCom app message, …).

Use cases produce ``OutboundDraft``s; the outbox stores them and a relay hands each to the
sender registered for its channel. Payloads are channel-neutral (``{"kind": "text", ...}``);
the adapter turns them into the outside system's shape.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True)
class OutboundDraft:
    channel: str
    recipient: str
    payload: dict[str, Any]
    key: str = "reply"  # unique among the drafts of one cause (inbox row, job run, …)


@dataclass(frozen=True)
class OutboundMessage:
    id: int
    channel: str
    recipient: str
    payload: dict[str, Any]
    attempt: int
    idempotency_key: str = field(default="")


class OutboundSender(Protocol):
    async def deliver(self, message: OutboundMessage) -> dict[str, Any]:
        """Send once; return what the outside system answered (ids to keep).

        ``message.attempt`` > 1 means an earlier attempt may have gone through: the sender
        must use the channel's own duplicate suppression where it has one."""
