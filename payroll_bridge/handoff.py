"""Deliver the payroll outbox channel: an approved offer's new hire, through ``PayrollPort``.

The outbox row's payload is ``recruiting.ports.payroll.NewHireHandOff``; it becomes this
package's ``NewHire`` (city bases and housing fund rate included) and is handed off once:
every adapter is idempotent on the hire's key, so a retried row returns the first receipt.
A record payroll refuses for good (a different record under the same key, figures below
the minimum wage) is ``InvalidInput``, which dead-letters the row and alerts HR managers.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

from payroll_bridge.offer import Offer
from payroll_bridge.port import PayrollPort, new_hire
from recruiting.errors import Conflict, InvalidInput
from recruiting.ports.outbound import FORGET, OutboundMessage
from recruiting.ports.payroll import NewHireHandOff


@runtime_checkable
class HoldsCopies(Protocol):
    """A payroll adapter that keeps what it handed off (the CSV file payroll imports)."""

    async def forget(self, employee_id: str) -> int: ...


class PayrollHandOffSender:
    def __init__(self, payroll: PayrollPort) -> None:
        self._payroll = payroll

    async def deliver(self, message: OutboundMessage) -> dict[str, Any]:
        if message.payload.get("kind") == FORGET:
            return await self._forget(str(message.payload["employee_ref"]))
        hand_off = NewHireHandOff.from_payload(message.payload)
        terms = hand_off.terms
        offer = Offer(
            city=terms.city,
            base=terms.base,
            allowances=terms.allowances,
            bonus_months=terms.bonus_months,
            start_month=hand_off.start_date.month,
        )
        hire = new_hire(hand_off.employee_ref, hand_off.name, hand_off.start_date, offer)
        try:
            receipt = await self._payroll.hand_off(hire)
        except Conflict as exc:
            raise InvalidInput(str(exc)) from exc
        return {"reference": receipt.reference, "duplicate": receipt.duplicate}

    async def _forget(self, employee_ref: str) -> dict[str, Any]:
        """Drop the copy of an erased candidate's hand-off; a payroll system reached by API
        holds its own (the employer's) record, nothing of ours."""
        if not isinstance(self._payroll, HoldsCopies):
            return {"skipped": "payroll keeps no copy here"}
        return {"removed": await self._payroll.forget(employee_ref)}
