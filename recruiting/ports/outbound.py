"""Outward effects: a message to a person through some channel (WeCom app message, …).

Use cases produce ``OutboundDraft``s; the outbox stores them and a relay hands each to the
sender registered for its channel. Payloads are channel-neutral (``{"kind": "text", ...}``);
the adapter turns them into the outside system's shape.

``Channel`` names every channel once; the relay picks a row's sender by it, so a name written
anywhere else would be a channel no sender serves.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol


class Channel(StrEnum):
    """Where an outbox row goes (stored in ``outbox_message.channel``)."""

    WECOM_MESSAGE = "wecom.message"  # an app message or card to a staff member
    CANDIDATE = "candidate.message"  # to a candidate, by 微信客服, external contact or mini-app
    WECOM_SCHEDULE = "wecom.schedule"  # the interviewers' WeCom calendar entry
    WECOM_MEETING = "wecom.meeting"  # a WeCom meeting for a remote interview
    WECOM_APPROVAL = "wecom.approval"  # an offer submitted to WeCom approval
    EHR = "ehr"
    PAYROLL = "payroll"


FORGET = "forget"
"""The effect "drop your copies of this erased candidate" (``services.personal_data.erasure``):
the ``op`` of an EHR payload, the ``kind`` of a payroll payload. Rows already queued carry
the value, so it never changes."""


@dataclass(frozen=True)
class OutboundDraft:
    channel: str
    recipient: str
    payload: dict[str, Any]
    key: str = "reply"  # unique among the drafts of one cause (inbox row, job run, …)


@dataclass(frozen=True)
class OutboundMessage:
    id: int
    channel: str
    recipient: str
    payload: dict[str, Any]
    attempt: int
    idempotency_key: str = field(default="")


class OutboundSender(Protocol):
    async def deliver(self, message: OutboundMessage) -> dict[str, Any]:
        """Send once; return what the outside system answered (ids to keep).

        ``message.attempt`` > 1 means an earlier attempt may have gone through: the sender
        must use the channel's own duplicate suppression where it has one."""
