"""专项附加扣除 by name, checked against each item's legal maximum (``data/iit.yaml``).

A monthly total typed as one number cannot be checked item by item, so the CLI and the payslip
also take the items by name (``children_education=2``, ``住房租金=1500``): a per-child item
takes the number of children (halves for a 50% share), the others an amount up to the item's
maximum, and housing-loan interest and rent exclude each other.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from payroll_bridge.estimate import MAX_CHILDREN
from payroll_bridge.money import ZERO, to_decimal
from payroll_bridge.tax_tables import DeductionItem, TaxRules
from recruiting.errors import InvalidInput

HALF = Decimal("0.5")


def named_deductions(rules: TaxRules, specs: Iterable[str]) -> dict[str, Decimal]:
    """``NAME=VALUE`` items as monthly amounts by item name; InvalidInput on any bad item."""
    found: dict[str, Decimal] = {}
    for spec in specs:
        key, sep, value = spec.partition("=")
        if not sep:
            raise InvalidInput(f"deduction {spec!r}: write NAME=VALUE, e.g. housing_rent=1500")
        item = _item(rules, key.strip())
        if item.name in found:
            raise InvalidInput(f"deduction {item.name} is given twice")
        found[item.name] = _amount(item, value)
    for name in found:
        other = next(d.excludes for d in rules.deductions if d.name == name)
        if other and found.get(other):
            raise InvalidInput(f"{name} and {other} cannot both be claimed (国发〔2018〕41号)")
    return found


def _item(rules: TaxRules, key: str) -> DeductionItem:
    for item in rules.deductions:
        if key.lower() in (item.name, item.label):
            return item
    names = ", ".join(f"{d.name} ({d.label})" for d in rules.deductions)
    raise InvalidInput(f"unknown deduction {key!r}; known: {names}")


def _amount(item: DeductionItem, value: str) -> Decimal:
    number = to_decimal(value, item.name)
    if item.per_child:
        if not ZERO <= number <= MAX_CHILDREN or number % HALF:
            raise InvalidInput(
                f"{item.name}: the number of children, 0..{MAX_CHILDREN} in halves "
                "(0.5 = a 50% share)"
            )
        return item.monthly * number
    if not ZERO <= number <= item.monthly:
        raise InvalidInput(f"{item.name}: at most {item.monthly:,} a month, got {value}")
    return number
