"""City data: effective-dated periods with provenance, picked per payroll month; each
city's rounding and new-hire rule; and bases clamped as published."""

from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pytest

from payroll_bridge.cities import CITIES_DIR, City, city_codes, load_city
from payroll_bridge.contributions import monthly_contributions
from recruiting.errors import ConfigError, InvalidInput

REQUIRED = {"beijing", "shanghai", "shenzhen", "guangzhou", "hangzhou", "chengdu"}


def period(code: str, day: date = date(2025, 1, 1)):  # type: ignore[no-untyped-def]
    return load_city(code).period_for(day).rules


def test_the_six_cities_are_there() -> None:
    assert set(city_codes()) >= REQUIRED


@pytest.mark.parametrize("code", sorted(REQUIRED))
def test_each_period_has_provenance_and_core_items(code: str) -> None:
    city = load_city(code)
    assert city.code == code and city.periods
    for p in city.periods:
        assert p.source and p.effective_from >= date(2024, 1, 1)
        assert {"pension", "medical", "unemployment", "work_injury"} <= {
            i.item for i in p.social_insurance
        }
        fund = p.housing_fund
        assert D("0.05") <= fund.min_rate <= fund.default_rate <= fund.max_rate <= D("0.12")
        assert p.minimum_wage.amount > D(2000)
        if not p.verified:
            assert p.notes or "NOT CONFIRMED" in p.source  # an unverified period says why


def test_unverified_parts_are_named() -> None:
    assert period("shenzhen").unverified == ("maternity", "work_injury", "housing_fund")
    assert "pension" in period("hangzhou", date(2024, 6, 1)).unverified
    assert "pension" not in period("beijing").unverified


def test_a_payroll_month_picks_its_period() -> None:
    beijing = load_city("beijing")
    june, july = beijing.period_for(date(2025, 6, 1)), beijing.period_for(date(2025, 7, 1))
    assert (june.rules.effective_from, june.status) == (date(2024, 7, 1), "verified")
    assert (july.rules.effective_from, july.status) == (date(2025, 7, 1), "unverified")
    assert july.rules.social_insurance[0].cap == D(35811)


def test_a_month_no_period_covers_is_stale_and_uses_the_latest_earlier_one() -> None:
    shanghai = load_city("shanghai")
    later = shanghai.period_for(date(2026, 7, 1))
    assert later.status == "stale"
    assert later.rules.effective_from == date(2025, 7, 1)
    before = shanghai.period_for(date(2020, 1, 1))
    assert (before.status, before.rules) == ("stale", shanghai.periods[0])
    assert load_city("guangzhou").verified_until == date(2025, 6, 30)
    assert load_city("chengdu").verified_until is None


def test_unknown_city_lists_the_known_ones() -> None:
    with pytest.raises(InvalidInput, match=r"known: 北京 \(beijing\)"):
        load_city("atlantis")


@pytest.mark.parametrize("name", [" Shanghai ", "上海", "上海市", "SHANGHAI"])
def test_a_city_by_code_pinyin_or_chinese_name(name: str) -> None:
    assert load_city(name).code == "shanghai"


def test_beijing_inside_the_limits() -> None:
    c = monthly_contributions(period("beijing"), D(30000))
    employee = {i.item: i.employee for i in c.items}
    assert employee == {
        "pension": D("2400.00"),
        "medical": D("600.00"),
        "serious_illness": D("3.00"),  # fixed 3 yuan, on top of the rates
        "unemployment": D("150.00"),
        "work_injury": D("0.00"),
    }
    assert c.social_insurance_employee == D("3153.00")
    assert c.social_insurance_employer == D("7950.00")  # 4,800 + 2,940 + 150 + 60
    assert c.housing_fund_employee == c.housing_fund_employer == D("3600.00")  # 12%
    assert c.employee_total == D("6753.00")


def test_bases_are_clamped_to_cap_and_floor() -> None:
    beijing = period("beijing")
    high = monthly_contributions(beijing, D(50000))
    assert {i.base for i in high.items} == {D(35283)}
    assert high.items[0].employee == D("2822.64")
    assert [i.employee for i in high.items if i.item == "unemployment"] == [D("176.42")]  # .415
    assert high.housing_fund_employee == D("4233.96")
    low = monthly_contributions(beijing, D(5000))
    assert low.items[0].base == D(6821)
    assert low.housing_fund_base == D(5000)  # above the fund's own floor of 2,420


def test_guangzhou_items_have_their_own_limits() -> None:
    c = monthly_contributions(period("guangzhou"), D(4000))
    bases = {i.item: i.base for i in c.items}
    assert bases == {
        "pension": D(5284),
        "medical": D(5996),
        "unemployment": D(4000),
        "work_injury": D(4000),
    }


def test_shanghai_deposits_housing_fund_in_whole_yuan() -> None:
    # the published monthly cap of 2024-07 is 5,168 = 2 × 2,584 (36,921 × 7% = 2,584.47)
    c = monthly_contributions(period("shanghai"), D(50000))
    assert c.housing_fund_employee == c.housing_fund_employer == D("2584.00")
    assert c.housing_fund_employee + c.housing_fund_employer == D(5168)
    # 10,007 × 7% = 700.49 → 700; 10,008 × 7% = 700.56 → 701 (half up)
    assert monthly_contributions(period("shanghai"), D(10007)).housing_fund_employee == D(700)
    assert monthly_contributions(period("shanghai"), D(10008)).housing_fund_employee == D(701)
    # social insurance stays at the fen: 36,921 × 0.5% = 184.605 → 184.61
    unemployment = next(i for i in c.items if i.item == "unemployment")
    assert unemployment.employee == D("184.61")


def test_housing_fund_rate_is_a_parameter_within_the_city_range() -> None:
    shanghai = period("shanghai")
    assert monthly_contributions(shanghai, D(20000)).housing_fund_rate == D("0.07")
    assert monthly_contributions(shanghai, D(20000), D("0.05")).housing_fund_employee == D(1000)
    with pytest.raises(InvalidInput, match=r"range 0\.05-0\.07"):
        monthly_contributions(shanghai, D(20000), D("0.12"))


def test_every_city_states_its_new_hire_rule() -> None:
    assert {load_city(c).new_hire_base for c in REQUIRED} == {"first_month_wage"}


def _copy(tmp_path: Path, code: str, old: str, new: str) -> City:
    text = (CITIES_DIR / f"{code}.yaml").read_text(encoding="utf-8")
    assert old in text
    (tmp_path / f"{code}.yaml").write_text(text.replace(old, new, 1), "utf-8")
    return load_city(code, tmp_path)


def test_a_broken_data_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="rate is a fraction"):
        _copy(tmp_path, "beijing", '"0.16"', '"1.6"')


def test_a_rate_outside_the_legal_range_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"employee_rate: 0\.8 is outside the legal range"):
        _copy(tmp_path, "beijing", 'employee_rate: "0.08"', 'employee_rate: "0.8"')


def test_overlapping_periods_are_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="overlap"):
        _copy(tmp_path, "shanghai", "effective_to: 2025-06-30", "effective_to: 2025-07-31")


def test_rounding_is_data(tmp_path: Path) -> None:
    city = _copy(
        tmp_path,
        "beijing",
        "social_insurance: { unit: fen, mode: half_up }",
        "social_insurance: { unit: jiao, mode: up }",
    )
    c = monthly_contributions(city.periods[0], D(50000))
    # 35,283 × 0.5% = 176.415 → 176.5 (jiao, up: 见分进角)
    assert [i.employee for i in c.items if i.item == "unemployment"] == [D("176.50")]
    with pytest.raises(ConfigError, match="unit is yuan, jiao or fen"):
        other = tmp_path / "other"
        other.mkdir()
        _copy(other, "beijing", "housing_fund: { unit: fen", "housing_fund: { unit: cent")
