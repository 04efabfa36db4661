"""Turn a decrypted callback (a dict from ``xmlcodec.parse``) into a typed inbound event.

De-duplication keys follow wecom-protocol.md §1: ``MsgId`` for messages; for events
``FromUserName + CreateTime`` is not unique, so the event's own identifying fields join it.
"""

from __future__ import annotations

import hashlib
from typing import Any

from recruiting.domain import inbound as ev
from recruiting.errors import InvalidInput
from wecom_bot.xmlcodec import as_list

_EVENT_ID_FIELDS = (
    "Event", "ChangeType", "EventKey", "TaskId", "ResponseCode", "ScheduleId",
    "ExternalUserID", "Token", "OpenKfId",
)  # fmt: skip

_CONTACT_ID_FIELDS = ("UserID", "NewUserID", "Status", "Department", "Name", "Position")


def _text(data: dict[str, Any], key: str) -> str:
    value = data.get(key, "")
    return value if isinstance(value, str) else ""


def _int(value: Any) -> int:
    try:
        return int(str(value).strip())
    except ValueError:
        return 0


def dedup_key(data: dict[str, Any]) -> str:
    msg_id = _text(data, "MsgId")
    if msg_id:
        return f"msg:{msg_id}"
    parts = [_text(data, "FromUserName"), _text(data, "CreateTime")]
    parts += [_text(data, name) for name in _EVENT_ID_FIELDS]
    if _text(data, "Event") == "change_contact":  # several members may change in one second
        parts += [_text(data, name) for name in _CONTACT_ID_FIELDS]
    approval = data.get("ApprovalInfo")
    if isinstance(approval, dict):
        parts += [_text(approval, "SpNo"), _text(approval, "StatuChangeEvent")]
        parts += [str(len(as_list(approval.get("SpRecord"))))]
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:40]
    return f"evt:{digest}"


def parse_event(data: dict[str, Any]) -> ev.Inbound:
    """Build the typed event; unknown types become ``UnknownEvent`` (stored, acknowledged)."""
    msg_type = _text(data, "MsgType")
    if not msg_type:
        raise InvalidInput("callback lacks MsgType", code="wecom_bad_message")
    if msg_type != "event" and not _text(data, "FromUserName"):
        # Events such as kf_msg_or_event come without a sender; messages never do.
        raise InvalidInput("message lacks FromUserName", code="wecom_bad_message")
    event = _text(data, "Event")
    base: dict[str, Any] = {
        "from_user": _text(data, "FromUserName"),
        "to_user": _text(data, "ToUserName"),
        "agent_id": _text(data, "AgentID"),
        "create_time": _int(data.get("CreateTime", 0)),
        "msg_type": msg_type,
        "event": event,
        "dedup_key": dedup_key(data),
    }
    builder = _MESSAGES.get(msg_type) if msg_type != "event" else _EVENTS.get(event)
    if builder is None:
        return ev.UnknownEvent(kind="unknown", fields=dict(data), **base)
    return builder(data, base)


def _text_message(d: dict[str, Any], base: dict[str, Any]) -> ev.Inbound:
    return ev.TextMessage(
        kind="text", content=_text(d, "Content"), msg_id=_text(d, "MsgId"), **base
    )


def _voice(d: dict[str, Any], base: dict[str, Any]) -> ev.Inbound:
    return ev.VoiceMessage(
        kind="voice",
        media_id=_text(d, "MediaId"),
        format=_text(d, "Format") or "amr",
        msg_id=_text(d, "MsgId"),
        **base,
    )


def _image(d: dict[str, Any], base: dict[str, Any]) -> ev.Inbound:
    return ev.ImageMessage(
        kind="image",
        pic_url=_text(d, "PicUrl"),
        media_id=_text(d, "MediaId"),
        msg_id=_text(d, "MsgId"),
        **base,
    )


def _enter_agent(d: dict[str, Any], base: dict[str, Any]) -> ev.Inbound:
    return ev.EnterAgent(kind="enter_agent", event_key=_text(d, "EventKey"), **base)


def _click(d: dict[str, Any], base: dict[str, Any]) -> ev.Inbound:
    return ev.MenuClick(kind="click", event_key=_text(d, "EventKey"), **base)


def _selected_items(d: dict[str, Any]) -> tuple[ev.SelectedItem, ...]:
    container = d.get("SelectedItems")
    items = as_list(container.get("SelectedItem")) if isinstance(container, dict) else []
    result = []
    for item in items:
        if not isinstance(item, dict):
            continue
        # One published sample spells these OpitonIds/OpitonId: accept both.
        ids = item.get("OptionIds") or item.get("OpitonIds") or {}
        raw = (ids.get("OptionId") or ids.get("OpitonId")) if isinstance(ids, dict) else None
        option_ids = tuple(str(x) for x in as_list(raw))
        result.append(ev.SelectedItem(_text(item, "QuestionKey"), option_ids))
    return tuple(result)


def _card_click(d: dict[str, Any], base: dict[str, Any]) -> ev.Inbound:
    return ev.CardClick(
        kind="card_click",
        event_key=_text(d, "EventKey"),
        task_id=_text(d, "TaskId"),
        card_type=_text(d, "CardType"),
        response_code=_text(d, "ResponseCode"),
        selected=_selected_items(d),
        **base,
    )


def _approval_records(info: dict[str, Any]) -> tuple[ev.ApprovalRecord, ...]:
    records = []
    for rec in as_list(info.get("SpRecord")):
        if not isinstance(rec, dict):
            continue
        details = []
        for det in as_list(rec.get("Details")):
            if not isinstance(det, dict):
                continue
            approver = det.get("Approver")
            userid = _text(approver, "UserId") if isinstance(approver, dict) else ""
            details.append(
                ev.ApprovalDetail(
                    approver=userid,
                    speech=_text(det, "Speech"),
                    sp_status=_int(det.get("SpStatus", 0)),
                    sp_time=_int(det.get("SpTime", 0)),
                )
            )
        records.append(
            ev.ApprovalRecord(
                sp_status=_int(rec.get("SpStatus", 0)),
                approver_attr=_int(rec.get("ApproverAttr", 0)),
                details=tuple(details),
            )
        )
    return tuple(records)


def _approval(d: dict[str, Any], base: dict[str, Any]) -> ev.Inbound:
    info = d.get("ApprovalInfo")
    if not isinstance(info, dict):
        raise InvalidInput("sys_approval_change without ApprovalInfo", code="wecom_bad_message")
    applyer_value = info.get("Applyer")
    applyer: dict[str, Any] = applyer_value if isinstance(applyer_value, dict) else {}
    return ev.ApprovalChange(
        kind="approval",
        sp_no=_text(info, "SpNo"),
        sp_name=_text(info, "SpName"),
        sp_status=_int(info.get("SpStatus", 0)),
        template_id=_text(info, "TemplateId"),
        apply_time=_int(info.get("ApplyTime", 0)),
        applyer_userid=_text(applyer, "UserId"),
        applyer_party=_text(applyer, "Party"),
        records=_approval_records(info),
        status_change_event=_int(info.get("StatuChangeEvent", 0)),
        **base,
    )


def _external_contact(d: dict[str, Any], base: dict[str, Any]) -> ev.Inbound:
    return ev.ExternalContactChange(
        kind="external_contact",
        change_type=_text(d, "ChangeType") or base["event"],
        user_id=_text(d, "UserID"),
        external_user_id=_text(d, "ExternalUserID"),
        state=_text(d, "State"),
        welcome_code=_text(d, "WelcomeCode"),
        **base,
    )


def _contact(d: dict[str, Any], base: dict[str, Any]) -> ev.Inbound:
    """``Department`` is a comma-separated list of ids; anything else in it is dropped."""
    parts = _text(d, "Department").split(",")
    ids = (x.strip() for x in parts)
    department_ids = tuple(int(p) for p in ids if p.isascii() and p.isdigit() and len(p) <= 9)
    return ev.ContactChange(
        kind="contact",
        change_type=_text(d, "ChangeType"),
        user_id=_text(d, "UserID"),
        new_user_id=_text(d, "NewUserID"),
        status=_int(d.get("Status", 0)),
        department_ids=department_ids,
        name=_text(d, "Name"),
        position=_text(d, "Position"),
        **base,
    )


def _kf(d: dict[str, Any], base: dict[str, Any]) -> ev.Inbound:
    return ev.KfEvent(kind="kf", token=_text(d, "Token"), open_kf_id=_text(d, "OpenKfId"), **base)


def _schedule(d: dict[str, Any], base: dict[str, Any]) -> ev.Inbound:
    return ev.ScheduleChange(
        kind="schedule", cal_id=_text(d, "CalId"), schedule_id=_text(d, "ScheduleId"), **base
    )


_MESSAGES = {"text": _text_message, "voice": _voice, "image": _image}
_EVENTS = {
    "enter_agent": _enter_agent,
    "click": _click,
    "template_card_event": _card_click,
    "sys_approval_change": _approval,
    "change_external_contact": _external_contact,
    "add_external_contact": _external_contact,
    "change_contact": _contact,
    "kf_msg_or_event": _kf,
    "add_schedule": _schedule,
    "modify_schedule": _schedule,
    "delete_schedule": _schedule,
}
