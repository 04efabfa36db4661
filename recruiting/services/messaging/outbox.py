"""The outbox relay: deliver each stored effect through its channel, retrying safely.

Effects are written by use cases in the transaction of the state change that causes them
(``effects.Effects.unit``), so a change is never committed without its effects or the reverse.

A row is claimed with a lease (one statement, so several relay processes never take the
same row), sent, then marked sent. If the process dies between the send and the mark, the
row is sent again after the lease with ``attempt > 1`` and the same idempotency key, so the
channel can suppress the duplicate (WeCom's ``enable_duplicate_check``, an EHR's
``Idempotency-Key``). Rows of one recipient go strictly in id order.

A failed send waits a random time in ``[floor, floor + min(cap, base·2^(attempt-1))]``
("full jitter", so thousands of rows that failed together do not retry together), where
``floor`` is what the outside system asked for (``RetryLater.retry_after``). After the
channel's ``max_attempts`` (or at once, when the outside system refused the content) the
row is dead-lettered: status ``failed``, never retried by itself, and in the same
transaction a WeCom card goes to every HR manager with a 重新投递 button whose click puts
the row back in line (``DeadLetters``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from tortoise.expressions import Q
from tortoise.functions import Min

from recruiting import clock
from recruiting.domain.inbound import CardClick, Inbound
from recruiting.domain.roles import Role
from recruiting.domain.routing import parse_key, route_key
from recruiting.errors import ExternalServiceError, InvalidInput, RecruitingError, RetryLater
from recruiting.infra.claims import claim_row
from recruiting.models import Application, Candidate, Offer, OutboxMessage, ProcessingStatus, Staff
from recruiting.ports.outbound import Channel, OutboundDraft, OutboundMessage, OutboundSender
from recruiting.ports.queue import OUTBOX_TOPIC, TaskQueue
from recruiting.services.messaging.effects import Effects
from recruiting.services.messaging.ordering import next_unfinished
from recruiting.services.shared.audit import Actor, record
from recruiting.validation import is_digits

log = logging.getLogger(__name__)

RETRY = "outbox.retry"  # the card key: outbox.retry:<outbox id> (card_routes)
ALERT_KEY_PREFIX = "dead-letter:"
WAKE_WITHIN = 60.0  # seconds: shorter waits are timed in-process, longer ones left to sweeps
RECOVERY_PAUSE = 5.0  # seconds between two "channel is back" pull-forwards per process
CHANNEL_NAMES: dict[str, str] = {
    Channel.EHR: "EHR 同步",
    Channel.WECOM_MESSAGE: "企业微信消息",
    Channel.CANDIDATE: "候选人消息",
    Channel.PAYROLL: "薪酬系统交接",
    Channel.WECOM_APPROVAL: "offer 审批提交",
    Channel.WECOM_SCHEDULE: "企业微信日程",
    Channel.WECOM_MEETING: "企业微信会议",
}


@dataclass(frozen=True)
class Backoff:
    """Exponential backoff with full jitter (base and cap in seconds)."""

    base_seconds: float = 1.0
    cap_seconds: float = 600.0

    def delay(
        self, attempt: int, floor: float = 0.0, rand: Callable[[], float] = random.random
    ) -> float:
        """Seconds to wait after the ``attempt``-th failure (1-based)."""
        ceiling = min(self.cap_seconds, self.base_seconds * 2.0 ** min(max(attempt - 1, 0), 60))
        return max(floor, 0.0) + rand() * ceiling


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int
    backoff: Backoff = Backoff()


class DeadLetters:
    """Tell HR managers in WeCom about a dead row, and put it back in line when one of them
    clicks 重新投递 (audited). Rows that are themselves such alerts are not alerted about."""

    def __init__(
        self, queue: TaskQueue | None = None, channel: str = Channel.WECOM_MESSAGE
    ) -> None:
        self._queue = queue
        self._channel = channel

    async def alert_drafts(self, row: OutboxMessage, error: str) -> list[OutboundDraft]:
        if row.idempotency_key.startswith(ALERT_KEY_PREFIX):
            return []
        managers = await hr_managers()
        if not managers:
            log.warning("outbox %s is dead and no active hr_manager can be told", row.id)
        stamp = int((row.lease_until or clock.now()).timestamp() * 1000)
        card = _dead_letter_card(
            row, await recipient_text(row.recipient), task_id=f"outbox-dead-{row.id}-{stamp}"
        )
        payload = {"kind": "template_card", "card": card}
        key = f"{row.id}.{stamp}"
        return [OutboundDraft(self._channel, u, payload, f"{key}:{u}") for u in managers]

    async def on_card_click(self, event: Inbound) -> list[OutboundDraft]:
        """``outbox.retry:<id>`` (routed by ``card_routes``): 重新投递 on a dead-letter card."""
        if not isinstance(event, CardClick):
            return []
        key = parse_key(event.event_key)
        outbox_id = key.number(0) if key is not None and key.prefix == RETRY else None
        if outbox_id is None:
            return []
        staff = await Staff.get_or_none(wecom_userid=event.from_user, active=True)
        actor = Actor(event.from_user, staff.role_set() if staff else frozenset())
        if Role.HR_MANAGER not in actor.roles:
            await record(actor, "outbox_requeue", "outbox_message", outbox_id, allowed=False)
            return [self._reply(event.from_user, "只有 HR 负责人可以重新投递。")]
        if await self.requeue(outbox_id, actor):
            text = "已重新投递，成功或再次失败都会通知您。"
        else:
            text = "这条记录已不在失败状态（可能已由他人重新投递），无需操作。"
        return [self._reply(event.from_user, text)]

    async def requeue(self, outbox_id: int, actor: Actor) -> bool:
        """Put a dead row back in line with a fresh attempt budget; False if it is not dead."""
        changed = await OutboxMessage.filter(id=outbox_id, status=ProcessingStatus.FAILED).update(
            status=ProcessingStatus.PENDING,
            attempts=0,
            next_attempt_at=None,
            lease_until=None,
            error="",
        )
        detail = "requeued" if changed else "not dead"
        await record(
            actor, "outbox_requeue", "outbox_message", outbox_id, allowed=True, detail=detail
        )
        if changed and self._queue is not None:
            await self._queue.put(OUTBOX_TOPIC, str(outbox_id))
        return bool(changed)

    def _reply(self, userid: str, text: str) -> OutboundDraft:
        return OutboundDraft(self._channel, userid, {"kind": "text", "content": text})


async def hr_managers() -> list[str]:
    """WeCom userids of the active staff who hold the hr_manager role."""
    staff = await Staff.filter(active=True).order_by("id")
    return [s.wecom_userid for s in staff if Role.HR_MANAGER in s.role_set()]


async def recipient_text(recipient: str) -> str:
    """Whom a delivery was for, as HR reads it: a name, never ``candidate:12`` or a userid."""
    kind, _, number = recipient.partition(":")
    row_id = int(number) if is_digits(number, 9) else None  # 9 digits: within the int keys
    if kind == "candidate" and row_id is not None:
        candidate = await Candidate.get_or_none(id=row_id)
        if candidate is None or candidate.erased_at is not None:
            return "一位候选人（信息已删除）"
        return f"候选人{candidate.name}" if candidate.name else "一位候选人（未填写姓名）"
    if kind == "offer" and row_id is not None:
        offer = await Offer.get_or_none(id=row_id)
        application = None
        if offer is not None:
            application = await Application.get_or_none(id=offer.application_id)
        if application is not None:
            return f"{await recipient_text(f'candidate:{application.candidate_id}')}的 offer"
        return "一份 offer"
    if kind in ("interview", "schedule"):
        return "面试日程"
    staff = await Staff.get_or_none(wecom_userid=recipient) if recipient else None
    return staff.name if staff is not None and staff.name else "—"


def _dead_letter_card(row: OutboxMessage, recipient: str, *, task_id: str) -> dict[str, Any]:
    what = CHANNEL_NAMES.get(row.channel, "外发消息")
    return {
        "card_type": "button_interaction",
        "source": {"desc": "投递失败提醒"},
        "main_title": {"title": f"{what}失败，已停止重试", "desc": f"发给：{recipient}"},
        "sub_title_text": (  # the error itself is in the service's log, for the operator
            "多次投递仍未成功，已停止重试；技术原因已记入服务日志。排除问题后可点「重新投递」。"
        ),
        "horizontal_content_list": [
            {"keyname": "通道", "value": what},
            {"keyname": "对象", "value": recipient},
            {"keyname": "尝试次数", "value": str(row.attempts)},
        ],
        "task_id": task_id,
        "button_list": [
            {"type": 0, "text": "重新投递", "style": 1, "key": route_key(RETRY, row.id)}
        ],
    }


class OutboxRelay:
    def __init__(
        self,
        senders: Mapping[str, OutboundSender],
        *,
        lease_seconds: int,
        max_attempts: int,
        queue: TaskQueue | None = None,
        backoff: Backoff | None = None,
        channel_policies: Mapping[str, RetryPolicy] | None = None,
        dead_letters: DeadLetters | None = None,
        sweep_limit: int = 500,
        rand: Callable[[], float] = random.random,
    ) -> None:
        self._senders = dict(senders)
        self._queue = queue
        self._effects = Effects(queue)
        self._lease = timedelta(seconds=lease_seconds)
        self._default = RetryPolicy(max_attempts, backoff or Backoff())
        self._policies = dict(channel_policies or {})
        self._dead_letters = dead_letters
        self._sweep_limit = sweep_limit
        self._rand = rand
        self._recoveries: dict[str, datetime] = {}
        self._wakers: set[asyncio.Task[None]] = set()

    def policy(self, channel: str) -> RetryPolicy:
        return self._policies.get(channel, self._default)

    async def claim(self, outbox_id: int) -> OutboxMessage | None:
        """Take the row if due and unleased, and no earlier message to the same recipient
        is still unsent (that one hands this one on when it is done)."""
        now = clock.now()
        taken = await claim_row(
            "outbox_message",
            outbox_id,
            now=now,
            lease_until=now + self._lease,
            conversation=("recipient", "channel"),
            due_column="next_attempt_at",
        )
        return await OutboxMessage.get(id=outbox_id) if taken else None

    async def deliver(self, outbox_id: int) -> bool:
        """Send one row if it is due and unclaimed; True when it was sent now."""
        row = await self.claim(outbox_id)
        if row is None:
            return False
        sender = self._senders.get(row.channel)
        if sender is None:
            await self._give_up(row, f"no sender for channel {row.channel!r}")
            return False
        message = OutboundMessage(
            id=row.id,
            channel=row.channel,
            recipient=row.recipient,
            payload=dict(row.payload),
            attempt=row.attempts,
            idempotency_key=row.idempotency_key,
        )
        backoff = self.policy(row.channel).backoff
        try:
            result = await sender.deliver(message)
        except RetryLater as exc:
            delay = backoff.delay(row.attempts, exc.retry_after, self._rand)
            await self._retry(row, str(exc), delay=delay)
            return False
        except InvalidInput as exc:
            await self._give_up(row, str(exc))
            return False
        except ExternalServiceError as exc:
            await self._retry(row, str(exc), delay=backoff.delay(row.attempts, 0.0, self._rand))
            return False
        await OutboxMessage.filter(id=row.id).update(
            status=ProcessingStatus.DONE, sent_at=clock.now(), result=result, lease_until=None
        )
        await self._hand_on(row)
        if row.attempts > 1:
            await self._recovered(row.channel)
        return True

    async def _recovered(self, channel: str) -> None:
        """A retry went through, so the channel is probably back: rows still waiting out
        their backoff are due now rather than up to ``cap`` seconds later (at most once per
        ``RECOVERY_PAUSE`` per process, so a flapping channel is not hammered)."""
        now = clock.now()
        last = self._recoveries.get(channel)
        if last is not None and (now - last).total_seconds() < RECOVERY_PAUSE:
            return
        self._recoveries[channel] = now
        waiting = await OutboxMessage.filter(
            channel=channel, status=ProcessingStatus.PENDING, next_attempt_at__gt=now
        ).update(next_attempt_at=now)
        if waiting:
            log.info("channel %s recovered: %s waiting rows are due now", channel, waiting)
            await self._put(await self.due_ids(channel=channel))

    async def _hand_on(self, row: OutboxMessage) -> None:
        successor = await next_unfinished(
            OutboxMessage, row.id, channel=row.channel, recipient=row.recipient
        )
        if successor is not None and self._queue is not None:
            await self._queue.put(OUTBOX_TOPIC, str(successor))

    async def _retry(self, row: OutboxMessage, error: str, *, delay: float) -> None:
        if row.attempts >= self.policy(row.channel).max_attempts:
            await self._give_up(row, error)
            return
        await OutboxMessage.filter(id=row.id).update(
            status=ProcessingStatus.PENDING,
            next_attempt_at=clock.now() + timedelta(seconds=delay),
            lease_until=None,
            error=error[:512],
        )
        self._wake_later(row.id, delay)

    def _wake_later(self, outbox_id: int, delay: float) -> None:
        """Queue the row again when its wait is over, rather than at the next sweep (seconds
        later); best effort, the sweep still finds it if this process dies first."""
        if self._queue is None or not 0 < delay <= WAKE_WITHIN:
            return
        task = asyncio.get_running_loop().create_task(self._wake(outbox_id, delay))
        self._wakers.add(task)
        task.add_done_callback(self._wakers.discard)

    async def _wake(self, outbox_id: int, delay: float) -> None:
        await asyncio.sleep(delay)
        with contextlib.suppress(RecruitingError):
            await self._put([outbox_id])

    async def _give_up(self, row: OutboxMessage, error: str) -> None:
        """Dead-letter the row and, in the same transaction, record the HR alert."""
        log.error("outbox %s (%s) failed for good: %s", row.id, row.channel, error)
        async with self._effects.unit() as unit:
            await OutboxMessage.filter(id=row.id).update(
                status=ProcessingStatus.FAILED, lease_until=None, error=error[:512]
            )
            if self._dead_letters is not None:
                drafts = await self._dead_letters.alert_drafts(row, error)
                await unit.add(drafts, cause=f"{ALERT_KEY_PREFIX}{row.id}")
        await self._hand_on(row)

    async def _put(self, ids: Iterable[int]) -> None:
        if self._queue is not None:
            await self._queue.put_many(OUTBOX_TOPIC, [str(i) for i in ids])

    async def due_ids(
        self, grace: float = 0.0, limit: int | None = None, channel: str | None = None
    ) -> list[int]:
        """Due rows that waited longer than ``grace`` seconds, or whose worker died; only the
        first of each recipient (the others follow it through the hand-on)."""
        now = clock.now()
        waited = now - timedelta(seconds=grace)
        due = Q(status=ProcessingStatus.PENDING) & (
            Q(next_attempt_at__isnull=True, created_at__lt=waited) | Q(next_attempt_at__lte=now)
        )
        abandoned = Q(status=ProcessingStatus.PROCESSING, lease_until__lt=now)
        scope = Q(channel=channel) if channel is not None else Q()
        heads = (
            await OutboxMessage.filter(scope, due | abandoned)
            .annotate(head=Min("id"))
            .group_by("recipient", "channel")
            .limit(limit or self._sweep_limit)
            .values_list("head", flat=True)
        )
        return sorted(int(i) for i in cast(list[int], heads))
