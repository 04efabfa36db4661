"""Resumable upload of a recorded answer, then its hand-over to analysis.

Protocol (tus-like): start with the size, SHA-256 and media type; send chunks with their
offset and checksum; a chunk is acknowledged only once it is stored and its checksum
matched, by advancing ``received`` with a conditional UPDATE. A broken connection resumes
from ``received``; a chunk sent twice is acknowledged without being written again; a chunk
from the future gets 409 with the offset to resume from. Completing checks the whole
file's SHA-256 and probes it (it must be the media it claims to be, no longer than the
answer time) before the answer is submitted and an analysis job queued.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import secrets
import tempfile
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tortoise.transactions import in_transaction

from recruiting.clock import now
from recruiting.domain.consent import ConsentRequired
from recruiting.domain.recorded_round import AnswerWindowClosed, OutOfOrder, check_deadline
from recruiting.errors import Conflict, InvalidInput, NotFound, PayloadTooLarge, RetryLater
from recruiting.infra.locks import Lease, lease
from recruiting.models import (
    AnalysisStatus,
    Answer,
    AnswerStatus,
    ConsentPurpose,
    Interview,
    Upload,
    UploadStatus,
)
from recruiting.ports.analysis import MediaAnalysis, MediaKind
from recruiting.ports.kv import KeyValueStore
from recruiting.ports.media import MediaOffsetMismatch, MediaStore
from recruiting.ports.queue import ANALYSIS_TOPIC, TaskQueue
from recruiting.services.recorded.consents import consent_state, upload_key
from recruiting.services.recorded.interview import finish_if_answered, questions_of
from recruiting.services.shared.access import candidate_interview
from recruiting.services.shared.audit import record
from recruiting.services.shared.sessions import Principal

log = logging.getLogger(__name__)

# Container formats PyAV reports for each accepted media type.
MEDIA_TYPES: dict[str, tuple[MediaKind, tuple[str, ...]]] = {
    "video/mp4": ("video", ("mov", "mp4")),
    "video/quicktime": ("video", ("mov",)),
    "video/webm": ("video", ("matroska", "webm")),
    "audio/mp4": ("audio", ("mov", "mp4")),
    "audio/m4a": ("audio", ("mov", "mp4")),
    "audio/aac": ("audio", ("aac",)),
    "audio/mpeg": ("audio", ("mp3",)),
    "audio/webm": ("audio", ("matroska", "webm")),
    "audio/ogg": ("audio", ("ogg",)),
    "audio/wav": ("audio", ("wav",)),
}
_SHA256_HEX = frozenset("0123456789abcdef")


class ChecksumMismatch(InvalidInput):
    code = "checksum_mismatch"


class UploadRejected(InvalidInput):
    code = "upload_rejected"


UNUSABLE: dict[MediaKind, str] = {
    "video": "文件无法作为视频使用（可能已损坏、格式不支持、画面尺寸过大或太长），请重新录制。",
    "audio": "文件无法作为音频使用（可能已损坏、格式不支持或太长），请重新录制。",
}


@dataclass(frozen=True)
class UploadState:
    upload_id: str
    size: int
    received: int
    status: str
    error: str = ""
    answer_id: int | None = None
    analysis: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {k: v for k, v in vars(self).items() if v is not None}


@dataclass(frozen=True)
class UploadLimits:
    max_bytes: int
    max_chunk: int
    lock_seconds: float = 120.0
    # Completing hashes and probes a whole file with a few buffers; letting 100 do it at
    # once only multiplies memory (they share a few probing threads anyway), so they queue.
    concurrent_completes: int = 4
    verify_block: int = 256 * 1024


class UploadService:
    def __init__(
        self,
        media: MediaStore,
        analysis: MediaAnalysis,
        queue: TaskQueue,
        kv: KeyValueStore,
        limits: UploadLimits,
        scratch: Path,
    ) -> None:
        self._media = media
        self._analysis = analysis
        self._queue = queue
        self._kv = kv
        self._limits = limits
        self._scratch = scratch
        self._verifying = asyncio.Semaphore(limits.concurrent_completes)
        # Probing decodes media: its own threads, so chunk writes (default pool) never queue
        # behind it, nor it behind device checks (theirs).
        self._probing = ThreadPoolExecutor(limits.concurrent_completes, "upload-probe")

    async def start(
        self,
        principal: Principal,
        interview_id: int,
        index: int,
        size: int,
        sha256: str,
        media_type: str,
    ) -> UploadState:
        interview = await candidate_interview(principal, interview_id)
        await _check_open(interview, principal)
        if media_type not in MEDIA_TYPES:
            raise UploadRejected(
                f"media type {media_type!r} is not accepted; use one of {', '.join(MEDIA_TYPES)}"
            )
        if not 0 < size <= self._limits.max_bytes:
            raise PayloadTooLarge("录像文件为空或太大，请重新录制。")
        sha256 = sha256.lower()
        if len(sha256) != 64 or not set(sha256) <= _SHA256_HEX:
            raise InvalidInput("sha256 must be 64 hex characters")
        answer = await Answer.get_or_none(interview_id=interview.id, question_index=index)
        if answer is None or answer.status != AnswerStatus.REVEALED:
            raise OutOfOrder(f"question {index} is not the current question")
        question = questions_of(interview)[index]
        if now() > question.upload_window_end(answer.revealed_at):
            raise AnswerWindowClosed("the time to answer this question is over")
        existing = await Upload.filter(answer_id=answer.id, status=UploadStatus.OPEN).first()
        if existing is not None:
            if existing.sha256 == sha256 and existing.size == size:
                return _state(existing)  # the app restarted and asks again: resume
            raise Conflict(
                f"upload {existing.id} of this answer is in progress; resume it or "
                "retake the question",
                code="upload_in_progress",
            )
        upload = await Upload.create(
            id=secrets.token_hex(16),
            answer=answer,
            attempt=answer.retakes_used,
            size=size,
            sha256=sha256,
            media_type=media_type,
        )
        return _state(upload)

    async def status(self, principal: Principal, upload_id: str) -> UploadState:
        upload, _ = await self._owned(principal, upload_id)
        answer = await Answer.get(id=upload.answer_id)
        return _state(upload, answer)

    async def append(
        self,
        principal: Principal,
        upload_id: str,
        offset: int,
        length: int | None,
        checksum: str,
        body: AsyncIterator[bytes],
    ) -> UploadState:
        """Store one chunk. ``checksum`` is the chunk's SHA-256 (hex)."""
        upload, interview = await self._owned(principal, upload_id)
        if length is not None and (
            length > self._limits.max_chunk or offset + length > upload.size
        ):
            raise PayloadTooLarge(
                f"a chunk may hold at most {self._limits.max_chunk} bytes and "
                f"must end by byte {upload.size}",
                code="chunk_out_of_range",
            )
        check_deadline(interview.ends_at, now())
        # Renewed while the chunk streams in (the route bounds how long that may take);
        # confirmed before the chunk is committed, so a writer that lost it commits nothing.
        async with lease(
            self._kv, f"upload:{upload_id}", self._limits.lock_seconds, wait=2.0, renew=True
        ) as held:
            if not held:
                raise RetryLater(
                    "this upload is being written by another request",
                    retry_after=2,
                    code="upload_busy",
                )
            await upload.refresh_from_db()
            if upload.status != UploadStatus.OPEN:
                raise Conflict(f"the upload is {upload.status}", code="upload_closed")
            if offset > upload.received:
                exc = MediaOffsetMismatch(f"resume from byte {upload.received}")
                exc.extra = {"expected_offset": upload.received}  # type: ignore[attr-defined]
                raise exc
            end = await self._store_chunk(upload, offset, checksum, body, held)
            if end > upload.received:
                await Upload.filter(id=upload.id, received=upload.received).update(received=end)
                upload.received = end
        return _state(upload)

    async def _store_chunk(
        self, upload: Upload, offset: int, checksum: str, body: AsyncIterator[bytes], held: Lease
    ) -> int:
        """Hash the whole chunk; write only the part past ``received`` (a re-sent chunk is
        not written twice). Returns the chunk's end offset once its checksum matched."""
        answer = await Answer.get(id=upload.answer_id)
        writer = await self._media.appender(upload_key(answer, upload.id), upload.received)
        digest, position, skip = hashlib.sha256(), offset, upload.received - offset
        try:
            async for piece in body:
                digest.update(piece)
                position += len(piece)
                if position - offset > self._limits.max_chunk or position > upload.size:
                    raise PayloadTooLarge(
                        "the chunk runs past its limit or the declared size",
                        code="chunk_out_of_range",
                    )
                if skip >= len(piece):
                    skip -= len(piece)
                    continue
                await writer.write(piece[skip:] if skip else piece)
                skip = 0
        except BaseException:
            await writer.abort()
            raise
        if digest.hexdigest() != checksum.lower():
            await writer.abort()
            raise ChecksumMismatch("the chunk's SHA-256 does not match; send it again")
        try:
            await held.confirm()  # the fence: no commit by a writer whose lease passed on
        except BaseException:
            await writer.abort()
            raise
        await writer.close()
        return position

    async def complete(self, principal: Principal, upload_id: str) -> UploadState:
        upload, interview = await self._owned(principal, upload_id)
        async with lease(
            self._kv, f"upload:{upload_id}", self._limits.lock_seconds, wait=5.0, renew=True
        ) as got:  # renewed: hashing and probing a large file may outlast the lease
            if not got:
                raise RetryLater(
                    "this upload is still being written", retry_after=2, code="upload_busy"
                )
            await upload.refresh_from_db()
            answer = await Answer.get(id=upload.answer_id)
            if upload.status == UploadStatus.COMPLETE:
                return _state(upload, answer)  # completing twice is harmless
            if upload.status != UploadStatus.OPEN:
                raise Conflict(f"the upload is {upload.status}", code="upload_closed")
            if upload.received != upload.size:
                raise Conflict(
                    f"{upload.received} of {upload.size} bytes received; resume the upload first",
                    code="upload_incomplete",
                )
            async with self._verifying:
                facts = await self._verify(upload, answer, interview)
            await self._submit(upload, answer, interview, facts.duration, principal)
        await upload.refresh_from_db()
        await answer.refresh_from_db()
        if answer.analysis_status == AnalysisStatus.QUEUED:
            await self._queue.put(ANALYSIS_TOPIC, str(answer.id))
        await finish_if_answered(interview, self._queue)
        return _state(upload, answer)

    async def _verify(self, upload: Upload, answer: Answer, interview: Interview) -> Any:
        key = upload_key(answer, upload.id)
        kind, containers = MEDIA_TYPES[upload.media_type]
        question = questions_of(interview)[answer.question_index]
        fd, name = tempfile.mkstemp(prefix="upload-", suffix=".media", dir=self._scratch)
        os.close(fd)
        path = Path(name)
        try:
            digest = await self._export_hashing(key, path)
            if digest != upload.sha256:
                await self._reject(upload, key, "文件校验值与声明的不一致。")
                raise ChecksumMismatch("文件校验失败，请重新上传。")
            try:
                facts = await asyncio.get_running_loop().run_in_executor(
                    self._probing, self._analysis.probe, path, kind, question.answer_seconds + 30
                )
            except InvalidInput as exc:  # MediaRejected / MediaTooLong
                # The probe's reason names the scratch file and FFmpeg's error: log only.
                log.info("upload %s rejected by the probe: %s", upload.id, exc.message)
                reason = UNUSABLE[kind]
                await self._reject(upload, key, reason)
                raise UploadRejected(reason) from exc
            if not set(facts.container.split(",")) & set(containers):
                log.info("upload %s: %s is %s", upload.id, upload.media_type, facts.container)
                reason = f"文件格式与声明的 {upload.media_type} 不一致，请重新录制。"
                await self._reject(upload, key, reason)
                raise UploadRejected(reason)
            if not question.accepts_duration(facts.duration):
                reason = (
                    f"录像长 {facts.duration:.0f} 秒，超过了这道题允许的 "
                    f"{question.answer_seconds} 秒，请重新录制。"
                )
                await self._reject(upload, key, reason)
                raise UploadRejected(reason, code="answer_too_long")
            return facts
        finally:
            await asyncio.to_thread(path.unlink, missing_ok=True)

    async def _export_hashing(self, key: str, path: Path) -> str:
        digest = hashlib.sha256()
        with path.open("wb") as out:
            async for block in self._media.read(key, block=self._limits.verify_block):
                digest.update(block)
                await asyncio.to_thread(out.write, block)
        return digest.hexdigest()

    async def _reject(self, upload: Upload, key: str, reason: str) -> None:
        await Upload.filter(id=upload.id).update(status=UploadStatus.REJECTED, error=reason[:512])
        await self._media.delete(key)

    async def _submit(
        self,
        upload: Upload,
        answer: Answer,
        interview: Interview,
        seconds: float,
        principal: Principal,
    ) -> None:
        consents = await consent_state(principal.candidate_id or 0)
        wanted = consents.allows(ConsentPurpose.AUTOMATED_ASSESSMENT) or consents.allows(
            ConsentPurpose.FACE_ANALYSIS
        )
        status = AnalysisStatus.QUEUED if wanted else AnalysisStatus.SKIPPED
        reason = "" if wanted else "候选人选择只由人工评审，不做自动分析。"
        async with in_transaction():
            await Upload.filter(id=upload.id).update(status=UploadStatus.COMPLETE)
            await Answer.filter(id=answer.id).update(
                status=AnswerStatus.SUBMITTED,
                submitted_at=now(),
                media_key=upload_key(answer, upload.id),
                media_sha256=upload.sha256,
                media_bytes=upload.size,
                media_seconds=seconds,
                media_type=upload.media_type,
                analysis_status=status,
                analysis_reason=reason,
                analysis_attempts=0,
                updated_at=now(),
            )
        await record(
            principal.actor,
            "submit_answer",
            "interview",
            interview.id,
            allowed=True,
            detail=f"question={answer.question_index} sha256={upload.sha256[:16]}",
        )

    async def _owned(self, principal: Principal, upload_id: str) -> tuple[Upload, Interview]:
        upload = await Upload.get_or_none(id=upload_id).prefetch_related("answer")
        if upload is None:
            raise NotFound("没有找到这次上传，请重新开始上传。")
        interview = await candidate_interview(principal, upload.answer.interview_id)
        return upload, interview


async def _check_open(interview: Interview, principal: Principal) -> None:
    check_deadline(interview.ends_at, now())
    state = await consent_state(principal.candidate_id or 0)
    if not state.allows(ConsentPurpose.RECORDING):
        raise ConsentRequired("consent to recording is needed before uploading answers")


def _state(upload: Upload, answer: Answer | None = None) -> UploadState:
    return UploadState(
        upload_id=upload.id,
        size=upload.size,
        received=upload.received,
        status=upload.status,
        error=upload.error,
        answer_id=answer.id if answer else None,
        analysis=answer.analysis_status if answer else None,
    )
