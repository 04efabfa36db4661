"""Monthly social insurance and housing fund amounts for one wage in one city.

The base is the wage clamped to each item's [floor, cap]; every amount is rounded per item
the way the city's fund does it (``Rounding``: whole yuan, jiao or fen). For a new hire the
wage is the city's new-hire base (``City.new_hire_base``: the first month's wage, probation pay
included), since there is no previous year's average to use.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from payroll_bridge.cities import CityRules
from payroll_bridge.money import ZERO


@dataclass(frozen=True, slots=True)
class ItemAmount:
    item: str
    label: str
    base: Decimal
    employee: Decimal
    employer: Decimal


@dataclass(frozen=True, slots=True)
class Contributions:
    """One month's contributions; ``employee_total`` is the tax-deductible 专项扣除."""

    items: tuple[ItemAmount, ...]
    housing_fund_base: Decimal
    housing_fund_rate: Decimal
    housing_fund_employee: Decimal
    housing_fund_employer: Decimal
    social_insurance_employee: Decimal
    social_insurance_employer: Decimal

    @property
    def employee_total(self) -> Decimal:
        return self.social_insurance_employee + self.housing_fund_employee

    @property
    def employer_total(self) -> Decimal:
        return self.social_insurance_employer + self.housing_fund_employer


def monthly_contributions(
    rules: CityRules, wage: Decimal, housing_fund_rate: Decimal | None = None
) -> Contributions:
    """Contributions on ``wage``; the housing fund rate defaults to the city's and must lie
    in its range (InvalidInput otherwise)."""
    fund = rules.housing_fund
    rate = fund.default_rate if housing_fund_rate is None else fund.check_rate(housing_fund_rate)
    items = tuple(
        ItemAmount(
            item=rule.item,
            label=rule.label,
            base=(base := rule.base(wage)),
            employee=rule.rounding(base * rule.employee_rate) + rule.employee_fixed,
            employer=rule.rounding(base * rule.employer_rate) + rule.employer_fixed,
        )
        for rule in rules.social_insurance
    )
    fund_base = fund.base(wage)
    fund_amount = fund.rounding(fund_base * rate)
    return Contributions(
        items=items,
        housing_fund_base=fund_base,
        housing_fund_rate=rate,
        housing_fund_employee=fund_amount,
        housing_fund_employer=fund_amount,
        social_insurance_employee=sum((i.employee for i in items), ZERO),
        social_insurance_employer=sum((i.employer for i in items), ZERO),
    )
