"""The candidate's requests about their data, from arrival to the answer (PIPL Art. 45-47,
50): logged as ``DataRequest`` rows, audited, HR managers told in chat with a card to act
on, the candidate told how it ended through their channel.

- **Access** in the mini-app is answered at once (the summary and the export); it is logged
  once a day per candidate. Received by other means, HR records it and marks it answered.
- **Correction** of contact data (phone, e-mail): the new value is checked, sealed on the
  request and applied when HR confirms it (确认更正), or refused with a reason. Why not at
  once: the mini-app session proves the WeChat account, not that the candidate holds the new
  number or mailbox, and HR calls and writes to it; a person checks it before offers and
  interview notices go there.
- **Deletion** is due ``data_requests.due_days`` after it arrives. HR may carry it out at
  once (立即删除); otherwise the scheduler job ``execute_due`` does, a day before it is due.
  A legal hold stops it: the candidate is told why, once, in plain Chinese, and it is carried
  out when the hold is lifted. The erasure itself is the personal-data eraser's
  (``Erasure``), never done here.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import Any, Protocol

from recruiting import clock
from recruiting.domain import data_requests as rules
from recruiting.domain.error_text import for_people
from recruiting.domain.inbound import CardClick, Inbound
from recruiting.domain.retention import ORDER, DataClass
from recruiting.domain.roles import Permission, Role, allows
from recruiting.domain.routing import parse_key, route_key
from recruiting.errors import AccessDenied, Conflict, InvalidInput, NotFound
from recruiting.infra.pii import FieldCipher
from recruiting.models import (
    Application,
    Candidate,
    DataRequest,
    DataRequestKind,
    DataRequestStatus,
    OutboxMessage,
    ProcessingStatus,
    Staff,
)
from recruiting.ports.candidate_channel import candidate_recipient
from recruiting.ports.outbound import Channel, OutboundDraft
from recruiting.services.messaging.conversation import card_update
from recruiting.services.messaging.effects import Effects
from recruiting.services.personal_data.contact_data import PersonalDataService
from recruiting.services.personal_data.erasure import LegalHoldApplies
from recruiting.services.shared.access import HR_ROLES, require_hr
from recruiting.services.shared.audit import SYSTEM, Actor, record
from recruiting.services.shared.sessions import Principal
from recruiting.validation import names_a_row

log = logging.getLogger(__name__)

# Card buttons (``card_routes``): datareq.<action>:<request id>
CONFIRM = "datareq.confirm"  # apply a correction
REFUSE = "datareq.refuse"  # refuse a correction (the card asks HR to say why in the API)
ERASE = "datareq.erase"  # carry out a deletion now
NOTED = "datareq.noted"  # a deletion: leave it to the job on its due date
ANSWERED = "datareq.answered"  # an access request received by other means was answered
PREFIXES = (CONFIRM, REFUSE, ERASE, NOTED, ANSWERED)
EXECUTE_AHEAD = timedelta(days=1)  # the job erases this long before the due date
OPEN = [DataRequestStatus.RECEIVED, DataRequestStatus.ON_HOLD, DataRequestStatus.FINISHING]
HR_ONLY = "只有 HR 可以处理候选人的个人信息申请。"
REFUSE_DEFAULT = "HR 未能核实新的联系方式"


class Erasure(Protocol):
    """The personal-data eraser (``personal_data.erasure.CandidateErasure``): the only code
    that deletes a candidate's data; it refuses while a legal hold covers them."""

    async def erase(
        self,
        candidate_id: int,
        classes: Iterable[DataClass] = ORDER,
        *,
        actor: Actor,
        trigger: str = "request",
    ) -> Any:
        """Erase ``classes`` of the candidate (``LegalHoldApplies`` under a hold)."""


# The notice that the deletion is done must still reach the candidate: their channel
# (contact routes, 微信客服 binding) and the messages class go once it is delivered.
LAST = (DataClass.MESSAGES, DataClass.PROFILE)
FIRST = tuple(c for c in ORDER if c not in LAST)
NOTICE_WAIT = timedelta(days=2)  # an undeliverable notice does not keep the profile longer


@dataclass(frozen=True)
class Opened:
    request: DataRequest
    created: bool  # False: an open request of the same kind already stood


LISTED = ("id", "candidate_id", "kind", "status", "via", "field", "created_at", "due_at",
          "handled_at", "outcome")  # fmt: skip


class DataRequests:
    def __init__(
        self,
        effects: Effects,
        cipher: FieldCipher,
        erasure: Erasure,
        held: Callable[[int], Awaitable[bool]],
        *,
        due_days: int,
        zone: tzinfo,
    ) -> None:
        self._effects = effects
        self._cipher = cipher
        self._erasure = erasure
        self._held_on = held
        self._due = timedelta(days=due_days)
        self._zone = zone

    # -- arrival -------------------------------------------------------------------------

    async def log_access(self, candidate_id: int) -> DataRequest:
        """A self-served access (summary or export), logged once a day per candidate."""
        now = clock.now()
        start = now - timedelta(days=1)
        found = await DataRequest.filter(
            candidate_id=candidate_id,
            kind=DataRequestKind.ACCESS,
            via="miniapp",
            created_at__gte=start,
        ).first()
        if found is not None:
            return found
        return await DataRequest.create(
            candidate_id=candidate_id,
            kind=DataRequestKind.ACCESS,
            status=DataRequestStatus.COMPLETED,
            via="miniapp",
            recorded_by=f"candidate:{candidate_id}",
            created_at=now,
            due_at=now + self._due,
            handled_at=now,
            handled_by="system",
            outcome="在小程序中查看和导出",
        )

    async def open(
        self,
        candidate_id: int,
        kind: DataRequestKind,
        actor: Actor,
        *,
        via: str = "miniapp",
        field: str = "",
        value: str = "",
        note: str = "",
    ) -> Opened:
        """Log a request, tell HR managers (card) and the candidate (receipt), audited; an
        open request of the same kind (and field) is returned instead of a second one."""
        fits = names_a_row(candidate_id)  # HR types the number (record_for)
        candidate = await Candidate.get_or_none(id=candidate_id) if fits else None
        if candidate is None or candidate.erased_at is not None:
            raise NotFound("找不到这位候选人。", code="unknown_candidate")
        if kind is DataRequestKind.CORRECTION:
            value = rules.contact_value(field, value)
        else:
            field = value = ""
        now = clock.now()
        async with self._effects.unit() as unit:
            open_ = (
                await DataRequest.filter(
                    candidate_id=candidate_id,
                    kind=kind,
                    field=field,
                    status__in=OPEN,
                )
                .select_for_update()
                .first()
            )
            if open_ is not None:
                if kind is DataRequestKind.CORRECTION and value != open_.new_value:
                    raise Conflict(
                        f"您更正{rules.FIELD_NAMES[field]}的申请正在处理中，请等待处理结果。",
                        code="request_pending",
                    )
                await record(
                    actor,
                    "data_request",
                    "candidate",
                    candidate_id,
                    allowed=True,
                    detail=f"{kind.value} again: request {open_.id}",
                )
                return Opened(open_, False)
            request = await DataRequest.create(
                candidate_id=candidate_id,
                kind=kind,
                via=via,
                recorded_by=actor.id[:64],
                field=field,
                new_value=value,
                note=note,
                created_at=now,
                due_at=now + self._due,
            )
            await record(
                actor,
                "data_request",
                "candidate",
                candidate_id,
                allowed=True,
                detail=f"request {request.id}: {kind.value} via={via}"
                + (f" field={field}" if field else ""),
            )
            await unit.add(
                await self._hr_cards(request, candidate), cause=f"datareq:{request.id}:opened"
            )
            await unit.add(
                [_to_candidate(candidate_id, self._receipt(request), "receipt")],
                cause=f"datareq:{request.id}:opened",
            )
        return Opened(request, True)

    # -- HR ------------------------------------------------------------------------------

    async def record_for(
        self,
        principal: Principal,
        candidate_id: int,
        kind: DataRequestKind,
        via: str,
        *,
        field: str = "",
        value: str = "",
        note: str = "",
    ) -> Opened:
        """HR records a request the candidate made by phone, e-mail, letter or in person."""
        await _hr(principal, "record_data_request", candidate_id)
        return await self.open(
            candidate_id,
            kind,
            principal.actor,
            via=rules.via(via),
            field=field,
            value=value,
            note=note,
        )

    async def listing(self, principal: Principal, status: str = "") -> list[dict[str, Any]]:
        await _hr(principal, "list_data_requests", "*")
        query = DataRequest.all()
        if status:
            try:
                query = query.filter(status=DataRequestStatus(status))
            except ValueError as exc:
                raise InvalidInput("未知的处理状态。", code="invalid_status") from exc
        # only what ``view`` shows: the sealed correction values and notes are not opened
        rows = await query.order_by("-id").limit(500).only(*LISTED)
        names = {
            int(i): n
            for i, n in await Candidate.filter(id__in={r.candidate_id for r in rows}).values_list(
                "id", "name"
            )
        }
        return [self.view(r, names.get(r.candidate_id)) for r in rows]

    def view(self, r: DataRequest, name: str | None = None) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": r.id,
            "candidate_id": r.candidate_id,
            "kind": r.kind.value if isinstance(r.kind, DataRequestKind) else str(r.kind),
            "kind_name": rules.KIND_NAMES[DataRequestKind(r.kind)],
            "status": str(r.status),
            "status_name": rules.STATUS_NAMES[DataRequestStatus(r.status)],
            "via": r.via,
            "field": r.field or None,
            "created_at": r.created_at.isoformat(),
            "due_at": r.due_at.isoformat(),
            "handled_at": r.handled_at.isoformat() if r.handled_at else None,
            "outcome": r.outcome,
        }
        if name is not None:
            out["candidate"] = name
        return out

    async def act(
        self, principal: Principal, request_id: int, action: str, reason: str = ""
    ) -> dict[str, Any]:
        """What HR does with a request through the API (the card's buttons do the same)."""
        actor = await _hr(principal, f"data_request_{action}", request_id)
        done = await self._act(actor, request_id, f"datareq.{action}", reason.strip())
        return self.view(done)

    async def on_card_click(self, event: Inbound) -> list[OutboundDraft]:
        """``datareq.<action>:<id>`` from an HR manager's card (``card_routes``)."""
        if not isinstance(event, CardClick):
            return []
        key = parse_key(event.event_key)
        request_id = key.number(0) if key and key.prefix in PREFIXES else None
        if key is None or request_id is None:
            return []
        staff = await Staff.get_or_none(wecom_userid=event.from_user, active=True)
        actor = Actor(event.from_user, staff.role_set() if staff else frozenset())
        if staff is None or not actor.roles & HR_ROLES:
            await record(
                actor, "data_request", "data_request", request_id, allowed=False, detail=key.prefix
            )
            return [_staff_text(event.from_user, HR_ONLY)]
        try:
            request = await self._act(actor, request_id, key.prefix, "")
        except (Conflict, NotFound, AccessDenied, InvalidInput) as exc:
            # told, not raised: a raise fails the callback, retried until dead, HR told nothing
            return [_staff_text(event.from_user, for_people(exc))]
        if not event.response_code:
            return []
        candidate = await Candidate.get_or_none(id=request.candidate_id)
        card = self._card(
            request,
            candidate.name if candidate else "（已删除）",
            "",
            task_id=event.task_id,
            final=True,
        )
        return [card_update(event.from_user, event.response_code, card)]

    async def _act(self, actor: Actor, request_id: int, prefix: str, reason: str) -> DataRequest:
        request = await DataRequest.get_or_none(id=request_id) if names_a_row(request_id) else None
        if request is None:
            raise NotFound("找不到这项申请。", code="unknown_request")
        kind = DataRequestKind(request.kind)
        allowed = {
            DataRequestKind.CORRECTION: (CONFIRM, REFUSE),
            DataRequestKind.DELETION: (ERASE, NOTED),
            DataRequestKind.ACCESS: (ANSWERED,),
        }[kind]
        if prefix not in allowed:
            raise InvalidInput("这项申请不能这样处理。", code="invalid_action")
        if prefix == NOTED:
            await record(actor, "data_request_noted", "data_request", request.id, allowed=True)
            return request
        if prefix == ERASE and not allows(actor.roles, Permission.MANAGE_RETENTION):
            await record(actor, "data_request_erase", "data_request", request.id, allowed=False)
            raise AccessDenied("只有 HR 负责人可以立即删除候选人的信息。")
        if request.status not in (DataRequestStatus.RECEIVED, DataRequestStatus.ON_HOLD):
            return request  # a second click, or the job got there first: nothing more
        if prefix == ERASE:
            return await self._execute(request, actor)
        if prefix == ANSWERED:
            return await self._finish(
                request,
                actor,
                DataRequestStatus.COMPLETED,
                "已通过其他方式答复",
                "您查阅个人信息的申请已处理完毕。",
            )
        return await self._correct(request, actor, prefix == CONFIRM, reason)

    async def _correct(
        self, request: DataRequest, actor: Actor, confirm: bool, reason: str
    ) -> DataRequest:
        name = rules.FIELD_NAMES.get(request.field, "联系方式")
        if not confirm:
            # HR's reason may name the very number or mailbox: it goes to the candidate only
            # (through the sealed outbox); the plain outcome says what was done, not why
            # a reason of punctuation alone says nothing: the default, not "未能完成：。"
            why = reason.rstrip("。.！!；;，,、 ") or REFUSE_DEFAULT
            told = (
                f"您更正{name}的申请未能完成：{why}。如有疑问，请联系 HR，"
                "也可以在小程序「我的信息」中重新提交。"
            )
            outcome = f"未更正{name}，原因已告知"
            return await self._finish(request, actor, DataRequestStatus.REFUSED, outcome, told)
        async with self._effects.unit():
            locked = await DataRequest.filter(id=request.id).select_for_update().first()
            if locked is None or locked.status != DataRequestStatus.RECEIVED:
                return locked or request
            candidate = await Candidate.get_or_none(id=request.candidate_id)
            if candidate is None or candidate.erased_at is not None:
                raise NotFound("这位候选人的信息已删除。", code="unknown_candidate")
            # sealed with its keyed hash, so the returning-candidate check finds the new value
            PersonalDataService(self._cipher).seal(candidate, **{request.field: locked.new_value})
            column = {"phone": "phone_enc", "email": "email_enc"}[request.field]
            await candidate.save(update_fields=[column, f"{request.field}_hash"])
            await record(
                actor,
                "correct_pii",
                "candidate",
                candidate.id,
                allowed=True,
                detail=f"request {request.id}: {request.field}",
            )
            return await self._finish(
                locked,
                actor,
                DataRequestStatus.COMPLETED,
                f"已更正{name}",
                f"您的{name}已按申请更正为 {rules.mask(request.field, locked.new_value)}。",
            )

    # -- deletion --------------------------------------------------------------------------

    async def execute_due(self, now: datetime | None = None) -> int:
        """The scheduler job: carry out every deletion due within a day (and those a lifted
        hold released), then finish those whose notice went out; returns how many were
        carried out or finished. Idempotent: erasing twice removes nothing more."""
        now = now or clock.now()
        due = (
            await DataRequest.filter(
                kind=DataRequestKind.DELETION,
                status__in=[DataRequestStatus.RECEIVED, DataRequestStatus.ON_HOLD],
                due_at__lte=now + EXECUTE_AHEAD,
            )
            .order_by("due_at", "id")
            .limit(100)
        )
        finishing = (
            await DataRequest.filter(
                kind=DataRequestKind.DELETION, status=DataRequestStatus.FINISHING
            )
            .order_by("id")
            .limit(100)
        )
        done = 0
        for request in due:
            try:
                result = await self._execute(request, SYSTEM)
            except Exception:  # one candidate's failure must not stop the others
                log.exception("deletion request %s could not be carried out", request.id)
                continue
            done += int(result.status == DataRequestStatus.FINISHING)
        for request in finishing:
            try:
                done += await self._complete(request, now)
            except Exception:
                log.exception("deletion request %s could not be finished", request.id)
        return done

    async def _execute(self, request: DataRequest, actor: Actor) -> DataRequest:
        """Erase all but the channel and messages, then tell the candidate it is done."""
        cid = request.candidate_id
        if await self._held_on(cid):
            return await self._held(request, actor)
        try:
            await self._erasure.erase(cid, FIRST, actor=actor, trigger=f"request:{request.id}")
        except LegalHoldApplies:  # placed a moment ago
            return await self._held(request, actor)
        return await self._finish(
            request, actor, DataRequestStatus.FINISHING, "已删除，正在发送完成通知", DELETED
        )

    async def _complete(self, request: DataRequest, now: datetime) -> int:
        """Once the notice was delivered (or could not be for ``NOTICE_WAIT``), erase the
        channel, the messages and the profile; 1 when this run completed the request."""
        sent = await OutboxMessage.filter(
            idempotency_key__startswith=f"datareq:{request.id}:done:",
            status__in=[ProcessingStatus.PENDING, ProcessingStatus.PROCESSING],
        ).exists()
        waited = request.handled_at is not None and now - request.handled_at >= NOTICE_WAIT
        if sent and not waited:
            return 0
        cid = request.candidate_id
        if await self._held_on(cid):  # a hold placed after the first part: keep the rest
            return 0
        await self._erasure.erase(cid, LAST, actor=SYSTEM, trigger=f"request:{request.id}")
        changed = await DataRequest.filter(
            id=request.id, status=DataRequestStatus.FINISHING
        ).update(status=DataRequestStatus.COMPLETED, outcome="已删除")
        if changed:
            await record(
                SYSTEM,
                "data_request_done",
                "data_request",
                request.id,
                allowed=True,
                detail="completed: channel and profile erased",
            )
        return int(changed)

    async def _held(self, request: DataRequest, actor: Actor) -> DataRequest:
        """A legal hold stops the deletion: the candidate is told why once, HR too."""
        now = clock.now()
        async with self._effects.unit() as unit:
            changed = await DataRequest.filter(id=request.id, hold_told_at=None).update(
                status=DataRequestStatus.ON_HOLD, hold_told_at=now, outcome="法律保留，暂缓删除"
            )
            if changed:
                await record(
                    actor,
                    "data_request_held",
                    "data_request",
                    request.id,
                    allowed=True,
                    detail=f"candidate {request.candidate_id}",
                )
                await unit.add(
                    [_to_candidate(request.candidate_id, HELD, "held")],
                    cause=f"datareq:{request.id}:held",
                )
                candidate = await Candidate.get_or_none(id=request.candidate_id)
                said = HR_HELD.format(
                    name=candidate.name if candidate and candidate.name else "一位候选人"
                )
                hr = [_staff_text(s.wecom_userid, said) for s in await _managers()]
                await unit.add(hr, cause=f"datareq:{request.id}:held")
        await request.refresh_from_db()
        return request

    async def _finish(
        self,
        request: DataRequest,
        actor: Actor,
        status: DataRequestStatus,
        outcome: str,
        told: str,
    ) -> DataRequest:
        """Close the request once (a race loses quietly), clear the sealed new value, audit,
        and tell the candidate in the same transaction. ``outcome`` is listed
        and audited, so it says what was done, never the content."""
        async with self._effects.unit() as unit:
            changed = await DataRequest.filter(
                id=request.id,
                status__in=[DataRequestStatus.RECEIVED, DataRequestStatus.ON_HOLD],
            ).update(
                status=status,
                handled_at=clock.now(),
                handled_by=actor.id[:64],
                outcome=outcome,
                new_value="",
                note="",
            )
            if changed:
                await record(
                    actor,
                    "data_request_done",
                    "data_request",
                    request.id,
                    allowed=True,
                    detail=f"{status.value}: {outcome}",
                )
                await unit.add(
                    [_to_candidate(request.candidate_id, told, "done")],
                    cause=f"datareq:{request.id}:done",
                )
        await request.refresh_from_db()
        return request

    # -- what people read --------------------------------------------------------------

    def _receipt(self, r: DataRequest) -> str:
        due = r.due_at.astimezone(self._zone).strftime("%Y年%m月%d日")
        how = "" if r.via == "miniapp" else f"（通过{rules.VIA_NAMES.get(r.via, '其他方式')}）"
        what = rules.KIND_NAMES[DataRequestKind(r.kind)]
        if r.kind == DataRequestKind.DELETION:
            then = f"我们会在 {due} 前删除您的个人信息，完成后通知您。"
        else:
            then = f"我们会在 {due} 前处理完毕并通知您结果。"
        return f"已收到您{how}提出的「{what}」申请。{then}"

    async def _hr_cards(self, r: DataRequest, candidate: Candidate) -> list[OutboundDraft]:
        application = (
            await Application.filter(candidate_id=candidate.id)
            .order_by("-id")
            .prefetch_related("job")
            .first()
        )
        job = application.job.title if application else ""
        drafts = []
        for staff in await _managers():
            card = self._card(r, candidate.name, job)
            drafts.append(
                OutboundDraft(
                    Channel.WECOM_MESSAGE,
                    staff.wecom_userid,
                    {"kind": "template_card", "card": card},
                    f"{staff.wecom_userid}:card",
                )
            )
        if not drafts:
            log.error("data request %s: no active HR manager or HR to tell", r.id)
        return drafts

    def _card(
        self,
        r: DataRequest,
        name: str,
        job: str,
        *,
        task_id: str = "",
        final: bool = False,
    ) -> dict[str, Any]:
        kind = DataRequestKind(r.kind)
        due = r.due_at.astimezone(self._zone).strftime("%Y-%m-%d")
        facts = [
            {"keyname": "申请", "value": rules.KIND_NAMES[kind]},
            {"keyname": "来源", "value": rules.VIA_NAMES.get(r.via, "其他方式")},
            {"keyname": "处理期限", "value": due},
        ]
        if kind is DataRequestKind.CORRECTION and r.new_value:
            new = rules.mask(r.field, r.new_value) or ""
            facts.append({"keyname": f"新{rules.FIELD_NAMES[r.field]}", "value": new})
        explain = {
            DataRequestKind.CORRECTION: "请先与候选人核实新的联系方式，再点「确认更正」；"
            "无法核实请点「不予更正」。",
            DataRequestKind.DELETION: "到期前一天系统会自动删除；如有法律保留（如劳动争议），"
            "请在期限前设置。HR 负责人也可以立即删除。",
            DataRequestKind.ACCESS: "候选人可在小程序「我的信息」中查看和导出；"
            "通过其他方式答复后请点「已答复」。",
        }[kind]
        buttons = {
            DataRequestKind.CORRECTION: [("确认更正", CONFIRM, 1), ("不予更正", REFUSE, 2)],
            DataRequestKind.DELETION: [("立即删除", ERASE, 1), ("到期自动删除", NOTED, 2)],
            DataRequestKind.ACCESS: [("已答复", ANSWERED, 1)],
        }[kind]
        card: dict[str, Any] = {
            "card_type": "button_interaction",
            "source": {"desc": "面试助手 · 个人信息申请"},
            "main_title": {"title": f"个人信息申请：{name}", "desc": job or rules.KIND_NAMES[kind]},
            "sub_title_text": explain,
            "horizontal_content_list": facts,
            "task_id": task_id or f"datareq-{r.id}-{int(clock.now().timestamp() * 1000)}",
            "button_list": [
                {"type": 0, "text": text, "style": style, "key": route_key(prefix, r.id)}
                for text, prefix, style in buttons
            ],
        }
        if final:
            card["sub_title_text"] = self._settled(r)
            card["replace_text"] = rules.STATUS_NAMES[DataRequestStatus(r.status)]
        return card

    def _settled(self, r: DataRequest) -> str:
        status = DataRequestStatus(r.status)
        if status is DataRequestStatus.RECEIVED:
            due = r.due_at.astimezone(self._zone).strftime("%Y-%m-%d")
            return f"将于 {due} 前自动处理。"
        said = rules.STATUS_NAMES[status]
        if not r.outcome or r.outcome.startswith(said):  # 未更正手机号…, not 未更正：未更正…
            return r.outcome or said
        return f"{said}：{r.outcome}"


DELETED = (
    "您申请删除个人信息已完成：您的面试录像、转写、评估、面试官笔记和问卷留言等信息已删除。"
    "这条通知送达后，您的姓名、联系方式和消息记录也会一并删除，之后您将无法再登录查看。"
    "我们只保留不含个人信息的记录（例如这项申请已完成的记录），用于证明已按您的要求处理。"
)
HELD = (
    "您申请删除个人信息，我们暂时不能删除：您的信息涉及尚未结束的法律程序"
    "（例如劳动争议或有关部门的调查），法律要求在程序结束前保存相关资料。"
    "保存期间这些信息只用于这一目的，不会用于招聘。程序结束后我们会立即删除并通知您。"
)
HR_HELD = (
    "{name}申请删除个人信息，但其信息处于法律保留中，已暂缓删除并告知本人。"
    "保留解除后系统会自动删除。"
)


async def _managers() -> list[Staff]:
    """HR managers are told of requests; HR when there is no manager."""
    active = await Staff.filter(active=True).order_by("id")
    managers = [s for s in active if Role.HR_MANAGER in s.role_set()]
    return managers or [s for s in active if Role.HR in s.role_set()]


async def _hr(principal: Principal, action: str, subject: object) -> Actor:
    await require_hr(principal, action, "data_request", subject, refusal=HR_ONLY,
                     audit_allowed=True)  # fmt: skip
    return principal.actor


def _to_candidate(candidate_id: int, text: str, key: str) -> OutboundDraft:
    return OutboundDraft(
        Channel.CANDIDATE, candidate_recipient(candidate_id), {"kind": "text", "content": text}, key
    )


def _staff_text(userid: str, text: str) -> OutboundDraft:
    return OutboundDraft(Channel.WECOM_MESSAGE, userid, {"kind": "text", "content": text}, "reply")
