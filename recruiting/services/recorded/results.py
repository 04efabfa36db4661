"""What each side may read after answering.

Candidates: receipts of what they submitted, the summary once a person released it, and the
plain-language explanation of how they were assessed. Staff: answers, transcripts, scores
with evidence and integrity flags, by role; every view and every media access is audited.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from recruiting.domain.byte_range import ByteRange, byte_range
from recruiting.domain.roles import Permission
from recruiting.errors import Conflict, NotFound
from recruiting.models import (
    AnalysisStatus,
    Answer,
    AnswerStatus,
    CandidateSummary,
    IntegrityEvent,
    Interview,
    InterviewMode,
    Score,
)
from recruiting.ports.media import MediaStore
from recruiting.services.after_interview.summaries import SummaryReleases
from recruiting.services.messaging.effects import Effects
from recruiting.services.recorded.interview import questions_of
from recruiting.services.shared.access import (
    candidate_interview,
    is_hr,
    job_of,
    require_staff,
    round_of,
    staff_interview,
)
from recruiting.services.shared.audit import record
from recruiting.services.shared.round_versions import ASSESSED
from recruiting.services.shared.sessions import Principal

# Shown to candidates who ask how they were assessed when no answer was analysed by the AI.
HUMAN_ONLY = [
    "您的录制回答没有经过系统自动评估，由招聘人员和面试官人工观看并评价。",
    "是否录用由招聘人员综合判断后决定。",
]


@dataclass(frozen=True)
class MediaStream:
    """A recording, or the part an HTTP range asked for, as plaintext blocks."""

    media_type: str
    range: ByteRange
    chunks: AsyncIterator[bytes]

    @property
    def size(self) -> int:
        return self.range.size


class ResultsService:
    def __init__(
        self, media: MediaStore, explain: Any, releases: SummaryReleases | None = None
    ) -> None:
        self._media = media
        self._explain = explain  # (analysis JSON) -> list[str], from the analysis core
        # Releasing also sends the summary through the candidate channel (outbox).
        self._releases = releases or SummaryReleases(Effects(None))

    async def receipts(self, principal: Principal, interview_id: int) -> list[dict[str, Any]]:
        interview = await candidate_interview(principal, interview_id)
        answers = await Answer.filter(interview_id=interview.id).order_by("question_index")
        return [
            {
                "question_index": a.question_index,
                "status": a.status,
                "submitted_at": a.submitted_at.isoformat() if a.submitted_at else None,
                "sha256": a.media_sha256 or None,
                "bytes": a.media_bytes or None,
                "seconds": round(a.media_seconds, 1) if a.media_seconds else None,
                "analysis": a.analysis_status,
            }
            for a in answers
        ]

    async def released_summary(self, principal: Principal, interview_id: int) -> dict[str, Any]:
        interview = await candidate_interview(principal, interview_id)
        summary = await CandidateSummary.get_or_none(interview_id=interview.id)
        if summary is None or summary.released_at is None:
            return {"released": False}
        return {
            "released": True,
            "strengths": summary.strengths,
            "improvements": summary.improvements,
            "next_step": summary.next_step,
            "released_at": summary.released_at.isoformat(),
        }

    async def explanation(self, principal: Principal, interview_id: int) -> dict[str, Any]:
        interview = await candidate_interview(principal, interview_id)
        await record(
            principal.actor, "request_explanation", "interview", interview.id, allowed=True
        )
        questions = questions_of(interview)
        answers = await Answer.filter(
            interview_id=interview.id, analysis_status=AnalysisStatus.DONE
        )
        per_answer = []
        for a in sorted(answers, key=lambda a: a.question_index):
            if a.analysis and a.analysis.get("score"):
                per_answer.append(
                    {
                        "question": questions[a.question_index].text,
                        "paragraphs": self._explain(a.analysis),
                    }
                )
        return {"answers": per_answer, "general": HUMAN_ONLY if not per_answer else []}

    async def staff_view(self, principal: Principal, interview_id: int) -> dict[str, Any]:
        interview = await staff_interview(
            principal, interview_id, Permission.VIEW_ASSESSMENT, "view_assessment"
        )
        questions = questions_of(interview)
        answers = await Answer.filter(interview_id=interview.id).order_by("question_index")
        events = await IntegrityEvent.filter(interview_id=interview.id).order_by("id")
        scores = await Score.filter(interview_id=interview.id).order_by("competency", "rater_key")
        return {
            "interview_id": interview.id,
            "job": job_of(interview).title,
            "round": round_of(interview).name,
            "status": interview.status,
            "answers": [_answer_view(a, questions[a.question_index].text) for a in answers],
            "scores": [_score_view(s) for s in scores],
            "integrity_events": [
                {
                    "kind": e.kind,
                    "question_index": e.question_index,
                    "detail": e.detail,
                    "client_at": e.client_at.isoformat() if e.client_at else None,
                    "received_at": e.received_at.isoformat(),
                }
                for e in events
            ],
            "advisory": "AI 评分仅供参考，录用与否由人决定。",
        }

    async def staff_list(self, principal: Principal, limit: int = 200) -> list[dict[str, Any]]:
        """Recorded interviews the staff member may review, newest first: all of them for
        HR, the ones on their panels for interviewers."""
        require_staff(principal, Permission.VIEW_ASSESSMENT)
        query = Interview.filter(mode=InterviewMode.RECORDED)
        if not is_hr(principal):
            query = query.filter(assignments__interviewer_id=principal.staff_id)
        interviews = (
            await query.order_by("-id")
            .limit(min(max(limit, 1), 500))
            .prefetch_related("application__candidate", *ASSESSED, "answers")
        )
        await record(
            principal.actor,
            "list_interviews",
            "interview",
            "*",
            allowed=True,
            detail=f"count={len(interviews)}",
        )
        return [_listed(i) for i in interviews]

    async def media(
        self, principal: Principal, interview_id: int, index: int, range_header: str | None = None
    ) -> MediaStream:
        """One answer's recording, or the byte range ``range_header`` asks for (a player
        seeking): role-checked and audited on every request, as every look at a recording
        is. An unsatisfiable range raises ``RangeNotSatisfiable`` (416)."""
        interview = await staff_interview(
            principal, interview_id, Permission.VIEW_MEDIA, "view_media"
        )
        answer = await Answer.get_or_none(interview_id=interview.id, question_index=index)
        if answer is None or answer.status != AnswerStatus.SUBMITTED or not answer.media_key:
            raise NotFound(f"第 {index + 1} 题没有录像。")
        size = await self._media.size(answer.media_key)
        part = byte_range(range_header, size)
        chunks = self._media.read_range(answer.media_key, part.start, part.end, block=256 << 10)
        return MediaStream(answer.media_type, part, chunks)

    async def release_summary(
        self,
        principal: Principal,
        interview_id: int,
        strengths: str,
        improvements: str,
        next_step: str,
    ) -> dict[str, Any]:
        interview = await staff_interview(
            principal, interview_id, Permission.MANAGE_INTERVIEWS, "release_summary"
        )
        if not strengths.strip() or not next_step.strip():
            raise Conflict("发布给候选人的反馈需要写明亮点和下一步。", code="empty_summary")
        await self._releases.release(
            interview.id, principal.actor, "miniapp", (strengths, improvements, next_step)
        )
        return {"released": True}


def _listed(interview: Interview) -> dict[str, Any]:
    answers = list(interview.answers)
    return {
        "interview_id": interview.id,
        "candidate": interview.application.candidate.name,
        "job": job_of(interview).title,
        "round": round_of(interview).name,
        "status": interview.status,
        "deadline": interview.ends_at.isoformat() if interview.ends_at else None,
        "submitted": sum(a.status == AnswerStatus.SUBMITTED for a in answers),
        "analysed": sum(a.analysis_status == AnalysisStatus.DONE for a in answers),
    }


def _answer_view(a: Answer, question: str) -> dict[str, Any]:
    analysis = a.analysis or {}
    return {
        "question_index": a.question_index,
        "question": question,
        "status": a.status,
        "retakes_used": a.retakes_used,
        "submitted_at": a.submitted_at.isoformat() if a.submitted_at else None,
        "seconds": a.media_seconds,
        "analysis_status": a.analysis_status,
        "analysis_reason": a.analysis_reason,
        "transcript": analysis.get("transcript"),
        "speech": analysis.get("speech"),
        "score": analysis.get("score"),
        "vision": analysis.get("vision"),
        "followup": analysis.get("followup"),
    }


def _score_view(s: Score) -> dict[str, Any]:
    return {
        "competency": s.competency,
        "rater_kind": s.rater_kind,
        "rater": s.rater_key,
        "value": float(s.value) if s.value is not None else None,
        "confidence": float(s.confidence) if s.confidence is not None else None,
        "evidence": s.evidence,
        "comment": s.comment,
    }
