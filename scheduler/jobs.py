"""The job registry: what runs periodically and how often.

A job is ``async def job(now: datetime) -> int``: it does everything that is due at ``now``
(an aware UTC datetime from the scheduler's clock) and returns how many things it did (for
the log). It must derive what is due from the database, not from memory, and be safe to run
twice for the same ``now`` or concurrently with itself in another process (unique keys,
outbox idempotency keys): the leader lock makes a second run rare, not impossible.

    registry.add("surveys.send_due", surveys.send_due, every=timedelta(minutes=1))
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

Job = Callable[[datetime], Awaitable[int]]


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    run: Job
    every: timedelta | None  # None: the scheduler's tick


class JobRegistry:
    def __init__(self) -> None:
        self._jobs: dict[str, PeriodicJob] = {}

    def add(self, name: str, job: Job, *, every: timedelta | None = None) -> None:
        """Register ``job`` under a unique ``name``, run every ``every`` (default: a tick)."""
        if name in self._jobs:
            raise ValueError(f"a job named {name!r} is already registered")
        if every is not None and every <= timedelta(0):
            raise ValueError(f"job {name!r} needs a positive interval")
        self._jobs[name] = PeriodicJob(name, job, every)

    def __iter__(self) -> Iterator[PeriodicJob]:
        return iter(list(self._jobs.values()))

    def __len__(self) -> int:
        return len(self._jobs)

    def names(self) -> list[str]:
        return list(self._jobs)
