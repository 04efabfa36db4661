"""The year-end bonus taxed on its own (全年一次性奖金单独计税) and its "dead zones".

Taxed separately, the whole bonus pays the rate of the bracket that bonus ÷ 12 falls in on
the monthly-converted table, minus one month's quick deduction (财税〔2018〕164号 item 1(1),
valid through 2027-12-31 by 公告2023年第30号). Because the rate applies to the whole bonus,
crossing 12 × a bracket limit by one fen raises the tax by more than the fen: from there up
to the zone's end the employee nets less than at the limit itself. The zones follow from the
table and are computed here, never typed in.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from itertools import pairwise

from payroll_bridge.money import CENT, ZERO, fen
from payroll_bridge.tax_tables import TaxRules, TaxTable

MONTHS = Decimal(12)


def separate_tax(rules: TaxRules, bonus: Decimal) -> Decimal:
    """Tax on a year-end bonus taxed on its own, rounded to the fen."""
    return _separate_tax(rules.monthly, bonus)


def _separate_tax(table: TaxTable, bonus: Decimal) -> Decimal:
    if bonus <= ZERO:
        return ZERO
    bracket = table.bracket_for(bonus / MONTHS)
    return fen(bonus * bracket.rate - bracket.quick_deduction)


@dataclass(frozen=True, slots=True)
class DeadZone:
    """Bonuses from ``first`` to ``last`` net no more than a bonus of ``start`` does.

    ``end`` is the exact break-even point and ``last`` is it rounded to the fen: every bonus
    in [first, last) nets less than ``start``, and ``last`` nets the same (to the fen).
    """

    start: Decimal  # 12 × a bracket limit of the monthly-converted table
    end: Decimal
    rate_below: Decimal
    rate_above: Decimal
    net_at_start: Decimal

    @property
    def first(self) -> Decimal:
        return self.start + CENT

    @property
    def last(self) -> Decimal:
        return fen(self.end)

    def contains(self, bonus: Decimal) -> bool:
        return self.first <= bonus <= self.last


def dead_zones(rules: TaxRules) -> tuple[DeadZone, ...]:
    """Every dead zone of the separate bonus tax, lowest first."""
    return _dead_zones(rules.monthly)


@lru_cache(maxsize=4)
def _dead_zones(table: TaxTable) -> tuple[DeadZone, ...]:
    zones = []
    for below, above in pairwise(table.brackets):
        assert below.up_to is not None
        start = below.up_to * MONTHS
        net_at_start = start * (1 - below.rate) + below.quick_deduction
        # net(B) = B × (1 − rate_above) + quick_above rises back to net_at_start at B = end
        end = (net_at_start - above.quick_deduction) / (1 - above.rate)
        zones.append(DeadZone(start, end, below.rate, above.rate, fen(net_at_start)))
    return tuple(zones)


def zones_near(zones: tuple[DeadZone, ...], bonus: Decimal) -> tuple[DeadZone, ...]:
    """The zone holding ``bonus`` if any, else the nearest zone below and above it."""
    holding = tuple(z for z in zones if z.contains(bonus))
    if holding:
        return holding
    below = [z for z in zones if z.last < bonus]
    above = [z for z in zones if z.first > bonus]
    return tuple(below[-1:] + above[:1])


def escape_bonus(zones: tuple[DeadZone, ...], bonus: Decimal) -> Decimal | None:
    """For a bonus inside a dead zone, the zone's start: the larger bonus nets no more."""
    for zone in zones:
        if zone.contains(bonus):
            return zone.start
    return None
