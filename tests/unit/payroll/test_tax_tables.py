"""The tax tables are data; loading them re-derives every quick deduction."""

from decimal import Decimal as D
from pathlib import Path

import pytest

from payroll_bridge.tax_tables import IIT_PATH, load_tax_rules
from recruiting.errors import ConfigError

RULES = load_tax_rules()


def test_tables_hold_the_statutory_brackets() -> None:
    annual = [(b.up_to, b.rate, b.quick_deduction) for b in RULES.annual.brackets]
    assert [a[0] for a in annual] == [
        D(x) for x in (36000, 144000, 300000, 420000, 660000, 960000)
    ] + [None]
    assert [a[2] for a in annual] == [D(x) for x in (0, 2520, 16920, 31920, 52920, 85920, 181920)]
    monthly = RULES.monthly.brackets
    assert [b.up_to for b in monthly[:-1]] == [
        D(x) for x in (3000, 12000, 25000, 35000, 55000, 80000)
    ]
    assert [b.quick_deduction for b in monthly] == [
        D(x) for x in (0, 210, 1410, 2660, 4410, 7160, 15160)
    ]
    assert [b.rate for b in monthly] == [b.rate for b in RULES.annual.brackets]
    assert RULES.basic_deduction_monthly == D(5000)


def test_separate_bonus_taxation_ends_with_2027() -> None:
    assert RULES.separate_bonus_allowed(2027)
    assert not RULES.separate_bonus_allowed(2028)


def test_tax_on_nothing_or_less_is_zero() -> None:
    assert RULES.annual.tax(D(0)) == D(0)
    assert RULES.annual.tax(D(-5)) == D(0)


def test_a_typo_in_a_quick_deduction_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "iit.yaml"
    bad.write_text(IIT_PATH.read_text(encoding="utf-8").replace("16920", "16290", 1), "utf-8")
    with pytest.raises(ConfigError, match="quick deduction above 144000"):
        load_tax_rules(bad)


def test_a_missing_key_names_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "iit.yaml"
    bad.write_text("source: x\n", "utf-8")
    with pytest.raises(ConfigError, match=str(bad)):
        load_tax_rules(bad)
