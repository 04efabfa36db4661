"""What every workbench page shares: templates, the ``@page`` guard (session, CSRF,
permission, audit), security headers and the login cookies.

A page module writes::

    bp = Blueprint("wb_openings", url_prefix="/workbench/openings")

    @bp.get("/")
    @page(Permission.MANAGE_INTERVIEWS)
    async def openings(request: Request, principal: StaffPrincipal) -> HTTPResponse:
        return render(request, principal, "openings/list.html", rows=...)

``@page`` answers an anonymous visitor with the login round trip, refuses a missing or
wrong CSRF token on every POST, refuses a role without the permission with a Chinese 403
page (audited), audits the view, and turns a use case's ``RecruitingError`` into a Chinese
error page instead of JSON.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Concatenate, ParamSpec
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from sanic import Request
from sanic.response import HTTPResponse, html, redirect

from recruiting.domain import web_login
from recruiting.domain.intake import channel_name
from recruiting.domain.roles import Permission
from recruiting.domain.shorten import shorten
from recruiting.errors import Forbidden, RecruitingError, Unauthenticated
from recruiting.services.shared.audit import record
from recruiting.services.shared.sessions import AccountDeactivated
from recruiting.services.workbench.login import StaffPrincipal, WorkbenchLogin
from recruiting.settings import Settings
from recruiting.validation import MAX_ROW_ID
from recruiting.web import reference, services_of, status_for, user_message

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
SESSION_COOKIE = "wb_session"
STATE_COOKIE = "wb_login"
CALLBACK_PATH = "/workbench/auth/callback"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
_UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})

templates = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
templates.filters["channel"] = channel_name


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str
    path: str
    hint: str = ""
    permission: Permission | None = None  # what the area needs; hidden from who lacks it


NAV: tuple[NavItem, ...] = (
    NavItem("home", "首页", "/workbench/"),
    NavItem(
        "openings",
        "岗位",
        "/workbench/openings",
        "岗位、能力模型和面试轮次",
        Permission.VIEW_OPENINGS,
    ),
    NavItem(
        "candidates",
        "候选人",
        "/workbench/candidates",
        "录入、导入和上传简历",
        Permission.MANAGE_INTERVIEWS,
    ),
    NavItem(
        "screening",
        "简历筛选",
        "/workbench/screening",
        "按岗位要求给简历打分排序，一键邀请 AI 面试",
        Permission.MANAGE_INTERVIEWS,
    ),
    NavItem(
        "pipeline",
        "流程看板",
        "/workbench/pipeline",
        "每个岗位的候选人进度",
        Permission.MANAGE_INTERVIEWS,
    ),
    NavItem(
        "review", "待评审", "/workbench/review", "录制回答、转写和评分", Permission.VIEW_ASSESSMENT
    ),
    NavItem(
        "data_requests",
        "个人信息申请",
        "/workbench/data-requests",
        "候选人查阅、更正、删除个人信息的申请",
        Permission.VIEW_CONTACT,
    ),
)


def notice_of(request: Request, chars: int = 80) -> str:
    """The notice a redirect brings back (``?notice=``), shortened at a boundary: it names
    what was done (an opening's title, the requirements not taken), never cut mid-word."""
    return shorten(request.args.get("notice") or "", max_chars=chars)


def settings_of(request: Request) -> Settings:
    return services_of(request).shared.settings


def login_of(request: Request) -> WorkbenchLogin:
    return services_of(request).workbench.login


# -- rendering -------------------------------------------------------------------------------


def _csrf_field(token: str) -> Callable[[], Markup]:
    """Formatted once per page: a list page calls it in every row's forms."""
    markup = Markup('<input type="hidden" name="{}" value="{}">').format(CSRF_FIELD, token)

    def field() -> Markup:
        return markup

    return field


def render(
    request: Request,
    principal: StaffPrincipal | None,
    template: str,
    *,
    status: int = 200,
    active: str = "",
    **context: Any,
) -> HTTPResponse:
    """A page from ``templates/``: ``base.html`` gets the nav, the member and the CSRF helper
    (``{{ csrf_field() }}`` in every POST form; ``<meta name="csrf-token">`` for fetch)."""
    body = templates.get_template(template).render(
        principal=principal,
        nav=[i for i in NAV if principal and (i.permission is None or principal.can(i.permission))],
        active=active,
        csrf_token=principal.csrf if principal else "",
        csrf_field=_csrf_field(principal.csrf if principal else ""),
        demo_data=getattr(request.app.ctx, "demo_data", False),  # the sandbox's seeded demo
        **context,
    )
    return secure(html(body, status=status), personal=principal is not None)


def secure(response: HTTPResponse, *, personal: bool = True) -> HTTPResponse:
    """Workbench headers: only this service's scripts and styles, no framing, no referrer;
    pages with personal data are never cached."""
    h = response.headers
    h["Content-Security-Policy"] = (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "media-src 'self' blob:; connect-src 'self'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
    )
    h["X-Frame-Options"] = "DENY"
    h["Referrer-Policy"] = "no-referrer"
    h["X-Content-Type-Options"] = "nosniff"
    h["Cache-Control"] = "no-store" if personal else "no-cache"
    return response


def message_page(
    request: Request,
    title: str,
    text: str,
    *,
    status: int,
    retry: str = "",
    retry_label: str = "重新登录",
    principal: StaffPrincipal | None = None,
    home: bool = False,
) -> HTTPResponse:
    """``retry``: the button's address (its words ``retry_label``: signing in again unless
    the page says where it leads); ``home``: offer 返回首页 even to a visitor who is not
    signed in."""
    return render(request, principal, "message.html", status=status, title=title, text=text,
                  retry=retry, retry_label=retry_label, home=home)  # fmt: skip


# -- cookies and the login round trip -------------------------------------------------------


def set_cookie(
    request: Request, response: HTTPResponse, name: str, value: str, *, path: str, max_age: int
) -> None:
    response.add_cookie(
        name, value, path=path, max_age=max_age, httponly=True, samesite="Lax",
        secure=web_login.cookie_secure(settings_of(request).workbench.public_url),
    )  # fmt: skip


def clear_cookie(request: Request, response: HTTPResponse, name: str, *, path: str) -> None:
    set_cookie(request, response, name, "", path=path, max_age=0)


async def start_login(request: Request, next_path: str | None, *, via: str) -> HTTPResponse:
    """Send the browser to WeCom (OAuth inside the client, 扫码登录 otherwise) with a fresh
    ``state`` whose binding nonce goes into a short-lived cookie."""
    settings = settings_of(request)
    start = await login_of(request).begin(next_path)
    redirect_uri = settings.workbench.public_url + CALLBACK_PATH
    wecom = settings.wecom
    if via == "oauth":
        url = web_login.authorize_url(settings.workbench.oauth_base, wecom.corp_id,
                                      wecom.agent_id, redirect_uri, start.state)  # fmt: skip
    else:
        url = web_login.web_login_url(settings.workbench.sso_base, wecom.corp_id,
                                      wecom.agent_id, redirect_uri, start.state)  # fmt: skip
    response = secure(redirect(url), personal=False)
    set_cookie(request, response, STATE_COOKIE, start.binding, path="/workbench/auth",
               max_age=web_login.STATE_TTL)  # fmt: skip
    return response


def login_redirect(request: Request) -> HTTPResponse:
    """An anonymous visitor: inside WeCom straight to OAuth is done by the login page; here
    the page they wanted travels as ``next`` (checked again server-side)."""
    wanted = request.path + (f"?{request.query_string}" if request.query_string else "")
    target = web_login.safe_next(wanted)
    return secure(redirect(f"/workbench/login?next={quote(target, safe='')}"), personal=False)


# -- the guard -------------------------------------------------------------------------------

P = ParamSpec("P")
Handler = Callable[Concatenate[Request, StaffPrincipal, P], Awaitable[HTTPResponse]]
Guarded = Callable[Concatenate[Request, P], Awaitable[HTTPResponse]]


def page(permission: Permission | None = None) -> Callable[[Handler[P]], Guarded[P]]:
    """Guard a workbench handler: signed-in staff only, CSRF on unsafe methods, the
    permission (any staff role when None), an audit row per request."""

    def wrap(handler: Handler[P]) -> Guarded[P]:
        async def guarded(request: Request, /, *args: P.args, **kwargs: P.kwargs) -> HTTPResponse:
            token = request.cookies.get(SESSION_COOKIE)
            try:
                principal = await login_of(request).authenticate(token)
            except AccountDeactivated:
                response = message_page(request, "账号已停用",
                                        "您的账号已停用，无法继续使用工作台。如有疑问，请联系 HR。",
                                        status=403)  # fmt: skip
                clear_cookie(request, response, SESSION_COOKIE, path="/workbench")
                return response
            except Unauthenticated:
                if request.method in _UNSAFE:
                    return message_page(request, "请先登录", "登录已失效，请重新登录后再操作。",
                                        status=401, retry="/workbench/login")  # fmt: skip
                return login_redirect(request)
            if request.method in _UNSAFE and not _csrf_ok(request, token or "", principal):
                await record(principal.actor, "workbench_csrf", "page", request.path[:64],
                             allowed=False, detail=request.method)  # fmt: skip
                return message_page(request, "请求已失效",
                                    "页面已过期或请求来源不明，请刷新页面后重试。",
                                    status=403, principal=principal)  # fmt: skip
            if permission is not None and not principal.can(permission):
                await record(principal.actor, "workbench_view", "page", request.path[:64],
                             allowed=False, detail=f"needs {permission.value}")  # fmt: skip
                return message_page(request, "没有权限", "您没有权限查看这个页面。",
                                    status=403, principal=principal)  # fmt: skip
            await record(principal.actor, "workbench_view", "page", request.path[:64],
                         allowed=True, detail=request.method)  # fmt: skip
            if any(_names_no_row(name, value) for name, value in kwargs.items()):
                return message_page(request, "页面不存在", "没有找到这条记录。",
                                    status=404, principal=principal)  # fmt: skip
            try:
                return await handler(request, principal, *args, **kwargs)
            except RecruitingError as exc:
                return error_page(request, exc, principal)

        guarded.__name__ = handler.__name__  # Sanic names routes after their handler
        guarded.__qualname__ = handler.__qualname__
        guarded.__doc__ = handler.__doc__
        return guarded

    return wrap


def _names_no_row(name: str, value: object) -> bool:
    """A path number no row can have: an id below 1, a position below 0, or one past the
    tables' 32-bit keys (the database would refuse it with an overflow). Such an address is
    a page that does not exist, never a 400 that names the parameter."""
    if not isinstance(value, int):
        return False
    lowest = 1 if name.endswith("_id") else 0
    return not lowest <= value <= MAX_ROW_ID


def _csrf_ok(request: Request, token: str, principal: StaffPrincipal) -> bool:
    origin = request.headers.get("origin")
    public = settings_of(request).workbench.public_url
    if origin and origin != "null" and origin.rstrip("/") != public:
        return False
    sent = request.headers.get(CSRF_HEADER)
    if not sent:
        form = request.form if "form" in (request.content_type or "") else None
        sent = form.get(CSRF_FIELD) if form else None
    return web_login.csrf_matches(token, sent)


def error_page(
    request: Request, exc: RecruitingError, principal: StaffPrincipal | None
) -> HTTPResponse:
    """A use case's refusal as a Chinese page (its message when written for people)."""
    status = status_for(exc)
    ref = reference()
    log.log(logging.WARNING if status >= 500 else logging.INFO,
            "workbench %s refused %s %s [%s]: %s", ref, request.path, status, exc.code,
            exc.message)  # fmt: skip
    text = user_message(exc.code, exc.message, status)
    if status >= 500:
        text = f"{text}（编号 {ref}）"
    if isinstance(exc, Forbidden):
        return message_page(request, "没有权限", text, status=status, principal=principal)
    return message_page(request, "无法完成", text, status=status, principal=principal)
