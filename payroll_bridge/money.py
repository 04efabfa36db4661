"""Money as ``Decimal`` yuan, rounded to the fen the way payroll rounds: half up.

Every amount that leaves a calculation goes through ``fen`` once, at the point where payroll
would print it on a payslip, so totals are sums of printed figures and add up exactly.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from recruiting.errors import InvalidInput

ZERO = Decimal(0)
CENT = Decimal("0.01")
HUNDRED = Decimal(100)


def fen(amount: Decimal) -> Decimal:
    """``amount`` rounded to 0.01 yuan, half up (0.005 → 0.01)."""
    return amount.quantize(CENT, ROUND_HALF_UP)


def to_decimal(value: object, what: str) -> Decimal:
    """A finite ``Decimal`` from a string, int or ``Decimal``; floats go through ``str``.

    ``what`` names the value in the error, so a bad figure in a data file or on the command
    line says which one it was.
    """
    if isinstance(value, bool) or value is None:
        raise InvalidInput(f"{what}: a number is required, got {value!r}")
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation as exc:
        raise InvalidInput(f"{what}: not a number: {value!r}") from exc
    if not number.is_finite():
        raise InvalidInput(f"{what}: must be finite, got {value!r}")
    return number
