"""The candidate's way through a recorded interview, one question at a time.

The next question is revealed only when every earlier one was submitted or skipped;
revealing is idempotent (asking again returns the same question and the same clock).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from recruiting.clock import now
from recruiting.domain.interview_state import FINAL, InterviewStatus, next_status
from recruiting.domain.recorded_round import (
    OutOfOrder,
    RecordedQuestion,
    check_deadline,
    check_retake,
)
from recruiting.errors import Conflict, InvalidInput, NotFound
from recruiting.models import (
    AnalysisStatus,
    Answer,
    AnswerStatus,
    IntegrityEvent,
    Interview,
    InterviewMode,
    RaterKind,
    Score,
    Upload,
    UploadStatus,
)
from recruiting.ports.media import MediaStore
from recruiting.ports.queue import TaskQueue
from recruiting.services.recorded.consents import consent_state, upload_key
from recruiting.services.recorded.review_ready import notify_if_ready
from recruiting.services.shared.access import candidate_interview, job_of, round_of
from recruiting.services.shared.audit import record
from recruiting.services.shared.round_versions import ASSESSED, assessed
from recruiting.services.shared.sessions import Principal

INTEGRITY_KINDS = frozenset(
    {
        "app_backgrounded",
        "network_switch",
        "retake",
        "screen_capture",
        "call_interrupted",
        "camera_lost",
        "microphone_lost",
    }
)


class InterviewClosed(Conflict):
    code = "interview_closed"


@dataclass(frozen=True)
class RevealedQuestion:
    index: int
    total: int
    question: RecordedQuestion
    revealed_at: datetime
    retakes_left: int
    upload_by: datetime

    def to_json(self) -> dict[str, Any]:
        q = self.question
        return {
            "index": self.index,
            "total": self.total,
            "text": q.text,
            "prep_seconds": q.prep_seconds,
            "answer_seconds": q.answer_seconds,
            "retakes_left": self.retakes_left,
            "revealed_at": self.revealed_at.isoformat(),
            "upload_by": self.upload_by.isoformat(),
        }


def questions_of(interview: Interview) -> tuple[RecordedQuestion, ...]:
    """The questions the interview is taken with: its round version, never the live round."""
    return assessed(interview).recorded_questions()


class RecordedInterviewService:
    def __init__(self, media: MediaStore, queue: TaskQueue | None = None) -> None:
        self._media = media
        self._queue = queue

    async def list_for(self, principal: Principal) -> list[dict[str, Any]]:
        interviews = await Interview.filter(
            application__candidate_id=principal.candidate_id, mode=InterviewMode.RECORDED
        ).prefetch_related(*ASSESSED)
        return [await self.overview_of(i) for i in interviews]

    async def overview(self, principal: Principal, interview_id: int) -> dict[str, Any]:
        return await self.overview_of(await candidate_interview(principal, interview_id))

    async def overview_of(self, interview: Interview) -> dict[str, Any]:
        questions = questions_of(interview)
        answers = await Answer.filter(interview_id=interview.id).order_by("question_index")
        return {
            "interview_id": interview.id,
            "job": job_of(interview).title,
            "round": round_of(interview).name,
            "status": interview.status,
            "deadline": interview.ends_at.isoformat() if interview.ends_at else None,
            "questions": len(questions),
            "answers": [
                {"index": a.question_index, "status": a.status, "analysis": a.analysis_status}
                for a in answers
            ],
        }

    async def next_question(
        self, principal: Principal, interview_id: int
    ) -> RevealedQuestion | None:
        """The current question (revealing the next one if needed); None when all are done,
        which completes the interview (already completed by the last submit: done again)."""
        reached = await candidate_interview(principal, interview_id)
        if reached.mode == InterviewMode.RECORDED and reached.status == InterviewStatus.COMPLETED:
            return None
        interview = await self._open(principal, interview_id)
        questions = questions_of(interview)
        answers = await Answer.filter(interview_id=interview.id).order_by("question_index")
        for answer in answers:
            if answer.status == AnswerStatus.REVEALED:
                return _revealed(answer, questions)
        index = len(answers)
        if index >= len(questions):
            await finish_if_answered(interview, self._queue)
            return None
        if interview.status == InterviewStatus.CONFIRMED:
            await _move(interview, "start")
        try:
            answer = await Answer.create(
                interview=interview, question_index=index, revealed_at=now()
            )
        except IntegrityError:  # a second tap raced this one: show what it revealed
            answer = await Answer.get(interview_id=interview.id, question_index=index)
        await record(
            principal.actor,
            "reveal_question",
            "interview",
            interview.id,
            allowed=True,
            detail=f"question={index}",
        )
        return _revealed(answer, questions)

    async def skip(self, principal: Principal, interview_id: int, index: int) -> None:
        interview = await self._open(principal, interview_id)
        answer = await _current(interview, index)
        await Answer.filter(id=answer.id, status=AnswerStatus.REVEALED).update(
            status=AnswerStatus.SKIPPED, submitted_at=now()
        )
        await IntegrityEvent.create(interview=interview, kind="skipped", question_index=index)
        await finish_if_answered(interview, self._queue)

    async def retake(self, principal: Principal, interview_id: int, index: int) -> RevealedQuestion:
        """Record the answer again: counts against the question's retakes; the earlier
        recording and everything derived from it are deleted."""
        interview = await self._open(principal, interview_id)
        questions = questions_of(interview)
        answer = await Answer.get_or_none(interview_id=interview.id, question_index=index)
        if answer is None or answer.status == AnswerStatus.SKIPPED:
            raise OutOfOrder(f"question {index} has no answer to retake")
        if await Answer.filter(interview_id=interview.id, question_index__gt=index).exists():
            raise OutOfOrder("only the latest question can be recorded again")
        check_retake(questions[index], answer.retakes_used)
        for upload in await Upload.filter(answer_id=answer.id).exclude(
            status=UploadStatus.DISCARDED
        ):
            await self._media.delete(upload_key(answer, upload.id))
        async with in_transaction():
            moved = await Answer.filter(id=answer.id, retakes_used=answer.retakes_used).update(
                status=AnswerStatus.REVEALED,
                retakes_used=answer.retakes_used + 1,
                revealed_at=now(),
                submitted_at=None,
                media_key="",
                media_sha256="",
                media_bytes=0,
                media_seconds=None,
                analysis=None,
                analysis_reason="",
                analysis_status=AnalysisStatus.NONE,
            )
            if not moved:
                raise Conflict("这道题正在重新录制，请稍后再试。")
            await Upload.filter(answer_id=answer.id).update(status=UploadStatus.DISCARDED)
            await Score.filter(interview_id=interview.id, rater_kind=RaterKind.AI).delete()
            await IntegrityEvent.create(
                interview=interview,
                kind="retake",
                question_index=index,
                detail=f"retake {answer.retakes_used + 1}",
            )
        await answer.refresh_from_db()
        return _revealed(answer, questions)

    async def report_event(
        self,
        principal: Principal,
        interview_id: int,
        kind: str,
        *,
        question_index: int | None,
        client_at: datetime | None,
        detail: str,
    ) -> None:
        if kind not in INTEGRITY_KINDS:
            raise InvalidInput(
                f"unknown event kind {kind!r}; known: {', '.join(sorted(INTEGRITY_KINDS))}"
            )
        interview = await candidate_interview(principal, interview_id)
        if interview.status in FINAL:  # a finished interview's record is closed
            raise InterviewClosed("这场面试已经结束，不再记录作答过程中的情况。")
        await IntegrityEvent.create(
            interview=interview,
            kind=kind,
            question_index=question_index,
            client_at=client_at,
            detail=detail[:256],
        )

    async def _open(self, principal: Principal, interview_id: int) -> Interview:
        interview = await candidate_interview(principal, interview_id)
        if interview.mode != InterviewMode.RECORDED:
            raise NotFound("这场面试不是录制面试。")
        if interview.status in FINAL:
            raise InterviewClosed("这场面试已经结束。")
        check_deadline(interview.ends_at, now())
        (await consent_state(principal.candidate_id or 0)).require_recording()
        return interview


async def finish_if_answered(interview: Interview, queue: TaskQueue | None) -> bool:
    """Complete the interview once every question is submitted or skipped, so HR hears of
    it without the candidate having to ask for a next question that does not exist."""
    if interview.status != InterviewStatus.IN_PROGRESS:
        return False
    answers = await Answer.filter(interview_id=interview.id)
    if len(answers) < len(questions_of(interview)):
        return False
    if any(a.status == AnswerStatus.REVEALED for a in answers):
        return False
    await _move(interview, "finish")
    await notify_if_ready(interview.id, queue)
    return True


async def _current(interview: Interview, index: int) -> Answer:
    answer = await Answer.get_or_none(interview_id=interview.id, question_index=index)
    if answer is None or answer.status != AnswerStatus.REVEALED:
        raise OutOfOrder(f"question {index} is not the current question")
    return answer


async def _move(interview: Interview, action: str) -> None:
    target = next_status(InterviewStatus(interview.status), action)
    done = {"completed_at": now()} if target == InterviewStatus.COMPLETED else {}
    await Interview.filter(id=interview.id, status=interview.status).update(status=target, **done)
    interview.status = target


def _revealed(answer: Answer, questions: tuple[RecordedQuestion, ...]) -> RevealedQuestion:
    q = questions[answer.question_index]
    return RevealedQuestion(
        index=answer.question_index,
        total=len(questions),
        question=q,
        revealed_at=answer.revealed_at,
        retakes_left=max(q.retakes - answer.retakes_used, 0),
        upload_by=q.upload_window_end(answer.revealed_at),
    )
