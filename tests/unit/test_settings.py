"""Settings: YAML + environment, one clear line naming the key on any error."""

from pathlib import Path

import pytest

from recruiting.errors import ConfigError
from recruiting.settings import PRODUCTION_API_BASE, RATE_GROUPS, SANDBOX_CORP_ID, load_settings

CONFIG = Path(__file__).resolve().parents[2] / "config.yaml"
REAL = {
    "WECOM_CORP_ID": "ww1234567890",
    "WECOM_TOKEN": "tok",
    "WECOM_ENCODING_AES_KEY": "a" * 43,
    "WECOM_SECRET": "s3cr3t-value",
    "WECOM_AGENT_ID": "1000005",
}


def load(tmp_path: Path, **env: str):
    return load_settings(CONFIG, {"DATA_DIR": str(tmp_path), **env})


def test_embedded_default_uses_sandbox_sqlite_and_memory(tmp_path: Path) -> None:
    s = load(tmp_path)
    assert s.server.port == 8000 and s.embedded
    assert s.database_url == f"sqlite://{tmp_path}/recruiting.sqlite3"
    assert s.wecom.uses_sandbox and s.wecom.corp_id == SANDBOX_CORP_ID
    assert s.wecom.api_base == "http://127.0.0.1:8001"
    assert (tmp_path / "pii.keys").exists() and len(s.pii_keys[s.active_pii_key_id]) == 32


def test_public_environment_names_override(tmp_path: Path) -> None:
    s = load(
        tmp_path,
        PORT="9100",
        DATABASE_URL="postgres://u@h/db",
        REDIS_URL="redis://h:1/0",
        PII_KEYS="k2:" + "A" * 43 + "=",
        **REAL,
    )
    assert s.server.port == 9100 and s.database_url == "postgres://u@h/db"
    assert s.redis_url == "redis://h:1/0" and not s.embedded
    assert s.wecom.corp_id == "ww1234567890" and s.wecom.agent_id == 1000005
    assert s.wecom.api_base == PRODUCTION_API_BASE and not s.wecom.uses_sandbox
    assert s.active_pii_key_id == "k2"


def test_generic_override(tmp_path: Path) -> None:
    s = load(tmp_path, RECRUITING__WECOM__CALLBACK_MAX_AGE="120")
    assert s.wecom.callback_max_age == 120


def test_the_overall_score_coverage_threshold_is_configurable(tmp_path: Path) -> None:
    assert load(tmp_path).analysis.min_coverage_percent == 40
    s = load(tmp_path, RECRUITING__ANALYSIS__MIN_COVERAGE_PERCENT="60")
    assert s.analysis.min_coverage_percent == 60
    with pytest.raises(ConfigError, match=r"analysis\.min_coverage_percent"):
        load(tmp_path, RECRUITING__ANALYSIS__MIN_COVERAGE_PERCENT="120")


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"PORT": "eighty"}, "server.port (PORT)"),
        ({"PORT": "70000"}, "server.port (PORT)"),
        ({"WECOM_CORP_ID": "ww1"}, "wecom.token (WECOM_TOKEN)"),
        ({**REAL, "WECOM_ENCODING_AES_KEY": "short"}, "wecom.encoding_aes_key"),
        ({"REDIS_URL": "http://x"}, "redis_url (REDIS_URL)"),
        ({"REDIS_URL": "redis://x"}, "security.pii_keys (PII_KEYS)"),
        ({"PII_KEYS": "k1:notbase64"}, "security.pii_keys"),
        ({"DATABASE_URL": "mysql://x"}, "database_url (DATABASE_URL)"),
        ({"APP_TIMEZONE": "Mars/Olympus"}, "timezone"),
        ({"RECRUITING__WECOM__DEDUP_TTL": "20"}, "wecom.dedup_ttl"),
    ],
)
def test_bad_values_name_their_key(tmp_path: Path, env: dict, named: str) -> None:
    with pytest.raises(ConfigError) as info:
        load(tmp_path, **env)
    assert named in str(info.value) and "\n" not in str(info.value)


def test_secrets_do_not_appear_in_repr(tmp_path: Path) -> None:
    s = load(tmp_path, **REAL)
    assert "s3cr3t-value" not in repr(s) and "a" * 43 not in repr(s)


def test_missing_config_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_settings(tmp_path / "nope.yaml", {})


def test_unknown_generic_variable_names_itself(tmp_path: Path) -> None:
    """A misspelt RECRUITING__ key would otherwise be ignored without a word."""
    with pytest.raises(ConfigError) as err:
        load(tmp_path, RECRUITING__WECOM__CALLBACK_MAX_AGE_SECONDS="120")
    assert "RECRUITING__WECOM__CALLBACK_MAX_AGE_SECONDS" in str(err.value)
    with pytest.raises(ConfigError, match="RECRUITING__NOSUCH__KEY"):
        load(tmp_path, RECRUITING__NOSUCH__KEY="1")


def test_unknown_key_in_a_config_file_is_refused(tmp_path: Path) -> None:
    custom = tmp_path / "custom.yaml"
    custom.write_text(CONFIG.read_text(encoding="utf-8") + "\nwecom_extra: 1\n", "utf-8")
    with pytest.raises(ConfigError, match="wecom_extra is not a setting"):
        load_settings(custom, {"DATA_DIR": str(tmp_path)})


def test_every_key_of_the_shipped_config_is_read(tmp_path: Path) -> None:
    """config.yaml documents every setting: each of its keys must mean something."""
    assert load(tmp_path, RECRUITING__WECOM__CALLBACK_MAX_AGE="120").wecom.callback_max_age == 120


def test_rate_limits_parse_per_group_and_scope(tmp_path: Path) -> None:
    s = load(tmp_path, RECRUITING__RATE_LIMITS__REDEEM="ip=30/10m, session=5/60")
    assert s.rate_limits.enabled
    redeem = s.rate_limits.groups["redeem"]
    assert (redeem["ip"].count, redeem["ip"].seconds) == (30, 600.0)
    assert set(redeem) == {"ip", "session"}
    assert {"login", "redeem", "device_check", "upload", "api"} <= set(s.rate_limits.groups)


@pytest.mark.parametrize("value", ["ip=30", "ipx=3/60", "ip=0/60", "ip=3/60, ip=4/60", "3/60"])
def test_bad_rate_limits_name_their_key(tmp_path: Path, value: str) -> None:
    with pytest.raises(ConfigError, match=r"rate_limits\.login"):
        load(tmp_path, RECRUITING__RATE_LIMITS__LOGIN=value)


def test_an_unknown_rate_limit_group_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"rate_limits\.logn names no route group"):
        load(tmp_path, RECRUITING__RATE_LIMITS__LOGN="ip=3/60")


def test_every_rate_limited_route_name_exists() -> None:
    """GROUPS names handlers; a renamed route must not silently fall back to ``api``."""
    from miniapp_api import limits
    from miniapp_api import routes as miniapp_routes

    handlers = {
        route.handler.__name__
        for bp in miniapp_routes.bp  # the group of every mini-app blueprint
        for route in bp._future_routes
    }
    assert set(limits.GROUPS) <= handlers
    assert set(limits.GROUPS.values()) | {"api"} == set(RATE_GROUPS)
