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

from payroll_bridge.cities import City, city_codes, load_city
from payroll_bridge.estimate import YearEstimate, estimate_year
from payroll_bridge.money import ZERO, to_decimal
from payroll_bridge.offer import Offer
from payroll_bridge.tax_tables import load_tax_rules
from recruiting.errors import ConfigError, InvalidInput, RecruitingError
from recruiting.ports.payroll import CityDataGap, PackageEstimate, PackageTerms

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
        try:
            return load_city(city or self._default_city).code
        except InvalidInput:
            names = "、".join(load_city(c).name for c in city_codes())
            raise InvalidInput(f"薪酬系统没有城市「{city}」的社保规则，可选：{names}") from None

    async def estimate(self, terms: PackageTerms, start: date) -> PackageEstimate:
        return await asyncio.to_thread(_estimate, terms, start)

    async def data_gaps(self, day: date) -> list[CityDataGap]:
        gaps = []
        for code in city_codes():
            city = load_city(code)
            choice = city.period_for(day)
            if choice.status != "verified":
                gaps.append(CityDataGap(code, city.name, choice.status, _gap_notice(city, day)))
        return gaps


def _gap_notice(city: City, day: date) -> str:
    choice = city.period_for(day)
    span = _span_zh(choice.rules.effective_from, choice.rules.effective_to)
    if choice.status == "stale":
        return (
            f"{city.name}{day.year}年{day.month}月的社保公积金基数和比例尚未收录，offer 测算"
            f"暂按{span}的数据，可能已经变化。请薪酬专员按当地最新通知更新城市数据。"
        )
    return (
        f"{city.name}{span}的社保公积金数据尚未与官方通知核对，offer 测算仅供参考。"
        "请薪酬专员核对后更新城市数据。"
    )


def _span_zh(first: date, last: date | None) -> str:
    end = f"{last.year}年{last.month}月" if last else "至今"
    return f"{first.year}年{first.month}月—{end}"


def data_notice(estimate: YearEstimate) -> str:
    """One short Chinese sentence for the offer card and the approval form ("" if all is
    verified): which months use stale or unconfirmed city data."""
    name, parts = estimate.city.name, []
    stale = estimate.months_with("stale")
    if stale:
        parts.append(f"{name}{estimate.year}年{_months_zh(stale)}的社保基数尚未收录，按上一期估算")
    unverified = estimate.months_with("unverified")
    if unverified:
        parts.append(f"{name}{estimate.year}年{_months_zh(unverified)}的社保数据未经官方通知核实")
    return "注意：" + "；".join(parts) + "。" if parts else ""


def _months_zh(months: tuple[int, ...]) -> str:
    return f"{months[0]}月" if len(months) == 1 else f"{months[0]}—{months[-1]}月"


def _estimate(terms: PackageTerms, start: date) -> PackageEstimate:
    tax = load_tax_rules()
    if not tax.first_year <= start.year <= tax.last_year:
        raise InvalidInput(
            f"薪酬测算未通过：入职年份 {start.year} 超出个税税表覆盖的年份"
            f"（{tax.first_year}—{tax.last_year}）"
        )
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
        data_notice=data_notice(year),
    )
