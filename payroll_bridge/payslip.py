"""A year of payslips for HR-finance: wages that change during the year, month by month.

Unlike an offer estimate, the wages are given per month (a raise, the end of probation,
unpaid leave), and so may the 专项扣除: either fixed (``special``, as payroll already knows
it) or computed from the city period of each month on the declared contribution wage, which
does not follow a month's unpaid leave (the base is declared once a year). The 专项附加扣除
are given by name and checked against their legal maximums. Months must be consecutive: the
cumulative method counts the months with this employer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from payroll_bridge.cities import City, DataStatus
from payroll_bridge.contributions import monthly_contributions
from payroll_bridge.money import ZERO, fen
from payroll_bridge.offer import MAX_MONTHLY_AMOUNT
from payroll_bridge.tax_tables import TaxRules
from payroll_bridge.withholding import CumulativeWithholding
from payroll_bridge.year_end_bonus import separate_tax
from recruiting.errors import InvalidInput

MAX_BONUS = MAX_MONTHLY_AMOUNT * 24


class PayslipMonth(NamedTuple):
    month: int
    wage: Decimal
    bonus: Decimal  # year-end bonus paid this month, taxed separately where the law allows
    social_insurance: Decimal  # employee share
    housing_fund: Decimal  # employee share
    special_additional: Decimal  # 专项附加扣除 this month
    cumulative_taxable: Decimal
    wage_tax: Decimal
    bonus_tax: Decimal
    tax: Decimal
    net: Decimal
    data_status: DataStatus | None  # None: 专项扣除 given as a fixed amount


@dataclass(frozen=True, slots=True)
class PayslipYear:
    year: int
    city: City | None
    contribution_wage: Decimal | None
    additional_items: dict[str, Decimal]
    months: tuple[PayslipMonth, ...]

    def total(self, field: str) -> Decimal:
        return sum((getattr(m, field) for m in self.months), ZERO)


def payslip_year(
    year: int,
    wages: Mapping[int, Decimal],
    *,
    tax: TaxRules,
    city: City | None = None,
    special: Decimal | None = None,
    contribution_wage: Decimal | None = None,
    housing_fund_rate: Decimal | None = None,
    additional: Mapping[str, Decimal] | None = None,
    bonuses: Mapping[int, Decimal] | None = None,
) -> PayslipYear:
    """Withholding for each month in ``wages``; InvalidInput names the first bad input."""
    tax.check_year(year)
    months = sorted(wages)
    if not months:
        raise InvalidInput("give at least one month's wage")
    if months != list(range(months[0], months[-1] + 1)) or not 1 <= months[0] <= months[-1] <= 12:
        raise InvalidInput("the months must be consecutive within 1..12")
    for month, wage in wages.items():
        _bounded(wage, MAX_MONTHLY_AMOUNT, f"wage of month {month}")
    bonus_by_month = dict(bonuses or {})
    for month, amount in bonus_by_month.items():
        if month not in wages:
            raise InvalidInput(f"a bonus in month {month} needs a wage in that month")
        _bounded(amount, MAX_BONUS, f"bonus of month {month}")
    if special is not None:
        _bounded(special, MAX_MONTHLY_AMOUNT, "special deductions")
    elif city is None:
        raise InvalidInput("give a city or the fixed special deductions (专项扣除)")
    items = dict(additional or {})
    monthly_additional = sum(items.values(), ZERO)
    declared = contribution_wage if contribution_wage is not None else wages[months[0]]
    _bounded(declared, MAX_MONTHLY_AMOUNT, "contribution wage")
    state = CumulativeWithholding(tax)
    lines = []
    for month in months:
        wage = fen(wages[month])
        status: DataStatus | None = None
        if special is None:
            assert city is not None
            choice = city.period_for(date(year, month, 1))
            paid = monthly_contributions(choice.rules, declared, housing_fund_rate)
            social, fund, status = (
                paid.social_insurance_employee,
                paid.housing_fund_employee,
                choice.status,
            )
        else:
            social, fund = fen(special), ZERO
        withheld = state.month(wage, social + fund, monthly_additional)
        bonus = fen(bonus_by_month.get(month, ZERO))
        bonus_tax = ZERO
        if bonus:
            if not tax.separate_bonus_allowed(year):
                raise InvalidInput(
                    f"separate taxation of a year-end bonus ended in "
                    f"{tax.separate_bonus_until.year}: add it to the month's wage"
                )
            bonus_tax = separate_tax(tax, bonus)
        total_tax = withheld.tax + bonus_tax
        lines.append(
            PayslipMonth(
                month=month,
                wage=wage,
                bonus=bonus,
                social_insurance=social,
                housing_fund=fund,
                special_additional=monthly_additional,
                cumulative_taxable=withheld.cumulative_taxable,
                wage_tax=withheld.tax,
                bonus_tax=bonus_tax,
                tax=total_tax,
                net=wage + bonus - social - fund - total_tax,
                data_status=status,
            )
        )
    return PayslipYear(year, city, declared if special is None else None, items, tuple(lines))


def parse_months(spec: str, what: str) -> tuple[list[int], str]:
    """``"1-3=16000"`` → ([1, 2, 3], "16000"); InvalidInput on anything else."""
    months, sep, value = spec.partition("=")
    first, dash, last = months.strip().partition("-")
    try:
        start = int(first)
        end = int(last) if dash else start
    except ValueError:
        raise InvalidInput(f"{what} {spec!r}: write MONTHS=AMOUNT, e.g. 1-3=16000") from None
    if not sep or not 1 <= start <= end <= 12:
        raise InvalidInput(f"{what} {spec!r}: months are 1..12, e.g. 1-3=16000")
    return list(range(start, end + 1)), value


def _bounded(amount: Decimal, limit: Decimal, what: str) -> None:
    if not ZERO <= amount <= limit:
        raise InvalidInput(f"{what} must be 0..{limit:,} yuan, got {amount}")
