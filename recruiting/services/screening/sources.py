"""Where screening finds the parsed résumés of an opening's applicants.

Screening reads one ``ParsedResume`` per application: the newest parsed résumé file of the
application (or of its candidate, when the file was uploaded before the application). The
query is behind ``ParsedResumes`` so the ranking can be tested with résumés in memory and
the stored files (sealed, ``ResumeFile.parsed``) plug in without changing it.
"""

from __future__ import annotations

import hashlib
import logging
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from tortoise import connections

from recruiting.domain.resume import Education, ParsedResume, ParseStatus, Project, Work
from recruiting.models import Application, Candidate, ResumeFile, ResumeParse

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Applicant:
    """One application with the résumé screening reads."""

    application_id: int
    candidate_id: int
    name: str  # shown to HR on the ranked list; never an input of the match
    resume: ParsedResume
    key: str = ""  # the stored facts' identity (same key, same résumé); "" for none


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
    away), its newest parsed file — one attached to the application, else the candidate's.

    One query reads the candidates' newest files only (not every file as objects), and the
    facts of a file are opened (decrypted, parsed) once per process: each view of a large
    opening would otherwise decrypt thousands of documents. A cached document is found by its
    file id and a digest of the sealed value (a fresh nonce on every write), so a file whose
    facts were rewritten, erased or re-sealed under a new key is read afresh."""

    def __init__(self, cache_size: int = 20_000) -> None:
        self._opened: OrderedDict[str, ParsedResume | None] = OrderedDict()
        self._names: OrderedDict[str, str] = OrderedDict()
        self._size = cache_size

    async def for_opening(self, job_id: int) -> list[Applicant]:
        client = connections.get("default")
        mark = "$1" if client.capabilities.dialect == "postgres" else "?"
        applications = await client.execute_query_dict(_APPLICANTS.format(job=mark), [job_id])
        if not applications:
            return []
        newest: dict[tuple[str, int], dict[str, Any]] = {}
        for f in await _newest_files(job_id):  # ascending ids: the last one kept is the newest
            newest[("candidate", f["candidate_id"])] = f
            if f["application_id"] is not None:
                newest[("application", f["application_id"])] = f
        chosen = []
        for row in applications:
            a, c = int(row["id"]), int(row["candidate_id"])
            file = newest.get(("application", a)) or newest.get(("candidate", c))
            if file is not None:
                chosen.append(
                    (a, c, self._name(row["name"]), file, f"{file['id']}:{file['digest']}")
                )
        missing = [f["id"] for _, _, _, f, key in chosen if key not in self._opened]
        documents = await _documents(missing) if missing else {}
        found = []
        for a, c, name, file, key in chosen:
            resume = self._open(key, file["id"], documents)
            if resume is not None and resume.status is ParseStatus.PARSED:
                found.append(Applicant(a, c, name, resume, key))
        return found

    async def for_application(self, application_id: int) -> Applicant | None:
        applications = await Application.filter(
            id=application_id, candidate__erased_at=None, candidate__merged_into=None
        ).prefetch_related("candidate")
        found = await _with_resumes(applications)
        return found[0] if found else None

    def _name(self, sealed: str | None) -> str:
        """A name is sealed deterministically (same name, same value): opened once."""
        if sealed is None:
            return ""
        name = self._names.get(sealed)
        if name is None:
            name = self._names[sealed] = str(_NAME.to_python_value(sealed) or "")
            if len(self._names) > self._size:
                self._names.popitem(last=False)
        return name

    def _open(self, key: str, file_id: int, documents: Mapping[int, Any]) -> ParsedResume | None:
        if key in self._opened:
            self._opened.move_to_end(key)
            return self._opened[key]
        document = documents.get(file_id)
        resume: ParsedResume | None = None
        if isinstance(document, Mapping):
            try:
                resume = parsed_from_document(document)
            except (ValueError, TypeError):  # a document no reader wrote: leave it out
                log.warning("résumé file %s has unreadable parsed facts; not screened", file_id)
        self._opened[key] = resume
        if len(self._opened) > self._size:
            self._opened.popitem(last=False)
        return resume


async def _newest_files(job_id: int) -> list[dict[str, Any]]:
    """The files screening may read for the opening, with a digest of their sealed facts
    (computed by PostgreSQL, so facts already opened are not sent again)."""
    client = connections.get("default")
    if client.capabilities.dialect == "postgres":
        sql = _NEWEST.format(job="$1", digest="md5(f.parsed::text)")
        return list(await client.execute_query_dict(sql, [job_id]))
    rows = list(
        await client.execute_query_dict(_NEWEST.format(job="?", digest="f.parsed"), [job_id])
    )
    for row in rows:
        raw = str(row["digest"]).encode()
        row["digest"] = hashlib.blake2b(raw, digest_size=16).hexdigest()
    return rows


async def _documents(file_ids: list[int]) -> dict[int, Any]:
    """The opened facts of these files (``values_list`` opens sealed fields)."""
    rows = await ResumeFile.filter(id__in=file_ids).values_list("id", "parsed")
    return {int(i): p for i, p in rows}


# The opening's applications still in play (``ApplicationStatus`` REJECTED and WITHDRAWN are
# out), with the candidate's sealed name.
_APPLICANTS = """
SELECT a.id, a.candidate_id, c.name FROM application AS a
JOIN candidate AS c ON c.id = a.candidate_id
WHERE a.job_id = {job} AND c.erased_at IS NULL AND c.merged_into IS NULL
  AND a.status NOT IN ('rejected', 'withdrawn')
ORDER BY a.id
"""
_NAME = Candidate._meta.fields_map["name"]
# Per candidate of the opening, the newest parsed file, and per application the newest
# attached one (both in id order: the loop above keeps the last).
_NEWEST = """
SELECT id, candidate_id, application_id, digest FROM (
    SELECT f.id, f.candidate_id, f.application_id, {digest} AS digest,
           row_number() OVER (PARTITION BY f.candidate_id ORDER BY f.id DESC) AS by_candidate,
           row_number() OVER (PARTITION BY f.application_id ORDER BY f.id DESC) AS by_application
    FROM resume_file AS f
    WHERE f.parse_status = 'parsed'
      AND f.candidate_id IN (SELECT a.candidate_id FROM application AS a WHERE a.job_id = {job})
) AS newest
WHERE by_candidate = 1 OR (application_id IS NOT NULL AND by_application = 1)
ORDER BY id
"""


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
