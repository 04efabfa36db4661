"""The sandbox never stands in for a real deployment (issue 12, item 1).

Every combination of absent / public sandbox / real values for the six credentials (WeCom
corp, token, AES key, secret; WeChat appid, secret) is started with ``run``, ``serve`` and
``sandbox`` through the real CLI (only the final blocking ``serve`` call is replaced), and the
expected outcome is derived from the rule, not listed: mixed credentials stop every command
with one line; the sandbox corp runs everything; a real corp serves without any sandbox.
The service's login adapters are then exercised over HTTP against a real corp.
"""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from sanic import Sanic

from recruiting import cli
from recruiting.bootstrap import create_app
from recruiting.errors import ConfigError
from recruiting.models import Staff
from recruiting.sandbox_guard import SandboxRefused, real_credentials
from recruiting.settings import (
    SANDBOX_AES_KEY,
    SANDBOX_CORP_ID,
    SANDBOX_MINIAPP_APPID,
    SANDBOX_SECRET,
    SANDBOX_TOKEN,
    load_settings,
)
from tests.conftest import premigrate
from tests.serving import free_port, serving
from wecom_bot.sandbox.app import create_sandbox_app

ROOT = Path(__file__).resolve().parents[2]
REAL_CORP = "ww7e3c1a9b2d4f6081"
ABSENT, PUBLIC, REAL = "absent", "public", "real"
# variable → (its public sandbox value, a real-looking value)
CREDENTIALS: dict[str, tuple[str, str]] = {
    "WECOM_CORP_ID": (SANDBOX_CORP_ID, REAL_CORP),
    "WECOM_TOKEN": (SANDBOX_TOKEN, "RealCallbackToken7"),
    "WECOM_ENCODING_AES_KEY": (SANDBOX_AES_KEY, "R" * 21 + "e" * 22),
    "WECOM_SECRET": (SANDBOX_SECRET, "real-app-secret-0b7"),
    "WECHAT_APPID": (SANDBOX_MINIAPP_APPID, "wx5d1f0c9e7a3b2c41"),
    "WECHAT_SECRET": (SANDBOX_SECRET, "real-wechat-secret-9d"),
}
NAMES = list(CREDENTIALS)
COMBOS = list(itertools.product((ABSENT, PUBLIC, REAL), repeat=len(NAMES)))
SANDBOX_ROUTES = ("/sandbox", "/sns/", "/cgi-bin/")


def expected(combo: dict[str, str]) -> str:
    """The rule: "error" (no command starts), "sandbox" (all may run), "real" (serve only)."""
    wecom = [combo[n] == REAL for n in NAMES[:4]]
    appid, secret = combo["WECHAT_APPID"] == REAL, combo["WECHAT_SECRET"] == REAL
    if appid != secret:
        return "error"  # half a WeChat mini-program
    if not wecom[0]:
        return "error" if any(wecom) or appid else "sandbox"
    return "real" if all(wecom) else "error"


@dataclass
class Started:
    code: int
    stderr: str
    prepared: list[tuple[str, str, int]] = field(default_factory=list)  # app, host, port
    apps: list[Any] = field(default_factory=list)


@pytest.fixture
def start(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> Iterator[Any]:
    """``start(command, env)``: ``python -m recruiting <command>`` in-process, recording
    every app it prepared to serve instead of serving it."""
    Sanic.test_mode = True
    for name in [*NAMES, "RECRUITING__SANDBOX__HOST", "DATABASE_URL", "REDIS_URL", "PII_KEYS"]:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.setenv("PORT", "18000")
    monkeypatch.setenv("SANDBOX_PORT", "18001")
    started = Started(0, "")

    def prepare(app: Any, host: str, port: int) -> None:
        started.prepared.append((app.name, host, port))
        started.apps.append(app)

    monkeypatch.setattr(cli, "_prepare_single", prepare)
    monkeypatch.setattr(Sanic, "serve_single", classmethod(lambda cls, primary=None: None))

    def run(command: str, env: dict[str, str]) -> Started:
        with monkeypatch.context() as m:
            for name, value in env.items():
                m.setenv(name, value)
            started.prepared, started.apps = [], []
            capsys.readouterr()
            started.code = cli.main([command])
            started.stderr = capsys.readouterr().err
        return started

    yield run


def environment(combo: dict[str, str]) -> dict[str, str]:
    env = {}
    for name, kind in combo.items():
        if kind != ABSENT:
            env[name] = CREDENTIALS[name][0 if kind == PUBLIC else 1]
    return env


def one_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) == 1, text
    return lines[0]


def login_endpoints(env: dict[str, str], data_dir: Path) -> tuple[str, str, bool]:
    """Where the service's login adapters would go: WeCom, WeChat, and whether candidates
    can log in at all."""
    settings = load_settings(None, {**env, "DATA_DIR": str(data_dir), "SANDBOX_PORT": "18001"})
    m = settings.miniapp
    return settings.wecom.api_base, m.api_base, m.candidate_login


@pytest.mark.parametrize("values", COMBOS, ids=lambda c: "-".join(k[0] for k in c))
def test_every_credential_combination_under_every_command(
    start: Any, values: Any, tmp_path: Path
) -> None:
    combo = dict(zip(NAMES, values, strict=True))
    env, outcome = environment(combo), expected(combo)
    if outcome == "sandbox":
        sandbox = "http://127.0.0.1:18001"
        assert login_endpoints(env, tmp_path) == (sandbox, sandbox, True)
    elif outcome == "real":
        wechat = combo["WECHAT_APPID"] == REAL
        assert login_endpoints(env, tmp_path) == (
            "https://qyapi.weixin.qq.com",
            "https://api.weixin.qq.com" if wechat else "",
            wechat,
        )
    for command in ("run", "serve", "sandbox"):
        started = start(command, env)
        names = [name for name, _, _ in started.prepared]
        if outcome == "error":
            assert started.code == 2 and names == [], (command, started.stderr)
            assert one_line(started.stderr).startswith("config error: "), started.stderr
        elif outcome == "sandbox":
            want = {"run": ["recruiting", "wecom-sandbox"], "serve": ["recruiting"],
                    "sandbox": ["wecom-sandbox"]}[command]  # fmt: skip
            assert started.code == 0 and names == want, (command, started.stderr)
            sandboxes = [p for p in started.prepared if p[0] == "wecom-sandbox"]
            assert all(host == "127.0.0.1" for _, host, _ in sandboxes)
        elif command == "serve":  # a real corp: the service, and nothing of the sandbox
            assert started.code == 0 and names == ["recruiting"], started.stderr
            paths = [route.path for route in started.apps[0].router.routes]
            assert not [p for p in paths if p.lstrip("/").startswith(
                tuple(r.strip("/") for r in SANDBOX_ROUTES))], paths  # fmt: skip
        else:
            assert started.code == 2 and names == [], (command, started.stderr)
            line = one_line(started.stderr)
            assert line.startswith("the WeCom sandbox refuses to start: WECOM_CORP_ID"), line


def test_the_rule_covers_each_outcome() -> None:
    """The matrix is not vacuous: every outcome occurs, each several times."""
    outcomes = [expected(dict(zip(NAMES, c, strict=True))) for c in COMBOS]
    assert len(COMBOS) == 729
    assert (outcomes.count("sandbox"), outcomes.count("real")) == (64, 5)
    assert outcomes.count("error") == 729 - 69


@pytest.mark.parametrize(
    ("appid", "wechat_login"), [(ABSENT, False), (PUBLIC, False), (REAL, True)]
)
def test_a_real_corp_never_points_logins_at_the_sandbox(
    tmp_path: Path, appid: str, wechat_login: bool
) -> None:
    combo = {n: REAL for n in NAMES[:4]} | {"WECHAT_APPID": appid, "WECHAT_SECRET": appid}
    settings = load_settings(None, {"DATA_DIR": str(tmp_path), **environment(combo)})
    assert settings.miniapp.candidate_login is wechat_login
    assert settings.wecom.api_base == "https://qyapi.weixin.qq.com"
    assert settings.miniapp.api_base == ("https://api.weixin.qq.com" if wechat_login else "")
    assert real_credentials(settings)[0] == "WECOM_CORP_ID"
    with pytest.raises(SandboxRefused):
        create_sandbox_app(settings, name=f"refused-{appid}")


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.10.5", "sandbox.example.com"])
def test_the_sandbox_binds_loopback_only(start: Any, host: str) -> None:
    for command in ("run", "serve", "sandbox"):
        started = start(command, {"RECRUITING__SANDBOX__HOST": host})
        assert started.code == 2 and started.prepared == []
        assert "sandbox.host" in one_line(started.stderr) and "loopback" in started.stderr


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.9", "::1", "localhost"])
def test_loopback_hosts_are_accepted(start: Any, host: str) -> None:
    started = start("sandbox", {"RECRUITING__SANDBOX__HOST": host})
    assert started.code == 0 and started.prepared == [("wecom-sandbox", host, 18001)]


def test_a_wechat_appid_beside_the_sandbox_corp_names_the_problem(tmp_path: Path) -> None:
    env = environment({"WECHAT_APPID": REAL, "WECHAT_SECRET": REAL})
    with pytest.raises(ConfigError) as info:
        load_settings(None, {"DATA_DIR": str(tmp_path), **env})
    assert str(info.value).startswith("config error: miniapp.appid (WECHAT_APPID) is a real")
    assert "WECOM_CORP_ID" in str(info.value)


@pytest.mark.parametrize(
    ("command", "env", "says"),
    [
        ("sandbox", {"WECOM_TOKEN": "RealCallbackToken7",
                     "WECOM_ENCODING_AES_KEY": "R" * 21 + "e" * 22},
         "config error: wecom.token (WECOM_TOKEN) is a real credential"),
        ("sandbox", environment({n: REAL for n in NAMES}),
         "the WeCom sandbox refuses to start: WECOM_CORP_ID"),
        ("run", {"RECRUITING__SANDBOX__HOST": "0.0.0.0"}, "config error: sandbox.host"),
    ],
)  # fmt: skip
def test_the_real_command_line_refuses(
    tmp_path: Path, command: str, env: dict[str, str], says: str
) -> None:
    """The processes themselves: exit 2, one line, and nothing listening on the sandbox port."""
    port = free_port()
    full = {k: v for k, v in os.environ.items() if k not in NAMES and not k.startswith(
        ("RECRUITING__", "DATABASE_URL", "REDIS_URL", "PII_KEYS"))}  # fmt: skip
    full |= {"DATA_DIR": str(tmp_path), "SANDBOX_PORT": str(port), "PORT": str(free_port())}
    done = subprocess.run(
        [sys.executable, "-m", "recruiting", command], cwd=ROOT, env=full | env,
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert one_line(done.stderr).startswith(says), done.stderr
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://127.0.0.1:{port}/sandbox/members", timeout=2)


# -- the service's own login adapters with a real corp, over HTTP ----------------------------


class FakeTencent:
    """WeChat's and WeCom's login endpoints, recording every call the service makes."""

    def __init__(self, corpid: str) -> None:
        self.corpid = corpid
        self.calls: list[httpx.URL] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.calls.append(request.url)
        path = request.url.path
        if path == "/cgi-bin/gettoken":
            return httpx.Response(200, json={"errcode": 0, "access_token": "T", "expires_in": 7200})
        if path == "/cgi-bin/miniprogram/jscode2session":
            return httpx.Response(200, json={"errcode": 0, "corpid": self.corpid,
                                             "userid": "zhangwei", "session_key": "k"})  # fmt: skip
        if path == "/sns/jscode2session":
            return httpx.Response(200, json={"openid": "o-real-1", "session_key": "k"})
        return httpx.Response(200, json={"errcode": 0})

    def hosts(self) -> set[str]:
        return {url.host for url in self.calls}


@dataclass
class RealCorp:
    api: httpx.AsyncClient
    tencent: FakeTencent
    sandbox: httpx.AsyncClient  # a sandbox of the sandbox corp, running on the sandbox port


_apps = itertools.count()


async def real_corp(tmp_path: Path, with_wechat: bool, corpid: str) -> AsyncIterator[RealCorp]:
    from tortoise.backends.base.executor import EXECUTOR_CACHE

    EXECUTOR_CACHE.clear()
    Sanic.test_mode = True
    port, sandbox_port = free_port(), free_port()
    base = {"DATA_DIR": str(tmp_path), "PORT": str(port), "SANDBOX_PORT": str(sandbox_port)}
    names = NAMES if with_wechat else NAMES[:4]
    settings = load_settings(None, base | environment({n: REAL for n in names}))
    # What an attacker could run beside it: the sandbox of the public sandbox corp.
    sandbox_settings = load_settings(None, base | {"DATA_DIR": str(tmp_path / "sbx")})
    tencent = FakeTencent(corpid)
    premigrate(tmp_path)
    n = next(_apps)
    app = create_app(settings, name=f"guard{n}", run_workers=False,
                     wecom_transport=httpx.MockTransport(tencent))  # fmt: skip
    sandbox = create_sandbox_app(sandbox_settings, name=f"guardsbx{n}")
    async with (
        serving(sandbox, sandbox_port),
        serving(app, port),
        httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}/miniapp/v1") as api,
        httpx.AsyncClient(base_url=sandbox_settings.sandbox.base_url) as console,
    ):
        await Staff.create(wecom_userid="zhangwei", name="张伟", roles=["hr_manager"])
        yield RealCorp(api, tencent, console)


@pytest.fixture
async def corp_without_wechat(tmp_path: Path) -> AsyncIterator[RealCorp]:
    async for corp in real_corp(tmp_path, False, REAL_CORP):
        yield corp


@pytest.fixture
async def corp_with_wechat(tmp_path: Path) -> AsyncIterator[RealCorp]:
    async for corp in real_corp(tmp_path, True, REAL_CORP):
        yield corp


@pytest.fixture
async def corp_answering_as_sandbox(tmp_path: Path) -> AsyncIterator[RealCorp]:
    async for corp in real_corp(tmp_path, True, SANDBOX_CORP_ID):
        yield corp


async def test_no_wechat_appid_means_no_candidate_login_not_the_sandbox(
    corp_without_wechat: RealCorp, caplog: pytest.LogCaptureFixture
) -> None:
    corp = corp_without_wechat
    minted = await corp.sandbox.post("/sandbox/wechat_code", json={"openid": "o-anyone"})
    code = minted.json()["code"]
    refused = await corp.api.post("/login/candidate", json={"code": code})
    assert refused.status_code == 503, refused.text
    body = refused.json()
    assert body["error"] == "wechat_login_disabled" and "微信登录" in body["message"]
    assert not any(ch.isascii() and ch.isalpha() for ch in body["message"])
    assert corp.tencent.calls == []  # nothing was asked, least of all the sandbox
    assert "WECHAT_APPID" in caplog.text  # the operator's reason
    # The minted code is still unused: the service never went to the sandbox with it.
    params = {"appid": SANDBOX_MINIAPP_APPID, "secret": SANDBOX_SECRET, "js_code": code}
    redeemed = await corp.sandbox.get("/sns/jscode2session", params=params)
    assert redeemed.json().get("openid") == "o-anyone"


async def test_staff_login_of_a_real_corp_goes_to_wecom_only(corp_with_wechat: RealCorp) -> None:
    corp = corp_with_wechat
    staff = await corp.api.post("/login/staff", json={"code": "qy-code-1"})
    assert staff.status_code == 200 and staff.json()["kind"] == "staff", staff.text
    candidate = await corp.api.post("/login/candidate", json={"code": "wx-code-1"})
    assert candidate.status_code == 200 and candidate.json()["kind"] == "visitor"
    assert corp.tencent.hosts() == {"qyapi.weixin.qq.com", "api.weixin.qq.com"}
    sns = [u for u in corp.tencent.calls if u.path == "/sns/jscode2session"]
    assert sns[0].params["appid"] == CREDENTIALS["WECHAT_APPID"][1]


async def test_a_login_of_the_sandbox_corp_is_refused_by_a_real_corp(
    corp_answering_as_sandbox: RealCorp,
) -> None:
    """Even if a code of the sandbox corp reached the real WeCom exchange, it gives nothing."""
    refused = await corp_answering_as_sandbox.api.post("/login/staff", json={"code": "x"})
    assert refused.status_code == 403, refused.text
    minted = await corp_answering_as_sandbox.sandbox.post("/sandbox/jscode",
                                                          json={"userid": "zhangwei"})  # fmt: skip
    code = minted.json()["code"]
    again = await corp_answering_as_sandbox.api.post("/login/staff", json={"code": code})
    assert again.status_code == 403 and json.loads(again.text)["error"] == "untrusted"
