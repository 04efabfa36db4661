"""What a résumé says, as facts with the sentence each came from.

This is the contract between reading a résumé (files → ``ParsedResume``) and everything that
uses one (matching against a job, intake into a candidate, the screening list). Absent values
are ``None`` or empty, never guessed; dates are months (``YYYY-MM``) because résumés rarely
give days. Protected attributes (age, birth date, gender, marital or childbearing status,
ethnicity, photo, home town, ID number) have no field here on purpose: a reader that meets
them drops them, so no later step can use them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class ParseStatus(StrEnum):
    PARSED = "parsed"
    NEEDS_OCR = "needs_ocr"  # scanned PDF or an image: no text layer to read
    REFUSED = "refused"  # encrypted, corrupt, too large, macro-bearing, zip bomb …


@dataclass(frozen=True)
class Education:
    school: str | None = None
    degree: str | None = None  # 博士 | 硕士 | 本科 | 大专 | 高中 | 中专 …, as written
    major: str | None = None
    start: str | None = None  # YYYY-MM
    end: str | None = None  # YYYY-MM; None when ongoing or not given
    evidence: str = ""  # the résumé text this entry was read from


@dataclass(frozen=True)
class Work:
    company: str | None = None
    title: str | None = None
    start: str | None = None  # YYYY-MM
    end: str | None = None  # YYYY-MM; None with ``current`` when it says 至今
    current: bool = False
    evidence: str = ""


@dataclass(frozen=True)
class Project:
    name: str
    role: str | None = None
    description: str = ""


@dataclass(frozen=True)
class ParsedResume:
    status: ParseStatus
    reason: str = ""  # Chinese, for HR, when status is not PARSED
    name: str | None = None
    phone: str | None = None
    email: str | None = None
    city: str | None = None
    education: tuple[Education, ...] = ()
    work: tuple[Work, ...] = ()
    months_experience: int | None = None
    skills: tuple[str, ...] = ()
    certificates: tuple[str, ...] = ()
    projects: tuple[Project, ...] = ()
    expected_salary: str | None = None  # as written, e.g. "15-20K"
    # field name ("name", "phone", "skills:SQL", …) → the sentence it was read from
    evidence: dict[str, str] = field(default_factory=dict)
