"""What an interview invitation says: the candidate's message (through the candidate
channel) and HR's card (a WeCom template card that follows the invitation's state)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import Any

from recruiting.domain.invitation_answers import INVITE_CHOICES, SLOT_PREFIX
from recruiting.domain.routing import route_key
from recruiting.domain.shorten import shorten
from recruiting.models import InterviewMode, InvitationStatus
from recruiting.ports.candidate_channel import candidate_recipient
from recruiting.ports.outbound import Channel, OutboundDraft
from recruiting.services.candidate_channel.contacts import MEETING_PLACEHOLDER

DEVICE_CHECK_PATH = "pages/device-check/index"
INBOX_PATH = "pages/messages/index"
REFRESH = "invite.refresh"  # HR's invitation card: invite.refresh:<invitation id>
WEEKDAYS = "一二三四五六日"
ROW_CHARS = 30  # a card row's value as WeCom shows it

# The reply to text carrying an invitation code (it bound 微信客服 to her) and no answer.
BOUND_TEXT = (
    "您好，已收到。之后的面试通知会通过这里发给您，也可以直接在这里回复「确认」「改期」或「拒绝」。"
)
STATUS_TEXT = {
    InvitationStatus.SENT: "待候选人回复",
    InvitationStatus.CONFIRMED: "候选人已确认参加",
    InvitationStatus.RESCHEDULE_OFFERED: "候选人申请改期，已发去新的可选时间",
    InvitationStatus.DECLINED: "候选人已拒绝，面试已取消",
    InvitationStatus.SUPERSEDED: "已改期，新的邀请已发出",
    InvitationStatus.WITHDRAWN: "面试已由 HR 取消，已通知候选人",
}


@dataclass(frozen=True)
class InvitationView:
    """One invitation with everything its texts show (no contact data)."""

    id: int
    reference: str
    interview_id: int
    candidate_id: int
    candidate: str
    job: str
    round: str
    starts_at: datetime
    minutes: int
    mode: InterviewMode
    location: str
    meeting_link: str
    interviewers: tuple[tuple[str, str], ...]  # (name, title)
    preparation: str
    hr_userid: str
    task_id: str
    status: InvitationStatus


def when(at: datetime, zone: tzinfo) -> str:
    local = at.astimezone(zone)
    return f"{local:%Y-%m-%d}（周{WEEKDAYS[local.weekday()]}）{local:%H:%M}"


def span(at: datetime, minutes: int, zone: tzinfo) -> str:
    end = (at + timedelta(minutes=minutes)).astimezone(zone)
    return f"{when(at, zone)}–{end:%H:%M}（北京时间）"


def row_span(at: datetime, minutes: int, zone: tzinfo) -> str:
    """The time for a card row, which shows about 30 characters: no year, no zone."""
    start, end = at.astimezone(zone), (at + timedelta(minutes=minutes)).astimezone(zone)
    return f"{start:%m-%d}（周{WEEKDAYS[start.weekday()]}）{start:%H:%M}–{end:%H:%M}"


def place(v: InvitationView) -> str:
    if v.mode == InterviewMode.REMOTE:
        return f"线上面试，会议链接：{v.meeting_link or MEETING_PLACEHOLDER}"
    return f"现场面试，地点：{v.location or '另行通知'}"


def panel(v: InvitationView) -> str:
    return "、".join(f"{name}（{title}）" if title else name for name, title in v.interviewers)


def invitation_text(v: InvitationView, zone: tzinfo) -> str:
    lines = [
        f"{v.candidate}您好，诚邀您参加「{v.job}」岗位的{v.round}。",
        f"时间：{span(v.starts_at, v.minutes, zone)}，约 {v.minutes} 分钟",
        f"方式：{place(v)}",
        f"面试官：{panel(v) or '待定'}",
        f"请准备：{v.preparation or '简历一份，以及您想了解的问题'}",
        "设备检测：请在小程序「面试助手」的「设备检测」页提前检测摄像头和麦克风",
        f"邀请码：{v.reference}",
        "请回复「确认」「改期」或「拒绝」。",
    ]
    return "\n".join(lines)


def invitation_draft(v: InvitationView, zone: tzinfo, key: str = "invitation") -> OutboundDraft:
    payload: dict[str, Any] = {
        "kind": "choices",
        "content": invitation_text(v, zone),
        "choices": [{"key": k, "label": label} for k, label in INVITE_CHOICES],
        "subject": f"invite:{v.id}",
        "device_check_path": f"{DEVICE_CHECK_PATH}?interview={v.interview_id}",
        "bind": {"state": v.reference, "recruiter": v.hr_userid},
    }
    if v.mode == InterviewMode.REMOTE and not v.meeting_link:
        payload["meeting_for"] = v.interview_id
    return OutboundDraft(Channel.CANDIDATE, candidate_recipient(v.candidate_id), payload, key)


def slots_draft(
    v: InvitationView, offered: list[dict[str, Any]], zone: tzinfo, intro: str, key: str
) -> OutboundDraft:
    choices = [
        {"key": f"{SLOT_PREFIX}{n}", "label": when(datetime.fromisoformat(o["start"]), zone)}
        for n, o in enumerate(offered)
    ]
    lines = [intro] + [f"{n + 1}. {c['label']}" for n, c in enumerate(choices)]
    lines.append("请回复序号（如「1」）选择新的时间；若都不合适，请回复「拒绝」或联系 HR。")
    payload = {
        "kind": "choices",
        "content": "\n".join(lines),
        "choices": [*choices, {"key": "decline", "label": "都不合适，放弃"}],
        "subject": f"slots:{v.id}",
    }
    return OutboundDraft(Channel.CANDIDATE, candidate_recipient(v.candidate_id), payload, key)


def candidate_text(candidate_id: int, content: str, key: str) -> OutboundDraft:
    payload = {"kind": "text", "content": content}
    return OutboundDraft(Channel.CANDIDATE, candidate_recipient(candidate_id), payload, key)


def hr_card(v: InvitationView, zone: tzinfo, note: str = "") -> dict[str, Any]:
    """The staff card (button_interaction, so sending it yields a response_code)."""
    status = STATUS_TEXT[v.status]
    return {
        "card_type": "button_interaction",
        "source": {"desc": "面试邀请"},
        "main_title": {
            "title": shorten(f"面试邀请：{v.candidate} · {v.job}", max_chars=36),
            "desc": f"{v.round} · {when(v.starts_at, zone)}",
        },
        "sub_title_text": shorten(note or status, max_chars=120),
        "horizontal_content_list": [
            {"keyname": "状态", "value": shorten(status, max_chars=ROW_CHARS)},
            {
                "keyname": "时间",
                "value": shorten(row_span(v.starts_at, v.minutes, zone), max_chars=ROW_CHARS),
            },
            {
                "keyname": "方式",
                "value": shorten(
                    "线上" if v.mode == InterviewMode.REMOTE else v.location or "现场",
                    max_chars=ROW_CHARS,
                ),
            },
            {"keyname": "面试官", "value": shorten(panel(v), max_chars=ROW_CHARS) or "待定"},
        ],
        "task_id": v.task_id,
        "button_list": [
            {"type": 0, "text": "刷新状态", "style": 1, "key": route_key(REFRESH, v.id)}
        ],
    }


def hr_card_draft(v: InvitationView, zone: tzinfo) -> OutboundDraft:
    payload = {"kind": "template_card", "card": hr_card(v, zone)}
    return OutboundDraft(Channel.WECOM_MESSAGE, v.hr_userid, payload, "hr-card")


def staff_text(userid: str, content: str, key: str) -> OutboundDraft:
    return OutboundDraft(Channel.WECOM_MESSAGE, userid, {"kind": "text", "content": content}, key)
