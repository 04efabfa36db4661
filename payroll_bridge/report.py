"""An offer estimate as JSON (amounts as exact strings) or as a text report for a terminal."""

from __future__ import annotations

import unicodedata
from datetime import date
from decimal import Decimal
from typing import Any

from payroll_bridge.cities import CityRules
from payroll_bridge.estimate import YearEstimate
from payroll_bridge.money import HUNDRED
from payroll_bridge.tax_tables import load_tax_rules
from payroll_bridge.year_end_bonus import DeadZone, dead_zones, escape_bonus, zones_near


def to_json(estimate: YearEstimate) -> dict[str, Any]:
    offer, totals, bonus = estimate.offer, estimate.totals, estimate.bonus
    contributions = estimate.contributions
    zones = dead_zones(load_tax_rules())
    return {
        "year": estimate.year,
        "offer": {
            "city": offer.city,
            "base": str(offer.base),
            "performance_pct": str(offer.performance_pct),
            "performance_schedule": offer.performance_schedule,
            "allowances": str(offer.allowances),
            "year_end_bonus_months": str(offer.bonus_months),
            "year_end_bonus_month": offer.bonus_month,
            "probation_months": offer.probation_months,
            "probation_pct": str(offer.probation_pct),
            "probation_base": str(offer.probation_base),
            "start_month": offer.start_month,
            "monthly_gross": str(offer.monthly_gross),
        },
        "special_additional_deductions_monthly": str(estimate.additional_deductions),
        "contributions_monthly": {
            "items": [
                {
                    "item": i.item,
                    "label": i.label,
                    "base": str(i.base),
                    "employee": str(i.employee),
                    "employer": str(i.employer),
                }
                for i in contributions.items
            ],
            "housing_fund": {
                "base": str(contributions.housing_fund_base),
                "rate": str(contributions.housing_fund_rate),
                "employee": str(contributions.housing_fund_employee),
                "employer": str(contributions.housing_fund_employer),
            },
        },
        "months": [{k: _plain(v) for k, v in line._asdict().items()} for line in estimate.months],
        "year_end_bonus": {
            "amount": str(bonus.amount),
            "tax_separate": None if bonus.separate is None else str(bonus.separate),
            "tax_merged": str(bonus.merged),
            "chosen": bonus.chosen,
            "saving": str(bonus.saving),
            "dead_zones_near": [_zone_json(z) for z in zones_near(zones, bonus.amount)],
        },
        "totals": {
            "gross": str(totals.gross),
            "social_insurance": str(totals.social_insurance),
            "housing_fund": str(totals.housing_fund),
            "tax": str(totals.tax),
            "net": str(totals.net),
            "employer_social_insurance": str(totals.employer_social_insurance),
            "employer_housing_fund": str(totals.employer_housing_fund),
            "cost_to_company": str(totals.cost_to_company),
        },
        "city": city_json(estimate.city),
    }


def city_json(city: CityRules) -> dict[str, Any]:
    return {
        "code": city.code,
        "name": city.name,
        "effective_from": city.effective_from.isoformat(),
        "effective_until": city.effective_until and city.effective_until.isoformat(),
        "source": city.source,
        "verified": city.verified,
        "unverified_parts": list(city.unverified),
        "notes": city.notes,
        "minimum_wage": str(city.minimum_wage.amount),
    }


def render_text(estimate: YearEstimate) -> str:
    return "\n".join(
        [
            *_header(estimate),
            "",
            *_table(estimate),
            "",
            *_contributions(estimate),
            "",
            *_bonus(estimate),
            "",
            *_annual(estimate),
            "",
            *_city(estimate.city, estimate.year),
        ]
    )


def _header(estimate: YearEstimate) -> list[str]:
    offer = estimate.offer
    probation = (
        f"probation {offer.probation_months} months at {_pct(offer.probation_pct)} "
        f"({_m(offer.probation_base)})"
        if offer.probation_months
        else "no probation"
    )
    return [
        f"Offer in {estimate.city.name} ({estimate.city.code}), tax year {estimate.year}, "
        f"from month {offer.start_month}",
        f"  base {_m(offer.base)}, allowances {_m(offer.allowances)}, performance "
        f"{_pct(offer.performance_pct)} of base paid {offer.performance_schedule}, {probation}",
        f"  year-end bonus {offer.bonus_months} months = {_m(offer.year_end_bonus)} "
        f"in month {offer.bonus_month}",
        f"  monthly gross after probation {_m(offer.monthly_gross)} (contribution base before "
        f"limits); special additional deductions {_m(estimate.additional_deductions)}/month",
    ]


_COLUMNS = ("month", "gross", "SI", "HF", "taxable (cum.)", "tax", "net")


def _table(estimate: YearEstimate) -> list[str]:
    rows = [
        (
            str(line.month),
            _m(line.gross),
            _m(line.social_insurance),
            _m(line.housing_fund),
            _m(line.cumulative_taxable),
            _m(line.tax) + (" *" if line.bonus_tax else ""),
            _m(line.net),
        )
        for line in estimate.months
    ]
    t = estimate.totals
    total = ("total", _m(t.gross), _m(t.social_insurance), _m(t.housing_fund), "", _m(t.tax))
    rows.append((*total, _m(t.net)))
    widths = [max(len(r[i]) for r in [_COLUMNS, *rows]) for i in range(len(_COLUMNS))]
    lines = ["  ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)) for row in rows]
    header = "  ".join(c.rjust(w) for c, w in zip(_COLUMNS, widths, strict=True))
    separate = estimate.bonus.chosen == "separate" and estimate.bonus.amount
    note = ["* includes the tax on the year-end bonus, taxed separately"] if separate else []
    return [header, *lines[:-1], "-" * len(header), lines[-1], *note]


def _contributions(estimate: YearEstimate) -> list[str]:
    c = estimate.contributions
    lines = ["Monthly contributions (employee / employer, on the clamped base):"]
    for item in c.items:
        lines.append(
            f"  {_pad(item.label, 20)} base {_m(item.base):>10}  {_m(item.employee):>9} / "
            f"{_m(item.employer)}"
        )
    lines.append(
        f"  {_pad('住房公积金', 20)} base {_m(c.housing_fund_base):>10}  "
        f"{_m(c.housing_fund_employee):>9} / {_m(c.housing_fund_employer)} "
        f"at {_pct(c.housing_fund_rate * HUNDRED)}"
    )
    return lines


def _bonus(estimate: YearEstimate) -> list[str]:
    bonus = estimate.bonus
    if not bonus.amount:
        return ["No year-end bonus in this year."]
    separate = "not available after 2027" if bonus.separate is None else _m(bonus.separate)
    chosen = "taxed separately" if bonus.chosen == "separate" else "merged into wages"
    lines = [
        f"Year-end bonus {_m(bonus.amount)}:",
        f"  taxed separately (全年一次性奖金单独计税): {separate}",
        f"  merged into the month's wages (extra tax): {_m(bonus.merged)}",
        f"  chosen: {chosen}, saving {_m(bonus.saving)}",
    ]
    zones = dead_zones(load_tax_rules())
    lines.append("  dead zones of separate taxation near this bonus:")
    lines += [f"    {_zone_text(z)}" for z in zones_near(zones, bonus.amount)]
    better = escape_bonus(zones, bonus.amount)
    if better is not None:
        lines.append(f"  this bonus is in a dead zone: {_m(better)} would net at least as much")
    return lines


def _annual(estimate: YearEstimate) -> list[str]:
    t = estimate.totals
    return [
        f"Annual: gross {_m(t.gross)}, employee SI {_m(t.social_insurance)}, "
        f"HF {_m(t.housing_fund)}, tax {_m(t.tax)}, net {_m(t.net)}",
        f"Cost to company: {_m(t.cost_to_company)} = gross + employer SI "
        f"{_m(t.employer_social_insurance)} + employer HF {_m(t.employer_housing_fund)}",
    ]


def _city(city: CityRules, year: int) -> list[str]:
    until = city.effective_until.isoformat() if city.effective_until else "open"
    lines = [
        f"City data {city.code}: effective {city.effective_from.isoformat()} .. {until}",
        f"  source: {city.source}",
    ]
    if city.notes:
        lines.append(f"  notes: {city.notes}")
    if not city.verified:
        lines.append("  NOT VERIFIED: the figures could not be confirmed; see the notes")
    notes = {i.item: i.note for i in city.social_insurance}
    notes["housing_fund"] = city.housing_fund.note
    for part in city.unverified:
        lines.append(f"  unverified {part}: {notes.get(part, '')}".rstrip())
    until_date = city.effective_until or date.max
    if not (city.effective_from <= date(year, 1, 1) and until_date >= date(year, 12, 31)):
        lines.append(
            f"  note: these figures cover {city.effective_from} .. {until}; the estimate "
            f"applies them to all of {year}"
        )
    return lines


def _zone_json(zone: DeadZone) -> dict[str, str]:
    return {
        "first": str(zone.first),
        "last": str(zone.last),
        "start": str(zone.start),
        "net_at_start": str(zone.net_at_start),
        "rate_below": str(zone.rate_below),
        "rate_above": str(zone.rate_above),
    }


def _zone_text(zone: DeadZone) -> str:
    return (
        f"{_m(zone.first)} – {_m(zone.last)} nets no more than {_m(zone.start)} "
        f"({_pct(zone.rate_below * HUNDRED)} → {_pct(zone.rate_above * HUNDRED)})"
    )


def _pad(text: str, width: int) -> str:
    """Left-align in a terminal, where CJK characters take two columns."""
    shown = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(0, width - shown)


def _plain(value: object) -> object:
    return str(value) if isinstance(value, Decimal) else value


def _m(amount: Decimal) -> str:
    return f"{amount:,.2f}"


def _pct(value: Decimal) -> str:
    return f"{value.normalize():f}%"
