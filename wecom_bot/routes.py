"""HTTP entry points for WeCom: ``/wecom/callback`` (GET handshake, POST events).

Thin on purpose: read the request, call the gateway, map errors to the documented codes
(200 accepted or duplicate, 400 malformed, 403 forged/wrong corp/stale, 413 too large).
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import unquote

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, text

from recruiting.errors import PayloadTooLarge, RecruitingError
from recruiting.web import error_response
from wecom_bot.gateway import CallbackGateway

if TYPE_CHECKING:
    from recruiting.bootstrap import Services

bp = Blueprint("wecom_callback")


def query_args(query_string: str) -> dict[str, str]:
    """Decode the query once, keeping ``+`` as ``+`` (echostr and signatures are base64)."""
    args: dict[str, str] = {}
    for pair in query_string.split("&"):
        name, _, value = pair.partition("=")
        if name and name not in args:
            args[unquote(name)] = unquote(value)
    return args


def _gateway(request: Request) -> CallbackGateway:
    services: Services = request.app.ctx.services
    return services.messaging.gateway


@bp.get("/wecom/callback")
async def verify_url(request: Request) -> HTTPResponse:
    try:
        plain = _gateway(request).verify_url(query_args(request.query_string))
    except RecruitingError as exc:
        return error_response(exc, request)
    return text(plain)


@bp.post("/wecom/callback")
async def receive(request: Request) -> HTTPResponse:
    """Sanic refuses bodies over REQUEST_MAX_SIZE with 413 itself; the explicit check keeps
    the callback limit once upload routes raise the app-wide maximum."""
    services: Services = request.app.ctx.services
    limit = services.shared.settings.server.callback_body_limit
    try:
        if len(request.body) > limit:
            raise PayloadTooLarge(f"callback body over {limit} bytes")
        await _gateway(request).receive(query_args(request.query_string), request.body)
    except RecruitingError as exc:
        return error_response(exc, request)
    return text("")  # empty 200: accepted (or a duplicate), no passive reply
