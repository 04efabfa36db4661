"""Interview invitations and the steps that book or move them: booking from the mini-app
and the schedule chat (``services.invitations``; the chat's module is under scheduling but
it needs the invitations, so it is wired here)."""

from __future__ import annotations

from dataclasses import dataclass

from recruiting.services.invitations.lifecycle import InterviewInvitations
from recruiting.services.scheduling.booking import InterviewBooking
from recruiting.services.scheduling.chat import ScheduleChat
from recruiting.wiring.scheduling import Scheduling
from recruiting.wiring.shared import Shared


@dataclass(frozen=True)
class Invitations:
    lifecycle: InterviewInvitations
    booking: InterviewBooking
    chat: ScheduleChat


def wire_invitations(shared: Shared, scheduling: Scheduling) -> Invitations:
    zone = shared.settings.timezone
    lifecycle = InterviewInvitations(scheduling.service, zone, shared.queue)
    return Invitations(
        lifecycle=lifecycle,
        booking=InterviewBooking(scheduling.service, lifecycle),
        chat=ScheduleChat(scheduling.service, lifecycle, zone),
    )
