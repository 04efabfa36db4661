"""How well a parsed résumé meets an opening's requirements, with the sentence behind each
verdict. Pure and deterministic: the same résumé and requirements give the same answer.

Each requirement is met (``True``), missed (``False``) or unknown (``None``, the résumé says
nothing about it — no degree written, no city, no skills section). Unknown is never a miss:

- score = 100 × points ÷ possible, rounded half up; a must-have weighs 2, a nice-to-have 1;
  a met requirement earns its weight, a missed one nothing, an unknown one **half** its
  weight (``UNKNOWN_SHARE``): neither rewarded like a fact nor punished like a miss;
- a missed must-have knocks the résumé out; the reason is said plainly, in Chinese, and the
  score is still computed so HR can see how close it came. An unknown must-have never
  knocks out: it is for HR to ask.

The match reads only ``MatchInput``, built from the allowed facts (experience, education,
skills, certificates, work history, projects, city) with every quoted sentence passed
through ``strip_protected``: age, gender, marital status and the like cannot reach it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from recruiting.domain.job_requirements import (
    DEGREE_LEVELS,
    JobRequirements,
    Kind,
    Requirement,
    degree_level,
)
from recruiting.domain.protected import strip_protected
from recruiting.domain.resume import ParsedResume, ParseStatus
from recruiting.domain.shorten import shorten
from recruiting.domain.skill_synonyms import SearchText, SynonymTable, any_found, compact

MUST_WEIGHT = 2
NICE_WEIGHT = 1
UNKNOWN_SHARE = Fraction(1, 2)
EVIDENCE_CHARS = 200
UNKNOWN_NOTE = "不计为未满足（按一半分值计）"


@dataclass(frozen=True)
class Fact:
    """One allowed fact and the sentence it came from (protected parts removed)."""

    text: str
    evidence: str


@dataclass(frozen=True)
class MatchInput:
    """Everything a match may read; nothing else of the résumé gets here."""

    months_experience: int | None
    experience_evidence: str
    degrees: tuple[Fact, ...]  # text = the level (本科 …)
    skills: tuple[Fact, ...]
    certificates: tuple[Fact, ...]
    history: tuple[Fact, ...]  # work entries and projects: company, title, description
    city: str | None
    city_evidence: str


def match_input(resume: ParsedResume) -> MatchInput:
    """The allowed facts of a résumé (``ParsedResume`` has no field for a protected
    attribute; its free sentences are stripped of them here)."""
    ev = resume.evidence
    degrees = tuple(
        Fact(level, _clean(e.evidence or " ".join(filter(None, (e.school, e.degree, e.major)))))
        for e in resume.education
        if (level := degree_level(e.degree)) is not None
    )
    skills = tuple(Fact(s, _clean(ev.get(f"skills:{s}") or s)) for s in resume.skills if s)
    certificates = tuple(
        Fact(c, _clean(ev.get(f"certificates:{c}") or c)) for c in resume.certificates if c
    )
    history = tuple(
        Fact(_clean(" ".join(filter(None, (w.company, w.title, w.evidence)))), _clean(w.evidence))
        for w in resume.work
    ) + tuple(
        Fact(_clean(" ".join(filter(None, (p.name, p.role, p.description)))), _clean(p.description))
        for p in resume.projects
    )
    experience = ev.get("months_experience") or ev.get("work") or ""
    if not experience and resume.work:
        experience = "；".join(w.evidence for w in resume.work if w.evidence)
    return MatchInput(
        months_experience=resume.months_experience,
        experience_evidence=_clean(experience),
        degrees=degrees,
        skills=skills,
        certificates=certificates,
        history=history,
        city=resume.city or None,
        city_evidence=_clean(ev.get("city") or resume.city or ""),
    )


@dataclass(frozen=True)
class Verdict:
    requirement: Requirement
    met: bool | None
    evidence: str  # the résumé's sentence, protected parts removed; "" when none
    note: str  # why, in Chinese

    def to_json(self) -> dict[str, Any]:
        return {
            "requirement": self.requirement.label,
            "kind": self.requirement.kind.value,
            "must": self.requirement.must,
            "met": self.met,
            "evidence": self.evidence or None,
            "note": self.note,
        }


@dataclass(frozen=True)
class MatchResult:
    score: int  # 0–100
    knocked_out: bool
    verdicts: tuple[Verdict, ...]
    knockouts: tuple[str, ...]  # one plain Chinese sentence per missed must-have

    def to_json(self) -> dict[str, Any]:
        """The stable shape (``resumes match``): score, knocked_out, requirements, plus the
        knock-out reasons and how unknowns weigh."""
        return {
            "score": self.score,
            "knocked_out": self.knocked_out,
            "knockout_reasons": list(self.knockouts),
            "requirements": [v.to_json() for v in self.verdicts],
            "unknown_weight": float(UNKNOWN_SHARE),
        }

    @property
    def counts(self) -> tuple[int, int, int]:
        """(met, missed, unknown)."""
        met = sum(1 for v in self.verdicts if v.met is True)
        missed = sum(1 for v in self.verdicts if v.met is False)
        return met, missed, len(self.verdicts) - met - missed


def match(facts: MatchInput, requirements: JobRequirements, table: SynonymTable) -> MatchResult:
    """Score ``facts`` against ``requirements`` (in their order)."""
    verdicts = tuple(_judge(r, facts, table) for r in requirements.items)
    possible = points = Fraction(0)
    for v in verdicts:
        weight = MUST_WEIGHT if v.requirement.must else NICE_WEIGHT
        possible += weight
        if v.met is True:
            points += weight
        elif v.met is None:
            points += weight * UNKNOWN_SHARE
    score = int(points * 100 / possible + Fraction(1, 2)) if possible else 0
    knockouts = tuple(
        f"不满足必须条件「{v.requirement.label}」：{v.note}"
        for v in verdicts
        if v.requirement.must and v.met is False
    )
    return MatchResult(score, bool(knockouts), verdicts, knockouts)


def match_resume(
    resume: ParsedResume, requirements: JobRequirements, table: SynonymTable
) -> MatchResult:
    """A parsed résumé against the requirements; anything but a parsed one is refused."""
    if resume.status is not ParseStatus.PARSED:
        raise ValueError(f"only a parsed résumé can be matched, not {resume.status}")
    return match(match_input(resume), requirements, table)


def _judge(req: Requirement, facts: MatchInput, table: SynonymTable) -> Verdict:
    if req.kind is Kind.YEARS:
        return _years(req, facts)
    if req.kind is Kind.DEGREE:
        return _degree(req, facts)
    if req.kind is Kind.LOCATION:
        return _location(req, facts)
    if req.kind is Kind.INDUSTRY:
        return _industry(req, facts, table)
    return _skill_or_certificate(req, facts, table)


def _years(req: Requirement, facts: MatchInput) -> Verdict:
    months = facts.months_experience
    if months is None:
        return Verdict(req, None, facts.experience_evidence, "简历未写明工作年限，" + UNKNOWN_NOTE)
    have = _years_text(months)
    if months >= req.months:
        return Verdict(req, True, facts.experience_evidence, f"工作经验约 {have}")
    note = f"工作经验约 {have}，要求 {req.value} 年以上"
    return Verdict(req, False, facts.experience_evidence, note)


def _years_text(months: int) -> str:
    years, rest = divmod(months, 12)
    if not years:
        return f"{rest} 个月"
    return f"{years} 年" + (f" {rest} 个月" if rest else "")


def _degree(req: Requirement, facts: MatchInput) -> Verdict:
    if not facts.degrees:
        return Verdict(req, None, "", "简历未写明学历，" + UNKNOWN_NOTE)
    best = max(facts.degrees, key=lambda f: DEGREE_LEVELS[f.text])
    if DEGREE_LEVELS[best.text] >= DEGREE_LEVELS[req.value]:
        return Verdict(req, True, best.evidence, f"最高学历：{best.text}")
    return Verdict(req, False, best.evidence, f"最高学历为{best.text}，要求{req.value}及以上")


def _location(req: Requirement, facts: MatchInput) -> Verdict:
    if not facts.city:
        return Verdict(req, None, "", "简历未写明所在城市，" + UNKNOWN_NOTE)
    wanted, have = _place(req.value), _place(facts.city)
    if wanted in have or have in wanted:
        return Verdict(req, True, facts.city_evidence, f"所在城市：{facts.city}")
    note = f"所在城市为{facts.city}，岗位在{req.value}（可询问是否愿意到岗）"
    return Verdict(req, False, facts.city_evidence, note)


def _place(text: str) -> str:
    place = compact(text)
    for suffix in ("特别行政区", "自治区", "省", "市", "区", "县"):
        place = place.removesuffix(suffix)
    return place or compact(text)


def _industry(req: Requirement, facts: MatchInput, table: SynonymTable) -> Verdict:
    terms = table.industries.terms_for(req.value)
    found = any_found(terms, _texts(facts.history))
    if found is not None:
        return Verdict(req, True, _evidence(found, facts.history), "工作经历中有该行业")
    # Company names rarely say their industry: not finding it is not knowing it.
    why = "工作经历未写明所属行业" if facts.history else "简历没有工作经历"
    return Verdict(req, None, "", f"{why}，" + UNKNOWN_NOTE)


def _skill_or_certificate(req: Requirement, facts: MatchInput, table: SynonymTable) -> Verdict:
    terms = table.skills.terms_for(req.value)
    listed = facts.certificates + facts.skills
    if req.kind is Kind.SKILL:
        listed = facts.skills + facts.certificates
    found = any_found(terms, _texts(listed))
    if found is not None:
        return Verdict(req, True, _evidence(found, listed), "简历中写明")
    found = any_found(terms, _texts(facts.history))
    if found is not None:
        return Verdict(req, True, _evidence(found, facts.history), "工作或项目经历中体现")
    section = facts.certificates if req.kind is Kind.CERTIFICATE else facts.skills
    name = "证书" if req.kind is Kind.CERTIFICATE else "技能"
    if not section and not facts.history:
        return Verdict(req, None, "", f"简历没有{name}和经历部分，" + UNKNOWN_NOTE)
    if not section and req.kind is Kind.CERTIFICATE:
        return Verdict(req, None, "", "简历未列出证书，" + UNKNOWN_NOTE)
    return Verdict(req, False, "", f"简历的{name}和经历中都没有提到「{req.value}」")


def _texts(facts: Iterable[Fact]) -> list[SearchText]:
    return [SearchText.of(f.text) for f in facts]


def _evidence(found: SearchText, facts: tuple[Fact, ...]) -> str:
    for fact in facts:
        if fact.text == found.original:
            return _clean(fact.evidence or fact.text)
    return _clean(found.original)


def _clean(text: str) -> str:
    """A quotable sentence: protected attributes removed, one line, bounded length."""
    one_line = " ".join(strip_protected(text).split())
    return shorten(one_line, max_chars=EVIDENCE_CHARS)
