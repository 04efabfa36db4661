"""The payroll system's package port as a fake, for offers and the payroll data alerts."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D
from typing import TYPE_CHECKING

from recruiting.errors import InvalidInput
from recruiting.ports.payroll import CityDataGap, PackageEstimate, PackageTerms, PayrollPackages


class FakePackages:
    """``PayrollPackages`` (recruiting.ports.payroll): standard packages per job code, two
    cities, a simple estimate that refuses pay under the minimum wage; ``notice`` and ``gaps``
    are what the payroll system says about stale or unverified city data."""

    def __init__(self) -> None:
        self.proposals = {"sales": PackageTerms("shanghai", D(12000), D(2), D(800))}
        self.estimated: list[PackageTerms] = []
        self.notice = ""  # what the estimate says about stale or unverified city data
        self.gaps: list[CityDataGap] = []

    async def propose(self, job_code: str, city: str) -> PackageTerms | None:
        return self.proposals.get(job_code)

    async def city_code(self, city: str) -> str:
        if city in ("", "上海", "shanghai"):
            return "shanghai"
        if city in ("北京", "beijing"):
            return "beijing"
        raise InvalidInput(f"薪酬系统没有城市「{city}」的社保规则")

    async def estimate(self, terms: PackageTerms, start: date) -> PackageEstimate:
        self.estimated.append(terms)
        if terms.base < D(2690):
            raise InvalidInput("薪酬测算未通过：月薪低于最低工资")
        gross = terms.base + terms.allowances
        return PackageEstimate("上海" if terms.city == "shanghai" else "北京", gross,
                               gross * D("0.8"), gross * D("1.3"), terms.base * terms.bonus_months,
                               gross * 12, start.year, self.notice)  # fmt: skip

    async def data_gaps(self, day: date) -> list[CityDataGap]:
        return list(self.gaps)


if TYPE_CHECKING:  # mypy tests/fakes: each fake implements its port
    _packages: PayrollPackages = FakePackages()
