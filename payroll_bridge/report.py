"""An offer estimate as JSON (amounts as exact strings) or as a text report for a terminal."""

from __future__ import annotations

import unicodedata
from datetime import date
from decimal import Decimal
from typing import Any

from payroll_bridge.cities import City, CityRules
from payroll_bridge.contributions import Contributions
from payroll_bridge.estimate import Segment, YearEstimate
from payroll_bridge.money import HUNDRED
from payroll_bridge.payslip import PayslipYear
from payroll_bridge.tax_tables import load_tax_rules
from payroll_bridge.year_end_bonus import DeadZone, dead_zones, escape_bonus, zones_near


def to_json(estimate: YearEstimate) -> dict[str, Any]:
    offer, totals, bonus = estimate.offer, estimate.totals, estimate.bonus
    zones = dead_zones(load_tax_rules())
    return {
        "year": estimate.year,
        "data_status": estimate.data_status,
        "data_warning": data_warning(estimate),
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
            "first_month_wage": str(offer.first_month_wage),
        },
        "special_additional_deductions_monthly": str(estimate.additional_deductions),
        "contribution_wage": str(estimate.contribution_wage),
        "contributions_monthly": contributions_json(estimate.contributions),
        "contribution_periods": [_segment_json(s) for s in estimate.segments],
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


def data_warning(estimate: YearEstimate) -> str:
    """One plain sentence when some month is not computed on verified data ("" if all is)."""
    city, year = estimate.city, estimate.year
    parts = []
    stale = estimate.months_with("stale")
    if stale:
        parts.append(
            f"{city.name}'s data does not cover {_months(year, stale)}: those months use the "
            f"figures of {city.period_for(_first_day(year, stale[0])).rules.span}, which may "
            "have changed"
        )
    unverified = estimate.months_with("unverified")
    if unverified:
        parts.append(
            f"{city.name}'s figures for {_months(year, unverified)} are not verified against "
            "the published notice"
        )
    return "; ".join(parts) + ("." if parts else "")


def contributions_json(c: Contributions) -> dict[str, Any]:
    return {
        "items": [
            {
                "item": i.item,
                "label": i.label,
                "base": str(i.base),
                "employee": str(i.employee),
                "employer": str(i.employer),
            }
            for i in c.items
        ],
        "housing_fund": {
            "base": str(c.housing_fund_base),
            "rate": str(c.housing_fund_rate),
            "employee": str(c.housing_fund_employee),
            "employer": str(c.housing_fund_employer),
        },
    }


def _segment_json(segment: Segment) -> dict[str, Any]:
    return {
        "months": [segment.first_month, segment.last_month],
        "status": segment.status,
        "period": period_json(segment.period),
        **contributions_json(segment.contributions),
    }


def city_json(city: City) -> dict[str, Any]:
    until = city.verified_until
    return {
        "code": city.code,
        "name": city.name,
        "new_hire_base": city.new_hire_base,
        "verified_until": until and until.isoformat(),
        "periods": [period_json(p) for p in city.periods],
        # the newest period, flat, as before periods existed
        **{k: v for k, v in period_json(city.latest).items() if k != "rounding"},
    }


def period_json(period: CityRules) -> dict[str, Any]:
    return {
        "effective_from": period.effective_from.isoformat(),
        "effective_to": period.effective_to and period.effective_to.isoformat(),
        "source": period.source,
        "verified": period.verified,
        "unverified_parts": list(period.unverified),
        "notes": period.notes,
        "minimum_wage": str(period.minimum_wage.amount),
        "rounding": {
            **{i.item: i.rounding.label for i in period.social_insurance},
            "housing_fund": period.housing_fund.rounding.label,
        },
    }


def _first_day(year: int, month: int) -> date:
    return date(year, month, 1)


def _months(year: int, months: tuple[int, ...]) -> str:
    if len(months) == 1:
        return f"{year}-{months[0]:02d}"
    return f"{year}-{months[0]:02d}..{year}-{months[-1]:02d}"


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
            *_city(estimate),
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
    warning = data_warning(estimate)
    return [
        *([f"WARNING: {warning}"] if warning else []),
        f"Offer in {estimate.city.name} ({estimate.city.code}), tax year {estimate.year}, "
        f"from month {offer.start_month}",
        f"  base {_m(offer.base)}, allowances {_m(offer.allowances)}, performance "
        f"{_pct(offer.performance_pct)} of base paid {offer.performance_schedule}, {probation}",
        f"  year-end bonus {offer.bonus_months} months = {_m(offer.year_end_bonus)} "
        f"in month {offer.bonus_month}",
        f"  monthly gross after probation {_m(offer.monthly_gross)}; contribution wage "
        f"{_m(estimate.contribution_wage)} ({estimate.city.new_hire_base.replace('_', ' ')}, "
        f"before limits); special additional deductions "
        f"{_m(estimate.additional_deductions)}/month",
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
    lines = []
    for segment in estimate.segments:
        c = segment.contributions
        months = f"months {segment.first_month}-{segment.last_month}"
        lines.append(
            f"Monthly contributions, {months}, data {segment.period.span} ({segment.status}) "
            "(employee / employer, on the clamped base):"
        )
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


def _city(estimate: YearEstimate) -> list[str]:
    lines: list[str] = []
    seen: set[date] = set()
    for segment in estimate.segments:
        period = segment.period
        if period.effective_from in seen:
            continue
        seen.add(period.effective_from)
        lines += [
            f"City data {period.code}: effective {period.span}",
            f"  source: {period.source}",
        ]
        if period.notes:
            lines.append(f"  notes: {period.notes}")
        if not period.verified:
            lines.append("  NOT VERIFIED: the figures could not be confirmed; see the notes")
        notes = {i.item: i.note for i in period.social_insurance}
        notes["housing_fund"] = period.housing_fund.note
        for part in period.unverified:
            lines.append(f"  unverified {part}: {notes.get(part, '')}".rstrip())
    warning = data_warning(estimate)
    if warning:
        lines.append(f"  WARNING: {warning}")
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


_SLIP_COLUMNS = ("month", "wage", "bonus", "SI", "HF", "addl. ded.", "taxable (cum.)", "tax",
                 "net", "data")  # fmt: skip
_SLIP_TOTALS = ("wage", "bonus", "social_insurance", "housing_fund", "special_additional",
                "tax", "net")  # fmt: skip


def payslip_json(slips: PayslipYear) -> dict[str, Any]:
    city = slips.city
    return {
        "year": slips.year,
        "city": None if city is None else {"code": city.code, "name": city.name},
        "contribution_wage": None
        if slips.contribution_wage is None
        else str(slips.contribution_wage),
        "special_additional_deductions": {k: str(v) for k, v in slips.additional_items.items()},
        "months": [{k: _plain(v) for k, v in m._asdict().items()} for m in slips.months],
        "totals": {k: str(slips.total(k)) for k in _SLIP_TOTALS},
        "data_warning": _slip_warning(slips),
    }


def payslip_text(slips: PayslipYear) -> str:
    rows: list[tuple[str, ...]] = [
        (
            str(m.month),
            _m(m.wage),
            _m(m.bonus),
            _m(m.social_insurance),
            _m(m.housing_fund),
            _m(m.special_additional),
            _m(m.cumulative_taxable),
            _m(m.tax),
            _m(m.net),
            m.data_status or "fixed",
        )
        for m in slips.months
    ]
    totals = ["total", *(_m(slips.total(k)) for k in _SLIP_TOTALS[:5]), ""]
    rows.append((*totals, _m(slips.total("tax")), _m(slips.total("net")), ""))
    widths = [max(len(r[i]) for r in [_SLIP_COLUMNS, *rows]) for i in range(len(_SLIP_COLUMNS))]
    lines = ["  ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)) for row in rows]
    header = "  ".join(c.rjust(w) for c, w in zip(_SLIP_COLUMNS, widths, strict=True))
    where = f" in {slips.city.name} ({slips.city.code})" if slips.city else ""
    out = [f"Payslips{where}, tax year {slips.year}"]
    if slips.contribution_wage is not None:
        out.append(f"  contribution wage {_m(slips.contribution_wage)} (clamped per period)")
    else:
        out.append("  special deductions (专项扣除) fixed as given")
    if slips.additional_items:
        items = ", ".join(f"{k} {_m(v)}" for k, v in slips.additional_items.items())
        out.append(f"  special additional deductions a month: {items}")
    out += ["", header, *lines[:-1], "-" * len(header), lines[-1]]
    warning = _slip_warning(slips)
    if warning:
        out += ["", f"WARNING: {warning}"]
    return "\n".join(out)


def _slip_warning(slips: PayslipYear) -> str:
    if slips.city is None:
        return ""
    stale = tuple(m.month for m in slips.months if m.data_status == "stale")
    unverified = tuple(m.month for m in slips.months if m.data_status == "unverified")
    parts = []
    if stale:
        parts.append(
            f"{slips.city.name}'s data does not cover {_months(slips.year, stale)}: those "
            "months use the latest earlier period, which may have changed"
        )
    if unverified:
        parts.append(
            f"{slips.city.name}'s figures for {_months(slips.year, unverified)} are not "
            "verified against the published notice"
        )
    return "; ".join(parts) + ("." if parts else "")
