"""Typed settings: ``config.yaml`` overlaid with environment variables, validated once.

A bad value stops the start with one line that names the key and the variable that sets it,
so an operator never has to read a traceback to fix a deployment.
"""

from __future__ import annotations

import base64
import ipaddress
import os
import re
import secrets
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import time, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from urllib.parse import SplitResult, urlsplit

import yaml

from recruiting.domain.retention import RetentionPolicy
from recruiting.errors import ConfigError
from recruiting.infra.private_files import private_dir, tighten

PRODUCTION_API_BASE = "https://qyapi.weixin.qq.com"
# The sandbox corp is a stand-in for a real one: its credentials are public on purpose.
SANDBOX_CORP_ID = "wwsandbox0000000001"
SANDBOX_TOKEN = "SandboxToken2026"  # noqa: S105 - public sandbox value
SANDBOX_AES_KEY = "c2FuZGJveGtleXNhbmRib3hrZXlzYW5kYm94a2V5czE"
SANDBOX_SECRET = "sandbox-app-secret"  # noqa: S105 - public sandbox value
SANDBOX_MINIAPP_APPID = "wxsandbox00000001"
WECHAT_API_BASE = "https://api.weixin.qq.com"

# Public environment names → dotted keys of config.yaml.
ENV_NAMES: dict[str, str] = {
    "HOST": "server.host",
    "PORT": "server.port",
    "WEB_WORKERS": "server.workers",
    "APP_TIMEZONE": "timezone",
    "DATA_DIR": "data_dir",
    "DATABASE_URL": "database_url",
    "REDIS_URL": "redis_url",
    "WECOM_CORP_ID": "wecom.corp_id",
    "WECOM_TOKEN": "wecom.token",
    "WECOM_ENCODING_AES_KEY": "wecom.encoding_aes_key",
    "WECOM_AGENT_ID": "wecom.agent_id",
    "WECOM_SECRET": "wecom.secret",
    "WECOM_API_BASE": "wecom.api_base",
    "PUBLIC_URL": "workbench.public_url",
    "WECOM_OAUTH_BASE": "workbench.oauth_base",
    "WECOM_SSO_BASE": "workbench.sso_base",
    "SANDBOX_PORT": "sandbox.port",
    "SANDBOX_CALLBACK_URL": "sandbox.callback_url",
    "PII_KEYS": "security.pii_keys",
    "WECHAT_APPID": "miniapp.appid",
    "WECHAT_SECRET": "miniapp.secret",
    "WECHAT_API_BASE": "miniapp.api_base",
    "MEDIA_DIR": "miniapp.media_dir",
    "SPEECH_MODEL_DIR": "analysis.speech_model_dir",
    "SCORING_LLM_BASE_URL": "scoring_llm.base_url",
    "SKILL_SYNONYMS_FILE": "screening.skill_synonyms",
    "SCORING_LLM_MODEL": "scoring_llm.model",
    "SCORING_LLM_API_KEY": "scoring_llm.api_key",
    "SCHEDULER_IN_WEB": "scheduler.in_web",
    "REMINDER_OFFSETS": "reminders.offsets",
    "REMINDER_QUIET_HOURS": "reminders.candidate_quiet_hours",
}
_KEY_TO_ENV = {v: k for k, v in ENV_NAMES.items()}
_AES_KEY_RE = re.compile(r"^[A-Za-z0-9]{43}$")


@dataclass(frozen=True)
class ServerSettings:
    host: str
    port: int
    workers: int
    callback_body_limit: int
    request_timeout: int = 20  # seconds for a request's head to arrive (Sanic REQUEST_TIMEOUT)


@dataclass(frozen=True)
class WeComSettings:
    corp_id: str
    token: str = field(repr=False)
    encoding_aes_key: str = field(repr=False)
    agent_id: int = 0
    secret: str = field(repr=False, default="")
    api_base: str = ""
    callback_max_age: int = 300
    dedup_ttl: int = 900
    member_messages_per_minute: int = 30
    token_refresh_ahead: int = 300
    uses_sandbox: bool = False
    # A calendar the app created (oa/calendar/add) for interview schedules: a schedule added
    # there can be found again after a crash (oa/schedule/get_by_calendar); "" → the app's
    # default calendar, where a crash between add and saving its id can still duplicate it.
    schedule_calendar_id: str = ""


@dataclass(frozen=True)
class SandboxSettings:
    host: str
    port: int
    callback_url: str

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"


@dataclass(frozen=True)
class WorkbenchSettings:
    """The HR web app: where people reach it and where WeCom's login pages are.

    ``public_url`` is the origin WeCom sends members back to (the app's 可信域名, port
    included); every redirect target is checked against it."""

    public_url: str
    oauth_base: str  # https://open.weixin.qq.com, or the sandbox
    sso_base: str  # https://login.work.weixin.qq.com, or the sandbox
    session_ttl: int = 28800
    public_url_set: bool = True  # False: derived from server.host/port (PUBLIC_URL empty)

    def insecure_default(self, host: str) -> bool:
        """PUBLIC_URL left empty on a non-loopback address: the derived origin is plain http,
        yet the session cookie is Secure there, so browsers silently drop it."""
        return not self.public_url_set and not is_loopback(host)


@dataclass(frozen=True)
class InboxSettings:
    lease_seconds: int
    max_attempts: int


@dataclass(frozen=True)
class MiniAppSettings:
    """The candidate mini-app: WeChat login, sessions and recorded-answer uploads."""

    appid: str
    secret: str = field(repr=False)
    api_base: str  # https://api.weixin.qq.com, or the sandbox
    session_ttl: int
    invitation_ttl: int
    media_dir: Path
    max_upload_bytes: int
    max_chunk_bytes: int
    device_check_bytes: int
    uses_sandbox: bool = False
    candidate_login: bool = True  # False: a real corp without WECHAT_APPID
    device_check_concurrency: int = 2  # clips analysed at once per process; more get 503
    body_seconds: int = 60  # an upload chunk or test clip must arrive within this


@dataclass(frozen=True)
class RateRule:
    count: int
    seconds: float


RATE_SCOPES = ("ip", "session", "openid")
RATE_GROUPS = ("login", "redeem", "device_check", "upload", "api")  # miniapp_api.limits


@dataclass(frozen=True)
class RateLimitSettings:
    """Per route group (``login``, ``redeem``, ``device_check``, ``upload``, ``api``) and
    scope (client IP, session, WeChat openid or staff userid): at most ``count`` requests in
    a sliding ``seconds`` window (``recruiting.infra.rate_limit``)."""

    enabled: bool = True
    groups: Mapping[str, Mapping[str, RateRule]] = field(default_factory=dict)


@dataclass(frozen=True)
class AnalysisRunSettings:
    processes: int  # analysis worker processes per service process (0: in a thread)
    lease_seconds: int
    max_attempts: int
    speech_model_dir: str  # empty: $SPEECH_MODEL_DIR or var/models/speech
    min_coverage_percent: int = 40  # an overall score covering less of the job is withheld


@dataclass(frozen=True)
class ScoringLlmSettings:
    """The optional LLM answer-scoring engine (``interview_core.engines.llm``): on only when
    base URL, model and key are all set; the rules engine scores otherwise and on failure."""

    base_url: str = ""  # OpenAI-compatible API root, e.g. http://127.0.0.1:8000/v1
    model: str = ""
    api_key: str = field(repr=False, default="")
    timeout_seconds: int = 30
    max_attempts: int = 3
    json_mode: bool = True  # response_format json_object
    seed: int = 20260
    max_tokens: int = 2048
    cache_size: int = 1024

    @property
    def enabled(self) -> bool:
        return bool(self.base_url and self.model and self.api_key)


@dataclass(frozen=True)
class CostSettings:
    """Interview cost accounting (``payroll_bridge.costs``): what an interviewer's hour costs
    when HR-finance has not set ``Staff.hourly_cost``, and the time around each interview."""

    default_hourly_rate: Decimal  # yuan per hour
    grade_rates: Mapping[str, Decimal]  # grade or title (trimmed, case-folded) → yuan per hour
    interviewer_overhead_minutes: int  # preparation + feedback, per interviewer and interview


@dataclass(frozen=True)
class SchedulerSettings:
    """Time-driven jobs (``scheduler/``): one leader among all processes runs them."""

    in_web: bool  # run in the web process with its workers (else: `python -m recruiting scheduler`)
    tick_seconds: int  # how often each job looks for due work
    leader_ttl_seconds: int  # a dead leader is replaced after at most this long


@dataclass(frozen=True)
class ReminderSettings:
    """Interview reminders: when before the start, and the candidates' quiet hours."""

    offsets: tuple[timedelta, ...]  # longest first, e.g. (24 h, 1 h)
    quiet_start: time | None  # local time; None: no quiet hours
    quiet_end: time | None


def _default_scheduler() -> SchedulerSettings:
    return SchedulerSettings(in_web=True, tick_seconds=30, leader_ttl_seconds=30)


def _default_reminders() -> ReminderSettings:
    return ReminderSettings((timedelta(hours=24), timedelta(hours=1)), time(22), time(8))


@dataclass(frozen=True)
class FollowUpSettings:
    """After an interview: surveys to both sides and the candidate summary (README
    "Surveys and summaries"). Times count from the interview's completion."""

    surveys_enabled: bool
    survey_delay_minutes: int  # surveys wait this long (scoring cards go out first)
    survey_edit_hours: int  # a candidate may change their answers this long
    summary_delay_minutes: int  # the summary is drafted at the latest this long after
    auto_release: bool  # release drafts resting on panel scores without a click
    lookback_days: int  # older completions get neither (turning a feature on is safe)


def _default_retention() -> RetentionPolicy:
    return RetentionPolicy()


@dataclass(frozen=True)
class DataRequestSettings:
    """The candidate's requests about their data (PIPL Art. 50: handled promptly): every
    request is due this many days after it arrives; a deletion is carried out by then."""

    due_days: int = 15


@dataclass(frozen=True)
class ScreeningSettings:
    """Résumé screening (README "Résumé screening")."""

    skill_synonyms: str = ""  # a company's own synonym file, merged over the shipped one
    invite_days: int = 7  # a recorded-interview invitation from screening is open this long


@dataclass(frozen=True)
class Settings:
    server: ServerSettings
    wecom: WeComSettings
    sandbox: SandboxSettings
    inbox: InboxSettings
    miniapp: MiniAppSettings
    analysis: AnalysisRunSettings
    costs: CostSettings
    followup: FollowUpSettings
    timezone: zoneinfo.ZoneInfo
    data_dir: Path
    database_url: str
    redis_url: str
    pii_keys: dict[str, bytes] = field(repr=False)
    active_pii_key_id: str = ""
    scheduler: SchedulerSettings = field(default_factory=_default_scheduler)
    reminders: ReminderSettings = field(default_factory=_default_reminders)
    rate_limits: RateLimitSettings = field(default_factory=RateLimitSettings)
    scoring_llm: ScoringLlmSettings = field(default_factory=ScoringLlmSettings)
    retention: RetentionPolicy = field(default_factory=_default_retention)
    data_requests: DataRequestSettings = field(default_factory=DataRequestSettings)
    workbench: WorkbenchSettings = field(
        default_factory=lambda: WorkbenchSettings(
            "http://127.0.0.1:8000", "http://127.0.0.1:8001", "http://127.0.0.1:8001"
        )
    )
    screening: ScreeningSettings = field(default_factory=ScreeningSettings)

    @property
    def embedded(self) -> bool:
        """True when no outside server is needed (SQLite, in-process cache and queue)."""
        return not self.redis_url


def load_settings(path: str | Path | None = None, env: Mapping[str, str] | None = None) -> Settings:
    """Read ``config.yaml`` (or ``CONFIG_FILE``), apply the environment, validate."""
    env = os.environ if env is None else env
    path = Path(path or env.get("CONFIG_FILE") or _default_config_path())
    raw = _read_yaml(path)
    sources = _apply_env(raw, env)
    return _build(raw, sources)


def _default_config_path() -> Path:
    return Path(__file__).resolve().parent.parent / "config.yaml"


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError as exc:
        raise ConfigError(f"config file {path} not found (set CONFIG_FILE)") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"config file {path} is not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"config file {path} must hold a mapping at the top")
    return data


def _apply_env(raw: dict[str, Any], env: Mapping[str, str]) -> dict[str, str]:
    """Overlay the environment; returns which variable set each generic dotted key, so an
    unknown key can be reported by the name the operator typed."""
    for name, dotted in ENV_NAMES.items():
        if name in env:
            _set_dotted(raw, dotted, env[name])
    sources: dict[str, str] = {}
    for name, value in env.items():
        if name.startswith("RECRUITING__"):
            dotted = ".".join(name[12:].lower().split("__"))
            _set_dotted(raw, dotted, value)
            sources[dotted] = name
    return sources


def _set_dotted(raw: dict[str, Any], dotted: str, value: Any) -> None:
    node = raw
    *parents, leaf = dotted.split(".")
    for part in parents:
        node = node.setdefault(part, {})
        if not isinstance(node, dict):
            raise ConfigError(f"{dotted}: {part} must be a mapping")
    node[leaf] = value


class _Reader:
    """Typed access to the raw mapping; every error names the key and its variable."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self.raw = raw
        self.seen: set[str] = set()

    def _get(self, dotted: str) -> Any:
        self.seen.add(dotted)
        node: Any = self.raw
        for part in dotted.split("."):
            if not isinstance(node, dict) or part not in node:
                self.fail(dotted, "is missing")
            node = node[part]
        return node

    def reject_unknown(self, sources: Mapping[str, str]) -> None:
        """A key nobody reads is a typo that would be silently ignored: refuse to start."""
        for dotted in _leaf_keys(self.raw):
            parts = dotted.split(".")
            if any(".".join(parts[:n]) in self.seen for n in range(1, len(parts) + 1)):
                continue
            if dotted in sources:
                raise ConfigError(
                    f"config error: {sources[dotted]} names no setting ({dotted}); "
                    "see config.yaml for the keys"
                )
            raise ConfigError(f"config error: {dotted} is not a setting; see config.yaml")

    def fail(self, dotted: str, problem: str) -> None:
        env = _KEY_TO_ENV.get(dotted)
        where = f" ({env})" if env else ""
        raise ConfigError(f"config error: {dotted}{where} {problem}")

    def text(self, dotted: str) -> str:
        value = self._get(dotted)
        if value is None:
            return ""
        if not isinstance(value, str | int):
            self.fail(dotted, f"must be text, got {type(value).__name__}")
        return str(value).strip()

    def mapping(self, dotted: str) -> dict[str, Any]:
        value = self._get(dotted)
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.fail(dotted, f"must be a mapping, got {type(value).__name__}")
        return {str(k): v for k, v in value.items()}

    def items(self, dotted: str) -> list[str]:
        """A YAML list, or a comma-separated text (how an environment variable says it)."""
        value = self._get(dotted)
        items = value if isinstance(value, list) else str(value or "").split(",")
        return [str(v).strip() for v in items if str(v).strip()]

    def money(self, dotted: str) -> Decimal:
        return self.amount(dotted, self._get(dotted))

    def amount(self, dotted: str, value: Any) -> Decimal:
        """Yuan ≥ 0 with at most two decimals (a rate in a payslip's precision)."""
        try:
            amount = Decimal(str(value).strip())
        except InvalidOperation:
            amount = Decimal("NaN")
        if isinstance(value, bool) or not amount.is_finite() or amount < 0:
            self.fail(dotted, f"must be an amount of yuan >= 0, got {value!r}")
        if amount != amount.quantize(Decimal("0.01")):
            self.fail(dotted, f"must have at most two decimals, got {value!r}")
        return amount

    def flag(self, dotted: str) -> bool:
        value = self._get(dotted)
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text not in ("true", "false", "1", "0", "yes", "no", "on", "off"):
            self.fail(dotted, f"must be true or false, got {value!r}")
        return text in ("true", "1", "yes", "on")

    def integer(self, dotted: str, low: int, high: int) -> int:
        value = self._get(dotted)
        try:
            number = int(str(value).strip())
        except ValueError:
            self.fail(dotted, f"must be an integer, got {value!r}")
        if not low <= number <= high:
            self.fail(dotted, f"must be between {low} and {high}, got {number}")
        return number


def _leaf_keys(node: dict[str, Any], prefix: str = "") -> list[str]:
    keys: list[str] = []
    for key, value in node.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            keys.extend(_leaf_keys(value, f"{dotted}."))
        else:
            keys.append(dotted)
    return keys


def _build(raw: dict[str, Any], sources: Mapping[str, str] | None = None) -> Settings:
    r = _Reader(raw)
    settings = _read_all(r)
    r.seen.add("ehr")  # ehr_adapter.config reads and checks its own section
    r.reject_unknown(sources or {})
    return settings


def _read_all(r: _Reader) -> Settings:
    server = ServerSettings(
        host=r.text("server.host") or "127.0.0.1",
        port=r.integer("server.port", 1, 65535),
        workers=r.integer("server.workers", 1, 64),
        callback_body_limit=r.integer("server.callback_body_limit", 1024, 10 * 1024 * 1024),
        request_timeout=r.integer("server.request_timeout", 1, 600),
    )
    data_dir = Path(r.text("data_dir") or "var")
    wecom = _wecom(r)
    sandbox = SandboxSettings(
        host=r.text("sandbox.host") or "127.0.0.1",
        port=r.integer("sandbox.port", 1, 65535),
        callback_url=r.text("sandbox.callback_url")
        or f"http://{server.host}:{server.port}/wecom/callback",
    )
    if not is_loopback(sandbox.host):
        r.fail("sandbox.host", f"must be a loopback address (127.0.0.1, ::1), got {sandbox.host!r}")
    if wecom.uses_sandbox and not wecom.api_base:
        wecom = replace(wecom, api_base=sandbox.base_url)
    redis_url = r.text("redis_url")
    if redis_url and not redis_url.startswith(("redis://", "rediss://", "unix://")):
        r.fail("redis_url", "must start with redis://, rediss:// or unix://")
    if server.workers > 1 and not redis_url:
        r.fail("server.workers", "above 1 needs redis_url (REDIS_URL) for shared state")
    keys, active = _pii_keys(r, data_dir, embedded=not redis_url)
    return Settings(
        server=server,
        wecom=wecom,
        sandbox=sandbox,
        inbox=InboxSettings(
            lease_seconds=r.integer("inbox.lease_seconds", 5, 3600),
            max_attempts=r.integer("inbox.max_attempts", 1, 100),
        ),
        miniapp=_miniapp(r, data_dir, sandbox.base_url, corp_sandbox=wecom.uses_sandbox),
        analysis=AnalysisRunSettings(
            processes=r.integer("analysis.processes", 0, 64),
            lease_seconds=r.integer("analysis.lease_seconds", 30, 86400),
            max_attempts=r.integer("analysis.max_attempts", 1, 20),
            speech_model_dir=r.text("analysis.speech_model_dir"),
            min_coverage_percent=r.integer("analysis.min_coverage_percent", 0, 100),
        ),
        costs=_costs(r),
        followup=_followup(r),
        timezone=_timezone(r),
        data_dir=data_dir,
        database_url=_database_url(r, data_dir),
        redis_url=redis_url,
        pii_keys=keys,
        active_pii_key_id=active,
        scheduler=_scheduler(r),
        reminders=_reminders(r),
        rate_limits=_rate_limits(r),
        scoring_llm=_scoring_llm(r),
        retention=_retention(r),
        data_requests=_data_requests(r),
        workbench=_workbench(r, server, sandbox, corp_sandbox=wecom.uses_sandbox),
        screening=_screening(r),
    )


def _origin(parts: SplitResult) -> str:
    """How a browser serialises the origin of ``parts`` ("" for an unusable port)."""
    try:
        port = parts.port
    except ValueError:
        return ""
    default = {"http": 80, "https": 443}.get(parts.scheme)
    host = (parts.hostname or "").lower()
    host = f"[{host}]" if ":" in host else host
    return f"{parts.scheme}://{host}" + (f":{port}" if port and port != default else "")


OAUTH_BASE = "https://open.weixin.qq.com"
SSO_BASE = "https://login.work.weixin.qq.com"


def _workbench(
    r: _Reader, server: ServerSettings, sandbox: SandboxSettings, *, corp_sandbox: bool
) -> WorkbenchSettings:
    """The sandbox corp logs in through the sandbox's pages; a real corp through WeCom's,
    never the sandbox's (its codes would name anyone the machine's user picks)."""
    configured = r.text("workbench.public_url").rstrip("/")
    public_url = configured or f"http://{server.host}:{server.port}"
    bases: list[str] = []
    for dotted, real in (("workbench.oauth_base", OAUTH_BASE), ("workbench.sso_base", SSO_BASE)):
        base = r.text(dotted).rstrip("/") or (sandbox.base_url if corp_sandbox else real)
        if not base.startswith(("http://", "https://")):
            r.fail(dotted, "must be an http(s) URL")
        if not corp_sandbox and base == sandbox.base_url:
            r.fail(dotted, "points at the sandbox but wecom.corp_id names a real corp")
        bases.append(base)
    parts = urlsplit(public_url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.path not in ("", "/"):
        r.fail("workbench.public_url", "must be an origin such as https://hr.example.com")
    if configured and public_url != _origin(parts):
        # the CSRF check compares it with the browser's Origin header: any other spelling
        # (upper-case host, :443, a query) would refuse every form the workbench posts
        r.fail("workbench.public_url", "must be written as a browser's Origin header: "
               "lower-case host, no default port, no user, query or fragment")  # fmt: skip
    return WorkbenchSettings(
        public_url=public_url,
        oauth_base=bases[0],
        sso_base=bases[1],
        session_ttl=r.integer("workbench.session_ttl", 300, 30 * 86400),
        public_url_set=bool(configured),
    )


_SANDBOX_WECOM = {
    "wecom.token": SANDBOX_TOKEN,
    "wecom.encoding_aes_key": SANDBOX_AES_KEY,
    "wecom.secret": SANDBOX_SECRET,
}


def is_loopback(host: str) -> bool:
    """The sandbox's public credentials must never be reachable from another machine."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip().strip("[]")).is_loopback
    except ValueError:
        return False


def _wecom_credentials(r: _Reader) -> bool:
    """True for the sandbox corp. Its credentials are public, so they never mix with real
    ones: a real value without the real corp, or a public one with it, stops the start."""
    corp_id = r.text("wecom.corp_id")
    sandbox = corp_id in ("", SANDBOX_CORP_ID)
    for dotted, public in _SANDBOX_WECOM.items():
        value = r.text(dotted)
        if sandbox and value not in ("", public):
            r.fail(dotted, "is a real credential but wecom.corp_id (WECOM_CORP_ID) names no "
                   "real corp: set it (the sandbox never runs with real credentials)")  # fmt: skip
        if not sandbox and value == public:
            r.fail(dotted, "is the public sandbox value; use the app's own with a real corp")
    return sandbox


def _wecom(r: _Reader) -> WeComSettings:
    sandbox = _wecom_credentials(r)
    corp_id = "" if sandbox else r.text("wecom.corp_id")
    token = r.text("wecom.token") or (SANDBOX_TOKEN if sandbox else "")
    aes_key = r.text("wecom.encoding_aes_key") or (SANDBOX_AES_KEY if sandbox else "")
    secret = r.text("wecom.secret") or (SANDBOX_SECRET if sandbox else "")
    if not token:
        r.fail("wecom.token", "is required when wecom.corp_id is set")
    if not _AES_KEY_RE.match(aes_key):
        r.fail("wecom.encoding_aes_key", "must be 43 characters of [A-Za-z0-9]")
    if not secret:
        r.fail("wecom.secret", "is required when wecom.corp_id is set")
    api_base = r.text("wecom.api_base").rstrip("/")
    if not sandbox and not api_base:
        api_base = PRODUCTION_API_BASE
    if api_base and not api_base.startswith(("http://", "https://")):
        r.fail("wecom.api_base", "must be an http(s) URL")
    max_age = r.integer("wecom.callback_max_age", 10, 86400)
    dedup_ttl = r.integer("wecom.dedup_ttl", 10, 7 * 86400)
    if dedup_ttl < max_age:
        r.fail("wecom.dedup_ttl", f"must be >= wecom.callback_max_age ({max_age})")
    return WeComSettings(
        corp_id=corp_id or SANDBOX_CORP_ID,
        token=token,
        encoding_aes_key=aes_key,
        agent_id=r.integer("wecom.agent_id", 0, 2**31 - 1),
        secret=secret,
        api_base=api_base,
        callback_max_age=max_age,
        dedup_ttl=dedup_ttl,
        member_messages_per_minute=r.integer("wecom.member_messages_per_minute", 1, 1000),
        token_refresh_ahead=r.integer("wecom.token_refresh_ahead", 0, 3600),
        uses_sandbox=sandbox,
        schedule_calendar_id=r.text("wecom.schedule_calendar_id"),
    )


def _miniapp(
    r: _Reader, data_dir: Path, sandbox_base: str, *, corp_sandbox: bool
) -> MiniAppSettings:
    """Candidates' WeChat login. The sandbox's only beside the sandbox corp; a real corp
    without an appid has no candidate WeChat login at all (never the sandbox's)."""
    appid, secret = r.text("miniapp.appid"), r.text("miniapp.secret")
    public_appid = appid in ("", SANDBOX_MINIAPP_APPID)
    public_secret = secret in ("", SANDBOX_SECRET)
    if public_appid != public_secret:  # one of the pair is real, the other is not
        dotted, value, other = (
            ("miniapp.appid", appid, "miniapp.secret")
            if public_appid
            else ("miniapp.secret", secret, "miniapp.appid")
        )
        r.fail(dotted, f"is required when {other} is set" if not value
               else "is the public sandbox value; use the mini-program's own")  # fmt: skip
    if public_appid:
        appid = secret = ""
    if appid and corp_sandbox:
        r.fail("miniapp.appid", "is a real WeChat mini-program but wecom.corp_id "
               "(WECOM_CORP_ID) names no real corp: staff would log in through the sandbox; "
               "set the real corp or unset WECHAT_APPID")  # fmt: skip
    sandbox = corp_sandbox
    api_base = r.text("miniapp.api_base").rstrip("/")
    if not api_base and (appid or sandbox):
        api_base = sandbox_base if sandbox else WECHAT_API_BASE
    if api_base and not api_base.startswith(("http://", "https://")):
        r.fail("miniapp.api_base", "must be an http(s) URL")
    mib = 2**20
    return MiniAppSettings(
        appid=appid or (SANDBOX_MINIAPP_APPID if sandbox else ""),
        secret=secret or (SANDBOX_SECRET if sandbox else ""),
        api_base=api_base,
        session_ttl=r.integer("miniapp.session_ttl", 60, 7 * 86400),
        invitation_ttl=r.integer("miniapp.invitation_ttl", 3600, 90 * 86400),
        media_dir=Path(r.text("miniapp.media_dir") or data_dir / "media"),
        max_upload_bytes=r.integer("miniapp.max_upload_mb", 1, 4096) * mib,
        max_chunk_bytes=r.integer("miniapp.max_chunk_kb", 64, 64 * 1024) * 1024,
        device_check_bytes=r.integer("miniapp.device_check_mb", 1, 100) * mib,
        uses_sandbox=sandbox,
        candidate_login=bool(appid) or sandbox,
        device_check_concurrency=r.integer("miniapp.device_check_concurrency", 1, 64),
        body_seconds=r.integer("miniapp.body_seconds", 1, 3600),
    )


_RATE_RE = re.compile(r"^(ip|session|openid)\s*=\s*(\d+)\s*/\s*(\d+)\s*(s|m|min|h)?$")


def _rate_limits(r: _Reader) -> RateLimitSettings:
    """``rate_limits.<group>``: ``scope=count/window`` items separated by ``,``, e.g.
    ``ip=30/60, session=10/10m`` (window in seconds, or with s/m/min/h)."""
    groups: dict[str, dict[str, RateRule]] = {}
    for group in r.mapping("rate_limits"):
        if group == "enabled":
            continue
        dotted = f"rate_limits.{group}"
        if group not in RATE_GROUPS:
            r.fail(dotted, f"names no route group; known: enabled, {', '.join(RATE_GROUPS)}")
        rules: dict[str, RateRule] = {}
        for item in r.items(dotted):
            match = _RATE_RE.match(item.strip().lower())
            if match is None or match.group(1) in rules:
                r.fail(dotted, f"must be items like ip=30/60 or session=10/10m, got {item!r}")
                continue  # unreachable: fail raises
            unit = {"m": 60, "min": 60, "h": 3600}.get(match.group(4) or "s", 1)
            count, seconds = int(match.group(2)), int(match.group(3)) * unit
            if not 1 <= count <= 1_000_000 or not 1 <= seconds <= 86400:
                r.fail(dotted, f"needs a count >= 1 and a window of 1 s to 1 day, got {item!r}")
            rules[match.group(1)] = RateRule(count, float(seconds))
        groups[group] = rules
    return RateLimitSettings(enabled=r.flag("rate_limits.enabled"), groups=groups)


def _scoring_llm(r: _Reader) -> ScoringLlmSettings:
    """All three of base URL, model and key, or none: a partial set is a typo, not "off"."""
    needed = ("scoring_llm.base_url", "scoring_llm.model", "scoring_llm.api_key")
    values = {key: r.text(key) for key in needed}
    missing = [key for key in needed if not values[key]]
    if len(missing) not in (0, len(needed)):
        names = ", ".join(f"{key} ({_KEY_TO_ENV[key]})" for key in missing)
        given = [_KEY_TO_ENV[k] for k in needed if k not in missing]
        verb = "is" if len(given) == 1 else "are"
        raise ConfigError(
            f"config error: the LLM scoring engine needs {names} as well "
            f"({', '.join(given)} {verb} set); set all three or none"
        )
    base_url = values["scoring_llm.base_url"].rstrip("/")
    if base_url and not base_url.startswith(("http://", "https://")):
        r.fail("scoring_llm.base_url", "must be an http(s) URL")
    return ScoringLlmSettings(
        base_url=base_url,
        model=values["scoring_llm.model"],
        api_key=values["scoring_llm.api_key"],
        timeout_seconds=r.integer("scoring_llm.timeout_seconds", 1, 600),
        max_attempts=r.integer("scoring_llm.max_attempts", 1, 10),
        json_mode=r.flag("scoring_llm.json_mode"),
        seed=r.integer("scoring_llm.seed", 0, 2**31 - 1),
        max_tokens=r.integer("scoring_llm.max_tokens", 256, 32768),
        cache_size=r.integer("scoring_llm.cache_size", 1, 1_000_000),
    )


def _costs(r: _Reader) -> CostSettings:
    rates: dict[str, Decimal] = {}
    for grade, rate in r.mapping("costs.grade_rates").items():
        key = grade.strip().casefold()
        if not key or key in rates:
            r.fail("costs.grade_rates", f"has an empty or repeated grade: {grade!r}")
        rates[key] = r.amount(f"costs.grade_rates.{grade}", rate)
    return CostSettings(
        default_hourly_rate=r.money("costs.default_hourly_rate"),
        grade_rates=rates,
        interviewer_overhead_minutes=r.integer("costs.interviewer_overhead_minutes", 0, 480),
    )


_DURATION_RE = re.compile(r"^(\d+)\s*(d|h|m|min)?$")
_CLOCK_RE = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def _scheduler(r: _Reader) -> SchedulerSettings:
    ttl = r.integer("scheduler.leader_ttl_seconds", 5, 600)
    return SchedulerSettings(
        in_web=r.flag("scheduler.in_web"),
        tick_seconds=r.integer("scheduler.tick_seconds", 1, 3600),
        leader_ttl_seconds=ttl,
    )


def _reminders(r: _Reader) -> ReminderSettings:
    """``offsets``: a list or a comma-separated text of durations (``24h``, ``90m``, ``2d``,
    bare numbers are minutes); ``candidate_quiet_hours``: ``HH:MM-HH:MM`` or empty."""
    raw = r.items("reminders.offsets")
    offsets: set[timedelta] = set()
    for item in raw:
        match = _DURATION_RE.match(item.strip().lower())
        unit = {"d": 1440, "h": 60}.get(match.group(2) or "m", 1) if match else 0
        minutes = int(match.group(1)) * unit if match else 0
        if not 1 <= minutes <= 14 * 1440:
            r.fail("reminders.offsets", f"must be durations like 24h or 30m, got {item!r}")
        offsets.add(timedelta(minutes=minutes))
    quiet = r.text("reminders.candidate_quiet_hours")
    start = end = None
    if quiet:
        parts = [p.strip() for p in quiet.split("-")]
        found = [_CLOCK_RE.match(p) for p in parts]
        if len(parts) != 2 or not all(found) or parts[0] == parts[1]:
            r.fail("reminders.candidate_quiet_hours", f"must be HH:MM-HH:MM, got {quiet!r}")
        start, end = (time(int(m.group(1)), int(m.group(2))) for m in found if m)
    return ReminderSettings(tuple(sorted(offsets, reverse=True)), start, end)


def _data_requests(r: _Reader) -> DataRequestSettings:
    if "data_requests" not in r.raw:  # an older config file: the default period
        return DataRequestSettings()
    return DataRequestSettings(due_days=r.integer("data_requests.due_days", 1, 30))


def _followup(r: _Reader) -> FollowUpSettings:
    return FollowUpSettings(
        surveys_enabled=r.flag("surveys.enabled"),
        survey_delay_minutes=r.integer("surveys.delay_minutes", 0, 7 * 24 * 60),
        survey_edit_hours=r.integer("surveys.edit_hours", 0, 30 * 24),
        summary_delay_minutes=r.integer("summaries.delay_minutes", 0, 7 * 24 * 60),
        auto_release=r.flag("summaries.auto_release"),
        lookback_days=r.integer("surveys.lookback_days", 1, 90),
    )


def _retention(r: _Reader) -> RetentionPolicy:
    """Days each class of personal data is kept after the decision (config.yaml says why)."""
    if "retention" not in r.raw:  # an older config.yaml: the documented defaults
        return RetentionPolicy()
    days = 3650
    return RetentionPolicy(
        recordings_days=r.integer("retention.recordings_days", 1, days),
        assessments_days=r.integer("retention.assessments_days", 1, days),
        notes_days=r.integer("retention.notes_days", 1, days),
        resumes_days=r.integer("retention.resumes_days", 1, days),
        survey_comments_days=r.integer("retention.survey_comments_days", 1, days),
        not_hired_days=r.integer("retention.not_hired_days", 1, days),
        talent_pool_days=r.integer("retention.talent_pool_days", 1, days),
        hired_days=r.integer("retention.hired_days", 1, days),
        audit_days=r.integer("retention.audit_days", 365, 10 * days),
        transport_days=r.integer("retention.transport_days", 1, days),
        batch_size=r.integer("retention.batch_size", 1, 10000),
    )


def _screening(r: _Reader) -> ScreeningSettings:
    path = r.text("screening.skill_synonyms")
    if path and not Path(path).is_file():
        r.fail("screening.skill_synonyms", f"names no readable file: {path}")
    return ScreeningSettings(
        skill_synonyms=path, invite_days=r.integer("screening.invite_days", 1, 60)
    )


def _timezone(r: _Reader) -> zoneinfo.ZoneInfo:
    name = r.text("timezone") or "Asia/Shanghai"
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        r.fail("timezone", f"is not a known IANA time zone: {name!r}")
        raise  # unreachable; keeps type checkers calm


def _database_url(r: _Reader, data_dir: Path) -> str:
    url = r.text("database_url")
    if not url:
        return f"sqlite://{data_dir / 'recruiting.sqlite3'}"
    if not url.startswith(("sqlite://", "postgres://", "postgresql://", "asyncpg://")):
        r.fail("database_url", "must start with sqlite://, postgres:// or postgresql://")
    return url


def _pii_keys(r: _Reader, data_dir: Path, *, embedded: bool) -> tuple[dict[str, bytes], str]:
    spec = r.text("security.pii_keys")
    if not spec:
        if not embedded:
            r.fail("security.pii_keys", "is required when redis_url is set (production)")
        spec = _embedded_key_spec(data_dir)
    keys: dict[str, bytes] = {}
    for item in spec.split(","):
        kid, _, b64 = item.strip().partition(":")
        try:
            key = base64.b64decode(b64, validate=True)
        except ValueError:
            key = b""
        if not kid or len(key) != 32:
            r.fail("security.pii_keys", "must be 'kid:base64(32 bytes)' items separated by ','")
        keys[kid] = key
    return keys, next(iter(keys))


def _embedded_key_spec(data_dir: Path) -> str:
    """Generate (once) a local key file so the embedded default encrypts PII too."""
    path = data_dir / "pii.keys"
    if not path.exists():
        private_dir(data_dir)
        key = base64.b64encode(secrets.token_bytes(32)).decode()
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(f"local1:{key}\n")
    tighten(path)  # an older version's file may be readable by others
    return path.read_text(encoding="utf-8").strip()
