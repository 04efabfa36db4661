"""A year of estimated payslips for an offer: gross, contributions, tax and net per month.

The year is a calendar (tax) year from the offer's start month. Wages are taxed by cumulative
withholding; the year-end bonus is taxed both ways — on its own and merged into the month's
wages — and the cheaper way for the employee is chosen (ties go to separate taxation, the
default of the withholding software). Separate taxation exists only through 2027.

The contribution base is fixed for the year (a new hire's offer gross, clamped), so the
contributions are the same every month. Every amount is rounded to the fen, and each month
satisfies ``gross = net + tax + employee social insurance + housing fund`` exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal, NamedTuple

from payroll_bridge.cities import CityRules, load_city
from payroll_bridge.contributions import Contributions, monthly_contributions
from payroll_bridge.money import ZERO
from payroll_bridge.offer import Offer
from payroll_bridge.tax_tables import TaxRules, load_tax_rules
from payroll_bridge.withholding import CumulativeWithholding, MonthTax
from payroll_bridge.year_end_bonus import separate_tax
from recruiting.errors import InvalidInput

Method = Literal["separate", "merged"]


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


@dataclass(frozen=True, slots=True)
class YearEstimate:
    offer: Offer
    year: int
    city: CityRules
    additional_deductions: Decimal  # monthly 专项附加扣除 assumed
    contributions: Contributions
    months: tuple[MonthLine, ...]
    bonus: BonusTaxes
    totals: Totals


def estimate_year(
    offer: Offer,
    year: int,
    additional_deductions: Decimal = ZERO,
    *,
    city: CityRules | None = None,
    tax_rules: TaxRules | None = None,
) -> YearEstimate:
    """Payslips of ``year`` for ``offer``; InvalidInput if the offer breaks labour law."""
    if additional_deductions < ZERO:
        raise InvalidInput("special additional deductions cannot be negative")
    rules = city or load_city(offer.city)
    tax = tax_rules or load_tax_rules()
    offer.check_against(rules)
    contributions = monthly_contributions(rules, offer.monthly_gross, offer.housing_fund_rate)
    schedule = offer.pay_schedule()
    wages = [base + offer.allowances + performance for _, base, performance in schedule]
    bonuses = [offer.year_end_bonus if m == offer.bonus_month else ZERO for m, _, _ in schedule]
    bonus = sum(bonuses, ZERO)
    wage_only, merged = _withhold_both(tax, wages, bonuses, contributions, additional_deductions)
    separate = separate_tax(tax, bonus) if tax.separate_bonus_allowed(year) else None
    merged_extra = _tax_sum(merged) - _tax_sum(wage_only)
    chosen: Method = "separate" if separate is not None and separate <= merged_extra else "merged"
    if bonus == ZERO:
        chosen = "merged"
    bonus_tax = separate if chosen == "separate" and separate is not None else ZERO
    withheld = wage_only if chosen == "separate" else merged
    lines = tuple(
        _line(row, offer.allowances, b, contributions, w, bonus_tax if b else ZERO)
        for row, b, w in zip(schedule, bonuses, withheld, strict=True)
    )
    return YearEstimate(
        offer=offer,
        year=year,
        city=rules,
        additional_deductions=additional_deductions,
        contributions=contributions,
        months=lines,
        bonus=BonusTaxes(bonus, separate, merged_extra, chosen),
        totals=_totals(lines),
    )


def _withhold_both(
    rules: TaxRules,
    wages: list[Decimal],
    bonuses: list[Decimal],
    contributions: Contributions,
    additional: Decimal,
) -> tuple[list[MonthTax], list[MonthTax]]:
    """Withholding without and with the bonus merged; both share the months before it."""
    special = contributions.employee_total
    state = CumulativeWithholding(rules)
    wage_only: list[MonthTax] = []
    merged: list[MonthTax] | None = None
    for wage, bonus in zip(wages, bonuses, strict=True):
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
    gross = tax = net = ZERO
    for line in lines:
        gross += line.gross
        tax += line.tax
        net += line.net
    count = len(lines)
    first = lines[0]
    return Totals(
        gross=gross,
        social_insurance=first.social_insurance * count,
        housing_fund=first.housing_fund * count,
        tax=tax,
        net=net,
        employer_social_insurance=first.employer_social_insurance * count,
        employer_housing_fund=first.employer_housing_fund * count,
    )
