"""Recorded-interview use cases on SQLite and PostgreSQL, with memory and Redis locks:
concurrent chunk writes, analysis claims and leases, failures, and the combined AI scores.

The analysis core is replaced by a fake here (it is exercised for real in the e2e tests);
the database, the lock store and the encrypted media store are real.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from recruiting.domain.assessment_reasons import NOT_ASSESSED_LABELS, NotAssessed
from recruiting.domain.interview_state import InterviewStatus
from recruiting.errors import InvalidInput, RetryLater
from recruiting.infra.media_store import LocalMediaStore
from recruiting.infra.pii import FieldCipher
from recruiting.infra.queues import InProcessQueue
from recruiting.models import (
    AnalysisStatus,
    Answer,
    Application,
    Candidate,
    Consent,
    ConsentPurpose,
    Interview,
    InterviewMode,
    InterviewRound,
    JobOpening,
    RoundKind,
    Score,
    SubjectKind,
    Upload,
)
from recruiting.ports.kv import KeyValueStore
from recruiting.services.recorded.analysis import (
    ANALYSIS_FAILED,
    MEDIA_UNREADABLE,
    AnswerAnalysisRunner,
)
from recruiting.services.recorded.consents import consent_state
from recruiting.services.recorded.interview import RecordedInterviewService
from recruiting.services.recorded.uploads import UploadLimits, UploadService
from recruiting.services.shared.sessions import Principal
from tests.fakes.analysis import FakeAnalysis

MODEL = [{"code": "comm", "name": "沟通能力", "weight": "1"}]
QUESTIONS = [{"text": f"问题{i}", "competencies": ["沟通能力"]} for i in range(2)]


@dataclass(frozen=True)
class RecordedWorld:
    interview: Interview  # a recorded interview in progress, every consent granted
    principal: Principal  # its candidate, signed in
    media: LocalMediaStore
    scratch: Path


@pytest.fixture
async def world(database: str, tmp_path: Path) -> AsyncIterator[RecordedWorld]:
    job = await JobOpening.create(code="j", title="岗位", competency_model=MODEL)
    round_ = await InterviewRound.create(job=job, name="录制", kind=RoundKind.RECORDED,
                                         questions=QUESTIONS)  # fmt: skip
    candidate = await Candidate.create(name="候选人", wechat_openid="o-1")
    application = await Application.create(candidate=candidate, job=job)
    interview = await Interview.create(
        application=application, round=round_, mode=InterviewMode.RECORDED,
        status=InterviewStatus.IN_PROGRESS, ends_at=datetime.now(UTC) + timedelta(days=1),
    )  # fmt: skip
    for purpose in ConsentPurpose:
        await Consent.create(candidate=candidate, purpose=purpose, text_version="2026-11-01",
                             granted=True)  # fmt: skip
    cipher = FieldCipher({"k": os.urandom(32)}, "k")
    yield RecordedWorld(
        interview=interview,
        principal=Principal(1, SubjectKind.CANDIDATE, "o-1", candidate.id),
        media=LocalMediaStore(tmp_path / "media", cipher),
        scratch=tmp_path,
    )


async def _answer(world: RecordedWorld, index: int = 0, **fields: Any) -> Answer:
    return await Answer.create(interview=world.interview, question_index=index,
                               revealed_at=datetime.now(UTC), **fields)  # fmt: skip


def _runner(world: RecordedWorld, fake: FakeAnalysis, **kw: Any) -> AnswerAnalysisRunner:
    return AnswerAnalysisRunner(world.media, fake, processes=0, scratch=world.scratch,
                                lease_seconds=kw.get("lease", 60),
                                max_attempts=kw.get("attempts", 2))  # fmt: skip


async def _queued(world: RecordedWorld, index: int = 0) -> Answer:
    key = f"answers/{world.interview.id}/{index}/x{index}"
    writer = await world.media.appender(key, 0)
    await writer.write(b"media bytes")
    await writer.close()
    return await _answer(world, index, media_key=key, status="submitted",
                         analysis_status=AnalysisStatus.QUEUED)  # fmt: skip


async def test_consents_are_read_for_the_current_text_versions(world: RecordedWorld) -> None:
    state = await consent_state(world.principal.candidate_id)
    assert state.allows(ConsentPurpose.FACE_ANALYSIS)
    await Consent.create(candidate_id=world.principal.candidate_id, text_version="2026-11-01",
                         purpose=ConsentPurpose.FACE_ANALYSIS, granted=False)  # fmt: skip
    assert not (await consent_state(world.principal.candidate_id)).allows(
        ConsentPurpose.FACE_ANALYSIS
    )


async def test_two_workers_racing_analyse_an_answer_once(world: RecordedWorld) -> None:
    answer = await _queued(world)
    fake = FakeAnalysis()
    done = await asyncio.gather(*(_runner(world, fake).process(answer.id) for _ in range(4)))
    assert sum(done) == 1 and len(fake.calls) == 1
    await answer.refresh_from_db()
    assert answer.analysis_status == AnalysisStatus.DONE
    assert fake.calls[0].face_analysis and fake.calls[0].automated_assessment
    score = await Score.get(interview_id=world.interview.id, rater_kind="ai")
    assert float(score.value or 0) == 4.0 and score.evidence[0]["question"] == 0


async def test_a_dead_workers_claim_is_taken_over_after_its_lease(world: RecordedWorld) -> None:
    answer = await _queued(world)
    fake = FakeAnalysis()
    runner = _runner(world, fake)
    await Answer.filter(id=answer.id).update(
        analysis_status=AnalysisStatus.PROCESSING, lease_until=datetime.now(UTC) + timedelta(minutes=5)
    )  # fmt: skip
    assert await runner.due_ids() == [] and not await runner.process(answer.id)
    await Answer.filter(id=answer.id).update(lease_until=datetime.now(UTC) - timedelta(seconds=1))
    assert await runner.due_ids() == [answer.id]
    assert await runner.process(answer.id) and len(fake.calls) == 1


async def test_bad_media_fails_at_once_and_crashes_are_retried_then_failed(
    world: RecordedWorld,
) -> None:
    bad, flaky = await _queued(world, 0), await _queued(world, 1)
    fake = FakeAnalysis()
    fake.raise_ = InvalidInput("not a video")
    await _runner(world, fake).process(bad.id)
    await bad.refresh_from_db()
    # staff read the reason: the decoder's English stays in the log
    assert (bad.analysis_status, bad.analysis_reason) == (AnalysisStatus.FAILED, MEDIA_UNREADABLE)
    fake.raise_ = RuntimeError("decoder crashed")
    runner = _runner(world, fake, attempts=2)
    await runner.process(flaky.id)
    await flaky.refresh_from_db()
    assert flaky.analysis_status == AnalysisStatus.QUEUED  # tried again later
    await runner.process(flaky.id)
    await flaky.refresh_from_db()
    assert flaky.analysis_status == AnalysisStatus.FAILED
    assert flaky.analysis_reason == ANALYSIS_FAILED


async def test_ai_scores_combine_answers_with_their_evidence(world: RecordedWorld) -> None:
    first, second = await _queued(world, 0), await _queued(world, 1)
    fake = FakeAnalysis()
    fake.scores = [2.0, 4.0]
    runner = _runner(world, fake)
    await runner.process(first.id)
    await runner.process(second.id)
    score = await Score.get(interview_id=world.interview.id, rater_kind="ai")
    assert float(score.value or 0) == 3.0
    assert sorted(e["question"] for e in score.evidence) == [0, 1]
    fake.scores = [None]
    other = await _answer(world, 5, analysis_status=AnalysisStatus.DONE,
                          analysis={"score": {"competencies": {"学习能力": {"score": None}}}})  # fmt: skip
    assert other.id
    await Answer.filter(id=second.id).update(analysis_status=AnalysisStatus.QUEUED)
    await runner.process(second.id)
    learning = await Score.get(interview_id=world.interview.id, competency="学习能力")
    assert learning.value is None and learning.comment.startswith("所有回答中都没有")
    system = {"score": None, "not_assessed_code": NotAssessed.SYSTEM_NO_TRANSCRIPT}
    await Answer.filter(id=other.id).update(
        analysis={"score": {"competencies": {"学习能力": system}}}
    )
    await Answer.filter(id=second.id).update(analysis_status=AnalysisStatus.QUEUED)
    await runner.process(second.id)  # no transcript anywhere: the system's reason, in Chinese
    learning = await Score.get(interview_id=world.interview.id, competency="学习能力")
    assert learning.comment == NOT_ASSESSED_LABELS[NotAssessed.SYSTEM_NO_TRANSCRIPT]


async def test_the_same_chunk_sent_twice_at_once_is_stored_once(
    world: RecordedWorld, kv: KeyValueStore
) -> None:
    await _answer(world, 0)
    data = os.urandom(300_000)
    service = UploadService(world.media, FakeAnalysis(), InProcessQueue(), kv,
                            UploadLimits(max_bytes=10**6, max_chunk=200_000), world.scratch)  # fmt: skip
    principal = world.principal
    state = await service.start(principal, world.interview.id, 0, len(data),
                                hashlib.sha256(data).hexdigest(), "video/mp4")  # fmt: skip

    async def send(offset: int, chunk: bytes) -> int:
        async def body() -> AsyncIterator[bytes]:
            for i in range(0, len(chunk), 16_384):
                await asyncio.sleep(0)
                yield chunk[i : i + 16_384]

        for _ in range(20):  # the loser of the lock is told to come back (503 + Retry-After)
            try:
                result = await service.append(principal, state.upload_id, offset, len(chunk),
                                              hashlib.sha256(chunk).hexdigest(), body())  # fmt: skip
                break
            except RetryLater:
                await asyncio.sleep(0.1)
        return result.received

    first = data[:150_000]
    assert set(await asyncio.gather(send(0, first), send(0, first))) == {150_000}
    assert await send(150_000, data[150_000:]) == len(data)
    done = await service.complete(principal, state.upload_id)
    assert done.status == "complete" and done.analysis == "queued"
    upload = await Upload.get(id=state.upload_id)
    answer = await Answer.get(id=upload.answer_id)  # type: ignore[attr-defined]
    stored = b"".join([b async for b in world.media.read(answer.media_key)])
    assert stored == data


async def test_the_last_answer_completes_the_interview_without_another_next(
    world: RecordedWorld,
) -> None:
    """Skipping (or submitting) the last question finishes the interview at once, so HR is
    not kept waiting for a `next` call that a closed mini-app never makes."""
    service = RecordedInterviewService(world.media, InProcessQueue())
    principal, interview = world.principal, world.interview
    first = await service.next_question(principal, interview.id)
    assert first is not None and first.index == 0
    await service.skip(principal, interview.id, 0)
    await interview.refresh_from_db()
    assert interview.status == InterviewStatus.IN_PROGRESS  # one question still to go
    assert (await service.next_question(principal, interview.id)) is not None
    await service.skip(principal, interview.id, 1)
    await interview.refresh_from_db()
    assert interview.status == InterviewStatus.COMPLETED and interview.completed_at
    assert await service.next_question(principal, interview.id) is None  # done, not refused
