"""Offer approval in the company's approval system (WeCom 审批), as the use case sees it.

Submitting is an outward effect: an outbox row on ``Channel.WECOM_APPROVAL`` carrying an
``OfferApprovalRequest`` (plain figures, no WeCom control ids: the adapter maps them to the
configured template). The sender reports back through ``ApprovalOutcomes`` — the approval
number on success, or a refusal HR must hear about — and the decisions arrive later as
``ApprovalChange`` callbacks.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Protocol

from recruiting.errors import InvalidInput
from recruiting.ports.outbound import Channel, OutboundDraft


@dataclass(frozen=True)
class OfferApprovalRequest:
    offer_id: int
    creator: str  # WeCom userid of the HR person submitting
    candidate: str
    job: str
    department: str
    city: str  # the city's name (上海)
    base_salary: str  # yuan per month, exact decimal string
    bonus_months: str
    year_end_bonus: str  # yuan
    allowances: str  # yuan per month
    start_date: str  # ISO date
    note: str = ""

    def payload(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> OfferApprovalRequest:
        try:
            return cls(**payload)
        except TypeError as exc:
            raise InvalidInput(f"not an offer approval payload: {exc}") from exc


def approval_draft(request: OfferApprovalRequest, key: str) -> OutboundDraft:
    """One offer's submissions go in order (recipient ``offer:<id>``)."""
    return OutboundDraft(
        Channel.WECOM_APPROVAL, f"offer:{request.offer_id}", request.payload(), key
    )


class ApprovalOutcomes(Protocol):
    async def submitted_number(self, offer_id: int) -> str | None:
        """The approval number already recorded for the offer (a retried send must not
        open a second approval)."""

    async def submitted(self, offer_id: int, sp_no: str) -> None:
        """The approval system accepted the request under ``sp_no``."""

    async def refused(self, offer_id: int, code: int | None, reason: str) -> None:
        """The approval system refused the request for good (bad parameters, no permission)."""
