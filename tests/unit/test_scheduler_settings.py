"""Scheduler and reminder settings: defaults, environment overrides, one clear line on error."""

from datetime import time, timedelta
from pathlib import Path

import pytest

from recruiting.errors import ConfigError
from recruiting.settings import load_settings

CONFIG = Path(__file__).resolve().parents[2] / "config.yaml"


def load(tmp_path: Path, **env: str):  # type: ignore[no-untyped-def]
    return load_settings(CONFIG, {"DATA_DIR": str(tmp_path), **env})


def test_defaults(tmp_path: Path) -> None:
    s = load(tmp_path)
    assert s.scheduler.in_web and s.scheduler.tick_seconds == 30
    assert s.scheduler.leader_ttl_seconds == 30
    assert s.reminders.offsets == (timedelta(hours=24), timedelta(hours=1))
    assert (s.reminders.quiet_start, s.reminders.quiet_end) == (time(22), time(8))


def test_environment_overrides(tmp_path: Path) -> None:
    s = load(tmp_path, SCHEDULER_IN_WEB="false", REMINDER_OFFSETS="30m, 2d,90",
             REMINDER_QUIET_HOURS="21:30-07:00", RECRUITING__SCHEDULER__TICK_SECONDS="5")  # fmt: skip
    assert not s.scheduler.in_web and s.scheduler.tick_seconds == 5
    assert s.reminders.offsets == (timedelta(days=2), timedelta(minutes=90), timedelta(minutes=30))
    assert (s.reminders.quiet_start, s.reminders.quiet_end) == (time(21, 30), time(7))
    none = load(tmp_path, REMINDER_QUIET_HOURS="", REMINDER_OFFSETS="")
    assert none.reminders.quiet_start is None and none.reminders.offsets == ()


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"REMINDER_OFFSETS": "24x"}, "reminders.offsets (REMINDER_OFFSETS)"),
        ({"REMINDER_OFFSETS": "0m"}, "reminders.offsets (REMINDER_OFFSETS)"),
        ({"REMINDER_OFFSETS": "15d"}, "reminders.offsets (REMINDER_OFFSETS)"),
        ({"REMINDER_QUIET_HOURS": "22:00"}, "reminders.candidate_quiet_hours"),
        ({"REMINDER_QUIET_HOURS": "25:00-08:00"}, "reminders.candidate_quiet_hours"),
        ({"REMINDER_QUIET_HOURS": "08:00-08:00"}, "reminders.candidate_quiet_hours"),
        ({"SCHEDULER_IN_WEB": "perhaps"}, "scheduler.in_web (SCHEDULER_IN_WEB)"),
        ({"RECRUITING__SCHEDULER__TICK_SECONDS": "0"}, "scheduler.tick_seconds"),
        ({"RECRUITING__SCHEDULER__LEADER_TTL_SECONDS": "1"}, "scheduler.leader_ttl_seconds"),
    ],
)
def test_bad_values_name_their_key(tmp_path: Path, env: dict[str, str], named: str) -> None:
    with pytest.raises(
        ConfigError, match="^config error: " + named.replace("(", r"\(").replace(")", r"\)")
    ):
        load(tmp_path, **env)
