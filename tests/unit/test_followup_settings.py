"""The after-interview settings: defaults from config.yaml, environment overrides, refusals."""

from __future__ import annotations

from pathlib import Path

import pytest

from recruiting.errors import ConfigError
from recruiting.settings import load_settings

CONFIG = Path(__file__).resolve().parents[2] / "config.yaml"


def test_defaults_survey_after_ten_minutes_and_never_auto_release(tmp_path: Path) -> None:
    f = load_settings(CONFIG, {"DATA_DIR": str(tmp_path)}).followup
    assert f.surveys_enabled and f.survey_delay_minutes == 10 and f.survey_edit_hours == 24
    assert f.summary_delay_minutes == 60 and f.auto_release is False and f.lookback_days == 7


def test_environment_overrides(tmp_path: Path) -> None:
    env = {"DATA_DIR": str(tmp_path), "RECRUITING__SUMMARIES__AUTO_RELEASE": "true",
           "RECRUITING__SUMMARIES__DELAY_MINUTES": "30",
           "RECRUITING__SURVEYS__ENABLED": "off"}  # fmt: skip
    f = load_settings(CONFIG, env).followup
    assert f.auto_release and f.summary_delay_minutes == 30 and not f.surveys_enabled


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [("RECRUITING__SUMMARIES__AUTO_RELEASE", "maybe", "summaries.auto_release must be true"),
     ("RECRUITING__SURVEYS__EDIT_HOURS", "-1", "surveys.edit_hours must be between")],
)  # fmt: skip
def test_bad_values_name_the_key(tmp_path: Path, name: str, value: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_settings(CONFIG, {"DATA_DIR": str(tmp_path), name: value})
