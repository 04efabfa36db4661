"""One scheduler instance in a process of its own, for the two-instance tests.

    python -m tests.integration.reminder_instance DATABASE_URL REDIS_URL NOW MODE TICKS

Prints ``ready``, waits for a line on stdin (so two instances start ticking together), then
ticks ``TICKS`` times at ``NOW``, prints a JSON line ``{"written": n, "led": bool}`` and
waits for another line before it stops (and gives up its lease).
MODE ``lock``: ticks through a ``Scheduler`` with the Redis leader lease (only the leader
writes); ``nolock``: calls the reminder job directly, as if both instances believed they
led (only the database's unique key keeps reminders single).
"""

from __future__ import annotations

import asyncio
import json
import sys
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from recruiting.db import close_database, open_database
from recruiting.domain.reminders import QuietHours, ReminderPolicy
from recruiting.infra.sealed_fields import install_cipher
from recruiting.services.scheduling.reminders import ReminderService
from scheduler.jobs import JobRegistry
from scheduler.leader import LeaderGuard, RedisLease
from scheduler.runner import Scheduler

POLICY = ReminderPolicy(
    (timedelta(hours=24), timedelta(hours=1)), ZoneInfo("Asia/Shanghai"),
    QuietHours(time(22), time(8)),
)  # fmt: skip


async def main(db_url: str, redis_url: str, now: datetime, mode: str, ticks: int) -> None:
    from tests.conftest import TEST_CIPHER  # the key the test reads the rows back with

    install_cipher(TEST_CIPHER)  # sealed fields (names, payloads) need the process's cipher
    await open_database(db_url)
    service = ReminderService(POLICY)
    registry = JobRegistry()
    registry.add("reminders.send_due", service.send_due)
    lease = RedisLease.from_url(redis_url)
    scheduler = Scheduler(registry, LeaderGuard(lease, 30), tick=timedelta(seconds=1),
                          clock=lambda: now)  # fmt: skip
    print("ready", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    written, led = 0, False
    for _ in range(ticks):
        if mode == "lock":
            result = (await scheduler.run_once())["reminders.send_due"]
            led = led or result is not None
            written += result or 0
        else:
            written += await service.send_due(now)
    print(json.dumps({"written": written, "led": led}), flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    await scheduler.stop()
    await lease.close()
    await close_database()


if __name__ == "__main__":
    db, redis, at, how, n = sys.argv[1:6]
    asyncio.run(main(db, redis, datetime.fromisoformat(at), how, int(n)))
