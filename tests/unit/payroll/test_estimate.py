"""A year of payslips: hand-checked figures, the bonus choice, and totals that add up."""

from decimal import Decimal as D

import pytest

from payroll_bridge.estimate import estimate_year
from payroll_bridge.offer import Offer
from recruiting.errors import InvalidInput

SHANGHAI = Offer(
    city="shanghai",
    base=D(20000),
    performance_pct=D(10),
    allowances=D(1000),
    bonus_months=D(2),
    probation_months=3,
    probation_pct=D(80),
)


def test_shanghai_offer_by_hand() -> None:
    e = estimate_year(SHANGHAI, 2025, D(2000))
    # a new hire's base is the first month's wage: probation 16,000 + 1,000 allowances
    # + 1,600 performance target (10% of the probation base) = 18,600, inside the limits
    assert e.contribution_wage == D("18600.00")
    assert e.contributions.social_insurance_employee == D("1953.00")  # 8% + 2% + 0.5%
    assert e.contributions.housing_fund_employee == D("1302.00")  # 7%, whole yuan
    jan, mar, dec = e.months[0], e.months[2], e.months[11]
    assert jan.gross == D("17000.00")  # probation 16,000 + allowances; performance paid in March
    # 17,000 − 5,000 − 3,255 − 2,000 = 6,745 × 3%
    assert (jan.cumulative_taxable, jan.tax, jan.net) == (D(6745), D("202.35"), D("13542.65"))
    assert mar.performance == D("4800.00")  # 3 × 10% of the probation base
    assert dec.bonus == D("40000.00")
    assert dec.bonus_tax == D("3790.00")  # 40,000 × 10% − 210
    assert e.bonus.chosen == "separate"
    assert (e.bonus.separate, e.bonus.merged, e.bonus.saving) == (
        D("3790.00"),
        D("7574.00"),
        D("3784.00"),
    )
    assert e.totals.gross == D("302800.00")
    assert e.totals.social_insurance == D("23436.00")  # 12 × 1,953
    assert e.totals.housing_fund == D("15624.00")  # 12 × 1,302
    assert e.totals.tax == D("15244.00")
    assert e.totals.net == D("248496.00")  # 302,800 − 23,436 − 15,624 − 15,244
    # employer: 16% + 9% + 0.5% + 0.16% of 18,600 = 4,772.76 a month, HF 1,302
    assert e.totals.cost_to_company == D("375697.12")


def test_every_month_and_the_year_add_up() -> None:
    e = estimate_year(SHANGHAI, 2025, D(2000))
    for line in e.months:
        assert line.gross == line.net + line.tax + line.social_insurance + line.housing_fund
        assert line.gross == line.base_pay + line.allowances + line.performance + line.bonus
        assert line.tax == line.wage_tax + line.bonus_tax
    t = e.totals
    assert t.gross == t.net + t.tax + t.social_insurance + t.housing_fund
    assert t.net == sum(line.net for line in e.months)
    assert t.cost_to_company == sum(line.cost for line in e.months)


def test_merging_wins_when_wages_leave_deductions_unused() -> None:
    offer = Offer(city="chengdu", base=D(5000), bonus_months=D(1))
    e = estimate_year(offer, 2025)
    # wages never reach 5,000 + contributions, so the merged bonus is absorbed
    assert e.bonus.separate == D("150.00")
    assert e.bonus.merged == D(0)
    assert e.bonus.chosen == "merged"
    assert e.months[-1].bonus_tax == D(0)
    assert e.totals.tax == D(0)


def test_after_2027_the_bonus_is_always_merged() -> None:
    e = estimate_year(SHANGHAI, 2028, D(2000))
    assert e.bonus.separate is None
    assert e.bonus.chosen == "merged"
    assert e.bonus.saving == D(0)
    same = estimate_year(SHANGHAI, 2025, D(2000))  # same contributions: 18,600 is inside
    assert e.totals.tax == same.totals.tax + same.bonus.saving


def test_no_bonus() -> None:
    offer = Offer(city="beijing", base=D(15000))
    e = estimate_year(offer, 2025)
    assert e.bonus.amount == D(0)
    assert e.bonus.chosen == "merged"
    assert all(line.bonus_tax == D(0) for line in e.months)


def test_mid_year_start_counts_only_months_employed() -> None:
    offer = Offer(city="shenzhen", base=D(20000), start_month=10, bonus_months=D(1))
    e = estimate_year(offer, 2025)
    assert [line.month for line in e.months] == [10, 11, 12]
    # the basic deduction accumulates from the first month with this employer
    contributions = e.contributions.employee_total
    assert e.months[0].cumulative_taxable == D(20000) - D(5000) - contributions


def test_bonus_before_the_start_month_is_not_paid_this_year() -> None:
    offer = Offer(city="shenzhen", base=D(20000), start_month=6, bonus_month=2, bonus_months=D(1))
    assert estimate_year(offer, 2025).bonus.amount == D(0)


def test_a_year_crossing_july_uses_both_periods() -> None:
    e = estimate_year(Offer(city="beijing", base=D(40000)), 2025)
    first, second = e.segments
    assert (first.first_month, first.last_month, first.status) == (1, 6, "verified")
    assert (second.first_month, second.last_month, second.status) == (7, 12, "unverified")
    # 2024-07 cap 35,283: 8% 2,822.64 + 2% 705.66 + 3 + 0.5% 176.42 (176.415)
    assert first.contributions.social_insurance_employee == D("3707.72")
    # 2025-07 cap 35,811: 8% 2,864.88 + 2% 716.22 + 3 + 0.5% 179.06 (179.055)
    assert second.contributions.social_insurance_employee == D("3763.16")
    assert [m.social_insurance for m in e.months] == [D("3707.72")] * 6 + [D("3763.16")] * 6
    assert [m.housing_fund for m in e.months] == [D("4233.96")] * 6 + [D("4297.32")] * 6
    assert e.totals.social_insurance == 6 * D("3707.72") + 6 * D("3763.16")
    # the July deduction is larger, so the cumulative taxable income grows by less
    step = e.months[7].cumulative_taxable - e.months[6].cumulative_taxable
    assert step == D(40000) - D(5000) - D("3763.16") - D("4297.32")
    assert e.data_status == "unverified"
    assert e.months_with("unverified") == (7, 8, 9, 10, 11, 12)


def test_months_no_period_covers_are_stale() -> None:
    e = estimate_year(Offer(city="guangzhou", base=D(15000)), 2025)
    assert [(s.first_month, s.last_month, s.status) for s in e.segments] == [
        (1, 6, "verified"),
        (7, 12, "stale"),
    ]
    assert e.data_status == "stale"


def test_a_probation_salary_sets_a_new_hires_base() -> None:
    # the Beijing case of the review: 20,000 with 80% probation → base 16,000, not 20,000
    offer = Offer(city="beijing", base=D(20000), probation_months=3, probation_pct=D(80))
    e = estimate_year(offer, 2025)
    assert e.contribution_wage == D("16000.00")
    items = {i.item: i.base for i in e.contributions.items}
    assert items["pension"] == D("16000.00")
    full = estimate_year(Offer(city="beijing", base=D(20000)), 2025)
    # 4,000 × (8% + 2% + 0.5%) = 420 a month less
    difference = full.contributions.social_insurance_employee
    assert difference - e.contributions.social_insurance_employee == D(420)


@pytest.mark.parametrize(
    ("year", "deductions", "message"),
    [
        (2018, D(0), "tax year 2018 is not covered"),
        (0, D(0), "tax year 0"),
        (99999, D(0), "tax year 99999"),
        (2025, D(-1), "special additional deductions"),
        (2025, D("1e999"), "special additional deductions"),
    ],
)
def test_years_and_deductions_out_of_range_are_refused(
    year: int, deductions: D, message: str
) -> None:
    with pytest.raises(InvalidInput, match=message):
        estimate_year(Offer(city="beijing", base=D(15000)), year, deductions)
