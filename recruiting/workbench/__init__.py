"""The HR workbench: server-rendered pages at ``/workbench/`` for WeCom's built-in browser
and desktop browsers.

To add an area: write ``pages/<area>.py`` with a ``Blueprint`` named ``bp`` whose handlers
use ``@page(Permission.X)`` and ``render(request, principal, "<area>/x.html", active="<nav
key>")`` (templates extend ``base.html``), then add the module to ``PAGES`` below. A nav
item (``shell.NAV``) whose path no page module serves shows 「即将上线」 until one does.
"""

from __future__ import annotations

import contextlib
from typing import Any

from sanic import Blueprint, Request, Sanic
from sanic.response import HTTPResponse
from sanic_ext.extensions.openapi import openapi

from recruiting.errors import Forbidden, Unauthenticated
from recruiting.services.workbench.login import StaffPrincipal
from recruiting.web import install_page_errors
from recruiting.workbench.login_routes import bp as login_bp
from recruiting.workbench.pages import (
    candidates,
    data_requests,
    home,
    openings,
    pipeline,
    review,
    screening,
)
from recruiting.workbench.shell import (
    HERE,
    NAV,
    SESSION_COOKIE,
    NavItem,
    login_of,
    message_page,
    page,
    render,
)

PAGES: list[Blueprint] = [
    home.bp,
    pipeline.bp,
    review.bp,
    openings.bp,
    candidates.bp,
    screening.bp,
    data_requests.bp,
]


def install_workbench(app: Sanic[Any, Any]) -> None:
    """Login routes, every page module, placeholders for nav items nobody serves yet, and
    the static files (no CDN: deployments are often offline)."""
    app.static("/workbench/static", HERE / "static", name="workbench_static")
    app.blueprint(login_bp)
    served: set[str] = set()
    for bp in PAGES:
        app.blueprint(bp)
        served |= {_norm((bp.url_prefix or "") + r.uri) for r in bp._future_routes}
    upcoming = Blueprint("workbench_upcoming")
    for item in NAV:
        if _norm(item.path) not in served:
            upcoming.add_route(_placeholder(item), item.path, methods=["GET"],
                               name=f"upcoming_{item.key}")  # fmt: skip
    app.blueprint(upcoming)
    for bp in (login_bp, *PAGES, upcoming):  # web pages, not the mini-app's JSON API document
        openapi.exclude(bp=bp)
    install_page_errors(app, "/workbench", _not_found, skip="/workbench/static/")


async def _not_found(request: Request, status: int) -> HTTPResponse:
    """An unknown workbench address (a stale link, a typo) as a Chinese page, with the nav
    when the visitor is signed in (nothing is shown or audited beyond that)."""
    principal: StaffPrincipal | None = None
    with contextlib.suppress(Unauthenticated, Forbidden):  # not signed in, or deactivated
        principal = await login_of(request).authenticate(request.cookies.get(SESSION_COOKIE))
    if status == 405:
        return message_page(request, "无法完成", "不支持这种操作方式，请从页面上的按钮进入。",
                            status=405, principal=principal, home=True)  # fmt: skip
    return message_page(request, "页面不存在", "没有找到这个页面，链接可能已失效或输入有误。",
                        status=404, principal=principal, home=True)  # fmt: skip


def _norm(path: str) -> str:
    return "/" + path.strip("/")


def _placeholder(item: NavItem) -> Any:
    @page(item.permission)
    async def upcoming(request: Request, principal: StaffPrincipal) -> HTTPResponse:
        return render(request, principal, "upcoming.html", active=item.key, item=item)

    return upcoming
