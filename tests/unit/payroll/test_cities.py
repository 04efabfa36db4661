"""City data: every file loads, carries its provenance, and clamps bases as published."""

from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pytest

from payroll_bridge.cities import CITIES_DIR, city_codes, load_city
from payroll_bridge.contributions import monthly_contributions
from recruiting.errors import ConfigError, InvalidInput

REQUIRED = {"beijing", "shanghai", "shenzhen", "guangzhou", "hangzhou", "chengdu"}


def test_the_six_cities_are_there() -> None:
    assert set(city_codes()) >= REQUIRED


@pytest.mark.parametrize("code", sorted(REQUIRED))
def test_each_city_has_provenance_and_core_items(code: str) -> None:
    city = load_city(code)
    assert city.code == code
    assert city.source and city.effective_from >= date(2024, 1, 1)
    items = {i.item for i in city.social_insurance}
    assert {"pension", "medical", "unemployment", "work_injury"} <= items
    fund = city.housing_fund
    assert D("0.05") <= fund.min_rate <= fund.default_rate <= fund.max_rate <= D("0.12")
    assert city.minimum_wage.amount > D(2000)
    if not city.verified:
        assert city.notes  # an unverified city says why


def test_unverified_parts_are_named() -> None:
    assert load_city("shenzhen").unverified == ("maternity", "work_injury", "housing_fund")
    assert "pension" in load_city("hangzhou").unverified
    assert "pension" not in load_city("beijing").unverified


def test_unknown_city_lists_the_known_ones() -> None:
    with pytest.raises(InvalidInput, match="known: beijing"):
        load_city("atlantis")


def test_lookup_ignores_case_and_spaces() -> None:
    assert load_city(" Shanghai ").code == "shanghai"


def test_beijing_inside_the_limits() -> None:
    c = monthly_contributions(load_city("beijing"), D(30000))
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
    beijing = load_city("beijing")
    high = monthly_contributions(beijing, D(50000))
    assert {i.base for i in high.items} == {D(35283)}
    assert high.items[0].employee == D("2822.64")
    assert [i.employee for i in high.items if i.item == "unemployment"] == [D("176.42")]  # .415
    assert high.housing_fund_employee == D("4233.96")
    low = monthly_contributions(beijing, D(5000))
    assert low.items[0].base == D(6821)
    assert low.housing_fund_base == D(5000)  # above the fund's own floor of 2,420


def test_guangzhou_items_have_their_own_limits() -> None:
    c = monthly_contributions(load_city("guangzhou"), D(4000))
    bases = {i.item: i.base for i in c.items}
    assert bases == {
        "pension": D(5284),
        "medical": D(5996),
        "unemployment": D(4000),
        "work_injury": D(4000),
    }


def test_housing_fund_rate_is_a_parameter_within_the_city_range() -> None:
    shanghai = load_city("shanghai")
    assert monthly_contributions(shanghai, D(20000)).housing_fund_rate == D("0.07")
    assert monthly_contributions(shanghai, D(20000), D("0.05")).housing_fund_employee == D(1000)
    with pytest.raises(InvalidInput, match=r"range 0\.05-0\.07"):
        monthly_contributions(shanghai, D(20000), D("0.12"))


def test_a_broken_data_file_is_a_config_error(tmp_path: Path) -> None:
    text = (CITIES_DIR / "beijing.yaml").read_text(encoding="utf-8")
    (tmp_path / "beijing.yaml").write_text(text.replace('"0.16"', '"1.6"', 1), "utf-8")
    with pytest.raises(ConfigError, match="rate is a fraction"):
        load_city("beijing", tmp_path)
