"""Scheduling live interviews: propose conflict-free slots, book atomically, reschedule,
cancel, no-show; each booking puts a WeCom schedule (and, for remote interviews, a meeting)
in the outbox, written in the same transaction as the booking.

Booked time is stored as one ``InterviewSlot`` row per interviewer and 15-minute block
(``interview`` set); rows without an interview are the interviewer's own busy blocks. The
unique key (interviewer, block start) makes the database refuse any overlapping second
booking: of two HR people booking the same interviewer at once, one wins and the other gets
new options.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

from tortoise.exceptions import IntegrityError

from recruiting.domain import panel_fit as fit_rules
from recruiting.domain.availability import (
    BLOCK,
    Calendar,
    Interval,
    Proposal,
    SlotRequest,
    WorkingHours,
    blocks,
    propose,
)
from recruiting.domain.interview_state import FINAL, STATUS_NAMES, InterviewStatus, next_status
from recruiting.domain.roles import Permission, Role
from recruiting.errors import Conflict, InvalidInput, NotFound
from recruiting.models import (
    Application,
    Interview,
    InterviewAssignment,
    InterviewMode,
    InterviewRound,
    InterviewSlot,
    JobOpening,
    OutboxMessage,
    Staff,
)
from recruiting.ports.outbound import Channel, OutboundDraft
from recruiting.ports.queue import TaskQueue
from recruiting.services.messaging.effects import Effects, Unit
from recruiting.services.shared.access import require_staff
from recruiting.services.shared.audit import record
from recruiting.services.shared.round_versions import version_for_new_interview
from recruiting.services.shared.sessions import Principal

ALTERNATIVES_SPAN = timedelta(days=7)


class SlotTaken(Conflict):
    """Someone booked one of these interviewers meanwhile; ``alternatives`` are fresh."""

    code = "slot_taken"

    def __init__(self, message: str, alternatives: list[Proposal]) -> None:
        super().__init__(message)
        self.alternatives = alternatives
        self.extra = {"alternatives": [proposal_json(p) for p in alternatives]}


def proposal_json(p: Proposal) -> dict[str, Any]:
    return {"start": p.slot.start.isoformat(), "end": p.slot.end.isoformat(),
            "interviewers": list(p.interviewers)}  # fmt: skip


@dataclass(frozen=True)
class SchedulingRules:
    zone: tzinfo
    hours: WorkingHours = field(default_factory=WorkingHours)
    daily_cap: int = 4


class SchedulingService:
    def __init__(self, rules: SchedulingRules, queue: TaskQueue | None = None) -> None:
        self._rules = rules
        self._effects = Effects(queue)

    async def calendars(self, pool: Sequence[int], span: Interval) -> list[Calendar]:
        """What each interviewer of ``pool`` has between ``span``'s days (plus a day each
        side, so daily counts near the edges are right)."""
        rows = await InterviewSlot.filter(
            interviewer_id__in=list(pool),
            starts_at__gte=span.start - timedelta(days=1),
            starts_at__lt=span.end + timedelta(days=1),
        ).values("interviewer_id", "starts_at", "ends_at", "interview_id")
        busy: dict[int, list[Interval]] = {i: [] for i in pool}
        seen: dict[int, set[tuple[Any, int]]] = {i: set() for i in pool}
        for row in rows:
            who = int(row["interviewer_id"])
            busy[who].append(Interval(row["starts_at"], row["ends_at"]))
            if row["interview_id"] is not None:
                day = row["starts_at"].astimezone(self._rules.zone).date()
                seen[who].add((day, int(row["interview_id"])))
        calendars = []
        for who in pool:
            per_day: dict[Any, int] = {}
            for day, _ in seen[who]:
                per_day[day] = per_day.get(day, 0) + 1
            calendars.append(Calendar(who, busy[who], per_day, self._rules.hours,
                                      self._rules.daily_cap))  # fmt: skip
        return calendars

    async def propose(
        self, principal: Principal, round_id: int, windows: Sequence[Interval],
        pool: Sequence[int] | None = None, want: int = 3,
    ) -> list[Proposal]:  # fmt: skip
        require_staff(principal, Permission.MANAGE_INTERVIEWS)
        round_ = await _round(round_id)
        return await self._propose(round_, windows, pool, want)

    async def book(
        self, principal: Principal, application_id: int, round_id: int, proposal: Proposal, *,
        mode: InterviewMode = InterviewMode.ONSITE, location: str = "",
    ) -> Interview:  # fmt: skip
        """Book ``proposal`` atomically, or raise SlotTaken with fresh alternatives."""
        require_staff(principal, Permission.MANAGE_INTERVIEWS)
        round_ = await _round(round_id)
        application = await Application.get_or_none(id=application_id)
        if application is None or application.job_id != round_.job_id:
            raise NotFound("没有找到这位候选人对这个岗位的申请。")
        await self._check(round_, proposal)
        if round_.closed_at is not None:
            raise Conflict("这一轮面试已关闭，不能再安排")
        version = await version_for_new_interview(round_.id, principal.userid or "system")
        location = location.strip()
        if mode == InterviewMode.ONSITE and not location:
            location = await default_location(round_, proposal.interviewers)
        try:
            async with self._effects.unit() as unit:
                interview = await Interview.create(
                    application=application, round=round_, round_version=version, mode=mode,
                    location=location,
                    # an online round's standing meeting room, until WeCom's meeting replaces it
                    meeting_link=round_.meeting_link if mode == InterviewMode.REMOTE else "",
                    starts_at=proposal.slot.start, ends_at=proposal.slot.end,
                    status=InterviewStatus.SCHEDULED,
                )  # fmt: skip
                await _hold(interview, proposal)
                await _wecom_effects(unit, interview, round_, proposal, "add")
        except IntegrityError:
            raise await self._taken(round_, proposal) from None
        detail = f"{proposal.slot.start.isoformat()} {list(proposal.interviewers)}"
        await record(principal.actor, "book_interview", "interview", interview.id, allowed=True,
                     detail=detail)  # fmt: skip
        return interview

    async def reschedule(
        self, principal: Principal, interview_id: int, proposal: Proposal
    ) -> Interview:
        """Move an interview (same panel or another); the old blocks are freed in the same
        transaction, and reminders derived from the old time no longer match."""
        require_staff(principal, Permission.MANAGE_INTERVIEWS)
        interview = await _interview(interview_id)
        round_ = await _round(interview.round_id)
        await self._check(round_, proposal)
        target = next_status(InterviewStatus(interview.status), "reschedule")
        try:
            async with self._effects.unit() as unit:
                # .update() writes times as given, and SQLite compares them as text: UTC
                moved = await Interview.filter(id=interview.id, version=interview.version).update(
                    starts_at=proposal.slot.start.astimezone(UTC),
                    ends_at=proposal.slot.end.astimezone(UTC), status=target,
                    version=interview.version + 1,
                )  # fmt: skip
                if not moved:
                    raise Conflict("这场面试刚被其他人修改，请刷新后重试。")
                await InterviewSlot.filter(interview_id=interview.id).delete()
                await InterviewAssignment.filter(interview_id=interview.id).delete()
                await interview.refresh_from_db()
                await _hold(interview, proposal)
                await _wecom_effects(unit, interview, round_, proposal, "update")
        except IntegrityError:
            raise await self._taken(round_, proposal) from None
        await record(principal.actor, "reschedule_interview", "interview", interview.id,
                     allowed=True, detail=proposal.slot.start.isoformat())  # fmt: skip
        return interview

    async def cancel(self, principal: Principal, interview_id: int, reason: str = "") -> None:
        require_staff(principal, Permission.MANAGE_INTERVIEWS)
        await self._close(principal, interview_id, "cancel", reason, free=True)

    async def no_show(self, principal: Principal, interview_id: int) -> None:
        require_staff(principal, Permission.MANAGE_INTERVIEWS)
        await self._close(principal, interview_id, "no_show", "", free=False)

    async def _close(self, principal: Principal, interview_id: int, action: str, reason: str,
                     *, free: bool) -> None:  # fmt: skip
        interview = await _interview(interview_id)
        target = next_status(InterviewStatus(interview.status), action)
        async with self._effects.unit() as unit:
            changed = await Interview.filter(id=interview.id, version=interview.version).update(
                status=target, version=interview.version + 1
            )
            if not changed:
                raise Conflict("这场面试刚被其他人修改，请刷新后重试。")
            if free:
                await InterviewSlot.filter(interview_id=interview.id).delete()
                if interview.wecom_schedule_id or await _pending_add(interview.id):
                    await unit.add([_schedule_delete(interview)], cause=_schedule_cause(interview))
        await record(principal.actor, f"{action}_interview", "interview", interview.id,
                     allowed=True, detail=f"reason_chars={len(reason)}")  # fmt: skip

    async def _propose(self, round_: InterviewRound, windows: Sequence[Interval],
                       pool: Sequence[int] | None, want: int) -> list[Proposal]:  # fmt: skip
        """Panels of interviewers who fit the opening (``panel_fit``) when there are enough
        of them and any is free; otherwise the whole pool, best fit first on each slot."""
        ids = list(pool) if pool else await interviewer_pool()
        fit = await panel_fit(round_, ids)
        span = Interval(min(w.start for w in windows), max(w.end for w in windows))
        request = SlotRequest(timedelta(minutes=round_.duration_minutes), round_.panel_size,
                              tuple(sorted(windows, key=lambda w: w.start)), want=want)  # fmt: skip
        calendars = await self.calendars(ids, span)
        matched = fit_rules.preferred(fit, round_.panel_size)
        if matched is not None and len(matched) < len(ids):
            keep = set(matched)
            mine = [c for c in calendars if c.interviewer in keep]
            found = propose(request, mine, self._rules.zone, fit)
            if found:
                return found
        return propose(request, calendars, self._rules.zone, fit)

    async def _check(self, round_: InterviewRound, proposal: Proposal) -> None:
        if len(set(proposal.interviewers)) != round_.panel_size:
            raise InvalidInput(f"这一轮需要 {round_.panel_size} 位不同的面试官。")
        if proposal.slot.end - proposal.slot.start != timedelta(minutes=round_.duration_minutes):
            raise InvalidInput(f"这一轮面试时长为 {round_.duration_minutes} 分钟，请按此选择时间。")
        staff = await Staff.filter(id__in=list(proposal.interviewers), active=True)
        if len(staff) != len(proposal.interviewers) or any(
            Role.INTERVIEWER not in s.role_set() for s in staff
        ):
            raise InvalidInput("面试官必须是在职且有面试官角色的员工。")
        for calendar in await self.calendars(proposal.interviewers, proposal.slot):
            if not calendar.is_free(proposal.slot, self._rules.zone):
                raise await self._taken(round_, proposal)

    async def _taken(self, round_: InterviewRound, proposal: Proposal) -> SlotTaken:
        window = Interval(proposal.slot.start, proposal.slot.start + ALTERNATIVES_SPAN)
        alternatives = await self._propose(round_, [window], None, 3)
        return SlotTaken("one of these interviewers is no longer free then", alternatives)


async def interviewer_pool() -> list[int]:
    staff = await Staff.filter(active=True)
    return [s.id for s in staff if Role.INTERVIEWER in s.role_set()]


async def panel_fit(round_: InterviewRound, ids: Sequence[int]) -> dict[int, int]:
    """How well each interviewer of ``ids`` fits the round's opening (0: no sign of it)."""
    job = await JobOpening.get(id=round_.job_id)
    codes = {str(c) for c in round_.competencies or []}
    for item in job.competency_model or []:
        codes |= {str(item.get("code") or ""), str(item.get("name") or "")}
    opening = fit_rules.Opening(job.title, job.department, frozenset(codes - {""}))
    staff = await Staff.filter(id__in=list(ids))
    pool = [
        fit_rules.Candidate(s.id, s.title, s.department,
                            frozenset(str(e) for e in s.expertise or []))
        for s in staff
    ]  # fmt: skip
    return fit_rules.fits(opening, pool)


async def default_location(round_: InterviewRound, interviewers: Sequence[int]) -> str:
    """Where an on-site interview is held when HR names no place: the round's, else the
    opening's, else the lead interviewer's office ("" when none is configured)."""
    if round_.location.strip():
        return round_.location.strip()
    job = await JobOpening.get(id=round_.job_id)
    if job.interview_location.strip():
        return job.interview_location.strip()
    offices = {s.id: s.office.strip() for s in await Staff.filter(id__in=list(interviewers))}
    return next((offices[i] for i in interviewers if offices.get(i)), "")


async def _hold(interview: Interview, proposal: Proposal) -> None:
    for position, interviewer in enumerate(proposal.interviewers):
        await InterviewAssignment.create(interview=interview, interviewer_id=interviewer,
                                         lead=position == 0)  # fmt: skip
    await InterviewSlot.bulk_create([
        InterviewSlot(interviewer_id=who, starts_at=start, ends_at=start + BLOCK,
                      interview=interview)
        for who in proposal.interviewers for start in blocks(proposal.slot)
    ])  # fmt: skip


async def _wecom_effects(
    unit: Unit, interview: Interview, round_: InterviewRound, proposal: Proposal, op: str
) -> None:
    """The interviewers' WeCom schedule (and meeting) in the caller's unit; keyed by the
    interview's version so a retry never adds a second one."""
    staff = await Staff.filter(id__in=list(proposal.interviewers))
    userids = sorted(s.wecom_userid for s in staff)
    start, end = int(proposal.slot.start.timestamp()), int(proposal.slot.end.timestamp())
    schedule: dict[str, Any] = {
        "interview_id": interview.id,
        "op": op,
        "schedule_id": interview.wecom_schedule_id,
        "start": start,
        "end": end,
        "attendees": userids,
        "summary": f"面试：{round_.name}",
        "location": interview.location
        or ("线上会议" if interview.mode == InterviewMode.REMOTE else ""),
    }
    recipient = _recipient(interview.id)
    drafts = [OutboundDraft(Channel.WECOM_SCHEDULE, recipient, schedule, f"v{interview.version}")]
    await unit.add(drafts, cause=_schedule_cause(interview))
    if interview.mode == InterviewMode.REMOTE and op == "add":
        meeting = {"interview_id": interview.id, "title": f"面试：{round_.name}",
                   "start": start, "duration": end - start,
                   "invitees": userids}  # fmt: skip
        # one meeting per interview, whatever its version: key ``meeting:<interview>``
        draft = OutboundDraft(Channel.WECOM_MEETING, recipient, meeting, str(interview.id))
        await unit.add([draft], cause="meeting")


def _schedule_cause(interview: Interview) -> str:
    return f"schedule:{interview.id}"


def _recipient(interview_id: int) -> str:
    return f"interview:{interview_id}"


async def _pending_add(interview_id: int) -> bool:
    return await OutboxMessage.filter(
        channel=Channel.WECOM_SCHEDULE, recipient=_recipient(interview_id)
    ).exists()


def _schedule_delete(interview: Interview) -> OutboundDraft:
    payload = {"interview_id": interview.id, "op": "delete",
               "schedule_id": interview.wecom_schedule_id}  # fmt: skip
    return OutboundDraft(Channel.WECOM_SCHEDULE, _recipient(interview.id), payload, "delete")


async def _round(round_id: int) -> InterviewRound:
    round_ = await InterviewRound.get_or_none(id=round_id)
    if round_ is None:
        raise NotFound("没有找到这一轮面试，可能已被删除。")
    return round_


async def _interview(interview_id: int) -> Interview:
    interview = await Interview.get_or_none(id=interview_id)
    if interview is None:
        raise NotFound("没有找到这场面试。")
    if interview.status in FINAL:
        said = STATUS_NAMES[InterviewStatus(interview.status)]
        raise Conflict(f"这场面试当前状态为「{said}」，不能再修改。")
    return interview


def local_day_windows(days: Sequence[datetime], zone: tzinfo) -> list[Interval]:
    """Whole working days as preferred windows (when the candidate said "any time")."""
    out = []
    for d in days:
        start = d.astimezone(zone).replace(hour=0, minute=0, second=0, microsecond=0)
        out.append(Interval(start, start + timedelta(days=1)))
    return out
