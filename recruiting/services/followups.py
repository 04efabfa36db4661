"""What the after-interview jobs (surveys, candidate summaries) share: which completed
interviews are theirs to look at, and effects written in the caller's transaction.

An interview counts from ``Interview.completed_at`` (set by the finish transition). Only
completions within ``lookback_days`` are looked at, so turning a feature on does not send
surveys or drafts about last year's interviews.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from recruiting.domain.interview_state import InterviewStatus
from recruiting.models import Interview
from recruiting.ports.outbound import OutboundDraft
from recruiting.ports.queue import OUTBOX_TOPIC, TaskQueue
from recruiting.services.outbox import record_effects


async def completed_between(start: datetime, end: datetime, limit: int = 500) -> list[Interview]:
    """Completed interviews with ``start <= completed_at <= end``, oldest first, with their
    candidate, round and job loaded."""
    return (
        await Interview.filter(
            status=InterviewStatus.COMPLETED, completed_at__gte=start, completed_at__lte=end
        )
        .order_by("completed_at", "id")
        .limit(limit)
        .prefetch_related("application__candidate", "round__job")
    )


def window(now: datetime, lookback_days: int, delay: timedelta) -> tuple[datetime, datetime]:
    return now - timedelta(days=lookback_days), now - delay


class Outbox:
    """Store drafts under ``<cause>:<key>`` (call inside the transaction of the change),
    then queue the new rows after it commits."""

    def __init__(self, queue: TaskQueue | None) -> None:
        self._queue = queue

    async def write(self, drafts: Sequence[OutboundDraft], cause: str) -> list[int]:
        return await record_effects(drafts, cause=cause)

    async def queue(self, ids: Sequence[int]) -> None:
        if self._queue is not None and ids:
            await self._queue.put_many(OUTBOX_TOPIC, [str(i) for i in ids])
