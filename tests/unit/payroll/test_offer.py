"""Offer rules: probation law, performance schedules, the contribution base."""

from decimal import Decimal as D

import pytest

from payroll_bridge.cities import load_city
from payroll_bridge.offer import Offer
from recruiting.errors import InvalidInput


def test_monthly_gross_and_year_end_bonus() -> None:
    offer = Offer(
        city="shanghai",
        base=D(20000),
        performance_pct=D(10),
        allowances=D(1000),
        bonus_months=D("1.5"),
    )
    assert offer.monthly_gross == D("23000.00")
    assert offer.year_end_bonus == D("30000.00")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"base": D(0)}, "positive"),
        ({"allowances": D(-1)}, "negative"),
        ({"probation_months": 7}, "0..6 months"),
        ({"probation_months": 3, "probation_pct": D(79)}, "80%"),
        ({"bonus_month": 13}, "1..12"),
        ({"start_month": 0}, "1..12"),
    ],
)
def test_unlawful_or_malformed_offers_are_refused(changes: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        Offer(**{"city": "beijing", "base": D(10000), **changes})  # type: ignore[arg-type]


def test_probation_pay_must_reach_the_minimum_wage() -> None:
    offer = Offer(city="shanghai", base=D(3000), probation_months=3, probation_pct=D(80))
    assert offer.probation_base == D("2400.00")
    with pytest.raises(InvalidInput, match="最低工资标准 2690"):
        offer.check_against(load_city("shanghai").periods[0])
    Offer(city="shanghai", base=D(3400), probation_months=3, probation_pct=D(80)).check_against(
        load_city("shanghai").periods[0]
    )


def test_quarterly_performance_is_paid_with_the_quarter_end_wages() -> None:
    offer = Offer(
        city="beijing",
        base=D(10000),
        performance_pct=D(20),
        probation_months=2,
        probation_pct=D(80),
    )
    schedule = offer.pay_schedule()
    assert [row[1] for row in schedule[:3]] == [D(8000), D(8000), D(10000)]
    paid = [row[2] for row in schedule]
    assert paid == [D(0), D(0), D(5200)] + [D(0), D(0), D(6000)] * 3  # 1,600 + 1,600 + 2,000


def test_quarterly_performance_for_a_mid_quarter_start() -> None:
    offer = Offer(city="beijing", base=D(10000), performance_pct=D(10), start_month=5)
    assert [row[0] for row in offer.pay_schedule()] == list(range(5, 13))
    assert [row[2] for row in offer.pay_schedule()] == [
        D(0),
        D(2000),
        D(0),
        D(0),
        D(3000),
        D(0),
        D(0),
        D(3000),
    ]


def test_monthly_performance() -> None:
    offer = Offer(
        city="beijing", base=D(10000), performance_pct=D(10), performance_schedule="monthly"
    )
    assert {row[2] for row in offer.pay_schedule()} == {D(1000)}
