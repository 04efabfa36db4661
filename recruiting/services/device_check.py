"""The device check before the real questions: is the candidate audible, visible and lit?

The test clip is written to a scratch file, analysed and deleted at once; nothing about it
is stored (the recording consent text says so).
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

from recruiting.domain.consent import ConsentRequired
from recruiting.errors import PayloadTooLarge
from recruiting.models import ConsentPurpose, SubjectKind
from recruiting.ports.analysis import DeviceCheck, MediaAnalysis
from recruiting.services.consents import consent_state
from recruiting.services.sessions import Principal


class DeviceCheckService:
    def __init__(self, analysis: MediaAnalysis, scratch: Path, max_bytes: int) -> None:
        self._analysis = analysis
        self._scratch = scratch
        self._max_bytes = max_bytes

    async def check(self, principal: Principal, body: AsyncIterator[bytes]) -> DeviceCheck:
        if principal.kind is SubjectKind.CANDIDATE:
            state = await consent_state(principal.candidate_id or 0)
            if not state.allows(ConsentPurpose.RECORDING):
                raise ConsentRequired("consent to recording is needed for the device check")
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
            return await asyncio.to_thread(self._analysis.device_check, path)
        finally:
            await asyncio.to_thread(path.unlink, missing_ok=True)
