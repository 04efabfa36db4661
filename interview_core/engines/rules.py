"""The rules engine behind the port: deterministic, offline, the default and the fallback."""

from __future__ import annotations

from dataclasses import dataclass

from interview_core.text.jobs import JobModel
from interview_core.text.scoring import AnswerScore, score_answer
from recruiting.domain.coverage import DEFAULT_MIN_COVERAGE


@dataclass(frozen=True)
class RulesScorer:
    """``interview_core.text.scoring.score_answer`` as an ``AnswerScorer`` (picklable)."""

    def score(
        self,
        answer: str,
        question: str,
        job: JobModel,
        min_coverage: float = DEFAULT_MIN_COVERAGE,
        *,
        no_transcript: str = "",
    ) -> AnswerScore:
        return score_answer(answer, question, job, min_coverage, no_transcript=no_transcript)
