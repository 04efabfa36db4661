"""HTTP glue of the rate limits and body deadlines of the mini-app API.

Every mini-app route belongs to a group (``GROUPS``, by handler name; ``api`` otherwise).
Before the handler, the client IP is counted (blueprint middleware, so the WeCom callback
route never pays for it); once the route knows its caller, ``principal_of`` counts the
session and the account (WeChat openid, or the staff member's userid). The limits
themselves are ``recruiting.infra.rate_limit`` and ``config.yaml`` ``rate_limits``.

Request bodies streamed to a route (upload chunks, device-check clips) must arrive within
``miniapp.body_seconds``: Sanic's own timeouts restart with every byte received, so a chunk
trickled a byte at a time would otherwise hold its upload lock for as long as it likes.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any, cast

from sanic import Blueprint, Request

from recruiting.errors import RequestTimeout
from recruiting.infra.rate_limit import RateLimiter
from recruiting.services.shared.sessions import Principal
from recruiting.web import services_of

GROUPS = {
    "login_candidate": "login",
    "login_staff": "login",
    "redeem": "redeem",
    "device_check": "device_check",
    "start_upload": "upload",
    "upload_status": "upload",
    "put_chunk": "upload",
    "complete_upload": "upload",
}
DEFAULT_GROUP = "api"


def install(*blueprints: Blueprint) -> None:
    """Count the client IP before every route of these blueprints (once per blueprint, however
    many apps are built from them)."""
    for bp in blueprints:
        if not getattr(bp.ctx, "rate_limited", False):
            bp.middleware(_limit_ip, "request")
            bp.ctx.rate_limited = True


def group_of(request: Request) -> str:
    name = request.route.name.rsplit(".", 1)[-1] if request.route else ""
    return GROUPS.get(name, DEFAULT_GROUP)


def client_ip(request: Request) -> str:
    """The peer address; behind a reverse proxy set Sanic's ``SANIC_PROXIES_COUNT`` /
    ``SANIC_REAL_IP_HEADER`` so the forwarded address is used instead."""
    return str(request.remote_addr or request.ip or "")


def _limiter(request: Request) -> RateLimiter:
    return services_of(request).recorded.miniapp.limiter


async def _limit_ip(request: Request) -> None:
    await _limiter(request).hit(group_of(request), "ip", client_ip(request))


async def limit_caller(request: Request, principal: Principal) -> None:
    """Count the session and the account behind it (once per request)."""
    if getattr(request.ctx, "caller_counted", False):
        return
    request.ctx.caller_counted = True
    group, limiter = group_of(request), _limiter(request)
    await limiter.hit(group, "session", str(principal.session_id))
    account = principal.openid or (f"staff:{principal.userid}" if principal.userid else "")
    await limiter.hit(group, "openid", account)


def read_body(request: Request, seconds: float) -> AsyncIterator[bytes]:
    """The streamed body in pieces, all of it within ``seconds`` of this call or
    RequestTimeout (408); the connection is then closed rather than drained at the sender's
    pace."""
    return _pieces(cast(Any, request.stream), asyncio.get_running_loop().time() + seconds, seconds)


async def _pieces(stream: Any, deadline: float, seconds: float) -> AsyncIterator[bytes]:
    if stream is None:
        return
    while True:
        try:
            async with asyncio.timeout_at(deadline):
                piece = await stream.read()
        except TimeoutError:
            stream.keep_alive = False  # answer, then close: never drain a trickle
            stream.request_body = None
            raise RequestTimeout(
                f"数据发送太慢：这一段没有在 {seconds:.0f} 秒内传完，请检查网络后重试"
                "（网络慢时可以分成更小的段上传）。"
            ) from None
        if piece is None:
            return
        if piece:
            yield bytes(piece)
