"""Interviewer availability and slot proposals: pure rules, no I/O.

Time is cut into 15-minute blocks. A booked interview holds every block it touches for each
of its interviewers, and the database keeps one row per (interviewer, block): two bookings
that overlap anywhere collide on that unique key, so double booking is impossible whatever
the timing. Proposals are computed here from calendars the use case loads: working hours in
the tenant's time zone, busy blocks, interviews already held that day against a daily cap,
the candidate's preferred windows and, for a panel, several interviewers at once.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo

from recruiting.errors import InvalidInput

BLOCK = timedelta(minutes=15)


@dataclass(frozen=True)
class Interval:
    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise InvalidInput("times must carry a time zone")
        if self.end <= self.start:
            raise InvalidInput("an interval must end after it starts")

    def overlaps(self, other: Interval) -> bool:
        return self.start < other.end and other.start < self.end


def blocks(interval: Interval) -> list[datetime]:
    """The 15-minute blocks ``interval`` touches (their start times, aligned to the grid)."""
    seconds = BLOCK.total_seconds()
    first = interval.start.timestamp() // seconds * seconds
    out: list[datetime] = []
    t = first
    while t < interval.end.timestamp():
        out.append(datetime.fromtimestamp(t, interval.start.tzinfo))
        t += seconds
    return out


@dataclass(frozen=True)
class WorkingHours:
    """When interviews may happen, in the tenant's zone (Monday = 0)."""

    days: frozenset[int] = frozenset({0, 1, 2, 3, 4})
    start: time = time(9, 0)
    end: time = time(18, 0)
    breaks: tuple[tuple[time, time], ...] = ((time(12, 0), time(13, 30)),)

    def contains(self, slot: Interval, zone: tzinfo) -> bool:
        local_start, local_end = slot.start.astimezone(zone), slot.end.astimezone(zone)
        if local_start.date() != (local_end - timedelta(microseconds=1)).date():
            return False
        if local_start.weekday() not in self.days:
            return False
        s, e = local_start.time(), (local_end - timedelta(microseconds=1)).time()
        if s < self.start or e >= self.end:
            return False
        return not any(s < b_end and b_start <= e for b_start, b_end in self.breaks)


OFFICE_HOURS = WorkingHours()


@dataclass
class Calendar:
    """One interviewer's commitments: busy intervals (sorted) and interviews per local day."""

    interviewer: int
    busy: list[Interval] = field(default_factory=list)
    per_day: dict[date, int] = field(default_factory=dict)
    hours: WorkingHours = field(default_factory=lambda: OFFICE_HOURS)
    daily_cap: int = 4

    def __post_init__(self) -> None:
        self.busy = merge(self.busy)  # sorted and non-overlapping from here on
        self._starts = [i.start for i in self.busy]

    def is_free(self, slot: Interval, zone: tzinfo) -> bool:
        if not self.hours.contains(slot, zone):
            return False
        return self.free_on(slot, slot.start.astimezone(zone).date())

    def free_on(self, slot: Interval, day: date) -> bool:
        """Free at ``slot`` (on local ``day``), working hours already checked."""
        if self.per_day.get(day, 0) >= self.daily_cap:
            return False
        # Busy intervals are sorted and disjoint, so their ends are sorted too: of those
        # starting before the slot ends, the last one ends latest and alone decides.
        i = bisect.bisect_left(self._starts, slot.end)
        return i == 0 or self.busy[i - 1].end <= slot.start

    def hold(self, slot: Interval, zone: tzinfo) -> None:
        """Record a booking of a slot found free (used when planning many in one go)."""
        i = bisect.bisect_left(self._starts, slot.start)
        self.busy.insert(i, slot)
        self._starts.insert(i, slot.start)
        day = slot.start.astimezone(zone).date()
        self.per_day[day] = self.per_day.get(day, 0) + 1


@dataclass(frozen=True)
class SlotRequest:
    duration: timedelta
    panel_size: int
    windows: tuple[Interval, ...]  # the candidate's preferred windows, earliest first
    want: int = 3
    step: timedelta = timedelta(minutes=30)
    min_gap: timedelta = timedelta(hours=2)  # spread proposals over the windows

    def __post_init__(self) -> None:
        if self.duration <= timedelta(0) or self.duration > timedelta(hours=8):
            raise InvalidInput("duration must be between 1 minute and 8 hours")
        if self.panel_size < 1:
            raise InvalidInput("a panel needs at least one interviewer")
        if not self.windows:
            raise InvalidInput("at least one preferred window is needed")


@dataclass(frozen=True)
class Proposal:
    slot: Interval
    interviewers: tuple[int, ...]


def propose(
    request: SlotRequest,
    calendars: Sequence[Calendar],
    zone: tzinfo,
    fit: Mapping[int, int] | None = None,
) -> list[Proposal]:
    """Up to ``request.want`` conflict-free options, spread out; on each, the free
    interviewers who fit the opening best (``fit``, see ``panel_fit``), then the least
    loaded."""
    fit = fit or {}
    if len(calendars) < request.panel_size:
        raise InvalidInput(
            f"这一轮需要 {request.panel_size} 位面试官，可安排的面试官只有 {len(calendars)} 位；"
            "请先给更多员工分配面试官角色，或减少这一轮的面试官人数。"
        )
    found: list[Proposal] = []
    last: datetime | None = None
    for start in _candidate_starts(request, zone):
        if last is not None and start - last < request.min_gap:
            continue
        slot = Interval(start, start + request.duration)
        day = start.astimezone(zone).date()
        within: dict[int, bool] = {}  # calendars usually share one WorkingHours: check it once
        free = []
        for c in calendars:
            key = id(c.hours)
            if key not in within:
                within[key] = c.hours.contains(slot, zone)
            if within[key] and c.free_on(slot, day):
                free.append(c)
        if len(free) < request.panel_size:
            continue
        free.sort(key=lambda c: (-fit.get(c.interviewer, 0), c.per_day.get(day, 0), c.interviewer))
        chosen = tuple(sorted(c.interviewer for c in free[: request.panel_size]))
        found.append(Proposal(slot, chosen))
        last = start
        if len(found) >= request.want:
            break
    return found


def _candidate_starts(request: SlotRequest, zone: tzinfo) -> Iterable[datetime]:
    step = request.step.total_seconds()
    for window in request.windows:
        t = -(-window.start.timestamp() // step) * step  # first grid point in the window
        while t + request.duration.total_seconds() <= window.end.timestamp():
            yield datetime.fromtimestamp(t, zone)
            t += step


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Touching or overlapping intervals as one (busy blocks load as 15-minute pieces)."""
    merged: list[Interval] = []
    for item in sorted(intervals, key=lambda i: i.start):
        if merged and item.start <= merged[-1].end:
            if item.end > merged[-1].end:
                merged[-1] = Interval(merged[-1].start, item.end)
        else:
            merged.append(item)
    return merged
