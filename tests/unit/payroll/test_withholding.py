"""Cumulative withholding (累计预扣法) against the tax authority's published examples.

Source of both examples: 国家税务总局, interpretation of 公告2018年第61号 《个人所得税扣缴申报
管理办法（试行）》 and its 专项附加扣除和扣缴申报操作指引 (December 2018), examples 1 and 2,
reproduced verbatim e.g. by Guangdong Polytechnic Normal University's finance office
(https://site.gdupt.edu.cn/cwc/info/1025/1466.htm) and a 2019 forum copy "转自：专项附加扣除和
扣缴申报操作指引". Example 2 gives 555 / 625 / 1,850 for months 1-3 — not 705 / 1,410 / 2,820,
which no input in the cumulative method produces (see test_the_brief_figures_are_not_the_example).
"""

from decimal import Decimal as D

from payroll_bridge.tax_tables import load_tax_rules
from payroll_bridge.withholding import CumulativeWithholding, withhold_year

RULES = load_tax_rules()


def taxes(incomes: list[D], special: D = D(0), additional: D = D(0)) -> list[D]:
    return [m.tax for m in withhold_year(RULES, incomes, special, additional)]


def test_official_example_2_salary_30000_crosses_into_10_percent_in_february() -> None:
    # 30,000/month, 三险一金 4,500, children's education + elderly support 2,000
    months = withhold_year(RULES, [D(30000)] * 3, special=D(4500), additional=D(2000))
    assert [m.tax for m in months] == [D("555.00"), D("625.00"), D("1850.00")]
    # "由于2月份累计预扣预缴应纳税所得额为37000元，已适用10%的税率"
    assert months[1].cumulative_taxable == D(37000)
    assert months[2].cumulative_taxable == D(55500)


def test_official_example_1_salary_10000_stays_at_3_percent() -> None:
    # 10,000/month, 三险一金 1,500, children's education 1,000: 75 every month
    assert taxes([D(10000)] * 12, D(1500), D(1000)) == [D("75.00")] * 12


def test_the_brief_figures_are_not_the_example() -> None:
    """705 / 1,410 / 2,820 (the figures we were given) double each month, which cumulative
    withholding of a constant salary never does past the first bracket; the published
    example's answer is 555 / 625 / 1,850."""
    assert taxes([D(30000)] * 3, D(4500), D(2000)) != [D(705), D(1410), D(2820)]


def test_bracket_edges_are_inclusive_below() -> None:
    assert taxes([D(41000)]) == [D("1080.00")]  # 36,000 taxable: still 3%
    assert taxes([D("41000.01")]) == [D("1080.00")]  # 36,000.01 × 10% − 2,520 = 1,080.001


def test_low_income_pays_nothing_and_builds_no_credit_against_later_tax() -> None:
    months = withhold_year(RULES, [D(3000), D(3000), D(20000)])
    assert [m.tax for m in months] == [D(0), D(0), D("330.00")]  # 26,000 − 15,000 = 11,000
    assert months[0].cumulative_taxable == D(-2000)


def test_over_withholding_carries_over_instead_of_going_negative() -> None:
    months = withhold_year(RULES, [D(30000), D(0), D(0), D(40000)])
    assert [m.tax for m in months] == [D("750.00"), D(0), D(0), D("1730.00")]
    assert months[2].cumulative_tax == D("450.00")  # below the 750 withheld: no refund
    assert months[2].withheld == D("750.00")
    assert months[3].withheld == months[3].cumulative_tax == D("2480.00")


def test_copy_continues_independently() -> None:
    state = CumulativeWithholding(RULES)
    state.month(D(30000))
    twin = state.copy()
    assert state.month(D(30000)).tax == twin.month(D(30000)).tax
    assert twin.month(D(100000)).withheld != state.month(D(0)).withheld
