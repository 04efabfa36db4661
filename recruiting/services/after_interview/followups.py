"""What the after-interview jobs (surveys, candidate summaries) share: which completed
interviews are theirs to look at.

An interview counts from ``Interview.completed_at`` (set by the finish transition). Only
completions within ``lookback_days`` are looked at, so turning a feature on does not send
surveys or drafts about last year's interviews.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from recruiting.domain.interview_state import InterviewStatus
from recruiting.models import Interview


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
