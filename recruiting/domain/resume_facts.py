"""Small facts read out of résumé text: months, phones, e-mails, experience, protected data.

Pure functions over strings, shared by the extractor and by its tests. Dates are months
(``YYYY-MM``) because résumés rarely give days; a year without a month, or anything not
plainly a date, is ``None`` rather than a guess. Protected attributes (age, birth date,
gender, marital or childbearing status, ethnicity, political status, photo, home town, ID
number) are recognised here so the extractor can drop them before anything reads a line.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterable

# --- text ---------------------------------------------------------------------------------

_SPACES = re.compile(r"[ \t\u00a0\u3000]+")


def normalise(text: str) -> str:
    """Full-width letters, digits and punctuation to ASCII; a gap (two or more spaces, a tab,
    an ideographic space) stays a two-space gap, since layouts use gaps as separators."""
    text = text.replace("\u3000", "  ")
    text = unicodedata.normalize("NFKC", text)
    text = text.replace("\u2013", "-").replace("\u2014", "-").replace("\u2012", "-")
    return _SPACES.sub(_gap, text).strip()


def _gap(found: re.Match[str]) -> str:
    run = found.group(0)
    return "  " if len(run) > 1 or "\t" in run else " "


# --- months -------------------------------------------------------------------------------

_PRESENT = r"(?:至今|迄今|今|现在|目前|当前|now|present|current|to date)"
_YEAR = r"(?:19[6-9]\d|20[0-4]\d)"
_MONTH_NUM = r"(?:1[0-2]|0?[1-9])"
# One date: 2019.07 / 2019.7 / 2019年7月 / 2019/7 / 2019-07 / 2019年07 / 201907 (6 digits)
_DATE = (
    rf"(?:{_YEAR}\s*(?:[./\-]|年)\s*{_MONTH_NUM}(?:\s*月)?(?:\s*(?:[./\-]\s*\d{{1,2}}|\d{{1,2}}\s*日))?"
    rf"|{_YEAR}(?:0[1-9]|1[0-2])(?!\d))"
)
_DASH = r"\s*(?:-{1,2}|~|～|至|到|–|—|－|→|\bto\b)\s*"
DATE_RANGE = re.compile(
    rf"(?P<start>{_DATE})(?:{_DASH})(?P<end>{_DATE}|{_PRESENT})",
    re.IGNORECASE,
)
_ONE_DATE = re.compile(rf"^({_YEAR})\s*(?:[./\-]|年)?\s*({_MONTH_NUM})(?!\d)")
_PRESENT_RE = re.compile(rf"^{_PRESENT}$", re.IGNORECASE)


def parse_month(text: str) -> str | None:
    """``2019.07``, ``2019年7月``, ``2019/7``, ``2019-07``, ``201907`` → ``2019-07``; else None."""
    text = normalise(text)
    if re.fullmatch(r"(19|20)\d\d(0[1-9]|1[0-2])", text):
        return f"{text[:4]}-{text[4:]}"
    found = _ONE_DATE.match(text)
    if not found:
        return None
    month = int(found.group(2))
    if not 1 <= month <= 12:
        return None
    return f"{found.group(1)}-{month:02d}"


def is_present(text: str) -> bool:
    """至今 / 现在 / present … : the entry is still running."""
    return bool(_PRESENT_RE.match(normalise(text)))


def find_date_range(text: str) -> tuple[str | None, str | None, bool, tuple[int, int]] | None:
    """The first ``start – end`` range in a line: (start, end, ongoing, span) or None."""
    found = DATE_RANGE.search(normalise(text))
    if not found:
        return None
    start = parse_month(found.group("start"))
    end_text = found.group("end")
    ongoing = is_present(end_text)
    end = None if ongoing else parse_month(end_text)
    if start is None:
        return None
    return start, end, ongoing, found.span()


def month_index(month: str) -> int:
    """``YYYY-MM`` → months since year 0 (for arithmetic)."""
    year, mon = month.split("-")
    return int(year) * 12 + int(mon) - 1


def months_of_experience(spans: Iterable[tuple[str, str | None, bool]], as_of: str) -> int | None:
    """Months worked over ``(start, end, ongoing)`` spans, overlaps counted once.

    Both ends count (2019-07 to 2021-06 is 24 months); an ongoing span runs to ``as_of``. A
    span without a start, or without an end that is not ongoing, cannot be measured and is
    left out; when none can, the answer is ``None`` (unknown), not 0.
    """
    covered: set[int] = set()
    measured = False
    limit = month_index(as_of)
    for start, end, ongoing in spans:
        if end is None and not ongoing:
            continue
        first = month_index(start)
        last = limit if ongoing or end is None else month_index(end)
        last = min(last, limit)
        if last < first:
            continue
        measured = True
        covered.update(range(first, last + 1))
    return len(covered) if measured else None


def employment_gaps(
    spans: Iterable[tuple[str, str | None, bool]], as_of: str, *, min_months: int = 1
) -> list[tuple[str, str]]:
    """Months between measured spans with no work, as ``(first, last)`` month pairs."""
    covered: set[int] = set()
    limit = month_index(as_of)
    for start, end, ongoing in spans:
        if end is None and not ongoing:
            continue
        last = limit if ongoing or end is None else min(month_index(end), limit)
        covered.update(range(month_index(start), last + 1))
    if not covered:
        return []
    gaps: list[tuple[str, str]] = []
    ordered = sorted(covered)
    for before, after in itertools.pairwise(ordered):
        if after - before - 1 >= min_months:
            gaps.append((_month_text(before + 1), _month_text(after - 1)))
    return gaps


def _month_text(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


# --- contact ------------------------------------------------------------------------------

_MOBILE = re.compile(
    r"(?<![\d])(?:(?:\+|00)?86[\s\-]*)?(?:\(\s*86\s*\)\s*)?"
    r"(1[3-9]\d)[\s\-]*(\d{4})[\s\-]*(\d{4})(?![\d])"
)
_EMAIL = re.compile(
    r"[A-Za-z0-9][A-Za-z0-9._%+\-]{0,63}@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,12}"
)


def find_phone(text: str) -> str | None:
    """A mainland mobile number in any usual spelling → its 11 digits (no +86)."""
    found = _MOBILE.search(normalise(text))
    return "".join(found.groups()) if found else None


def find_email(text: str) -> str | None:
    found = _EMAIL.search(normalise(text))
    return found.group(0).lower() if found else None


# --- protected attributes -----------------------------------------------------------------

PROTECTED_LABELS = (
    "年龄", "年纪", "岁数", "出生", "生日", "出生日期", "出生年月", "性别", "婚姻", "婚否",
    "婚育", "婚姻状况", "生育", "子女", "民族", "政治面貌", "党派", "籍贯", "户籍", "户口",
    "家乡", "老家", "出生地", "身份证", "证件号", "身份证号", "照片", "头像", "宗教", "信仰",
    "身高", "体重", "血型", "健康状况",
)  # fmt: skip
_PROTECTED_LABEL = re.compile(
    r"^\s*(?:" + "|".join(sorted(map(re.escape, PROTECTED_LABELS), key=len, reverse=True)) + r")"
    r"[^:：]{0,4}\s*[:：]?",
)
_PROTECTED_VALUE = re.compile(
    r"^(?:男|女|男性|女性|已婚|未婚|离异|丧偶|已育|未育|已婚已育|已婚未育|未婚未育|"
    r"[\u4e00-\u9fff]{1,3}族|中共党员|中共预备党员|共青团员|团员|党员|群众|民主党派|无党派人士|"
    r"\d{1,2}\s*岁|\d{1,2}\s*周岁|(?:19|20)\d\d\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日?\s*(?:出生|生)?|"
    r"[(（]?\s*(?:19|20)\d\d[./\-年]\s*\d{1,2}[./\-月]?\s*\d{0,2}\s*日?\s*(?:出生|生)\s*[)）]?)$"
)
ID_NUMBER = re.compile(
    r"(?<![\dA-Za-z])\d{6}(?:19|20)\d{2}(?:0[1-9]|1[0-2])\d{2}\d{3}[\dXx](?![\dA-Za-z])"
)
_AGE_IN_TEXT = re.compile(r"\d{1,2}\s*周?岁(?:\s*[(（][^)）]*[)）])?")


def is_protected(piece: str) -> bool:
    """True for a ``label: value`` piece or a bare value that states a protected attribute."""
    text = normalise(piece).strip(" |·•,，;；/")
    if not text:
        return False
    if _PROTECTED_LABEL.match(text):
        return True
    return bool(_PROTECTED_VALUE.match(text))


def scrub_protected_text(text: str) -> str:
    """Remove ID numbers and "28岁"-style ages that sit inside free text."""
    text = ID_NUMBER.sub("", text)
    return _AGE_IN_TEXT.sub("", text)
