"""Recording what an interview cost besides time: a venue booking, a candidate's travel.

HR books venues and finance reimburses travel, so either may record (MANAGE_INTERVIEWS or
VIEW_COSTS); every attempt is audited. Amounts are Decimal with at most two places.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from recruiting.domain.roles import Permission, allows
from recruiting.errors import AccessDenied, InvalidInput, NotFound
from recruiting.models import Interview
from recruiting.models.costs import CostKind, InterviewCost
from recruiting.services.shared.audit import Actor, record

MAX_AMOUNT = Decimal("1000000")  # one interview's venue or trip; larger is a typo
_CURRENCY = re.compile(r"^[A-Z]{3}$")


async def record_expense(
    actor: Actor,
    interview_id: int,
    kind: str,
    amount: str | Decimal,
    *,
    currency: str = "CNY",
    note: str = "",
) -> InterviewCost:
    allowed = allows(actor.roles, Permission.MANAGE_INTERVIEWS) or allows(
        actor.roles, Permission.VIEW_COSTS
    )
    await record(actor, "record_expense", "interview", interview_id, allowed=allowed,
                 detail=f"{kind} {amount} {currency}")  # fmt: skip
    if not allowed:
        raise AccessDenied("recording interview expenses is for HR and finance")
    try:
        cost_kind = CostKind(kind)
    except ValueError as exc:
        raise InvalidInput(f"kind must be one of {', '.join(k.value for k in CostKind)}") from exc
    value = _amount(amount)
    if not _CURRENCY.match(currency):
        raise InvalidInput("currency must be an ISO 4217 code such as CNY")
    if not await Interview.exists(id=interview_id):
        raise NotFound(f"interview {interview_id} not found")
    return await InterviewCost.create(
        interview_id=interview_id, kind=cost_kind, amount=value, currency=currency,
        note=note[:256], recorded_by=actor.id[:64],
    )  # fmt: skip


def _amount(raw: str | Decimal) -> Decimal:
    try:
        value = Decimal(str(raw).replace(",", "").strip())
    except InvalidOperation as exc:
        raise InvalidInput(f"amount {raw!r} is not a number") from exc
    if not value.is_finite() or value <= 0 or value > MAX_AMOUNT:
        raise InvalidInput(f"amount must be above 0 and at most {MAX_AMOUNT}")
    if value != value.quantize(Decimal("0.01")):
        raise InvalidInput("amount has more than two decimal places")
    return value.quantize(Decimal("0.01"))
