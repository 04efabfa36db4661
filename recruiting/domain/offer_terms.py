"""Reading ``发offer <候选人> [figures]`` tolerantly, and the package figures an offer carries.

People type "发offer 张三", "offer 张三", "给张三发offer", "发 offer：张三 销售代表",
"发offer 张三 月薪2.5万 年终2个月 补贴1500 入职2026-12-15" or "send offer 张三 base 25k".
Figures are recognised by their label wherever they stand; what is left is the candidate's
name, then (optionally) words of the job title to pick one of several applications.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from recruiting.errors import InvalidInput

_COMMAND = re.compile(
    r"^\s*(?:(?:请|帮我|麻烦)?(?:发|发送|开|出|send)\s*(?:an?\s+)?offer|offer)(?![a-z])"
    r"\s*(?:给|to\b|for\b)?[\s:：,，]*(?P<rest>.*)$",
    re.I | re.S,
)
_GIVE = re.compile(
    r"^\s*(?:请|帮我|麻烦)?给\s*(?P<name>\S+?)\s*(?:发|发送|开)\s*offer\s*(?P<rest>.*)$",
    re.I | re.S,
)
_AMOUNT = r"(?P<amount>\d[\d,，]*(?:\.\d+)?)\s*(?P<unit>万|w|k|千)?\s*(?:元|块|rmb)?"
_FIGURES: dict[str, re.Pattern[str]] = {
    "base": re.compile(
        r"(?:月薪|底薪|基本工资|基本薪资|薪资|工资|base|salary)[\s:：=]*" + _AMOUNT, re.I
    ),
    "allowances": re.compile(r"(?:补贴|津贴|allowances?)[\s:：=]*" + _AMOUNT, re.I),
    "bonus": re.compile(
        r"(?:年终奖?|奖金|bonus)[\s:：=]*(?P<months>\d+(?:\.\d+)?)\s*(?:个月|月|months?)?", re.I
    ),
    "pay_months": re.compile(r"(?P<total>1[2-9]|2[0-4])\s*薪"),
    "start": re.compile(
        r"(?:入职(?:日期|时间)?|到岗|start(?:\s*date)?)[\s:：=]*(?P<date>"
        r"\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?|\d{1,2}[-/.月]\d{1,2}日?)",
        re.I,
    ),
    "city": re.compile(r"(?:城市|工作地点|地点|city)[\s:：=]*(?P<city>[^\s,，;；]+)", re.I),
}
_SEPARATORS = re.compile(r"[\s,，;；、。！!？?]+")
MAX_BONUS_MONTHS = Decimal(24)
MAX_MONTHLY = Decimal(1_000_000)  # yuan a month; beyond it a figure is a typo (and overflows)


@dataclass(frozen=True)
class Figures:
    """Package figures; None means "not given" (the payroll proposal or HR fills it in)."""

    base: Decimal | None = None  # monthly base salary, yuan
    bonus_months: Decimal | None = None  # year-end bonus in months of base
    allowances: Decimal | None = None  # monthly allowances in total, yuan
    start_date: date | None = None
    city: str | None = None

    def over(self, defaults: Figures) -> Figures:
        """These figures where given, ``defaults`` elsewhere (HR overrides the proposal)."""
        return Figures(
            base=self.base if self.base is not None else defaults.base,
            bonus_months=self.bonus_months
            if self.bonus_months is not None
            else defaults.bonus_months,
            allowances=self.allowances if self.allowances is not None else defaults.allowances,
            start_date=self.start_date or defaults.start_date,
            city=self.city or defaults.city,
        )

    @property
    def given(self) -> bool:
        return any(v is not None for v in vars(self).values())

    @property
    def pay_given(self) -> bool:
        """Whether any money figure is given (not just the date or the city)."""
        return any(v is not None for v in (self.base, self.bonus_months, self.allowances))


@dataclass(frozen=True)
class OfferCommand:
    name: str
    job_hint: str = ""
    figures: Figures = Figures()


def parse(text: str, today: date) -> OfferCommand | None:
    """The offer command ``text`` is (name may be empty), or None when it is not one.

    InvalidInput (with a Chinese message for HR) when a figure is given but unreadable."""
    given = _GIVE.match(text)
    if given is not None:
        rest = f"{given['name']} {given['rest']}"
    else:
        match = _COMMAND.match(text)
        if match is None:
            return None
        rest = match["rest"]
    figures, rest = _figures(rest, today)
    words = [w for w in _SEPARATORS.split(rest) if w]
    name = words[0] if words else ""
    return OfferCommand(name=name[:32], job_hint=" ".join(words[1:])[:64], figures=figures)


def _figures(text: str, today: date) -> tuple[Figures, str]:
    found = Figures()
    for key, pattern in _FIGURES.items():
        match = pattern.search(text)
        if match is None:
            continue
        text = text[: match.start()] + " " + text[match.end() :]
        found = _apply(found, key, match, today)
    return found, text


def _apply(found: Figures, key: str, match: re.Match[str], today: date) -> Figures:
    if key == "base":
        return replace(found, base=_money(match, "月薪"))
    if key == "allowances":
        return replace(found, allowances=_money(match, "补贴"))
    if key == "bonus":
        return replace(found, bonus_months=_months(Decimal(match["months"])))
    if key == "pay_months":
        return replace(found, bonus_months=_months(Decimal(int(match["total"]) - 12)))
    if key == "start":
        return replace(found, start_date=_date(match["date"], today))
    return replace(found, city=match["city"])


def _money(match: re.Match[str], label: str) -> Decimal:
    try:
        amount = Decimal(re.sub(r"[,，]", "", match["amount"]))
    except InvalidOperation as exc:
        raise InvalidInput(f"{label}「{match[0]}」不是数字") from exc
    factor = {"万": 10000, "w": 10000, "k": 1000, "千": 1000}.get((match["unit"] or "").lower(), 1)
    amount *= factor
    if amount > MAX_MONTHLY:
        raise InvalidInput(f"{label}「{match[0]}」超出合理范围（每月最多 100 万元）")
    amount = amount.quantize(Decimal("0.01"))
    if amount <= 0 and label == "月薪":
        raise InvalidInput("月薪必须大于 0")
    return amount


def _months(months: Decimal) -> Decimal:
    if months > MAX_BONUS_MONTHS:
        raise InvalidInput(f"年终奖 {months} 个月超出合理范围（最多 {MAX_BONUS_MONTHS} 个月）")
    return months


def _date(text: str, today: date) -> date:
    parts = [int(p) for p in re.findall(r"\d+", text)]
    try:
        if len(parts) == 3:
            return date(parts[0], parts[1], parts[2])
        day = date(today.year, parts[0], parts[1])
        return day if day >= today else date(today.year + 1, parts[0], parts[1])
    except ValueError as exc:
        example = example_start(today).isoformat()
        raise InvalidInput(f"入职日期「{text}」不是有效日期，例如：入职{example}") from exc


def example_start(today: date) -> date:
    """A start date to show in examples: the first of a month, at least two weeks ahead
    (never in the past, whatever the day)."""
    ahead = today + timedelta(days=14)
    first = ahead.replace(day=1)
    if first < ahead:
        first = (first + timedelta(days=32)).replace(day=1)
    return first
