"""The ``ehr:`` section of config.yaml, read with the same rules as the core settings.

The core ``Settings`` ignore sections they do not know, so this adapter reads its own
section from the same file (``CONFIG_FILE`` or config.yaml) and the same environment
overrides (``RECRUITING__EHR__<KEY>``, plus the public names below). A bad value stops the
start with one line that names the key.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from recruiting.errors import ConfigError

ADAPTERS = ("file", "rest", "xinrenxinshi", "none")
AUTH_MODES = ("none", "oauth2", "hmac")
ENV_NAMES = {
    "EHR_ADAPTER": "adapter",
    "EHR_BASE_URL": "base_url",
    "EHR_MAPPING": "mapping",
    "EHR_CLIENT_ID": "client_id",
    "EHR_CLIENT_SECRET": "client_secret",
}
_KEY_TO_ENV = {v: k for k, v in ENV_NAMES.items()}
DATA = Path(__file__).resolve().parent / "data"
DEFAULT_MAPPINGS = {"rest": DATA / "generic.yaml", "file": DATA / "file-exchange.yaml"}


@dataclass(frozen=True)
class EhrConfig:
    adapter: str
    base_url: str
    mapping: Path
    auth: str
    client_id: str
    client_secret: str = field(repr=False)
    token_url: str
    timeout: float
    exchange_dir: Path
    report_url: str
    max_attempts: int
    backoff_base: float
    backoff_cap: float


def load_ehr_config(
    data_dir: Path, path: str | Path | None = None, env: Mapping[str, str] | None = None
) -> EhrConfig:
    env = os.environ if env is None else env
    path = Path(path or env.get("CONFIG_FILE") or _default_path())
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"config file {path} cannot be read: {exc}") from exc
    section = dict(raw.get("ehr") or {}) if isinstance(raw, dict) else {}
    for name, key in ENV_NAMES.items():
        if name in env:
            section[key] = env[name]
    for name, value in env.items():
        if name.startswith("RECRUITING__EHR__"):
            section[name.removeprefix("RECRUITING__EHR__").lower()] = value
    reader = _Reader(section)
    config = _build(reader, data_dir)
    for key in section:
        if key not in reader.seen:  # a typo would otherwise be silently ignored
            reader.fail(key, "is not a setting; see the ehr section of config.yaml")
    return config


def _default_path() -> Path:
    return Path(__file__).resolve().parent.parent / "config.yaml"


def _build(r: _Reader, data_dir: Path) -> EhrConfig:
    adapter = r.choice("adapter", ADAPTERS, "file")
    auth = r.choice("auth", AUTH_MODES, "none")
    base_url = r.text("base_url").rstrip("/")
    if adapter in ("rest", "xinrenxinshi") and not base_url.startswith(("http://", "https://")):
        r.fail("base_url", f"must be an http(s) URL when ehr.adapter is {adapter}")
    client_id, secret = r.text("client_id"), r.text("client_secret")
    if (auth != "none" or adapter == "xinrenxinshi") and not (client_id and secret):
        r.fail("client_secret", "and ehr.client_id are required for this adapter or auth")
    mapping = Path(r.text("mapping") or DEFAULT_MAPPINGS.get(adapter, DATA / "generic.yaml"))
    if adapter in ("rest", "file") and not mapping.is_file():
        r.fail("mapping", f"names no file: {mapping}")
    base, cap = r.number("backoff_base", 0.0, 3600.0, 2.0), r.number("backoff_cap", 0, 86400, 600)
    return EhrConfig(
        adapter=adapter,
        base_url=base_url,
        mapping=mapping,
        auth=auth,
        client_id=client_id,
        client_secret=secret,
        token_url=r.text("token_url") or (f"{base_url}/oauth/token" if base_url else ""),
        timeout=r.number("timeout", 0.1, 300.0, 10.0),
        exchange_dir=Path(r.text("exchange_dir") or data_dir / "ehr"),
        report_url=r.text("report_url"),
        max_attempts=int(r.number("max_attempts", 1, 1000, 20)),
        backoff_base=base,
        backoff_cap=max(cap, base),
    )


class _Reader:
    def __init__(self, raw: dict[str, Any]) -> None:
        self.raw = raw
        self.seen: set[str] = set()

    def fail(self, key: str, problem: str) -> None:
        env = _KEY_TO_ENV.get(key)
        where = f" ({env})" if env else ""
        raise ConfigError(f"config error: ehr.{key}{where} {problem}")

    def text(self, key: str) -> str:
        self.seen.add(key)
        value = self.raw.get(key)
        if value is None:
            return ""
        if not isinstance(value, str | int | float):
            self.fail(key, f"must be text, got {type(value).__name__}")
        return str(value).strip()

    def choice(self, key: str, allowed: tuple[str, ...], default: str) -> str:
        value = self.text(key) or default
        if value not in allowed:
            self.fail(key, f"must be one of {', '.join(allowed)}, got {value!r}")
        return value

    def number(self, key: str, low: float, high: float, default: float) -> float:
        text = self.text(key)
        try:
            value = float(text) if text else default
        except ValueError:
            self.fail(key, f"must be a number, got {text!r}")
            raise  # unreachable
        if not low <= value <= high:
            self.fail(key, f"must be between {low:g} and {high:g}, got {value:g}")
        return value
