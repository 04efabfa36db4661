"""Interview invitations: after a booking the candidate is invited through the candidate
channel and HR gets a card that follows the answer.

确认 confirms the interview; 改期 offers three new conflict-free slots and a choice among
them moves the interview and sends a new invitation (the old one is superseded); 拒绝
cancels the interview with the reason. Each answer changes state and writes its messages
in one transaction; an answer received twice (same kf msgid or mini-app answer) is applied
once, and an identical answer given again only gets a friendly reminder.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, tzinfo
from typing import Any, cast

from tortoise.exceptions import IntegrityError

from recruiting import clock
from recruiting.domain.availability import Interval, Proposal
from recruiting.domain.interview_state import FINAL, InterviewStatus, next_status
from recruiting.domain.invitation_answers import CONFIRM, DECLINE, RESCHEDULE, Answer
from recruiting.domain.roles import Permission, Role
from recruiting.errors import Conflict, InvalidTransition, NotFound
from recruiting.models import (
    OPEN_INVITATION,
    Application,
    CandidateReply,
    Interview,
    InterviewAssignment,
    InterviewInvitation,
    InvitationStatus,
    SubjectKind,
)
from recruiting.models.invitations import REPLY_TEXT_CHARS
from recruiting.ports.outbound import OutboundDraft
from recruiting.ports.queue import TaskQueue
from recruiting.services.invitations import messages as msg
from recruiting.services.messaging.effects import Effects, Unit
from recruiting.services.scheduling.slots import SchedulingService, SlotTaken, proposal_json
from recruiting.services.shared.access import require_staff
from recruiting.services.shared.audit import Actor, record
from recruiting.services.shared.sessions import Principal
from recruiting.services.shared.staff_cards import card_update
from recruiting.validation import is_digits

log = logging.getLogger(__name__)

# The candidate's answers move the interview on HR's behalf; audited as the candidate.
ON_BEHALF = Principal(
    0, SubjectKind.STAFF, userid="system:invitations", roles=frozenset({Role.ADMIN})
)
RESCHEDULE_SPAN = timedelta(days=14)
DECLINE_REASON = "候选人拒绝了面试邀请"
OPEN_STATES = (*OPEN_INVITATION, InvitationStatus.CONFIRMED)


@dataclass(frozen=True)
class Outcome:
    """What an answer did: ``result`` is a stable word, ``message`` what the candidate read."""

    result: str
    message: str
    invitation_id: int | None = None


class InterviewInvitations:
    def __init__(
        self, scheduling: SchedulingService, zone: tzinfo, queue: TaskQueue | None = None
    ) -> None:
        self._scheduling = scheduling
        self._zone = zone
        self.effects = Effects(queue)  # also the unit of the candidate-channel answers

    @property
    def zone(self) -> tzinfo:
        return self._zone

    # -- inviting ----------------------------------------------------------------------------

    async def invite(self, principal: Principal, interview_id: int) -> InterviewInvitation:
        """Invite the candidate to a booked interview (once: an open invitation for the same
        time is returned as it is)."""
        require_staff(principal, Permission.MANAGE_INTERVIEWS)
        interview = await Interview.get_or_none(id=interview_id)
        if interview is None:
            raise NotFound("没有找到这场面试。")
        existing = await InterviewInvitation.filter(
            interview_id=interview_id,
            status__in=list(OPEN_STATES),
            starts_at=interview.starts_at,
        ).first()
        if existing is not None:
            return existing
        older = await InterviewInvitation.filter(
            interview_id=interview_id,
            status__in=list(OPEN_STATES),
        )
        async with self.effects.unit() as unit:
            invitation = await self._create(unit, interview, principal.userid)
            for old in older:  # HR moved the interview: the earlier invitation is replaced
                await self._supersede(unit, old, invitation, "", "")
        await record(
            principal.actor,
            "invite_candidate",
            "interview",
            interview_id,
            allowed=True,
            detail=invitation.reference,
        )
        return invitation

    async def withdraw(self, principal: Principal, interview_id: int, reason: str = "") -> int:
        """After HR cancelled the interview: tell the candidate whose invitation is still
        standing (sent, rescheduling or confirmed), and mark it withdrawn so a late 确认 or
        拒绝 only gets "this interview is cancelled". Returns how many were withdrawn;
        running it again does nothing."""
        require_staff(principal, Permission.MANAGE_INTERVIEWS)
        standing = await InterviewInvitation.filter(
            interview_id=interview_id, status__in=list(OPEN_STATES)
        )
        async with self.effects.unit() as unit:
            for invitation in standing:
                view = await self._set(invitation, InvitationStatus.WITHDRAWN)
                told = (
                    f"很抱歉，您 {msg.when(view.starts_at, self._zone)} 的「{view.job}」"
                    f"{view.round}已取消。"
                    + (f"原因：{reason}。" if reason else "")
                    + "HR 会另行与您联系，给您带来不便，敬请谅解。"
                )
                await self._effects(
                    unit, invitation, view, "", "", "withdrawn",
                    [msg.candidate_text(view.candidate_id, told, "withdrawn")],
                )  # fmt: skip
        for invitation in standing:
            await record(principal.actor, "withdraw_invitation", "interview_invitation",
                         invitation.id, allowed=True,
                         detail=f"reason_chars={len(reason)}")  # fmt: skip
        return len(standing)

    async def _create(
        self, unit: Unit, interview: Interview, hr_userid: str
    ) -> InterviewInvitation:
        """Inside the caller's unit: the invitation, the state move, the messages."""
        if interview.status in FINAL or interview.starts_at is None:
            raise Conflict("这场面试已结束、已取消或还没有确定时间，不能发出邀请。")
        if interview.status == InterviewStatus.SCHEDULED:
            await _move(interview, "invite")
        application = await Application.get(id=interview.application_id)
        reference = f"iv{secrets.token_hex(5)}"
        invitation = await InterviewInvitation.create(
            reference=reference,
            interview=interview,
            candidate_id=application.candidate_id,
            hr_userid=hr_userid,
            task_id=f"invite-{reference}",
            starts_at=interview.starts_at,
        )
        view = await self.view(invitation)
        drafts = [msg.invitation_draft(view, self._zone), msg.hr_card_draft(view, self._zone)]
        await unit.add(drafts, cause=f"invite:{invitation.id}")
        return invitation

    async def view(self, invitation: InterviewInvitation) -> msg.InvitationView:
        interview = await Interview.get(id=invitation.interview_id).prefetch_related(
            "application__candidate", "round__job"
        )
        round_ = interview.round
        job = round_.job
        assignments = (
            await InterviewAssignment.filter(interview_id=interview.id)
            .prefetch_related("interviewer")
            .order_by("-lead", "id")
        )
        staff = [a.interviewer for a in assignments]
        return msg.InvitationView(
            id=invitation.id,
            reference=invitation.reference,
            interview_id=interview.id,
            candidate_id=int(invitation.candidate_id),
            candidate=interview.application.candidate.name,
            job=job.title,
            round=round_.name,
            starts_at=invitation.starts_at,
            minutes=round_.duration_minutes,
            mode=interview.mode,
            location=interview.location,
            meeting_link=interview.meeting_link,
            interviewers=tuple((s.name, s.title) for s in staff),
            preparation=round_.preparation,
            hr_userid=invitation.hr_userid,
            task_id=invitation.task_id,
            status=InvitationStatus(invitation.status),
        )

    # -- answers -----------------------------------------------------------------------------

    async def answer(
        self,
        candidate_id: int,
        answer: Answer,
        *,
        subject: str = "",
        source_id: str = "",
        text: str = "",
    ) -> Outcome:
        """Apply one answer of the candidate; ``subject`` (``invite:<id>``/``slots:<id>``)
        names the invitation, otherwise the candidate's latest one is meant."""
        if source_id and await CandidateReply.exists(source_id=source_id[:128]):
            return Outcome("duplicate", "")
        invitation = await _target(candidate_id, subject)
        if invitation is None:
            return await self._reply_only(
                candidate_id,
                source_id,
                text,
                "no_invitation",
                "您目前没有待回复的面试邀请。如有疑问请联系 HR。",
            )
        actor = Actor(f"candidate:{candidate_id}")
        await record(
            actor,
            f"invitation_{answer.key.split(':')[0]}",
            "interview_invitation",
            invitation.id,
            allowed=True,
            detail=f"chars={len(text)}",  # their words stay out of the audit log
        )
        status = InvitationStatus(invitation.status)
        if status == InvitationStatus.SUPERSEDED:
            return await self._superseded(invitation, source_id, text)
        interview = await Interview.get(id=invitation.interview_id)
        # A decline goes on after a crash between cancelling and recording it.
        cancelled = interview.status == InterviewStatus.CANCELLED
        if (
            answer.key == DECLINE
            and status in OPEN_STATES
            and (interview.status not in FINAL or cancelled)
        ):
            return await self._decline(invitation, interview, source_id, text)
        if answer.key == RESCHEDULE and status == InvitationStatus.RESCHEDULE_OFFERED:
            return await self._reply_only(
                _candidate(invitation),
                source_id,
                text,
                "already",
                "已为您提供新的可选时间，请回复序号选择。",
                invitation.id,
            )
        if interview.status in FINAL or status == InvitationStatus.DECLINED:
            return await self._reply_only(
                candidate_id,
                source_id,
                text,
                "closed",
                "这场面试已取消或结束，无需再回复。如有疑问请联系 HR。",
                invitation.id,
            )
        try:
            if answer.slot is not None:
                return await self._pick(invitation, interview, answer.slot, source_id, text)
            if answer.key == CONFIRM:
                return await self._confirm(invitation, interview, source_id, text)
            if answer.key == RESCHEDULE:
                return await self._offer(invitation, interview, source_id, text)
        except InvalidTransition:  # e.g. the interview has already begun
            return await self._reply_only(
                candidate_id, source_id, text, "too_late",
                "这场面试已开始或状态已变化，无法再修改。如有疑问请联系 HR。", invitation.id,
            )  # fmt: skip
        return await self._reply_only(
            candidate_id,
            source_id,
            text,
            "not_understood",
            "抱歉，没有看懂您的回复。请回复「确认」「改期」或「拒绝」。",
            invitation.id,
        )

    async def _confirm(
        self, invitation: InterviewInvitation, interview: Interview, source_id: str, text: str
    ) -> Outcome:
        if invitation.status == InvitationStatus.CONFIRMED:
            return await self._reply_only(
                _candidate(invitation),
                source_id,
                text,
                "already",
                "您已确认参加这场面试，无需重复回复。期待与您见面！",
                invitation.id,
            )
        view = await self.view(invitation)
        reply = f"已确认：{msg.span(view.starts_at, view.minutes, self._zone)}。期待与您见面！"
        async with self.effects.unit() as unit:
            await _move(interview, "confirm")
            view = await self._set(invitation, InvitationStatus.CONFIRMED)
            await self._effects(
                unit,
                invitation,
                view,
                source_id,
                text,
                "confirmed",
                [msg.candidate_text(view.candidate_id, reply, "reply")],
            )
        return Outcome("confirmed", reply, invitation.id)

    async def _offer(
        self,
        invitation: InterviewInvitation,
        interview: Interview,
        source_id: str,
        text: str,
        intro: str = "",
    ) -> Outcome:
        offered = await self._slots(interview)
        view = await self.view(invitation)
        if not offered:
            note = "候选人申请改期，但近两周没有可用时间，请 HR 联系候选人。"
            reply = "收到您的改期申请。近期暂无其他可选时间，HR 会尽快联系您。"
            async with self.effects.unit() as unit:
                if interview.status != InterviewStatus.RESCHEDULE_REQUESTED:
                    await _move(interview, "request_reschedule")
                view = await self._set(invitation, InvitationStatus.RESCHEDULE_OFFERED, [])
                await self._effects(
                    unit,
                    invitation,
                    view,
                    source_id,
                    text,
                    "no_slots",
                    [msg.candidate_text(view.candidate_id, reply, "reply")],
                    note,
                )
            return Outcome("no_slots", reply, invitation.id)
        intro = intro or "收到您的改期申请。以下时间可以安排："
        async with self.effects.unit() as unit:
            if interview.status != InterviewStatus.RESCHEDULE_REQUESTED:
                await _move(interview, "request_reschedule")
            view = await self._set(invitation, InvitationStatus.RESCHEDULE_OFFERED, offered)
            draft = msg.slots_draft(view, offered, self._zone, intro, "slots")
            await self._effects(unit, invitation, view, source_id, text, "offered", [draft])
        return Outcome("offered", str(draft.payload["content"]), invitation.id)

    async def _pick(
        self,
        invitation: InterviewInvitation,
        interview: Interview,
        index: int,
        source_id: str,
        text: str,
    ) -> Outcome:
        offered = list(invitation.offered or [])
        if invitation.status != InvitationStatus.RESCHEDULE_OFFERED or not 0 <= index < len(
            offered
        ):
            return await self._reply_only(
                _candidate(invitation),
                source_id,
                text,
                "no_such_slot",
                "没有这个选项。需要改期请回复「改期」，确认原时间请回复「确认」。",
                invitation.id,
            )
        chosen = offered[index]
        start = datetime.fromisoformat(chosen["start"])
        proposal = Proposal(
            Interval(start, datetime.fromisoformat(chosen["end"])),
            tuple(int(i) for i in chosen["interviewers"]),
        )
        if interview.starts_at != start:
            try:
                interview = await self._scheduling.reschedule(ON_BEHALF, interview.id, proposal)
            except SlotTaken as taken:
                await InterviewInvitation.filter(id=invitation.id).update(
                    offered=[proposal_json(p) for p in taken.alternatives[:3]]
                )
                await invitation.refresh_from_db()
                return await self._offer(
                    invitation,
                    interview,
                    source_id,
                    text,
                    "抱歉，这个时间刚被占用了。以下时间仍可安排：",
                )
        async with self.effects.unit() as unit:
            new = await self._create(unit, interview, invitation.hr_userid)
            await self._supersede(unit, invitation, new, source_id, text)
        return Outcome(
            "rescheduled",
            f"已为您改到 {msg.when(start, self._zone)}，新的邀请已发送，请确认。",
            new.id,
        )

    async def _supersede(
        self,
        unit: Unit,
        old: InterviewInvitation,
        new: InterviewInvitation,
        source_id: str,
        text: str,
    ) -> None:
        """Mark ``old`` replaced by ``new`` and redraw its card (in the caller's unit)."""
        view = await self.view(old)
        await InterviewInvitation.filter(id=old.id).update(
            status=InvitationStatus.SUPERSEDED,
            superseded_by=new.id,
            answered_at=clock.now(),
            version=old.version + 1,
        )
        view = replace(view, status=InvitationStatus.SUPERSEDED)
        note = f"已改期至 {msg.when(new.starts_at, self._zone)}，新的邀请已发出"
        await self._effects(unit, old, view, source_id, text, "rescheduled", [], note)

    async def _decline(
        self, invitation: InterviewInvitation, interview: Interview, source_id: str, text: str
    ) -> Outcome:
        if interview.status not in FINAL:  # else a retry after the cancel committed
            await self._scheduling.cancel(ON_BEHALF, interview.id, DECLINE_REASON)
        reply = "已收到，您的面试已取消。感谢您对我们的关注，祝您一切顺利！"
        async with self.effects.unit() as unit:
            view = await self._set(invitation, InvitationStatus.DECLINED)
            hr_text = (
                f"候选人{view.candidate}拒绝了「{view.job}」{view.round}"
                f"（{msg.when(view.starts_at, self._zone)}）的邀请，面试已取消。"
            )
            await self._effects(
                unit,
                invitation,
                view,
                source_id,
                text,
                "declined",
                [
                    msg.candidate_text(view.candidate_id, reply, "reply"),
                    msg.staff_text(view.hr_userid, hr_text, "hr-told"),
                ],
            )
        return Outcome("declined", reply, invitation.id)

    async def _superseded(
        self, invitation: InterviewInvitation, source_id: str, text: str
    ) -> Outcome:
        newest = invitation
        while newest.superseded_by is not None:
            found = await InterviewInvitation.get_or_none(id=newest.superseded_by)
            if found is None:
                break
            newest = found
        reply = (
            f"这份邀请已更新：面试改到了 {msg.when(newest.starts_at, self._zone)}。"
            f"请回复最新的邀请（邀请码 {newest.reference}）。"
        )
        return await self._reply_only(
            _candidate(invitation),
            source_id,
            text,
            "superseded",
            reply,
            invitation.id,
        )

    async def not_understood(self, candidate_id: int, source_id: str, text: str) -> Outcome:
        """An answer whose key no feature owns (``answer_routes``): a polite reply only."""
        return await self._reply_only(
            candidate_id,
            source_id,
            text,
            "not_understood",
            "抱歉，没有看懂您的回复。如有疑问请联系 HR。",
        )

    async def _reply_only(
        self,
        candidate_id: int,
        source_id: str,
        text: str,
        result: str,
        reply: str,
        invitation_id: int | None = None,
    ) -> Outcome:
        cause = source_id or f"reply:{candidate_id}:{secrets.token_hex(6)}"
        try:
            async with self.effects.unit() as unit:
                if source_id:
                    await CandidateReply.create(
                        source_id=source_id[:128],
                        candidate_id=candidate_id,
                        invitation_id=invitation_id,
                        text=text[:REPLY_TEXT_CHARS],
                        outcome=result,
                    )
                await unit.add(
                    [msg.candidate_text(candidate_id, reply, "reply")], cause=f"answer:{cause}"
                )
        except IntegrityError:
            # The same 微信客服 message synced by two callbacks at once: the other one
            # answered it (the reply row's unique source_id decided), nothing to do twice.
            return Outcome("duplicate", "")
        return Outcome(result, reply, invitation_id)

    # -- helpers -----------------------------------------------------------------------------

    async def _set(
        self,
        invitation: InterviewInvitation,
        status: InvitationStatus,
        offered: list[dict[str, Any]] | None = None,
    ) -> msg.InvitationView:
        changes: dict[str, Any] = {
            "status": status,
            "answered_at": clock.now(),
            "version": invitation.version + 1,
        }
        if offered is not None:
            changes["offered"] = offered
        moved = await InterviewInvitation.filter(
            id=invitation.id, version=invitation.version
        ).update(**changes)
        if not moved:
            raise Conflict("这份面试邀请刚有变化，请刷新后重试。")
        await invitation.refresh_from_db()
        return await self.view(invitation)

    async def _effects(
        self,
        unit: Unit,
        invitation: InterviewInvitation,
        view: msg.InvitationView,
        source_id: str,
        text: str,
        result: str,
        drafts: list[OutboundDraft],
        note: str = "",
    ) -> None:
        """The answer's record, the candidate's messages and HR's card update."""
        cause = source_id or f"v{invitation.version}"
        if source_id:
            await CandidateReply.create(
                source_id=source_id[:128],
                candidate_id=view.candidate_id,
                invitation_id=invitation.id,
                text=text[:REPLY_TEXT_CHARS],
                outcome=result,
            )
        card = msg.hr_card(view, self._zone, note)
        fallback = (
            f"面试邀请（{view.candidate} · {view.job}）：{note or msg.STATUS_TEXT[view.status]}"
        )
        update = card_update(view.hr_userid, view.task_id, card, fallback, "hr-card")
        await unit.add([*drafts, update], cause=f"invite:{invitation.id}:{result}:{cause}")

    async def refresh_card(self, invitation_id: int, userid: str) -> list[OutboundDraft]:
        """Drafts redrawing the card with the current state (after a click on 刷新状态)."""
        invitation = await InterviewInvitation.get_or_none(id=invitation_id)
        if invitation is None:
            return []
        view = await self.view(invitation)
        note = msg.STATUS_TEXT[view.status]
        if view.status == InvitationStatus.SUPERSEDED and invitation.superseded_by:
            newer = await InterviewInvitation.get(id=invitation.superseded_by)
            note = f"已改期至 {msg.when(newer.starts_at, self._zone)}，新的邀请已发出"
        card = msg.hr_card(view, self._zone, note)
        return [card_update(userid, view.task_id, card, f"面试邀请：{note}", "refresh")]

    async def _slots(self, interview: Interview) -> list[dict[str, Any]]:
        start = clock.now() + timedelta(days=1)
        window = [Interval(start, start + RESCHEDULE_SPAN)]
        round_id = int(interview.round_id)
        panel = await InterviewAssignment.filter(interview_id=interview.id).values_list(
            "interviewer_id", flat=True
        )
        pool = [int(cast(int, p)) for p in panel]
        found = await self._scheduling.propose(ON_BEHALF, round_id, window, pool or None, want=3)
        if len(found) < 3:
            found = await self._scheduling.propose(ON_BEHALF, round_id, window, None, want=3)
        return [proposal_json(p) for p in found[:3] if p.slot.start != interview.starts_at]


async def _move(interview: Interview, action: str) -> None:
    target = next_status(InterviewStatus(interview.status), action)
    moved = await Interview.filter(id=interview.id, version=interview.version).update(
        status=target, version=interview.version + 1
    )
    if not moved:
        raise Conflict("这场面试刚被其他人修改，请刷新后重试。")
    interview.status, interview.version = target, interview.version + 1


async def _target(candidate_id: int, subject: str) -> InterviewInvitation | None:
    kind, _, value = subject.partition(":")
    if kind in ("invite", "slots") and is_digits(value):
        found = await InterviewInvitation.get_or_none(id=int(value), candidate_id=candidate_id)
        if found is not None:
            return found
    open_one = (
        await InterviewInvitation.filter(
            candidate_id=candidate_id, status__in=list(OPEN_INVITATION)
        )
        .order_by("-id")
        .first()
    )
    if open_one is not None:
        return open_one
    return await InterviewInvitation.filter(candidate_id=candidate_id).order_by("-id").first()


def _candidate(invitation: InterviewInvitation) -> int:
    return int(invitation.candidate_id)
