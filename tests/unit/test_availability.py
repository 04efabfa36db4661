"""Slot proposals: working hours in the tenant's zone, busy time, daily caps, panels."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recruiting.domain.availability import (
    Calendar,
    Interval,
    SlotRequest,
    WorkingHours,
    blocks,
    merge,
    propose,
)
from recruiting.errors import InvalidInput

SH = ZoneInfo("Asia/Shanghai")
MONDAY = datetime(2026, 11, 23, tzinfo=SH)


def at(day: int, hour: float) -> datetime:
    return MONDAY + timedelta(days=day, hours=hour)


def request(*windows: Interval, panel: int = 1, minutes: int = 60, want: int = 3) -> SlotRequest:
    return SlotRequest(timedelta(minutes=minutes), panel, windows, want=want)


def test_three_spread_options_inside_working_hours_and_outside_lunch() -> None:
    window = Interval(at(0, 0), at(1, 0))
    found = propose(request(window), [Calendar(1)], SH)
    assert [p.slot.start for p in found] == [at(0, 9), at(0, 11), at(0, 13.5)]  # 2 h apart
    assert all(p.interviewers == (1,) for p in found)


def test_busy_time_and_other_zones_are_respected() -> None:
    utc_window = Interval(at(0, 9).astimezone(ZoneInfo("UTC")), at(0, 12))
    busy = Calendar(
        1,
        [
            Interval(
                at(0, 9),
                at(
                    0,
                    10,
                ),
            )
        ],
    )
    found = propose(request(utc_window, want=5), [busy], SH)
    assert [p.slot.start for p in found] == [at(0, 10)]
    assert found[0].slot.start.utcoffset() == timedelta(hours=8)


def test_weekends_and_the_daily_cap_push_to_other_days() -> None:
    saturday = Interval(at(5, 0), at(7, 0))
    assert propose(request(saturday), [Calendar(1)], SH) == []
    capped = Calendar(1, per_day={at(0, 0).date(): 4}, daily_cap=4)
    found = propose(request(Interval(at(0, 0), at(2, 0))), [capped], SH)
    assert {p.slot.start.date() for p in found} == {at(1, 0).date()}


def test_a_panel_takes_the_least_loaded_free_interviewers() -> None:
    day = at(0, 0).date()
    pool = [Calendar(1, per_day={day: 3}), Calendar(2), Calendar(3, per_day={day: 1}),
            Calendar(4, [Interval(at(0, 9), at(0, 18))])]  # fmt: skip
    found = propose(request(Interval(at(0, 9), at(0, 11)), panel=2, want=1), pool, SH)
    assert found[0].interviewers == (2, 3)
    with pytest.raises(InvalidInput, match="需要 5 位面试官"):
        propose(request(Interval(at(0, 9), at(0, 11)), panel=5), pool, SH)


def test_blocks_cover_every_quarter_touched() -> None:
    slot = Interval(at(0, 9) + timedelta(minutes=10), at(0, 10))
    assert blocks(slot) == [at(0, 9), at(0, 9.25), at(0, 9.5), at(0, 9.75)]
    assert WorkingHours().contains(Interval(at(0, 17), at(0, 18)), SH)
    assert not WorkingHours().contains(Interval(at(0, 17.5), at(0, 18.5)), SH)


@settings(max_examples=200)
@given(
    st.lists(st.tuples(st.integers(0, 40), st.integers(1, 8)), max_size=12),
    st.integers(0, 40),
    st.integers(1, 8),
)
def test_free_means_no_overlap_with_any_busy_interval(
    busy: list[tuple[int, int]], start: int, length: int
) -> None:
    """The bisect shortcut agrees with checking every busy interval."""
    quarter = timedelta(minutes=15)
    intervals = [Interval(at(0, 9) + s * quarter, at(0, 9) + (s + n) * quarter) for s, n in busy]
    slot = Interval(at(0, 9) + start * quarter, at(0, 9) + (start + length) * quarter)
    always = WorkingHours(days=frozenset(range(7)), start=at(0, 0).time(),
                          end=at(0, 23.9).time(), breaks=())  # fmt: skip
    calendar = Calendar(1, list(intervals), hours=always, daily_cap=99)
    assert calendar.is_free(slot, SH) == (not any(slot.overlaps(i) for i in intervals))
    assert all(not a.overlaps(b) for a, b in zip(calendar.busy, calendar.busy[1:], strict=False))
    assert merge(intervals) == calendar.busy
