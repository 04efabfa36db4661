"""The separately taxed year-end bonus and its dead zones, derived from the table."""

from decimal import Decimal as D

import pytest

from payroll_bridge.tax_tables import load_tax_rules
from payroll_bridge.year_end_bonus import dead_zones, escape_bonus, separate_tax, zones_near

RULES = load_tax_rules()
ZONES = dead_zones(RULES)


def net(bonus: D) -> D:
    return bonus - separate_tax(RULES, bonus)


@pytest.mark.parametrize(
    ("bonus", "tax"),
    [
        (D(0), D(0)),
        (D(36000), D("1080.00")),  # 3,000/month: 3%
        (D("36000.01"), D("3390.00")),  # one fen more: 10% on all, − 210
        (D(40000), D("3790.00")),
        (D(120000), D("11790.00")),
        (D(1000000), D("434840.00")),  # 45% − 15,160
    ],
)
def test_separate_tax(bonus: D, tax: D) -> None:
    assert separate_tax(RULES, bonus) == tax


def test_dead_zones_are_the_published_ones() -> None:
    assert [(z.first, z.last) for z in ZONES] == [
        (D("36000.01"), D("38566.67")),
        (D("144000.01"), D("160500.00")),
        (D("300000.01"), D("318333.33")),
        (D("420000.01"), D("447500.00")),
        (D("660000.01"), D("706538.46")),
        (D("960000.01"), D("1120000.00")),
    ]


def test_each_zone_nets_less_inside_and_catches_up_at_its_end() -> None:
    for zone in ZONES:
        assert net(zone.start) == zone.net_at_start
        assert net(zone.first) < zone.net_at_start
        assert net(zone.last - D("0.01")) < zone.net_at_start
        assert net(zone.last) <= zone.net_at_start
        assert net(zone.last + D("0.02")) > zone.net_at_start


def test_zones_near_a_bonus() -> None:
    assert [z.start for z in zones_near(ZONES, D(37000))] == [D(36000)]
    assert [z.start for z in zones_near(ZONES, D(40000))] == [D(36000), D(144000)]
    assert [z.start for z in zones_near(ZONES, D(1000))] == [D(36000)]
    assert [z.start for z in zones_near(ZONES, D(2000000))] == [D(960000)]


def test_escape_bonus() -> None:
    assert escape_bonus(ZONES, D(150000)) == D(144000)
    assert escape_bonus(ZONES, D(170000)) is None
