"""Where an offer stands, and how WeCom's approval statuses move it (pure rules).

WeCom reports an approval's ``SpStatus`` (wecom-protocol.md §5) on every change, may deliver
a callback several times and in any order. So a status is applied only when it moves the
offer *forward* from where it is; anything else is a duplicate or a stale delivery and is
recorded, never acted on (e.g. 已通过 arriving after 通过后撤销 is ignored).

SpStatus → offer:

====  ==========  ==========================================================================
1     审批中      submitting → pending_approval (an intermediate step keeps it pending)
2     已通过      submitting / pending → approved (letter, EHR and payroll hand-offs)
3     已驳回      submitting / pending → rejected
4     已撤销      submitting / pending → withdrawn
6     通过后撤销  submitting / pending / approved → withdrawn_after_approval
7     已删除      any open or decided offer → deleted
10    已支付      an offer pays nothing, but "paid" can only follow approval: read as 已通过
====  ==========  ==========================================================================

``StatuChangeEvent`` (1 submitted, 2 agreed, 3 rejected, 4 forwarded, 5 reminded, 6 withdrawn,
8 withdrawn after approval, 10 comment) says what happened; the status says where the
approval stands, so only the status moves the offer and the event is kept in its history.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum, StrEnum


class OfferStatus(StrEnum):
    DRAFT = "draft"  # HR is shaping the package
    CANCELLED = "cancelled"  # HR dropped the draft
    SUBMITTING = "submitting"  # oa/applyevent is in the outbox
    PENDING_APPROVAL = "pending_approval"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    WITHDRAWN_AFTER_APPROVAL = "withdrawn_after_approval"
    DELETED = "deleted"


class SpStatus(IntEnum):
    PENDING = 1
    APPROVED = 2
    REJECTED = 3
    WITHDRAWN = 4
    WITHDRAWN_AFTER_APPROVAL = 6
    DELETED = 7
    PAID = 10


SP_STATUS_NAMES = {
    SpStatus.PENDING: "审批中",
    SpStatus.APPROVED: "已通过",
    SpStatus.REJECTED: "已驳回",
    SpStatus.WITHDRAWN: "已撤销",
    SpStatus.WITHDRAWN_AFTER_APPROVAL: "通过后撤销",
    SpStatus.DELETED: "已删除",
    SpStatus.PAID: "已支付",
}

CHANGE_EVENT_NAMES = {
    1: "提交申请",
    2: "同意",
    3: "驳回",
    4: "转审",
    5: "催办",
    6: "撤销",
    8: "通过后撤销",
    10: "添加备注",
}

STATUS_NAMES = {
    OfferStatus.DRAFT: "草稿",
    OfferStatus.CANCELLED: "已取消",
    OfferStatus.SUBMITTING: "提交中",
    OfferStatus.PENDING_APPROVAL: "审批中",
    OfferStatus.APPROVED: "已通过",
    OfferStatus.REJECTED: "已驳回",
    OfferStatus.WITHDRAWN: "已撤销",
    OfferStatus.WITHDRAWN_AFTER_APPROVAL: "通过后撤销",
    OfferStatus.DELETED: "已删除",
}

# Statuses an approval may still move the offer out of (DELETED ends everything).
OPEN = frozenset({OfferStatus.SUBMITTING, OfferStatus.PENDING_APPROVAL})
# Offers that block a new one for the same application.
ACTIVE = frozenset({*OPEN, OfferStatus.APPROVED})

_TARGET = {
    SpStatus.PENDING: OfferStatus.PENDING_APPROVAL,
    SpStatus.APPROVED: OfferStatus.APPROVED,
    SpStatus.PAID: OfferStatus.APPROVED,
    SpStatus.REJECTED: OfferStatus.REJECTED,
    SpStatus.WITHDRAWN: OfferStatus.WITHDRAWN,
    SpStatus.WITHDRAWN_AFTER_APPROVAL: OfferStatus.WITHDRAWN_AFTER_APPROVAL,
    SpStatus.DELETED: OfferStatus.DELETED,
}
_FROM: dict[OfferStatus, frozenset[OfferStatus]] = {
    OfferStatus.PENDING_APPROVAL: frozenset({OfferStatus.SUBMITTING}),
    OfferStatus.APPROVED: OPEN,
    OfferStatus.REJECTED: OPEN,
    OfferStatus.WITHDRAWN: OPEN,
    OfferStatus.WITHDRAWN_AFTER_APPROVAL: OPEN | {OfferStatus.APPROVED},
    OfferStatus.DELETED: OPEN
    | {
        OfferStatus.APPROVED,
        OfferStatus.REJECTED,
        OfferStatus.WITHDRAWN,
        OfferStatus.WITHDRAWN_AFTER_APPROVAL,
    },
}


@dataclass(frozen=True)
class Move:
    """What one approval status does to an offer: ``to`` None means nothing (``why``)."""

    to: OfferStatus | None
    why: str = ""


def sp_status(value: int) -> SpStatus | None:
    try:
        return SpStatus(value)
    except ValueError:
        return None


def on_approval(current: OfferStatus, status: int) -> Move:
    """The move an approval callback with ``SpStatus`` = ``status`` makes from ``current``."""
    known = sp_status(status)
    if known is None:
        return Move(None, f"unknown SpStatus {status}")
    target = _TARGET[known]
    if current == target:
        return Move(None, "duplicate")
    if current not in _FROM[target]:
        return Move(None, f"stale: {target.value} does not follow {current.value}")
    return Move(target)


def describe(status: int, change_event: int) -> str:
    """``已通过（同意）`` — for histories and HR messages."""
    known = sp_status(status)
    name = SP_STATUS_NAMES[known] if known is not None else f"状态 {status}"
    event = CHANGE_EVENT_NAMES.get(change_event)
    return f"{name}（{event}）" if event else name
