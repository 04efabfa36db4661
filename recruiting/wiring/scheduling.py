"""Slots, proposals and reminders (``services.scheduling``)."""

from __future__ import annotations

from dataclasses import dataclass

from recruiting.services.scheduling.reminders import ReminderService, reminder_policy
from recruiting.services.scheduling.slots import SchedulingRules, SchedulingService
from recruiting.wiring.shared import Shared


@dataclass(frozen=True)
class Scheduling:
    service: SchedulingService
    reminders: ReminderService


def wire_scheduling(shared: Shared) -> Scheduling:
    settings, queue = shared.settings, shared.queue
    return Scheduling(
        service=SchedulingService(SchedulingRules(settings.timezone), queue),
        reminders=ReminderService(reminder_policy(settings.reminders, settings.timezone), queue),
    )
