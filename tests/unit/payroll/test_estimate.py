"""A year of payslips: hand-checked figures, the bonus choice, and totals that add up."""

from decimal import Decimal as D

from payroll_bridge.estimate import estimate_year
from payroll_bridge.offer import Offer

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
    # base for contributions: 20,000 + 1,000 + 2,000 performance = 23,000 (inside the limits)
    assert e.contributions.social_insurance_employee == D("2415.00")  # 8% + 2% + 0.5%
    assert e.contributions.housing_fund_employee == D("1610.00")  # 7%
    jan, mar, dec = e.months[0], e.months[2], e.months[11]
    assert jan.gross == D("17000.00")  # probation 16,000 + allowances; performance paid in March
    # 17,000 − 5,000 − 4,025 − 2,000 = 5,975 × 3%
    assert (jan.cumulative_taxable, jan.tax, jan.net) == (D(5975), D("179.25"), D("12795.75"))
    assert mar.performance == D("4800.00")  # 3 × 10% of the probation base
    assert dec.bonus == D("40000.00")
    assert dec.bonus_tax == D("3790.00")  # 40,000 × 10% − 210
    assert e.bonus.chosen == "separate"
    assert (e.bonus.separate, e.bonus.merged, e.bonus.saving) == (
        D("3790.00"),
        D("6650.00"),
        D("2860.00"),
    )
    assert e.totals.gross == D("302800.00")
    assert e.totals.tax == D("14320.00")
    assert e.totals.net == D("240180.00")
    assert e.totals.cost_to_company == D("392941.60")


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
    assert e.totals.tax == estimate_year(SHANGHAI, 2025, D(2000)).totals.tax + D(2860)


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
