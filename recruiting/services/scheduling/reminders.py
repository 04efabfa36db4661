"""Interview reminders to the candidate and to each assigned interviewer, exactly once.

``send_due(now)`` is a scheduler job: it derives everything from the database (interviews,
their status, start and panel, and the reminders already written), so a restart or a second
scheduler finds the same answer. Each reminder is a ``ReminderDelivery`` row and an outbox
row written in one transaction; the delivery row's unique key (interview, recipient, offset,
start) lets only one writer win, and the outbox idempotency key is built from the same.

A cancelled or moved interview never gets the old reminders: only interviews in a state that
expects them are looked at, the start is part of the key, and ``ReminderGate`` checks again
just before sending (status, start, panel, and that the start is still ahead), because a
reminder written a moment before a cancellation may still wait in the outbox.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

from tortoise.exceptions import IntegrityError

from recruiting import clock
from recruiting.domain.interview_state import InterviewStatus
from recruiting.domain.reminders import (
    EXPECTING,
    Audience,
    QuietHours,
    ReminderPolicy,
    expects,
    offset_minutes,
)
from recruiting.models import (
    Interview,
    InterviewAssignment,
    InterviewMode,
    ReminderDelivery,
    Staff,
)
from recruiting.ports.candidate_channel import candidate_recipient
from recruiting.ports.outbound import Channel, OutboundDraft, OutboundMessage, OutboundSender
from recruiting.ports.queue import TaskQueue
from recruiting.services.messaging.effects import Effects
from recruiting.settings import ReminderSettings

log = logging.getLogger(__name__)

KEY_PREFIX = "reminder"
WEEKDAYS = "一二三四五六日"
LIVE_STATES = EXPECTING[Audience.CANDIDATE] | EXPECTING[Audience.INTERVIEWER]


def reminder_policy(settings: ReminderSettings, zone: tzinfo) -> ReminderPolicy:
    quiet = None
    if settings.quiet_start is not None and settings.quiet_end is not None:
        quiet = QuietHours(settings.quiet_start, settings.quiet_end)
    return ReminderPolicy(settings.offsets, zone, quiet)


def reminder_key(interview_id: int, recipient: str, offset: int, start_epoch: int) -> str:
    """The outbox idempotency key: the same fields as the delivery row's unique key."""
    return f"{KEY_PREFIX}:{interview_id}:{_draft_key(recipient, offset, start_epoch)}"


def _draft_key(recipient: str, offset: int, start_epoch: int) -> str:
    return f"{recipient}:{offset}m:{start_epoch}"


@dataclass(frozen=True)
class Due:
    interview: Interview
    audience: Audience
    recipient: str
    offset: timedelta


class ReminderService:
    def __init__(self, policy: ReminderPolicy, queue: TaskQueue | None = None) -> None:
        self._policy = policy
        self._effects = Effects(queue)

    async def send_due(self, now: datetime) -> int:
        """Write every reminder due at ``now`` that is not written yet; returns how many."""
        if not self._policy.offsets:
            return 0
        now = now.astimezone(UTC)  # SQLite compares times as text: query in the stored zone
        interviews = await Interview.filter(
            status__in=list(LIVE_STATES),
            starts_at__gt=now,
            starts_at__lte=now + self._policy.horizon,
        ).prefetch_related("round__job", "application")
        if not interviews:
            return 0
        panels = await _panels([i.id for i in interviews])
        written = await _written([i.id for i in interviews])
        due = [
            d
            for i in interviews
            for d in self._due_for(i, panels.get(i.id, []), now)
            if _identity(d) not in written
        ]
        ids = [row_id for d in due if (row_id := await self._write(d, now)) is not None]
        return len(ids)

    def _due_for(self, interview: Interview, panel: list[str], now: datetime) -> list[Due]:
        start = interview.starts_at
        assert start is not None
        recipients: list[tuple[Audience, str]] = [(Audience.INTERVIEWER, u) for u in panel]
        application: Any = interview.application
        if application is not None:
            who = candidate_recipient(int(application.candidate_id))
            recipients.insert(0, (Audience.CANDIDATE, who))
        out = []
        for audience, recipient in recipients:
            if not expects(audience, interview.status):
                continue
            offset = self._policy.due(start, now, audience)
            if offset is not None:
                out.append(Due(interview, audience, recipient, offset))
        return out

    async def _write(self, due: Due, now: datetime) -> int | None:
        """Insert the delivery and its outbox row together; None if another writer won."""
        interview = due.interview
        start_epoch = _epoch(interview.starts_at)
        minutes = offset_minutes(due.offset)
        payload = reminder_payload(due, now, self._policy.zone)
        channel = Channel.CANDIDATE if due.audience is Audience.CANDIDATE else Channel.WECOM_MESSAGE
        key = _draft_key(due.recipient, minutes, start_epoch)
        try:
            async with self._effects.unit() as unit:
                added = await unit.add(
                    [OutboundDraft(channel, due.recipient, payload, key)],
                    cause=f"{KEY_PREFIX}:{interview.id}",
                )
                if not added:
                    return None  # another scheduler wrote it a moment ago
                await ReminderDelivery.create(
                    interview_id=interview.id,
                    recipient=due.recipient,
                    audience=due.audience.value,
                    offset_minutes=minutes,
                    start_epoch=start_epoch,
                    outbox_id=added[0],
                )
        except IntegrityError:
            return None  # another scheduler wrote it a moment ago
        log.info(
            "reminder %sm for interview %s to %s written", minutes, interview.id, due.recipient
        )
        return added[0]


async def _panels(interview_ids: list[int]) -> dict[int, list[str]]:
    """The WeCom userids of each interview's active interviewers."""
    rows = await InterviewAssignment.filter(interview_id__in=interview_ids).values(
        "interview_id", "interviewer_id"
    )
    staff = await Staff.filter(id__in=[r["interviewer_id"] for r in rows], active=True)
    userids = {s.id: s.wecom_userid for s in staff}
    panels: dict[int, list[str]] = defaultdict(list)
    for r in rows:
        if (userid := userids.get(r["interviewer_id"])) is not None:
            panels[r["interview_id"]].append(userid)
    return {k: sorted(v) for k, v in panels.items()}


async def _written(interview_ids: list[int]) -> set[tuple[int, str, int, int]]:
    rows = await ReminderDelivery.filter(interview_id__in=interview_ids).values_list(
        "interview_id", "recipient", "offset_minutes", "start_epoch"
    )
    return {(int(a), str(b), int(c), int(d)) for a, b, c, d in rows}


def _identity(due: Due) -> tuple[int, str, int, int]:
    return (due.interview.id, due.recipient, offset_minutes(due.offset),
            _epoch(due.interview.starts_at))  # fmt: skip


def _epoch(at: datetime | None) -> int:
    assert at is not None
    return int(at.timestamp())


def reminder_payload(due: Due, now: datetime, zone: tzinfo) -> dict[str, Any]:
    """A text message; ``reminder`` is what ``ReminderGate`` re-checks before sending."""
    interview = due.interview
    meta = {
        "interview_id": interview.id,
        "start": _epoch(interview.starts_at),
        "audience": due.audience.value,
    }
    text = reminder_text(interview, due.audience, now, zone)
    return {"kind": "text", "content": text, "reminder": meta}


def reminder_text(interview: Interview, audience: Audience, now: datetime, zone: tzinfo) -> str:
    round_: Any = interview.round
    job = round_.job.title if round_ is not None and round_.job is not None else ""
    role = f"{job}（{round_.name}）" if round_ is not None else job
    when = _when(interview, now, zone)
    place = _place(interview)
    if audience is Audience.INTERVIEWER:
        return f"【面试提醒】您有一场面试即将开始\n岗位：{role}\n时间：{when}\n{place}"
    lines = [
        "【面试提醒】您好，您的面试即将开始，请准时参加。",
        f"岗位：{role}",
        f"时间：{when}",
        place,
    ]
    if interview.mode in (InterviewMode.REMOTE, InterviewMode.RECORDED):
        lines.append(
            "请提前 15 分钟在安静、光线充足的环境中完成设备检测（摄像头、麦克风和网络），"
            "以免影响面试。"
        )
    elif interview.mode == InterviewMode.ONSITE:
        lines.append("请携带有效身份证件，提前 10 分钟到达。")
    lines.append("如需改期，请尽早回复告知。")
    return "\n".join(lines)


def _when(interview: Interview, now: datetime, zone: tzinfo) -> str:
    assert interview.starts_at is not None
    start = interview.starts_at.astimezone(zone)
    days = (start.date() - now.astimezone(zone).date()).days
    word = {0: "今天", 1: "明天", 2: "后天"}.get(days, "")
    text = f"{word}{start.month}月{start.day}日（周{WEEKDAYS[start.weekday()]}）{start:%H:%M}"
    if interview.ends_at is not None:
        text += f"–{interview.ends_at.astimezone(zone):%H:%M}"
    return text


def _place(interview: Interview) -> str:
    if interview.mode == InterviewMode.REMOTE:
        link = interview.meeting_link or "会议链接将通过企业微信日程/消息另行发送"
        return f"形式：线上视频面试\n会议链接：{link}"
    if interview.mode == InterviewMode.RECORDED:
        return "形式：录制面试（在小程序中作答）"
    return f"地点：{interview.location or '待通知'}"


class ReminderGate:
    """Wraps a channel's sender: a reminder whose interview no longer expects it (cancelled,
    moved, panel changed, or already begun) is not sent but marked done as skipped. Other
    messages pass through untouched."""

    def __init__(self, inner: OutboundSender, now: Callable[[], datetime] = clock.now) -> None:
        self._inner = inner
        self._now = now

    async def deliver(self, message: OutboundMessage) -> dict[str, Any]:
        meta = message.payload.get("reminder")
        if isinstance(meta, Mapping):
            reason = await stale_reason(meta, message.recipient, self._now())
            if reason:
                log.info("reminder outbox %s not sent: %s", message.id, reason)
                return {"skipped": reason}
        return await self._inner.deliver(message)


def gate_reminders(senders: Mapping[str, OutboundSender]) -> dict[str, OutboundSender]:
    """The relay's senders with the reminder channels wrapped in a ``ReminderGate``."""
    gated = dict(senders)
    for channel in (Channel.WECOM_MESSAGE, Channel.CANDIDATE):
        if channel in gated:
            gated[channel] = ReminderGate(gated[channel])
    return gated


async def stale_reason(meta: Mapping[str, Any], recipient: str, now: datetime) -> str:
    """Why a written reminder must not go out any more ("" when it still should)."""
    interview = await Interview.get_or_none(id=int(meta.get("interview_id", 0)))
    if interview is None or interview.starts_at is None:
        return "interview gone"
    audience = Audience(str(meta.get("audience", Audience.INTERVIEWER.value)))
    if not expects(audience, InterviewStatus(interview.status)):
        return f"interview is {interview.status}"
    if _epoch(interview.starts_at) != int(meta.get("start", -1)):
        return "interview was moved"
    if now >= interview.starts_at:
        return "interview already started"
    if audience is Audience.INTERVIEWER:
        panel = await _panels([interview.id])
        if recipient not in panel.get(interview.id, []):
            return "no longer on the panel"
    return ""
