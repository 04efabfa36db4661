"""When reminders are due: offsets, candidate quiet hours, catch-up after an outage, and which
interview states expect them, all on a fixed clock."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from recruiting.domain.interview_state import InterviewStatus as S
from recruiting.domain.reminders import Audience, QuietHours, ReminderPolicy, expects

SH = ZoneInfo("Asia/Shanghai")
H = timedelta(hours=1)
DAY = timedelta(hours=24)
POLICY = ReminderPolicy((DAY, H), SH, QuietHours(time(22), time(8)))
C, IV = Audience.CANDIDATE, Audience.INTERVIEWER


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A Shanghai wall-clock time in November 2026."""
    return datetime(2026, 11, day, hour, minute, tzinfo=SH)


def test_offsets_fall_due_at_their_time_and_only_before_the_start() -> None:
    start = at(18, 15)  # Wednesday 15:00
    assert POLICY.due(start, at(17, 14, 59), C) is None
    assert POLICY.due(start, at(17, 15), C) == DAY
    assert POLICY.due(start, at(18, 13, 59), IV) == DAY
    assert POLICY.due(start, at(18, 14), IV) == H
    assert POLICY.due(start, at(18, 14, 59), C) == H
    assert POLICY.due(start, start, C) is None
    assert POLICY.due(start, start + timedelta(minutes=1), IV) is None


def test_missed_runs_send_only_the_nearest_offset() -> None:
    start = at(18, 15)
    # down from before the 24 h mark until after the 1 h mark: one reminder, the 1 h one
    assert POLICY.due(start, at(18, 14, 30), C) == H
    # down until after the start: none at all
    assert POLICY.due(start, at(18, 15, 1), C) is None


def test_candidate_reminder_in_quiet_hours_moves_to_their_end() -> None:
    start = at(18, 23)  # 23:00: the 24 h reminder (17th 23:00) and 1 h one (22:00) are quiet
    assert POLICY.send_at(start, DAY, C) == at(18, 8)
    assert POLICY.due(start, at(17, 23), C) is None
    assert POLICY.due(start, at(18, 7, 59), C) is None
    assert POLICY.due(start, at(18, 8), C) == DAY
    # the 1 h reminder at 22:00 is quiet too, but the quiet hours end after the start
    assert POLICY.send_at(start, H, C) == at(18, 22)
    assert POLICY.due(start, at(18, 22), C) == H


def test_interview_sooner_than_the_end_of_quiet_hours_is_reminded_at_once() -> None:
    start = at(18, 7, 30)  # the 1 h reminder (06:30) is quiet, quiet hours end at 08:00
    assert POLICY.send_at(start, H, C) == at(18, 6, 30)
    assert POLICY.due(start, at(18, 6, 30), C) == H
    # the 24 h one (17th 07:30) is quiet as well, and moves to 08:00 on the 17th
    assert POLICY.send_at(start, DAY, C) == at(17, 8)


def test_quiet_hours_move_to_the_end_before_the_start_that_day() -> None:
    start = at(18, 8, 30)  # 1 h reminder 07:30 (quiet) → 08:00, still before 08:30
    assert POLICY.send_at(start, H, C) == at(18, 8)
    assert POLICY.due(start, at(18, 7, 45), C) == DAY  # the day-before one is still due
    assert POLICY.due(start, at(18, 8), C) == H


def test_interviewers_have_no_quiet_hours() -> None:
    start = at(18, 23)
    assert POLICY.send_at(start, DAY, IV) == at(17, 23)
    assert POLICY.due(start, at(17, 23), IV) == DAY


def test_quiet_hours_within_one_day_and_without() -> None:
    lunch = QuietHours(time(12), time(13, 30))
    assert lunch.end_if_quiet(at(18, 12, 10), SH) == at(18, 13, 30)
    assert lunch.end_if_quiet(at(18, 13, 30), SH) is None
    night = QuietHours(time(22), time(8))
    assert night.end_if_quiet(at(18, 22), SH) == at(19, 8)
    assert night.end_if_quiet(at(18, 3), SH) == at(18, 8)
    assert night.end_if_quiet(at(18, 21, 59), SH) is None
    # UTC input is read in the local zone: 14:30 UTC is 22:30 in Shanghai
    assert night.end_if_quiet(datetime(2026, 11, 18, 14, 30, tzinfo=UTC), SH) == at(19, 8)
    bare = ReminderPolicy((DAY, H), SH)
    assert bare.send_at(at(18, 23), DAY, C) == at(17, 23)


def test_reschedule_changes_what_is_due() -> None:
    old, new = at(18, 15), at(20, 15)
    now = at(18, 14, 30)
    assert POLICY.due(old, now, IV) == H
    assert POLICY.due(new, now, IV) is None  # the new time has its own reminders, later
    assert POLICY.due(new, at(19, 15), IV) == DAY


def test_no_offsets_no_reminders() -> None:
    policy = ReminderPolicy((), SH)
    assert policy.due(at(18, 15), at(18, 14, 59), IV) is None
    assert policy.horizon == timedelta(0)


@pytest.mark.parametrize(
    ("status", "candidate", "interviewer"),
    [
        (S.SCHEDULED, False, True),
        (S.INVITED, True, True),
        (S.CONFIRMED, True, True),
        (S.RESCHEDULE_REQUESTED, False, False),
        (S.IN_PROGRESS, False, False),
        (S.COMPLETED, False, False),
        (S.CANCELLED, False, False),
        (S.DECLINED, False, False),
        (S.NO_SHOW, False, False),
    ],
)
def test_which_states_expect_reminders(status: S, candidate: bool, interviewer: bool) -> None:
    assert expects(C, status) is candidate
    assert expects(IV, status) is interviewer
