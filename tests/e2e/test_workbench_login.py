"""The HR workbench's sign-in over real sockets, on SQLite and on PostgreSQL + Redis: the
service redirects to the sandbox's WeCom pages, the member is chosen, the code comes back
and is exchanged with ``auth/getuserinfo``; then the session cookie, CSRF, roles, audit,
logout and revocation on deactivation."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from recruiting.models import AppSession, AuditLog, SubjectKind
from tests.e2e.stack import Stack, running
from tests.e2e.workbench import DESKTOP, choose, sign_in, start

WECOM = {"User-Agent": "Mozilla/5.0 (iPhone) MicroMessenger/8.0 wxwork/4.1.20"}


@pytest.fixture
async def browser(stack: Stack) -> AsyncIterator[httpx.AsyncClient]:
    base = stack.settings.workbench.public_url
    async with httpx.AsyncClient(base_url=base, headers=DESKTOP, timeout=15) as client:
        yield client


async def test_sign_in_shows_home_then_logout_revokes(
    stack: Stack, browser: httpx.AsyncClient
) -> None:
    r = await browser.get("/workbench/")
    assert r.status_code == 302
    assert r.headers["location"] == "/workbench/login?next=%2Fworkbench%2F"
    r = await browser.get(r.headers["location"])
    assert r.status_code == 200 and "企业微信扫码登录" in r.text
    sso = await browser.get("/workbench/login/start?via=qr")
    assert sso.headers["location"].startswith(stack.settings.sandbox.base_url + "/wwlogin/sso/")
    chooser = await stack.console.get(sso.headers["location"])
    assert chooser.status_code == 200 and "李娜" in chooser.text

    r = await sign_in(stack, browser, "lina")
    assert r.status_code == 302 and r.headers["location"] == "/workbench/"
    cookie = r.headers["set-cookie"]
    assert "wb_session=" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Path=/workbench" in cookie and "Secure" not in cookie.split("wb_login")[0]
    home = await browser.get("/workbench/")
    assert home.status_code == 200
    assert "李娜" in home.text and "HR" in home.text and "招聘中的岗位" in home.text
    assert "script-src 'self'" in home.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in home.headers["content-security-policy"]
    assert home.headers["cache-control"] == "no-store"
    assert await AuditLog.filter(actor="lina", action="workbench_view", allowed=True).exists()
    session = await AppSession.get(staff__wecom_userid="lina", kind=SubjectKind.WORKBENCH)
    assert len(session.token_hash) == 64

    assert "选择一个岗位" in (await browser.get("/workbench/pipeline")).text  # 流程看板 served
    css = await browser.get("/workbench/static/workbench.css")
    assert css.status_code == 200 and "text/css" in css.headers["content-type"]
    csrf = home.text.split('name="csrf-token" content="')[1].split('"')[0]
    assert (await browser.post("/workbench/logout")).status_code == 403
    wrong = await browser.post("/workbench/logout", data={"csrf_token": "x" * 40})
    assert wrong.status_code == 403 and "刷新页面" in wrong.text
    evil = await browser.post("/workbench/logout", data={"csrf_token": csrf},
                              headers={"Origin": "https://evil.example"})  # fmt: skip
    assert evil.status_code == 403
    stolen = browser.cookies.get("wb_session")
    out = await browser.post("/workbench/logout", data={"csrf_token": csrf})
    assert out.status_code == 302 and out.headers["location"].startswith("/workbench/login")
    assert (await browser.get("/workbench/")).status_code == 302
    late = await browser.post("/workbench/logout", data={"csrf_token": csrf})
    assert late.status_code == 401 and "重新登录" in late.text
    again = await browser.get("/workbench/", cookies={"wb_session": stolen or ""})
    assert again.status_code == 302  # the revoked token opens nothing


async def test_wecom_client_goes_to_oauth_and_console_member_returns_at_once(
    stack: Stack,
) -> None:
    base = stack.settings.workbench.public_url
    async with httpx.AsyncClient(base_url=base, headers=WECOM, timeout=15) as phone:
        r = await phone.get("/workbench/login", params={"next": "/workbench/review"})
        location = r.headers["location"]
        assert r.status_code == 302 and "/connect/oauth2/authorize?appid=" in location
        assert location.endswith("#wechat_redirect") and "scope=snsapi_base" in location
        assert (await stack.console.get("/sandbox/workbench", params={"userid": "zhangwei"})
                ).status_code == 302  # fmt: skip
        back = await stack.console.get(location.split("#")[0])
        assert (
            back.status_code == 302 and "/workbench/auth/callback?code=" in back.headers["location"]
        )
        r = await phone.get(back.headers["location"])
        assert r.status_code == 302 and r.headers["location"] == "/workbench/review"
        assert "待评审" in (await phone.get("/workbench/review")).text


async def test_forged_reused_expired_and_foreign_codes_are_refused(
    stack: Stack, browser: httpx.AsyncClient
) -> None:
    redirect_uri, state = await start(browser)
    forged = redirect_uri + "?code=abc&state=" + "A" * 32
    r = await browser.get(forged)
    assert r.status_code == 400 and "登录已失效" in r.text and "重新登录" in r.text

    callback = await choose(stack, redirect_uri, state, "lina")
    async with httpx.AsyncClient(headers=DESKTOP) as other:  # the state's cookie is not here
        assert (await other.get(callback)).status_code == 400
    assert (await browser.get(callback)).status_code == 302
    assert (await browser.get(callback)).status_code == 400  # the state is taken once

    code = parse_qs(urlsplit(callback).query)["code"][0]
    redirect_uri, state = await start(browser)
    r = await browser.get(redirect_uri, params={"code": code, "state": state})
    assert r.status_code == 400 and "登录码无效" in r.text  # used code: errcode 40029

    expired = (await stack.console.post("/sandbox/web_code",
                                        json={"userid": "lina", "expires_in": 0})).text  # fmt: skip
    redirect_uri, state = await start(browser)
    r = await browser.get(redirect_uri, params={"code": expired, "state": state})
    assert r.status_code == 400 and "已过期" in r.text

    redirect_uri, state = await start(browser)
    r = await browser.get(await choose(stack, redirect_uri, state, "__external__"))
    assert r.status_code == 403 and "不是企业成员" in r.text

    redirect_uri, state = await start(browser)
    r = await browser.get(await choose(stack, redirect_uri, state, "visitor"))
    assert r.status_code == 403 and "联系 HR" in r.text  # a member, but not staff here
    assert await AuditLog.filter(actor="visitor", action="workbench_login", allowed=False).exists()


@pytest.mark.parametrize(
    "wanted",
    [
        "https://evil.example/",
        "//evil.example/workbench/",
        "/\\evil.example",
        "/workbench/../x",
        "/other",
        "javascript:alert(1)",
        "/workbench/%2e%2e/x",
    ],
)
async def test_no_open_redirect(stack: Stack, browser: httpx.AsyncClient, wanted: str) -> None:
    redirect_uri, state = await start(browser, wanted)
    r = await browser.get(await choose(stack, redirect_uri, state, "lina"))
    assert r.status_code == 302 and r.headers["location"] == "/workbench/"
    r = await browser.get("/workbench/login", params={"next": wanted})
    assert r.headers["location"] == "/workbench/"


async def test_roles_and_deactivation(stack: Stack, browser: httpx.AsyncClient) -> None:
    assert (await browser.get("/workbench/pipeline")).headers["location"] == (
        "/workbench/login?next=%2Fworkbench%2Fpipeline"
    )
    await sign_in(stack, browser, "wangqiang")  # an interviewer
    r = await browser.get("/workbench/pipeline")
    assert r.status_code == 403 and "没有权限" in r.text
    assert await AuditLog.filter(actor="wangqiang", action="workbench_view", allowed=False).exists()
    home = await browser.get("/workbench/")
    assert "面试官" in home.text and "流程看板" not in home.text and "待评审" in home.text

    changed = await stack.console.post(
        "/sandbox/member", json={"userid": "wangqiang", "change_type": "update_user", "status": 2}
    )
    assert changed.status_code == 200, changed.text
    for _ in range(100):  # the callback is processed by the worker
        if not await AppSession.filter(staff__wecom_userid="wangqiang", kind=SubjectKind.WORKBENCH,
                                       revoked_at=None).exists():  # fmt: skip
            break
        await asyncio.sleep(0.1)
    assert not await AppSession.filter(staff__wecom_userid="wangqiang", revoked_at=None).exists()
    r = await browser.get("/workbench/")
    assert r.status_code == 302 and r.headers["location"].startswith("/workbench/login")


async def test_sign_in_attempts_are_rate_limited_per_address(tmp_path: Path) -> None:
    env = {"RECRUITING__RATE_LIMITS__LOGIN": "ip=3/60"}
    async with (
        running("sqlite", tmp_path, "wblimit", env) as stack,
        httpx.AsyncClient(base_url=stack.settings.workbench.public_url, headers=DESKTOP) as client,
    ):
        for _ in range(3):
            assert (await client.get("/workbench/login/start")).status_code == 302
        r = await client.get("/workbench/auth/callback", params={"code": "c", "state": "s"})
        assert r.status_code == 429 and "太频繁" in r.text and int(r.headers["retry-after"]) >= 1
        # inside the WeCom client the login page itself starts the round trip: same limit
        r = await client.get("/workbench/login", headers=WECOM)
        assert r.status_code == 429 and "太频繁" in r.text
