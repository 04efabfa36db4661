"""The device check before the real questions: is the candidate audible, visible and lit?

The test clip is written to a scratch file, analysed and deleted at once; nothing about it
is stored (the recording consent text says so).

Analysing a clip costs seconds of CPU, so only a candidate holding a redeemed recording link to
an open recorded interview, with the recording consent, may run one; one at a time per
candidate, ``concurrency`` at a time per process (the next gets 503 + Retry-After before its
clip is read), on threads of its own so uploads never wait behind it.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from recruiting.clock import now
from recruiting.domain.consent import ConsentRequired
from recruiting.domain.interview_state import InterviewStatus
from recruiting.errors import Forbidden, PayloadTooLarge, RetryLater, TooManyRequests
from recruiting.models import ConsentPurpose, RecordingLink, SubjectKind
from recruiting.ports.analysis import DeviceCheck, MediaAnalysis
from recruiting.services.recorded.consents import consent_state
from recruiting.services.shared.sessions import Principal

_OPEN = (InterviewStatus.INVITED, InterviewStatus.CONFIRMED, InterviewStatus.IN_PROGRESS)
BUSY_RETRY_SECONDS = 5


class InvitationRequired(Forbidden):
    code = "invitation_required"


class DeviceCheckBusy(RetryLater):
    code = "device_check_busy"


class DeviceCheckService:
    def __init__(
        self, analysis: MediaAnalysis, scratch: Path, max_bytes: int, concurrency: int = 2
    ) -> None:
        self._analysis = analysis
        self._scratch = scratch
        self._max_bytes = max_bytes
        self._slots = concurrency
        self._running: set[int] = set()  # candidates whose clip is being checked
        self._pool = ThreadPoolExecutor(concurrency, "device-check")

    async def check(self, principal: Principal, body: AsyncIterator[bytes]) -> DeviceCheck:
        candidate_id = await self._eligible(principal)
        if candidate_id in self._running:
            raise TooManyRequests(
                "上一次设备检测还没有结束，请等它完成后再试。",
                retry_after=BUSY_RETRY_SECONDS,
                code="device_check_running",
            )
        if len(self._running) >= self._slots:
            raise DeviceCheckBusy(
                f"现在做设备检测的人比较多，请 {BUSY_RETRY_SECONDS} 秒后再试。",
                retry_after=BUSY_RETRY_SECONDS,
            )
        self._running.add(candidate_id)
        try:
            return await self._run(body)
        finally:
            self._running.discard(candidate_id)

    async def _eligible(self, principal: Principal) -> int:
        candidate_id = principal.candidate_id
        if principal.kind is not SubjectKind.CANDIDATE or candidate_id is None:
            raise InvitationRequired(
                "设备检测只对收到面试邀请的候选人开放：请先打开 HR 发给你的面试邀请链接。"
            )
        invited = await RecordingLink.filter(
            redeemed_at__isnull=False,
            interview__application__candidate_id=candidate_id,
            interview__status__in=_OPEN,
            interview__ends_at__gt=now(),
        ).exists()
        if not invited:
            raise InvitationRequired(
                "你目前没有待完成的录制面试，暂时不需要做设备检测；如有疑问请联系 HR。"
            )
        state = await consent_state(candidate_id)
        if not state.allows(ConsentPurpose.RECORDING):
            raise ConsentRequired("consent to recording is needed for the device check")
        return candidate_id

    async def _run(self, body: AsyncIterator[bytes]) -> DeviceCheck:
        fd, name = tempfile.mkstemp(prefix="device-check-", dir=self._scratch)
        path = Path(name)
        try:
            with os.fdopen(fd, "wb") as out:
                size = 0
                async for piece in body:
                    size += len(piece)
                    if size > self._max_bytes:
                        raise PayloadTooLarge(
                            f"the test clip must be under {self._max_bytes} bytes"
                        )
                    out.write(piece)
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(self._pool, self._analysis.device_check, path)
        finally:
            await asyncio.to_thread(path.unlink, missing_ok=True)
