"""The payroll port as the offer use case needs it: a package to propose, its estimate, and
the hand-off of a new hire once the offer is approved.

``PayrollPackages`` answers while HR shapes an offer (plain calls). The hand-off is an
outward effect: the use case writes an outbox row on ``Channel.PAYROLL`` in the transaction
of the approval, and the sender registered for the channel (the payroll adapter) delivers
it, idempotent on the row's key.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Protocol

from recruiting.errors import InvalidInput
from recruiting.ports.outbound import Channel, OutboundDraft


@dataclass(frozen=True)
class PackageTerms:
    """An offer's pay: yuan per month, the year-end bonus in months of base."""

    city: str  # the payroll's city code (e.g. ``shanghai``)
    base: Decimal
    bonus_months: Decimal = Decimal(0)
    allowances: Decimal = Decimal(0)


@dataclass(frozen=True)
class PackageEstimate:
    """What the package means for a month of regular pay (after probation, no bonus) and
    for the first calendar year; figures are estimates, HR's promise is the terms."""

    city_name: str  # 上海
    monthly_gross: Decimal
    monthly_net: Decimal  # after the employee's contributions and withheld tax
    monthly_employer_cost: Decimal  # gross + the company's contributions
    year_end_bonus: Decimal
    first_year_cost: Decimal  # from the start month to December, bonus included
    year: int
    data_notice: str = ""  # Chinese, for HR: months computed on stale or unverified city data


@dataclass(frozen=True)
class CityDataGap:
    """A city whose social insurance data does not cover a day with verified figures."""

    code: str
    name: str  # 上海
    status: str  # "stale": no period covers the day; "unverified": not confirmed
    notice: str  # Chinese, for HR managers: what is missing and what to do


class PayrollPackages(Protocol):
    async def propose(self, job_code: str, city: str) -> PackageTerms | None:
        """The standard package of a job in a city, or None if payroll has none (HR enters
        the figures). ``city`` is the job's city as stored (a code, a name, or empty)."""

    async def city_code(self, city: str) -> str:
        """The payroll's code for a city name or code; InvalidInput names the known ones."""

    async def estimate(self, terms: PackageTerms, start: date) -> PackageEstimate:
        """InvalidInput (message in Chinese) if the terms break a rule, e.g. the minimum wage."""

    async def data_gaps(self, day: date) -> list[CityDataGap]:
        """The cities whose data is stale or unverified on ``day`` (empty when all is right)."""


@dataclass(frozen=True)
class NewHireHandOff:
    """What payroll needs of an approved offer; no ID number or bank account (payroll
    collects those from the employee)."""

    employee_ref: str  # our reference until the EHR assigns an employee id
    name: str
    start_date: date
    terms: PackageTerms

    def payload(self) -> dict[str, Any]:
        t = self.terms
        return {
            "employee_ref": self.employee_ref,
            "name": self.name,
            "start_date": self.start_date.isoformat(),
            "city": t.city,
            "base": str(t.base),
            "bonus_months": str(t.bonus_months),
            "allowances": str(t.allowances),
        }

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> NewHireHandOff:
        try:
            terms = PackageTerms(
                city=str(payload["city"]),
                base=Decimal(str(payload["base"])),
                bonus_months=Decimal(str(payload["bonus_months"])),
                allowances=Decimal(str(payload["allowances"])),
            )
            return cls(
                employee_ref=str(payload["employee_ref"]),
                name=str(payload["name"]),
                start_date=date.fromisoformat(str(payload["start_date"])),
                terms=terms,
            )
        except (KeyError, ValueError, ArithmeticError) as exc:
            raise InvalidInput(f"not a payroll hand-off payload: {exc}") from exc


def payroll_draft(hand_off: NewHireHandOff, recipient: str, key: str) -> OutboundDraft:
    return OutboundDraft(Channel.PAYROLL, recipient, hand_off.payload(), key)
