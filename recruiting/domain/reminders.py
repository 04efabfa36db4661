"""When an interview reminder goes out: pure rules, no I/O, any clock.

A reminder of ``offset`` is nominally due at ``start - offset``. A candidate's reminder that
falls in their quiet hours moves to the end of those hours, unless the interview begins by
then, in which case it keeps its time (late is worse than at night). Interviewers have no
quiet hours.

At any moment a recipient gets at most one reminder: of the offsets due by ``now`` (and only
before the start), the nearest to the start. After an outage that let several offsets pass,
that sends one reminder, not a burst; and since the nearest due offset only moves closer to
the start as time goes on, an offset passed over is never sent later.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta, tzinfo
from enum import StrEnum

from recruiting.domain.interview_state import InterviewStatus

S = InterviewStatus


class Audience(StrEnum):
    CANDIDATE = "candidate"
    INTERVIEWER = "interviewer"


# Who expects a reminder in which state: the candidate once invited (a merely scheduled
# interview was not sent to them; a requested reschedule waits for a new time), the panel
# from the booking on. Final and running interviews get none.
EXPECTING: dict[Audience, frozenset[InterviewStatus]] = {
    Audience.CANDIDATE: frozenset({S.INVITED, S.CONFIRMED}),
    Audience.INTERVIEWER: frozenset({S.SCHEDULED, S.INVITED, S.CONFIRMED}),
}


def expects(audience: Audience, status: InterviewStatus | str) -> bool:
    return InterviewStatus(status) in EXPECTING[audience]


@dataclass(frozen=True)
class QuietHours:
    """A daily local-time window (may cross midnight, e.g. 22:00–08:00)."""

    start: time
    end: time

    def end_if_quiet(self, at: datetime, zone: tzinfo) -> datetime | None:
        """The end of the quiet period ``at`` falls in (as an aware datetime), or None."""
        local = at.astimezone(zone)
        clock = local.time().replace(tzinfo=None)
        day = local.date()
        if self.start < self.end:
            quiet = self.start <= clock < self.end
        else:
            quiet = clock >= self.start or clock < self.end
            if clock >= self.start:
                day += timedelta(days=1)
        if not quiet:
            return None
        return datetime.combine(day, self.end, tzinfo=zone)


@dataclass(frozen=True)
class ReminderPolicy:
    offsets: tuple[timedelta, ...]
    zone: tzinfo
    candidate_quiet: QuietHours | None = None

    @property
    def horizon(self) -> timedelta:
        """No reminder is due earlier than this before the start."""
        return max(self.offsets, default=timedelta(0))

    def send_at(self, start: datetime, offset: timedelta, audience: Audience) -> datetime:
        """When the reminder of ``offset`` goes out, quiet hours applied."""
        nominal = start - offset
        if audience is not Audience.CANDIDATE or self.candidate_quiet is None:
            return nominal
        quiet_end = self.candidate_quiet.end_if_quiet(nominal, self.zone)
        if quiet_end is None or quiet_end >= start:
            return nominal
        return quiet_end

    def due(self, start: datetime, now: datetime, audience: Audience) -> timedelta | None:
        """The offset to send now (the nearest due one), or None."""
        if now >= start:
            return None
        return nearest_due([o for o in self.offsets if self.send_at(start, o, audience) <= now])


def nearest_due(offsets: Sequence[timedelta]) -> timedelta | None:
    return min(offsets, default=None)


def offset_minutes(offset: timedelta) -> int:
    return int(offset.total_seconds() // 60)
