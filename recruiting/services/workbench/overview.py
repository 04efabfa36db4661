"""The home page's figures: a few counts, each one indexed query."""

from __future__ import annotations

from dataclasses import dataclass

from recruiting.models import Answer, AnswerStatus, Candidate, JobOpening, JobStatus


@dataclass(frozen=True)
class Overview:
    open_openings: int
    candidates: int
    answers_to_review: int


async def overview() -> Overview:
    """Open openings, candidates not erased nor merged away, recorded answers submitted (the
    review pages will narrow this to the ones nobody has reviewed yet)."""
    return Overview(
        open_openings=await JobOpening.filter(status=JobStatus.OPEN).count(),
        candidates=await Candidate.filter(erased_at=None, merged_into=None).count(),
        answers_to_review=await Answer.filter(status=AnswerStatus.SUBMITTED).count(),
    )
