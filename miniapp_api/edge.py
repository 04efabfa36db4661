"""What every mini-app route shares at the edge: the OpenAPI facts and checks of
``documented`` (authenticate first, the caller's side, path parameters), the caller, the
streamed body and time parameters."""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from typing import Any, TypeVar, cast

from sanic import Request
from sanic_ext.extensions.openapi import openapi

from miniapp_api import limits
from miniapp_api import schemas as s
from miniapp_api.context import miniapp
from recruiting import validation
from recruiting.errors import AccessDenied, InvalidInput
from recruiting.models import SubjectKind
from recruiting.services.shared.audit import record
from recruiting.services.shared.sessions import Principal
from recruiting.web import services_of

H = TypeVar("H", bound=Callable[..., Any])

ERRORS = {
    400: {"application/json": s.Error},
    401: {"application/json": s.Error},
    403: {"application/json": s.Error},
    404: {"application/json": s.Error},
    409: {"application/json": s.Error},
    413: {"application/json": s.Error},
    408: {"application/json": s.Error},
    429: {"application/json": s.Error},
    503: {"application/json": s.Error},
}


def documented(
    summary: str,
    tag: str,
    response: Any,
    *,
    body: Any = None,
    auth: bool = True,
    binary: bool = False,
    query: tuple[str, ...] = (),
    header: tuple[str, ...] = (),
    anyone: bool = False,
) -> Callable[[H], H]:
    """One decorator for the OpenAPI facts every route states, and for the edge checks every
    route gets: a secured route authenticates first; routes tagged ``staff``/``scheduling``
    are for employees, the others for candidates (and invited visitors), unless ``anyone``."""
    audience = None if anyone or not auth else STAFF if tag in STAFF_TAGS else CANDIDATES

    def wrap(handler: H) -> H:
        handler = _guarded(handler, auth, audience)
        handler = openapi.summary(summary)(handler)
        handler = openapi.tag(tag)(handler)
        handler = openapi.response(200, {"application/json": response}, "OK")(handler)
        for status, content in ERRORS.items():
            handler = openapi.response(status, content, "error")(handler)
        if body is not None:
            handler = openapi.body({"application/json": body}, required=True)(handler)
        if binary:
            binary_body: dict[str, Any] = {
                "application/octet-stream": {"type": "string", "format": "binary"}
            }
            handler = openapi.body(binary_body, required=True)(handler)
        for name in query:
            handler = openapi.parameter(name, int, "query", required=True)(handler)
        for name in header:
            handler = openapi.parameter(name, str, "header", required=True)(handler)
        if auth:
            handler = openapi.secured("bearer")(handler)
        return handler

    return wrap


STAFF_TAGS = frozenset({"staff", "scheduling"})
STAFF = frozenset({SubjectKind.STAFF})
CANDIDATES = frozenset({SubjectKind.CANDIDATE, SubjectKind.VISITOR})


def _guarded(handler: H, auth: bool, audience: frozenset[SubjectKind] | None) -> H:
    """Authenticate before anything else (so no lookup, parse or 404 can answer a caller
    without a valid session), refuse the other side's sessions, then check the path
    parameters at the edge."""

    @functools.wraps(handler)
    async def guarded(request: Request, **params: Any) -> Any:
        if auth:
            principal = request.ctx.principal = await _authenticate(request)
            if audience is not None and principal.kind not in audience:
                route = request.route.name if request.route else request.path
                await record(principal.actor, "open_route", "route", route, allowed=False)
                raise AccessDenied(
                    "这项功能只对员工开放。" if audience is STAFF else "这项功能只对候选人开放。"
                )
        if not request.path.isascii():  # Sanic's int matches Unicode digits such as ٣
            raise InvalidInput("地址中的编号无效。", code="invalid_id")
        return await handler(request, **{k: _path_value(k, v) for k, v in params.items()})

    return cast(H, guarded)


def _path_value(name: str, value: Any) -> Any:
    if isinstance(value, int):
        return validation.record_id(name, value) if name.endswith("_id") else (
            validation.ordinal(name, value))  # fmt: skip
    return validation.key(name, value)


async def principal_of(request: Request) -> Principal:
    """The caller, authenticated once per request (first thing in every secured route)."""
    known: Principal | None = getattr(request.ctx, "principal", None)
    return known if known is not None else await _authenticate(request)


async def _authenticate(request: Request) -> Principal:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    principal = await miniapp(request).sessions.authenticate(
        token.strip() if scheme.lower() == "bearer" else None
    )
    await limits.limit_caller(request, principal)  # per session and account: 429
    return principal


def body_of(request: Request) -> AsyncIterator[bytes]:
    return limits.read_body(request, services_of(request).shared.settings.miniapp.body_seconds)


def parse_time(value: str | None, name: str = "time") -> datetime | None:
    return None if value is None else validation.moment(name, value)
