"""The login pages: the login page, the start of the round trip, WeCom's callback, logout.

Every refusal is a Chinese page with a way to try again, never a 500."""

from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, redirect

from recruiting.domain import web_login
from recruiting.errors import ExternalServiceError, TooManyRequests, Unauthenticated
from recruiting.ports.identity import InvalidLoginCode, NotAMember
from recruiting.services.shared.sessions import AccountDeactivated, UnknownMember
from recruiting.services.workbench.login import LoginStateInvalid, StaffPrincipal
from recruiting.web import services_of
from recruiting.workbench.shell import (
    SESSION_COOKIE,
    STATE_COOKIE,
    clear_cookie,
    login_of,
    message_page,
    page,
    render,
    secure,
    set_cookie,
    settings_of,
    start_login,
)

bp = Blueprint("workbench_login")
_RETRY = "/workbench/login"


@bp.get("/workbench/login")
async def login_page(request: Request) -> HTTPResponse:
    """Already signed in: on to ``next``. Inside WeCom: straight to OAuth (silent). In a
    desktop browser: a page with 企业微信扫码登录."""
    next_path = web_login.safe_next(request.args.get("next"))
    try:
        await login_of(request).authenticate(request.cookies.get(SESSION_COOKIE))
        return secure(redirect(next_path), personal=False)
    except (Unauthenticated, AccountDeactivated):
        pass
    if web_login.in_wecom_client(request.headers.get("user-agent")):
        # the same round trip as /login/start, so the same per-address limit
        if throttled := await _throttled(request):
            return throttled
        return await start_login(request, next_path, via="oauth")
    return render(request, None, "login.html", next_path=next_path,
                  logged_out="logged_out" in request.args)  # fmt: skip


async def _throttled(request: Request) -> HTTPResponse | None:
    """Each sign-in costs a WeCom call: the mini-app's ``rate_limits.login`` per client IP."""
    limiter = services_of(request).recorded.miniapp.limiter
    try:
        await limiter.hit("login", "ip", str(request.remote_addr or request.ip or ""))
    except TooManyRequests as exc:
        response = message_page(request, "请稍后再试", exc.message, status=429, retry=_RETRY)
        response.headers["Retry-After"] = str(max(1, int(exc.retry_after + 0.999)))
        return response
    return None


@bp.get("/workbench/login/start")
async def login_start(request: Request) -> HTTPResponse:
    if throttled := await _throttled(request):
        return throttled
    via = "oauth" if request.args.get("via") == "oauth" else "qr"
    return await start_login(request, request.args.get("next"), via=via)


@bp.get("/workbench/auth/callback")
async def callback(request: Request) -> HTTPResponse:
    if throttled := await _throttled(request):
        return throttled
    code, state = request.args.get("code", ""), request.args.get("state", "")
    if not code:
        return message_page(request, "登录未完成", "没有收到企业微信的登录确认，请重新登录。",
                            status=400, retry=_RETRY)  # fmt: skip
    try:
        session = await login_of(request).finish(code, state, request.cookies.get(STATE_COOKIE))
    except LoginStateInvalid:
        text = "登录请求已失效或不是从这个浏览器发起的，请重新登录。"
        return _refused(request, "登录已失效", text, 400)
    except InvalidLoginCode:
        text = "企业微信登录码无效、已使用或已过期，请重新登录。"
        return _refused(request, "登录码无效", text, 400)
    except NotAMember:
        text = "您不是企业成员，无法使用招聘工作台。请使用企业微信账号登录。"
        return _refused(request, "不是企业成员", text, 403)
    except AccountDeactivated:
        return _refused(
            request, "账号已停用", "您的账号已停用，无法使用工作台。如有疑问，请联系 HR。", 403
        )
    except UnknownMember:
        return _refused(request, "尚未开通", "您还不是本服务登记的员工，请联系 HR 开通。", 403)
    except ExternalServiceError:
        text = "暂时无法向企业微信确认您的身份，请稍后重试。"
        return _refused(request, "暂时无法登录", text, 503)
    response = secure(redirect(session.next_path))
    ttl = settings_of(request).workbench.session_ttl
    set_cookie(request, response, SESSION_COOKIE, session.token, path="/workbench", max_age=ttl)
    clear_cookie(request, response, STATE_COOKIE, path="/workbench/auth")
    return response


def _refused(request: Request, title: str, text: str, status: int) -> HTTPResponse:
    """The state cookie stays: a forged callback must not break the browser's own round
    trip (it expires with the state in 10 minutes)."""
    return message_page(request, title, text, status=status, retry=_RETRY)


@bp.post("/workbench/logout")
@page()
async def logout(request: Request, principal: StaffPrincipal) -> HTTPResponse:
    await login_of(request).logout(principal)
    response = secure(redirect("/workbench/login?logged_out=1"))
    clear_cookie(request, response, SESSION_COOKIE, path="/workbench")
    return response
