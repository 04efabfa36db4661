"""The answer-scorer port: one answer in, an ``AnswerScore`` out, whichever engine scored.

Reports, live prompts and the stored analysis read only ``AnswerScore``, so an engine can be
swapped without touching them. The port takes the answer, the question and the job, nothing
about the candidate: an engine cannot leak a name or a phone number it never received.
"""

from __future__ import annotations

from typing import Protocol

from interview_core.text.jobs import JobModel
from interview_core.text.scoring import AnswerScore
from recruiting.domain.coverage import DEFAULT_MIN_COVERAGE


class AnswerScorer(Protocol):
    def score(
        self,
        answer: str,
        question: str,
        job: JobModel,
        min_coverage: float = DEFAULT_MIN_COVERAGE,
        *,
        no_transcript: str = "",
    ) -> AnswerScore:
        """Score one answer against every competency of ``job`` (advisory).

        ``no_transcript`` (a ``NoTranscript`` code): the answer was spoken but there is no
        text; every competency is then not assessed, in the system's or recording's name."""
        ...
