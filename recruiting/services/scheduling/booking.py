"""HR's scheduling steps as the candidate lives them: each books, moves or cancels the
interview and sends or withdraws the candidate's invitation in one unit of work.

The mini-app routes and the chat both call these, so neither chains two use cases itself:
a crash between booking and inviting used to leave a booked interview whose invitation HR
had to send by hand. Now the interview, its WeCom schedule and the invitation commit
together or not at all, and their messages reach the relay only after that.

Each checks the caller's permission before it reads anything, so a caller without it
learns nothing of which rounds or interviews exist.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from recruiting.domain.availability import Interval, Proposal
from recruiting.domain.roles import Permission
from recruiting.errors import NotFound
from recruiting.models import Interview, InterviewMode, InterviewRound
from recruiting.services.invitations.lifecycle import InterviewInvitations
from recruiting.services.scheduling.slots import SchedulingService
from recruiting.services.shared.access import require_staff
from recruiting.services.shared.sessions import Principal


class InterviewBooking:
    def __init__(self, scheduling: SchedulingService, invitations: InterviewInvitations) -> None:
        self._scheduling = scheduling
        self._invitations = invitations
        self._effects = invitations.effects

    async def book_and_invite(
        self,
        principal: Principal,
        application_id: int,
        round_id: int,
        start: datetime,
        interviewers: Sequence[int],
        *,
        mode: InterviewMode = InterviewMode.ONSITE,
        location: str = "",
    ) -> Interview:
        """Book the round's length from ``start`` with ``interviewers`` and invite the
        candidate; ``SlotTaken`` (with fresh alternatives) leaves nothing behind."""
        require_staff(principal, Permission.MANAGE_INTERVIEWS)
        proposal = await _proposal(round_id, start, interviewers)
        async with self._effects.unit():
            interview = await self._scheduling.book(
                principal, application_id, round_id, proposal, mode=mode, location=location
            )
            await self._invitations.invite(principal, interview.id)
        return interview

    async def reschedule_and_invite(
        self, principal: Principal, interview_id: int, start: datetime, interviewers: Sequence[int]
    ) -> Interview:
        """Move the interview and send the new invitation (the old one is superseded)."""
        require_staff(principal, Permission.MANAGE_INTERVIEWS)
        interview = await Interview.get_or_none(id=interview_id)
        if interview is None:
            raise NotFound("没有找到这场面试。")
        round_id = int(interview.round_id)
        proposal = await _proposal(round_id, start, interviewers)
        async with self._effects.unit():
            moved = await self._scheduling.reschedule(principal, interview_id, proposal)
            await self._invitations.invite(principal, interview_id)
        return moved

    async def cancel_and_withdraw(
        self, principal: Principal, interview_id: int, reason: str = ""
    ) -> None:
        """Cancel (freeing the time and removing the WeCom schedule) and tell a candidate
        who was invited; a late answer then meets a closed door."""
        require_staff(principal, Permission.MANAGE_INTERVIEWS)
        async with self._effects.unit():
            await self._scheduling.cancel(principal, interview_id, reason)
            await self._invitations.withdraw(principal, interview_id, reason)


async def _proposal(round_id: int, start: datetime, interviewers: Sequence[int]) -> Proposal:
    """``interviewers`` for the round's length from ``start``."""
    round_ = await InterviewRound.get_or_none(id=round_id)
    if round_ is None:
        raise NotFound("没有找到这一轮面试。")
    end = start + timedelta(minutes=round_.duration_minutes)
    return Proposal(Interval(start, end), tuple(interviewers))
