"""Background consumers: process inbox rows and deliver outbox rows, in any process.

The queue only carries ids, for speed; the tables are the truth. A periodic sweep re-queues
anything a lost queue message or a dead worker left behind, so a restart resumes the work.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path

from recruiting.errors import RecruitingError
from recruiting.infra.scratch import wipe_stale
from recruiting.ports.queue import ANALYSIS_TOPIC, INBOX_TOPIC, OUTBOX_TOPIC, TaskQueue
from recruiting.services.messaging.callbacks import CallbackProcessor
from recruiting.services.messaging.inbox import CallbackInbox
from recruiting.services.messaging.outbox import OutboxRelay
from recruiting.services.recorded.analysis import AnswerAnalysisRunner

log = logging.getLogger(__name__)

RowHandler = Callable[[int], Awaitable[bool]]


class Worker:
    def __init__(
        self,
        queue: TaskQueue,
        inbox: CallbackInbox,
        processor: CallbackProcessor,
        relay: OutboxRelay,
        analysis: AnswerAnalysisRunner | None = None,
        *,
        sweep_interval: float = 5.0,
        concurrency: int = 16,
        analysis_concurrency: int = 1,
        scratch_root: Path | None = None,
    ) -> None:
        self._scratch_root = scratch_root
        self._analysis = analysis
        self._analysis_slots = asyncio.Semaphore(analysis_concurrency)
        self._queue = queue
        self._inbox = inbox
        self._processor = processor
        self._relay = relay
        self._sweep_interval = sweep_interval
        self._slots = asyncio.Semaphore(concurrency)
        self._running: set[asyncio.Task[None]] = set()
        self._stop = asyncio.Event()

    async def run(self) -> None:
        """Consume until ``stop()``; sweeps once at start to recover unfinished work."""
        await self.sweep()
        loops = [
            self._consume(INBOX_TOPIC, self._processor.process),
            self._consume(OUTBOX_TOPIC, self._relay.deliver),
            self._sweeper(),
        ]
        if self._analysis is not None:
            loops.append(self._consume(ANALYSIS_TOPIC, self._analysis.process,
                                       self._analysis_slots))  # fmt: skip
        await asyncio.gather(*loops)

    def stop(self) -> None:
        self._stop.set()

    async def drain(self, timeout: float = 10.0) -> None:
        """Wait for the deliveries in flight (used at shutdown and in tests)."""
        if self._running:
            await asyncio.wait(self._running, timeout=timeout)

    async def sweep(self, grace: float = 0.0) -> int:
        """Queue again what waits longer than ``grace`` seconds (all of it at start-up), and
        wipe the scratch copies of processes that died meanwhile (decrypted recordings)."""
        if self._scratch_root is not None:
            await asyncio.to_thread(wipe_stale, self._scratch_root)
        inbox_ids = [str(i) for i in await self._inbox.due_ids(grace)]
        outbox_ids = [str(i) for i in await self._relay.due_ids(grace)]
        await self._queue.put_many(INBOX_TOPIC, inbox_ids)
        await self._queue.put_many(OUTBOX_TOPIC, outbox_ids)
        answer_ids: list[str] = []
        if self._analysis is not None:
            answer_ids = [str(i) for i in await self._analysis.due_ids(grace)]
            await self._queue.put_many(ANALYSIS_TOPIC, answer_ids)
        return len(inbox_ids) + len(outbox_ids) + len(answer_ids)

    async def _sweeper(self) -> None:
        while not self._stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), self._sweep_interval)
            if not self._stop.is_set():
                await self._guarded(lambda: self.sweep(self._sweep_interval), "sweep")

    async def _consume(
        self, topic: str, handle: RowHandler, slots: asyncio.Semaphore | None = None
    ) -> None:
        slots = slots or self._slots
        while not self._stop.is_set():
            try:
                message = await self._queue.get(topic, timeout=0.5)
            except RecruitingError as exc:
                log.warning("queue %s unavailable: %s", topic, exc.message)
                await asyncio.sleep(1.0)
                continue
            if message is None or not message.isdigit():
                continue
            await slots.acquire()
            task = asyncio.create_task(self._run_one(handle, int(message), topic, slots))
            self._running.add(task)
            task.add_done_callback(self._running.discard)

    async def _run_one(
        self, handle: RowHandler, row: int, topic: str, slots: asyncio.Semaphore
    ) -> None:
        try:
            await self._guarded(lambda: handle(row), f"{topic} {row}")
        finally:
            slots.release()

    async def _guarded(self, step: Callable[[], Awaitable[object]], what: str) -> None:
        try:
            await step()
        except Exception:
            log.exception("%s failed; it will be retried by the next sweep", what)
