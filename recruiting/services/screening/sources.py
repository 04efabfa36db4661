"""Where screening finds the parsed résumés of an opening's applicants.

Screening reads one ``ParsedResume`` per application: the newest parsed résumé file of the
application (or of its candidate, when the file was uploaded before the application). The
query is behind ``ParsedResumes`` so the ranking can be tested with résumés in memory and
the stored files (sealed, ``ResumeFile.parsed``) plug in without changing it.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from recruiting.domain.resume import Education, ParsedResume, ParseStatus, Project, Work
from recruiting.models import Application, ApplicationStatus, ResumeFile, ResumeParse

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Applicant:
    """One application with the résumé screening reads."""

    application_id: int
    candidate_id: int
    name: str  # shown to HR on the ranked list; never an input of the match
    resume: ParsedResume


class ParsedResumes(Protocol):
    async def for_opening(self, job_id: int) -> list[Applicant]:
        """Applications of the opening that have a parsed résumé, in application order."""

    async def for_application(self, application_id: int) -> Applicant | None:
        """One application with its parsed résumé (whatever its status), None without one."""


@dataclass(frozen=True)
class InMemoryResumes:
    """Applicants given directly (unit tests, the benchmark, the command line)."""

    applicants: Sequence[tuple[int, Applicant]]  # (job id, applicant)

    async def for_opening(self, job_id: int) -> list[Applicant]:
        return [a for job, a in self.applicants if job == job_id]

    async def for_application(self, application_id: int) -> Applicant | None:
        return next((a for _, a in self.applicants if a.application_id == application_id), None)


class StoredResumes:
    """The parsed résumé files HR uploaded (``ResumeFile``, facts sealed at rest): per
    application still in play (not rejected, not withdrawn; candidate not erased or merged
    away), its newest parsed file — one attached to the application, else the candidate's."""

    async def for_opening(self, job_id: int) -> list[Applicant]:
        applications = (
            await Application.filter(job_id=job_id, candidate__erased_at=None,
                                     candidate__merged_into=None)
            .exclude(status__in=[ApplicationStatus.REJECTED, ApplicationStatus.WITHDRAWN])
            .prefetch_related("candidate")
            .order_by("id")
        )  # fmt: skip
        return await _with_resumes(applications)

    async def for_application(self, application_id: int) -> Applicant | None:
        applications = await Application.filter(
            id=application_id, candidate__erased_at=None, candidate__merged_into=None
        ).prefetch_related("candidate")
        found = await _with_resumes(applications)
        return found[0] if found else None


async def _with_resumes(applications: list[Application]) -> list[Applicant]:
    """Each application with its newest parsed résumé (one attached to it, else its
    candidate's); applications without one are left out."""
    if not applications:
        return []
    files = await ResumeFile.filter(
        candidate_id__in=[a.candidate_id for a in applications],
        parse_status=ResumeParse.PARSED,
    ).order_by("id")
    newest: dict[tuple[str, int], ResumeFile] = {}
    for f in files:  # ascending ids: the last one kept is the newest
        newest[("candidate", f.candidate_id)] = f
        if f.application_id is not None:
            newest[("application", f.application_id)] = f
    found = []
    for a in applications:
        file = newest.get(("application", a.id)) or newest.get(("candidate", a.candidate_id))
        if file is None or not isinstance(file.parsed, Mapping):
            continue
        try:
            resume = parsed_from_document(file.parsed)
        except (ValueError, TypeError):  # a document no reader wrote: leave it out
            log.warning("résumé file %s has unreadable parsed facts; not screened", file.id)
            continue
        if resume.status is ParseStatus.PARSED:
            found.append(Applicant(a.id, a.candidate_id, a.candidate.name, resume))
    return found


def parsed_from_document(document: Mapping[str, Any]) -> ParsedResume:
    """A ``ParsedResume`` from its stored document (``dataclasses.asdict`` shape); unknown
    keys are ignored, so a document written by a newer reader still loads."""

    def text(key: str, source: Mapping[str, Any] = document) -> str | None:
        value = source.get(key)
        return None if value is None else str(value)

    def entries(key: str) -> list[Mapping[str, Any]]:
        value = document.get(key) or []
        return [e for e in value if isinstance(e, Mapping)] if isinstance(value, list) else []

    months = document.get("months_experience")
    evidence = document.get("evidence") or {}
    return ParsedResume(
        status=ParseStatus(str(document.get("status") or ParseStatus.PARSED)),
        reason=str(document.get("reason") or ""),
        name=text("name"),
        phone=text("phone"),
        email=text("email"),
        city=text("city"),
        education=tuple(
            Education(
                text("school", e),
                text("degree", e),
                text("major", e),
                text("start", e),
                text("end", e),
                str(e.get("evidence") or ""),
            )
            for e in entries("education")
        ),
        work=tuple(
            Work(
                text("company", w),
                text("title", w),
                text("start", w),
                text("end", w),
                bool(w.get("current")),
                str(w.get("evidence") or ""),
            )
            for w in entries("work")
        ),
        months_experience=int(months) if isinstance(months, int | float) else None,
        skills=tuple(str(s) for s in document.get("skills") or () if s),
        certificates=tuple(str(c) for c in document.get("certificates") or () if c),
        projects=tuple(
            Project(str(p.get("name") or ""), text("role", p), str(p.get("description") or ""))
            for p in entries("projects")
        ),
        expected_salary=text("expected_salary"),
        evidence={str(k): str(v) for k, v in evidence.items()}
        if isinstance(evidence, Mapping)
        else {},
    )
