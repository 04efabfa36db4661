"""What the candidate page shows of a résumé: the facts the reader took from the newest
parsed file, each with the sentence it came from, and the match against every opening the
candidate applied to (``Screening.match_application``: the ranking's own matcher).

Contact details stay out (the page shows them only on request, audited, through
``PersonalDataService``): the phone and e-mail are not listed and are masked inside the
quoted sentences; every sentence passes ``strip_protected`` as the match's own quotes do.
HR only; every look is audited.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from recruiting.domain.protected import strip_protected
from recruiting.domain.resume import ParsedResume, ParseStatus
from recruiting.domain.shorten import shorten
from recruiting.models import Application, ResumeFile, ResumeParse
from recruiting.services.screening.ranking import Matched, Screening
from recruiting.services.screening.requirements import NOT_HR
from recruiting.services.screening.sources import parsed_from_document
from recruiting.services.shared.access import require_hr
from recruiting.services.shared.audit import record
from recruiting.services.shared.sessions import Principal

EVIDENCE_CHARS = 160
MASK = "（联系方式已隐藏）"
_PHONE = re.compile(r"(?<!\d)(?:\+?86[\s-]?)?1[3-9]\d(?:[\s-]?\d){8}(?!\d)")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


@dataclass(frozen=True)
class Fact:
    label: str  # 城市, 教育经历 …
    value: str
    evidence: str  # the résumé's sentence; "" when the reader kept none


@dataclass(frozen=True)
class ResumeView:
    resume_id: int | None  # the file the facts come from; None without a parsed one
    filename: str = ""
    facts: list[Fact] = field(default_factory=list)
    matches: list[Matched] = field(default_factory=list)


class CandidateResumes:
    def __init__(self, screening: Screening) -> None:
        self._screening = screening

    async def view(self, principal: Principal, candidate_id: int) -> ResumeView:
        await require_hr(principal, "read_resume_facts", "candidate", candidate_id, refusal=NOT_HR)
        file = (
            await ResumeFile.filter(candidate_id=candidate_id, parse_status=ResumeParse.PARSED)
            .order_by("-id")
            .first()
        )
        applications = await Application.filter(candidate_id=candidate_id).order_by("id")
        matches = [
            m
            for a in applications
            if (m := await self._screening.match_application(a.id)) is not None
        ]
        await record(principal.actor, "read_resume_facts", "candidate", candidate_id,
                     allowed=True, detail=f"file={file.id if file else '-'}")  # fmt: skip
        resume = _resume(file.parsed) if file is not None else None
        if file is None or resume is None:
            return ResumeView(None, matches=matches)
        return ResumeView(file.id, file.filename, facts(resume), matches)


def facts(resume: ParsedResume) -> list[Fact]:
    """The résumé's facts in reading order, contact details left out."""
    ev = resume.evidence
    hide = _Masker(resume)
    out: list[Fact] = []
    if resume.name:
        out.append(Fact("姓名", resume.name, hide(ev.get("name", ""))))
    if resume.city:
        out.append(Fact("城市", resume.city, hide(ev.get("city", ""))))
    if resume.months_experience is not None:
        years, months = divmod(resume.months_experience, 12)
        span = f"约 {years} 年" + (f" {months} 个月" if months else "")
        out.append(Fact("工作年限", span, hide(ev.get("months_experience", ""))))
    for e in resume.education:
        what = " ".join(filter(None, (e.school, e.major, e.degree)))
        out.append(Fact("教育经历", _dated(what, e.start, e.end, False), hide(e.evidence)))
    for w in resume.work:
        what = " ".join(filter(None, (w.company, w.title)))
        out.append(Fact("工作经历", _dated(what, w.start, w.end, w.current), hide(w.evidence)))
    for s in resume.skills:
        out.append(Fact("技能", s, hide(ev.get(f"skills:{s}", ""))))
    for c in resume.certificates:
        out.append(Fact("证书", c, hide(ev.get(f"certificates:{c}", ""))))
    for p in resume.projects:
        out.append(Fact("项目", " ".join(filter(None, (p.name, p.role))), hide(p.description)))
    if resume.expected_salary:
        out.append(Fact("期望薪资", resume.expected_salary, hide(ev.get("expected_salary", ""))))
    return out


class _Masker:
    """A quoted sentence without protected attributes or the candidate's contacts."""

    def __init__(self, resume: ParsedResume) -> None:
        self._known = [v for v in (resume.phone, resume.email) if v]

    def __call__(self, sentence: str) -> str:
        text = strip_protected(sentence or "")
        for value in self._known:
            text = text.replace(value, MASK)
        text = _EMAIL.sub(MASK, _PHONE.sub(MASK, text))
        return shorten(text.strip(), max_chars=EVIDENCE_CHARS, inline=True)


def _dated(what: str, start: str | None, end: str | None, current: bool) -> str:
    if not start and not end and not current:
        return what or "（未写明）"
    until = "至今" if current else (end or "?")
    return f"{what or '（未写明）'}（{start or '?'} – {until}）"


def _resume(document: Any) -> ParsedResume | None:
    if not isinstance(document, dict):
        return None
    try:
        resume = parsed_from_document(document)
    except (ValueError, TypeError):
        return None
    return resume if resume.status is ParseStatus.PARSED else None
