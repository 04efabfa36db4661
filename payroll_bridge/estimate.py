"""A year of estimated payslips for an offer: gross, contributions, tax and net per month.

The year is a calendar (tax) year from the offer's start month. Wages are taxed by cumulative
withholding; the year-end bonus is taxed both ways — on its own and merged into the month's
wages — and the cheaper way for the employee is chosen (ties go to separate taxation, the
default of the withholding software). Separate taxation exists only through 2027.

The declared contribution wage is a new hire's (the city's rule: the first month's wage,
probation pay included, or the offer's gross); each payroll month clamps and rates it with the
city period covering that month, so a year crossing July uses both periods. A month no period
covers is computed with the latest earlier period and marked ``stale`` (``Segment.status``).
Each month satisfies ``gross = net + tax + employee social insurance + housing fund`` exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal, NamedTuple

from payroll_bridge.cities import City, CityRules, DataStatus, load_city
from payroll_bridge.contributions import Contributions, monthly_contributions
from payroll_bridge.money import ZERO
from payroll_bridge.offer import Offer
from payroll_bridge.tax_tables import TaxRules, load_tax_rules
from payroll_bridge.withholding import CumulativeWithholding, MonthTax
from payroll_bridge.year_end_bonus import separate_tax

Method = Literal["separate", "merged"]
MAX_CHILDREN = 10  # named per-child deductions allow this many; a plain total assumes fewer


class MonthLine(NamedTuple):
    """One month's estimated payslip (a tuple: cheap to build, a dozen per estimate)."""

    month: int
    base_pay: Decimal
    allowances: Decimal
    performance: Decimal
    bonus: Decimal
    gross: Decimal
    social_insurance: Decimal  # employee share, all items (by item: YearEstimate.contributions)
    housing_fund: Decimal  # employee share
    cumulative_taxable: Decimal  # 累计预扣预缴应纳税所得额 (wages; the bonus only if merged)
    wage_tax: Decimal
    bonus_tax: Decimal  # the separately taxed bonus's tax; 0 when merged
    tax: Decimal
    net: Decimal
    employer_social_insurance: Decimal
    employer_housing_fund: Decimal

    @property
    def cost(self) -> Decimal:
        """What the month costs the company: gross plus its own contributions."""
        return self.gross + self.employer_social_insurance + self.employer_housing_fund


@dataclass(frozen=True, slots=True)
class BonusTaxes:
    """The year-end bonus's tax both ways; ``merged`` is the extra wage tax it causes."""

    amount: Decimal
    separate: Decimal | None  # None: separate taxation does not exist in this year
    merged: Decimal
    chosen: Method

    @property
    def saving(self) -> Decimal:
        """How much the chosen way saves over the other (0 if there is no choice)."""
        if self.separate is None:
            return ZERO
        return abs(self.merged - self.separate)


@dataclass(frozen=True, slots=True)
class Totals:
    gross: Decimal
    social_insurance: Decimal
    housing_fund: Decimal
    tax: Decimal
    net: Decimal
    employer_social_insurance: Decimal
    employer_housing_fund: Decimal

    @property
    def cost_to_company(self) -> Decimal:
        return self.gross + self.employer_social_insurance + self.employer_housing_fund


_SEVERITY: dict[DataStatus, int] = {"verified": 0, "unverified": 1, "stale": 2}


@dataclass(frozen=True, slots=True)
class Segment:
    """Consecutive payroll months computed with the same period of the city's data."""

    first_month: int
    last_month: int
    period: CityRules
    status: DataStatus  # verified, unverified (period not confirmed), stale (not covered)
    contributions: Contributions


@dataclass(frozen=True, slots=True)
class YearEstimate:
    offer: Offer
    year: int
    city: City
    additional_deductions: Decimal  # monthly 专项附加扣除 assumed
    contribution_wage: Decimal  # the declared wage each period clamps (new-hire rule)
    segments: tuple[Segment, ...]
    months: tuple[MonthLine, ...]
    bonus: BonusTaxes
    totals: Totals

    @property
    def contributions(self) -> Contributions:
        """The first month's contributions (``segments`` has each period's)."""
        return self.segments[0].contributions

    @property
    def data_status(self) -> DataStatus:
        """The least trustworthy month's status: what a warning must say."""
        return max((s.status for s in self.segments), key=_SEVERITY.__getitem__)

    def months_with(self, status: DataStatus) -> tuple[int, ...]:
        return tuple(
            m
            for s in self.segments
            if s.status == status
            for m in range(s.first_month, s.last_month + 1)
        )


def estimate_year(
    offer: Offer,
    year: int,
    additional_deductions: Decimal = ZERO,
    *,
    city: City | None = None,
    tax_rules: TaxRules | None = None,
) -> YearEstimate:
    """Payslips of ``year`` for ``offer``; InvalidInput if the offer breaks labour law, the
    deductions are out of range or the tax tables do not cover ``year``."""
    tax = tax_rules or load_tax_rules()
    tax.check_year(year)
    tax.check_additional_total(additional_deductions, children=MAX_CHILDREN)
    town = city or load_city(offer.city)
    wage = (
        offer.first_month_wage if town.new_hire_base == "first_month_wage" else offer.monthly_gross
    )
    schedule = offer.pay_schedule()
    segments = _segments(town, year, offer.start_month, wage, offer)
    monthly = [c for s in segments for c in [s.contributions] * (s.last_month - s.first_month + 1)]
    wages = [base + offer.allowances + performance for _, base, performance in schedule]
    bonuses = [offer.year_end_bonus if m == offer.bonus_month else ZERO for m, _, _ in schedule]
    bonus = sum(bonuses, ZERO)
    wage_only, merged = _withhold_both(tax, wages, bonuses, monthly, additional_deductions)
    separate = separate_tax(tax, bonus) if tax.separate_bonus_allowed(year) else None
    merged_extra = _tax_sum(merged) - _tax_sum(wage_only)
    chosen: Method = "separate" if separate is not None and separate <= merged_extra else "merged"
    if bonus == ZERO:
        chosen = "merged"
    bonus_tax = separate if chosen == "separate" and separate is not None else ZERO
    withheld = wage_only if chosen == "separate" else merged
    lines = tuple(
        _line(row, offer.allowances, b, c, w, bonus_tax if b else ZERO)
        for row, b, c, w in zip(schedule, bonuses, monthly, withheld, strict=True)
    )
    return YearEstimate(
        offer=offer,
        year=year,
        city=town,
        additional_deductions=additional_deductions,
        contribution_wage=wage,
        segments=segments,
        months=lines,
        bonus=BonusTaxes(bonus, separate, merged_extra, chosen),
        totals=_totals(lines),
    )


def _segments(
    city: City, year: int, start: int, wage: Decimal, offer: Offer
) -> tuple[Segment, ...]:
    """The runs of employed months sharing a period, each with its contributions."""
    segments = []
    for first, last, choice in city.year_runs(year):
        if last < start:
            continue
        offer.check_against(choice.rules)
        amounts = monthly_contributions(choice.rules, wage, offer.housing_fund_rate)
        segments.append(Segment(max(first, start), last, choice.rules, choice.status, amounts))
    return tuple(segments)


def _withhold_both(
    rules: TaxRules,
    wages: list[Decimal],
    bonuses: list[Decimal],
    contributions: list[Contributions],
    additional: Decimal,
) -> tuple[list[MonthTax], list[MonthTax]]:
    """Withholding without and with the bonus merged; both share the months before it."""
    state = CumulativeWithholding(rules)
    wage_only: list[MonthTax] = []
    merged: list[MonthTax] | None = None
    for wage, bonus, paid in zip(wages, bonuses, contributions, strict=True):
        special = paid.employee_total
        if bonus and merged is None:
            twin = state.copy()
            merged = list(wage_only)
        wage_only.append(state.month(wage, special, additional))
        if merged is not None:
            merged.append(twin.month(wage + bonus, special, additional))
    return wage_only, wage_only if merged is None else merged


def _tax_sum(months: list[MonthTax]) -> Decimal:
    return sum((m.tax for m in months), ZERO)


def _line(
    row: tuple[int, Decimal, Decimal],
    allowances: Decimal,
    bonus: Decimal,
    contributions: Contributions,
    withheld: MonthTax,
    bonus_tax: Decimal,
) -> MonthLine:
    month, base_pay, performance = row
    gross = base_pay + allowances + performance + bonus
    social = contributions.social_insurance_employee
    fund = contributions.housing_fund_employee
    tax = withheld.tax + bonus_tax
    return MonthLine(
        month=month,
        base_pay=base_pay,
        allowances=allowances,
        performance=performance,
        bonus=bonus,
        gross=gross,
        social_insurance=social,
        housing_fund=fund,
        cumulative_taxable=withheld.cumulative_taxable,
        wage_tax=withheld.tax,
        bonus_tax=bonus_tax,
        tax=tax,
        net=gross - social - fund - tax,
        employer_social_insurance=contributions.social_insurance_employer,
        employer_housing_fund=contributions.housing_fund_employer,
    )


def _totals(lines: tuple[MonthLine, ...]) -> Totals:
    gross = tax = net = social = fund = employer_social = employer_fund = ZERO
    for line in lines:
        gross += line.gross
        tax += line.tax
        net += line.net
        social += line.social_insurance
        fund += line.housing_fund
        employer_social += line.employer_social_insurance
        employer_fund += line.employer_housing_fund
    return Totals(gross, social, fund, tax, net, employer_social, employer_fund)
