"""Live-interview prompts behind the service's ``LivePrompts`` port (recruiting.ports.live_prompts).

Notes are the interviewer's words, often fragments; they are read like one answer told in
pieces, a note about the candidate (他说…) as the candidate's own words: behaviour evidence
per competency over all notes (what is still uncovered: a competency is covered by what the
candidate did, never by its name), the gaps of the story, gaming flags and a follow-up
question on the latest note, which is where the conversation is. Deterministic and
advisory, like the rest of the text core.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from interview_core.service import job_for
from interview_core.text.followup import follow_up
from interview_core.text.jobs import JobCompetency, JobModel, selection
from interview_core.text.library import CompetencyLibrary, default_library
from interview_core.text.reported import first_person, is_reported
from interview_core.text.scoring import METHOD, AnswerScore, score_answer
from recruiting.errors import InvalidInput
from recruiting.ports.live_prompts import (
    CompetencyBrief,
    LivePrompt,
    LiveScope,
    NoteAssessment,
    NoteScore,
)

log = logging.getLogger(__name__)

ENGINE = f"ai:notes/{METHOD}"


@dataclass(frozen=True)
class CoreLivePrompts:
    """``LivePrompts`` on the built-in competency library (``None``: the default one)."""

    library: CompetencyLibrary | None = None

    def competencies(self, scope: LiveScope) -> list[CompetencyBrief]:
        job = self._job(scope)
        if job is None:
            return []
        return [CompetencyBrief(c.code, c.name, c.competency.anchors) for c in _by_weight(job)]

    def prompt(self, scope: LiveScope, notes: Sequence[str], latest: str) -> LivePrompt:
        job = self._job(scope)
        if job is None:
            return LivePrompt([], [], None, [], "")
        scored = score_answer(_joined(notes), "", job)
        covered = [c.name for c in _by_weight(job) if scored.competency(c.name).from_behaviour]
        uncovered = [c.name for c in _by_weight(job) if c.name not in covered]
        follow = follow_up(latest, "", job, note=True) if latest.strip() else None
        focus = uncovered[0] if uncovered else (follow and follow.competency) or _weakest(scored)
        brief = next((b for b in self.competencies(scope) if b.name == focus), None)
        if follow is None:
            return LivePrompt(covered, uncovered, brief, [], "")
        flags = [f"{f.label}：{f.reason}" for f in score_answer(_read(latest), "", job).flags]
        return LivePrompt(
            covered, uncovered, brief, follow.missing, follow.question, follow.quote, flags
        )

    def assess(self, scope: LiveScope, notes: Sequence[str]) -> NoteAssessment:
        job = self._job(scope)
        if job is None:
            return NoteAssessment(ENGINE, [])
        scored = score_answer(_joined(notes), "", job)
        scores = [
            NoteScore(
                competency=c.name,
                value=c.score,
                confidence=c.confidence,
                evidence=[e.to_json() for e in c.evidence],
            )
            for c in scored.competencies
        ]
        return NoteAssessment(ENGINE, scores)

    def _job(self, scope: LiveScope) -> JobModel | None:
        """The round's competencies (equal weights) or the job's model; competencies the
        library does not know cannot be tracked and are left out (logged)."""
        library = self.library or default_library()
        wanted = [_name(key, scope) for key in scope.round_competencies]
        if not wanted:
            try:
                return job_for(scope.job_code, scope.job_title, scope.competency_model)
            except InvalidInput:
                wanted = [_name(str(i.get("code", "")), scope) for i in scope.competency_model]
        known = [name for name in wanted if name in library.names() or _code_known(name, library)]
        if len(known) < len(wanted):
            log.warning("live prompts: competencies not in the library: %s",
                        sorted(set(wanted) - set(known)))  # fmt: skip
        return selection(known, library) if known else None


def _name(key: str, scope: LiveScope) -> str:
    """A round names competencies by code or name; the job's model maps codes to names."""
    for item in scope.competency_model:
        if key in (str(item.get("code")), str(item.get("name"))):
            return str(item.get("name") or key)
    return key


def _code_known(key: str, library: CompetencyLibrary) -> bool:
    return any(key == c.code for c in library.competencies)


def _by_weight(job: JobModel) -> list[JobCompetency]:
    items = list(job.competencies)
    return sorted(items, key=lambda c: (-c.weight, items.index(c)))


def _weakest(scored: AnswerScore) -> str | None:
    assessed = [c for c in scored.competencies if c.score is not None]
    return min(assessed, key=lambda c: c.score or 0.0).name if assessed else None


def _joined(notes: Sequence[str]) -> str:
    return "\n".join(_read(n) for n in notes if n.strip())


def _read(note: str) -> str:
    """A note as the candidate's words (他说他负责… → 我负责…)."""
    note = note.strip()
    return first_person(note) if is_reported(note) else note
