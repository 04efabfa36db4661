"""A work queue of small messages (ids of durable rows, never the work itself).

Losing a queue message never loses work: the rows it points at are swept on start.
"""

from __future__ import annotations

from typing import Protocol

INBOX_TOPIC = "inbox"  # ids of inbox rows to process
OUTBOX_TOPIC = "outbox"  # ids of outbox rows to deliver
ANALYSIS_TOPIC = "analysis"  # ids of answers to analyse


class TaskQueue(Protocol):
    async def put(self, topic: str, message: str) -> None: ...

    async def put_many(self, topic: str, messages: list[str]) -> None:
        """Queue several messages in one round trip, in order."""

    async def get(self, topic: str, timeout: float) -> str | None:
        """Wait up to ``timeout`` seconds for the next message of ``topic``."""

    async def close(self) -> None: ...
