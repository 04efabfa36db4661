"""The payroll port: handing a new hire over to the company's payroll system.

When an offer is accepted, payroll needs the employee's pay terms before the first payday.
The hand-off must happen exactly once even though the caller (an outbox relay) may retry
after a crash or a timeout, so every adapter is idempotent on ``NewHire.idempotency_key``:
a repeated hand-off returns the first receipt marked ``duplicate``.

Adapters raise ``RetryLater`` for transient failures (rate limits, outages, timeouts),
``Conflict`` when payroll holds a different record under the same key, and
``ExternalServiceError`` when payroll refuses the record.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Protocol

from payroll_bridge.cities import City, load_city
from payroll_bridge.contributions import monthly_contributions
from payroll_bridge.offer import Offer
from recruiting.errors import InvalidInput


@dataclass(frozen=True, slots=True)
class NewHire:
    """What payroll needs to pay someone from their first day. No ID number or bank
    account: those are personal data that payroll collects from the employee directly."""

    employee_id: str
    name: str = field(repr=False)
    start_date: date
    offer: Offer
    social_insurance_base: Decimal  # the declared wage (city's new-hire rule), before limits
    housing_fund_base: Decimal
    housing_fund_rate: Decimal

    @property
    def idempotency_key(self) -> str:
        """Same person, same start: the same hand-off, however often it is retried."""
        return f"new-hire-{self.employee_id}-{self.start_date.isoformat()}"

    def record(self) -> dict[str, str]:
        """The flat record both adapters send: amounts as exact decimal strings."""
        offer = self.offer
        return {
            "idempotency_key": self.idempotency_key,
            "employee_id": self.employee_id,
            "name": self.name,
            "city": offer.city,
            "start_date": self.start_date.isoformat(),
            "base_salary": str(offer.base),
            "allowances": str(offer.allowances),
            "performance_pct": str(offer.performance_pct),
            "performance_schedule": offer.performance_schedule,
            "year_end_bonus_months": str(offer.bonus_months),
            "year_end_bonus_month": str(offer.bonus_month),
            "probation_months": str(offer.probation_months),
            "probation_base_salary": str(offer.probation_base),
            "monthly_gross": str(offer.monthly_gross),
            "social_insurance_base": str(self.social_insurance_base),
            "housing_fund_base": str(self.housing_fund_base),
            "housing_fund_rate": str(self.housing_fund_rate),
        }


def new_hire(
    employee_id: str,
    name: str,
    start_date: date,
    offer: Offer,
    city: City | None = None,
) -> NewHire:
    """A hand-off for an accepted offer, with the bases and housing fund rate of the city
    period covering the start date; the declared wage follows the city's new-hire rule."""
    if not employee_id.strip() or not name.strip():
        raise InvalidInput("a new hire needs an employee id and a name")
    town = city or load_city(offer.city)
    rules = town.period_for(start_date).rules
    offer.check_against(rules)
    wage = (
        offer.first_month_wage if town.new_hire_base == "first_month_wage" else offer.monthly_gross
    )
    contributions = monthly_contributions(rules, wage, offer.housing_fund_rate)
    return NewHire(
        employee_id=employee_id.strip(),
        name=name.strip(),
        start_date=start_date,
        offer=offer,
        social_insurance_base=wage,
        housing_fund_base=contributions.housing_fund_base,
        housing_fund_rate=contributions.housing_fund_rate,
    )


@dataclass(frozen=True, slots=True)
class HandOffReceipt:
    employee_id: str
    reference: str  # payroll's own id for the record
    duplicate: bool = False  # payroll already had this hand-off; nothing new was created


class PayrollPort(Protocol):
    async def hand_off(self, new_hire: NewHire) -> HandOffReceipt:
        """Give payroll this new hire, once; safe to repeat with the same hire."""
        ...
