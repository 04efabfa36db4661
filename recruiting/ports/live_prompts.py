"""The analysis core seen from a live interview: competencies, prompts after a note, and the
advisory score of the notes.

The core is synchronous and CPU-bound (jieba); callers run it off the event loop. Everything
it returns is advisory: the interviewer decides what to ask and how to score.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True)
class LiveScope:
    """What a live round assesses: the round's competencies (codes or names), else the
    job's competency model ``[{"code", "name", "weight"}]``."""

    job_code: str
    job_title: str
    competency_model: list[dict[str, Any]]
    round_competencies: tuple[str, ...] = ()


@dataclass(frozen=True)
class CompetencyBrief:
    code: str
    name: str
    anchors: tuple[str, ...]  # the rubric's texts for levels 1..5


@dataclass(frozen=True)
class LivePrompt:
    """What to do next, from the notes so far and the latest one."""

    covered: list[str]  # competency names with evidence in the notes
    uncovered: list[str]  # still without evidence, heaviest first
    focus: CompetencyBrief | None  # the competency to probe next, with its anchors
    missing: list[str]  # STAR parts (and ownership/quantification) the latest note lacks
    question: str  # a follow-up quoting the candidate's own words, when there are any
    quote: str = ""
    # Chinese warnings on the latest note (a keyword list, a self-description without an
    # episode…): why the scores of such words stay low, with the words that raised them
    flags: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class NoteScore:
    competency: str  # name
    value: float | None  # 1..5, None = not assessed (no evidence), never 0
    confidence: float | None
    evidence: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class NoteAssessment:
    engine: str  # "ai:<engine>", the rater key of the scores
    scores: list[NoteScore]


class LivePrompts(Protocol):
    def competencies(self, scope: LiveScope) -> list[CompetencyBrief]:
        """The competencies to track and score, in weight order."""

    def prompt(self, scope: LiveScope, notes: Sequence[str], latest: str) -> LivePrompt:
        """Coverage over all ``notes`` (``latest`` included) and a follow-up on ``latest``."""

    def assess(self, scope: LiveScope, notes: Sequence[str]) -> NoteAssessment:
        """Advisory scores of the notes, each with the quotes it rests on."""
