"""What WeCom tells us, as typed values the use cases understand.

The WeCom adapter parses callback XML into these; nothing here knows about XML or crypto.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Inbound:
    """Fields every callback has; ``dedup_key`` identifies one delivery across retries."""

    kind: str
    from_user: str
    to_user: str
    agent_id: str
    create_time: int
    msg_type: str
    event: str
    dedup_key: str


@dataclass(frozen=True)
class TextMessage(Inbound):
    content: str = ""
    msg_id: str = ""


@dataclass(frozen=True)
class VoiceMessage(Inbound):
    media_id: str = ""
    format: str = "amr"
    msg_id: str = ""


@dataclass(frozen=True)
class ImageMessage(Inbound):
    pic_url: str = ""
    media_id: str = ""
    msg_id: str = ""


@dataclass(frozen=True)
class EnterAgent(Inbound):
    event_key: str = ""


@dataclass(frozen=True)
class MenuClick(Inbound):
    event_key: str = ""


@dataclass(frozen=True)
class SelectedItem:
    question_key: str
    option_ids: tuple[str, ...]


@dataclass(frozen=True)
class CardClick(Inbound):
    """A click on an interactive template card (button, vote or select)."""

    event_key: str = ""
    task_id: str = ""
    card_type: str = ""
    response_code: str = ""
    selected: tuple[SelectedItem, ...] = ()


@dataclass(frozen=True)
class ApprovalDetail:
    approver: str
    speech: str
    sp_status: int
    sp_time: int


@dataclass(frozen=True)
class ApprovalRecord:
    sp_status: int
    approver_attr: int
    details: tuple[ApprovalDetail, ...]


@dataclass(frozen=True)
class ApprovalChange(Inbound):
    sp_no: str = ""
    sp_name: str = ""
    sp_status: int = 0
    template_id: str = ""
    apply_time: int = 0
    applyer_userid: str = ""
    applyer_party: str = ""
    records: tuple[ApprovalRecord, ...] = ()
    status_change_event: int = 0


@dataclass(frozen=True)
class ExternalContactChange(Inbound):
    change_type: str = ""
    user_id: str = ""
    external_user_id: str = ""
    state: str = ""
    welcome_code: str = field(default="", repr=False)


@dataclass(frozen=True)
class ContactChange(Inbound):
    """通讯录 changed (``change_contact``): a member was created, updated or deleted.

    ``status`` is WeCom's member status when it changed (1 active, 2 disabled, 4 not
    activated, 5 quit), else 0; ``department_ids`` is set only when the member moved.
    """

    change_type: str = ""  # create_user, update_user, delete_user (parties and tags too)
    user_id: str = ""
    new_user_id: str = ""
    status: int = 0
    department_ids: tuple[int, ...] = ()
    name: str = field(default="", repr=False)
    position: str = ""


@dataclass(frozen=True)
class KfEvent(Inbound):
    """微信客服 says new customer messages are waiting; fetch them with kf/sync_msg."""

    token: str = field(default="", repr=False)
    open_kf_id: str = ""


@dataclass(frozen=True)
class ScheduleChange(Inbound):
    cal_id: str = ""
    schedule_id: str = ""


@dataclass(frozen=True)
class UnknownEvent(Inbound):
    """Anything we do not handle yet: stored and acknowledged, never an error."""

    fields: dict[str, Any] = field(default_factory=dict)
