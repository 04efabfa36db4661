"""The offer use case's payroll port (``recruiting.ports.payroll``) over this package's
calculator: standard packages per job (``data/packages.yaml``), city rules, and a year of
estimated payslips for the figures HR settles on."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from payroll_bridge.cities import city_codes, load_city
from payroll_bridge.estimate import estimate_year
from payroll_bridge.money import ZERO, to_decimal
from payroll_bridge.offer import Offer
from recruiting.errors import ConfigError, InvalidInput, RecruitingError
from recruiting.ports.payroll import PackageEstimate, PackageTerms

PACKAGES_FILE = Path(__file__).parent / "data" / "packages.yaml"


@dataclass(frozen=True)
class StandardPackage:
    base: Decimal
    bonus_months: Decimal
    allowances: Decimal
    city: str = ""


def load_packages(path: Path = PACKAGES_FILE) -> tuple[str, dict[str, StandardPackage]]:
    """(default city, packages by job code); ConfigError names the file and the problem."""
    try:
        data: Any = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        jobs = {
            str(code): StandardPackage(
                base=to_decimal(entry["base"], f"{code}.base"),
                bonus_months=to_decimal(entry.get("bonus_months", 0), f"{code}.bonus_months"),
                allowances=to_decimal(entry.get("allowances", 0), f"{code}.allowances"),
                city=str(entry.get("city") or ""),
            )
            for code, entry in (data.get("jobs") or {}).items()
        }
        return str(data.get("default_city") or "shanghai"), jobs
    except (OSError, yaml.YAMLError, AttributeError, KeyError, TypeError, RecruitingError) as exc:
        raise ConfigError(f"{path}: {exc}") from exc


class CalculatorPackages:
    """``PayrollPackages`` from the standard packages and the payroll calculator."""

    def __init__(self, path: Path = PACKAGES_FILE) -> None:
        self._default_city, self._jobs = load_packages(path)

    async def propose(self, job_code: str, city: str) -> PackageTerms | None:
        package = self._jobs.get(job_code)
        if package is None:
            return None
        code = await self.city_code(city or package.city or self._default_city)
        return PackageTerms(code, package.base, package.bonus_months, package.allowances)

    async def city_code(self, city: str) -> str:
        wanted = (city or self._default_city).strip().lower().removesuffix("市")
        for code in city_codes():
            if wanted in (code, load_city(code).name.lower()):
                return code
        names = "、".join(load_city(c).name for c in city_codes())
        raise InvalidInput(f"薪酬系统没有城市「{city}」的社保规则，可选：{names}")

    async def estimate(self, terms: PackageTerms, start: date) -> PackageEstimate:
        return await asyncio.to_thread(_estimate, terms, start)


def _estimate(terms: PackageTerms, start: date) -> PackageEstimate:
    try:
        offer = Offer(
            city=terms.city,
            base=terms.base,
            allowances=terms.allowances,
            bonus_months=terms.bonus_months,
            start_month=start.month,
        )
        year = estimate_year(offer, start.year)
        # A regular payslip: the first month of the same pay without the year-end bonus.
        line = estimate_year(replace(offer, bonus_months=ZERO), start.year).months[0]
    except InvalidInput as exc:
        raise InvalidInput(f"薪酬测算未通过：{exc}") from exc
    return PackageEstimate(
        city_name=year.city.name,
        monthly_gross=line.gross,
        monthly_net=line.net,
        monthly_employer_cost=line.cost,
        year_end_bonus=offer.year_end_bonus,
        first_year_cost=year.totals.cost_to_company,
        year=start.year,
    )
