"""The scheduler: APScheduler 3's ``AsyncIOScheduler`` ticking the registered jobs.

APScheduler only holds the timers (in memory, rebuilt on every start); what is due is always
read from the database by the jobs themselves. Every process may run a ``Scheduler``; the
``LeaderGuard`` lets only the leader's ticks do anything, and a follower takes over when the
leader's lease expires.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from recruiting import clock
from scheduler.jobs import JobRegistry, PeriodicJob
from scheduler.leader import LeaderGuard

log = logging.getLogger(__name__)


class Scheduler:
    """``clock`` is read at every tick and handed to the jobs; tests may replace it (the
    attribute) to move time forward; nothing outside the process can."""

    def __init__(
        self,
        registry: JobRegistry,
        guard: LeaderGuard,
        *,
        tick: timedelta,
        clock: Callable[[], datetime] = clock.now,
    ) -> None:
        self.registry = registry
        self.guard = guard
        self.tick = tick
        self.clock = clock
        self._aps: AsyncIOScheduler | None = None

    @property
    def running(self) -> bool:
        return self._aps is not None

    async def start(self) -> None:
        """Take part in the leader election and start ticking (in the running loop)."""
        if self._aps is not None:
            return
        await self.guard.refresh()
        aps = AsyncIOScheduler(timezone="UTC")
        renew = max(self.guard.ttl / 3, 0.5)
        aps.add_job(self.guard.refresh, "interval", seconds=renew, id="leader",
                    max_instances=1, coalesce=True)  # fmt: skip
        for job in self.registry:
            every = (job.every or self.tick).total_seconds()
            aps.add_job(self.run_job, "interval", args=[job], seconds=every, id=job.name,
                        max_instances=1, coalesce=True, misfire_grace_time=None,
                        next_run_time=datetime.now(aps.timezone))  # fmt: skip
        aps.start()
        self._aps = aps
        log.info("scheduler started with jobs %s", ", ".join(self.registry.names()) or "-")

    async def stop(self) -> None:
        """Stop ticking and give the leadership up at once."""
        if self._aps is not None:
            self._aps.shutdown(wait=False)
            self._aps = None
        await self.guard.resign()

    async def run_job(self, job: PeriodicJob) -> int | None:
        """One tick of one job, on the leader only; None when not leading. A failing job is
        logged and runs again at its next tick (it keeps no state between ticks)."""
        if not self.guard.is_leader:
            return None
        now = self.clock()
        try:
            done = await job.run(now)
        except Exception:
            log.exception("scheduled job %s failed at %s", job.name, now.isoformat())
            return 0
        if done:
            log.info("scheduled job %s: %s done", job.name, done)
        return done

    async def run_once(self) -> dict[str, int | None]:
        """Tick every job now (the leader election included): for the CLI and tests."""
        await self.guard.refresh()
        return {job.name: await self.run_job(job) for job in self.registry}
