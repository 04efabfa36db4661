"""Properties of withholding and estimates over generated inputs (hypothesis)."""

from decimal import Decimal as D

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from payroll_bridge.cities import city_codes
from payroll_bridge.estimate import estimate_year
from payroll_bridge.offer import Offer
from payroll_bridge.tax_tables import load_tax_rules
from payroll_bridge.withholding import CumulativeWithholding, withhold_year
from payroll_bridge.year_end_bonus import DeadZone, dead_zones, separate_tax
from recruiting.errors import InvalidInput

RULES = load_tax_rules()
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
money = st.decimals(min_value=0, max_value=200_000, places=2)
incomes = st.lists(money, min_size=1, max_size=12)
deduction = st.decimals(min_value=0, max_value=10_000, places=2)


def _run(months: list[D], special: D, additional: D) -> list[D]:
    return [m.tax for m in withhold_year(RULES, months, special, additional)]


@SETTINGS
@given(months=incomes, special=deduction, additional=deduction)
def test_tax_is_never_negative_and_never_exceeds_the_cumulative_tax(
    months: list[D], special: D, additional: D
) -> None:
    for month in withhold_year(RULES, months, special, additional):
        assert month.tax >= 0
        assert month.withheld >= month.cumulative_tax


@SETTINGS
@given(
    months=incomes,
    special=deduction,
    additional=deduction,
    data=st.data(),
    raise_by=st.decimals(min_value="0.01", max_value=100_000, places=2),
)
def test_a_higher_gross_in_a_month_never_gives_a_lower_net_that_month(
    months: list[D], special: D, additional: D, data: st.DataObject, raise_by: D
) -> None:
    """Same history and deductions, one month paid more: that month's net is not lower."""
    k = data.draw(st.integers(min_value=0, max_value=len(months) - 1))
    higher = [*months[:k], months[k] + raise_by, *months[k + 1 :]]
    base, more = _run(months, special, additional), _run(higher, special, additional)
    assert higher[k] - more[k] >= months[k] - base[k]
    assert more[:k] == base[:k]


@SETTINGS
@given(
    monthly=st.decimals(min_value=0, max_value=150_000, places=2),
    raise_by=st.decimals(min_value="0.01", max_value=50_000, places=2),
    special=deduction,
)
def test_a_higher_steady_salary_never_gives_a_lower_annual_net(
    monthly: D, raise_by: D, special: D
) -> None:
    low = sum(_run([monthly] * 12, special, D(0)))
    high = sum(_run([monthly + raise_by] * 12, special, D(0)))
    assert 12 * (monthly + raise_by) - high >= 12 * monthly - low


def test_but_a_higher_steady_salary_can_give_a_lower_net_in_one_month() -> None:
    """Not a bug: with 12,500 taxable a month the 144,000 limit is crossed in month 12, with
    12,600 in month 12 too but from 138,600 — month 12's tax then rises by 1.3 per yuan."""
    low = _run([D(17500)] * 12, D(0), D(0))
    high = _run([D(17600)] * 12, D(0), D(0))
    assert D(17600) - high[11] < D(17500) - low[11]


@SETTINGS
@given(zone=st.sampled_from(dead_zones(RULES)), data=st.data())
def test_a_bonus_inside_a_dead_zone_nets_less_than_the_zone_start(
    zone: DeadZone, data: st.DataObject
) -> None:
    """From one fen above the start up to one fen below ``last``; at ``last`` itself the
    net is back to the start's (to the fen)."""
    fens = int((zone.last - zone.start) * 100)
    bonus = zone.start + D(data.draw(st.integers(1, fens - 1))) / 100
    assert bonus - separate_tax(RULES, bonus) < zone.net_at_start
    assert zone.last - separate_tax(RULES, zone.last) == zone.net_at_start


offers = st.builds(
    Offer,
    city=st.sampled_from(city_codes()),
    base=st.decimals(min_value=3000, max_value=150_000, places=2),
    performance_pct=st.decimals(min_value=0, max_value=50, places=1),
    performance_schedule=st.sampled_from(["monthly", "quarterly"]),
    allowances=st.decimals(min_value=0, max_value=5000, places=2),
    bonus_months=st.decimals(min_value=0, max_value=6, places=2),
    bonus_month=st.integers(1, 12),
    probation_months=st.integers(0, 6),
    probation_pct=st.decimals(min_value=80, max_value=100, places=0),
    start_month=st.integers(1, 12),
)


@SETTINGS
@given(offer=offers, additional=deduction, year=st.sampled_from([2025, 2028]))
def test_estimates_add_up(offer: Offer, additional: D, year: int) -> None:
    try:
        e = estimate_year(offer, year, additional)
    except InvalidInput:
        assume(False)  # e.g. probation pay below the minimum wage
        return
    for line in e.months:
        assert line.tax >= 0
        assert line.gross == line.net + line.tax + line.social_insurance + line.housing_fund
        assert line.gross.as_tuple().exponent == -2 and line.net.as_tuple().exponent == -2
    t = e.totals
    assert t.gross == t.net + t.tax + t.social_insurance + t.housing_fund
    assert t.tax == sum(line.tax for line in e.months)
    if e.bonus.separate is not None:
        assert e.bonus.chosen == "merged" or e.bonus.separate <= e.bonus.merged


@SETTINGS
@given(offer=offers, raise_by=st.decimals(min_value="0.01", max_value=20_000, places=2))
def test_without_a_bonus_a_higher_base_never_nets_less_in_the_year(
    offer: Offer, raise_by: D
) -> None:
    """Counting the housing fund, which is the employee's own account: a fund deposited in
    whole yuan (Shanghai) may take one yuan more for a raise of a few fen."""
    plain = Offer(city=offer.city, base=offer.base, allowances=offer.allowances)
    higher = Offer(city=offer.city, base=offer.base + raise_by, allowances=offer.allowances)
    try:
        low, high = estimate_year(plain, 2025), estimate_year(higher, 2025)
    except InvalidInput:
        assume(False)
        return
    assert high.totals.net + high.totals.housing_fund >= low.totals.net + low.totals.housing_fund


def test_withholding_state_matches_the_list_helper() -> None:
    state = CumulativeWithholding(RULES)
    assert [state.month(D(30000), D(4500), D(2000)).tax for _ in range(3)] == _run(
        [D(30000)] * 3, D(4500), D(2000)
    )
