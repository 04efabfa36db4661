"""HTTP helpers shared by the entry points: error → status code, JSON error bodies, the
security headers of every response, and the ``install_*`` setup functions that put them (and
the OpenAPI document and the health route) on the app.

Status codes live here and in the route modules (the texts people read in
``recruiting.domain.error_text``); use cases raise typed errors. Every error body is
``{"error": code, "message": text}``: the code is stable for programs, the message is
Chinese for the person using the mini-app. A use case's message is shown when it is written
for people (Chinese); a developer's English reason, an exception's text, a file name or an
FFmpeg error number is never sent, only logged with a reference that is also returned in
``X-Request-ID`` so an operator can find it.
"""

from __future__ import annotations

import logging
import math
import secrets
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sanic import Request, Sanic
from sanic.exceptions import SanicException
from sanic.response import BaseHTTPResponse, HTTPResponse, ResponseStream, json
from sanic.response.types import JSONResponse
from sanic_ext import Extend
from sanic_ext.extensions.openapi.extension import OpenAPIExtension

from recruiting.domain.byte_range import RangeNotSatisfiable
from recruiting.domain.error_text import KIND_TEXT, SERVER_TEXT, code_text
from recruiting.errors import RecruitingError, Unauthenticated

if TYPE_CHECKING:
    from recruiting.bootstrap import Services
    from recruiting.services.recorded.results import MediaStream

log = logging.getLogger(__name__)

# The status of each kind of refusal, by the kind's code. The kinds and their order (most
# specific first) are ``error_text.KIND_TEXT``'s: one list, so a kind added there without a
# status here fails at import instead of answering 500.
_STATUS_OF: dict[str, int] = {
    "payload_too_large": 413,
    "range_not_satisfiable": 416,
    "invalid_input": 400,
    "unauthenticated": 401,
    "forbidden": 403,
    "not_found": 404,
    "conflict": 409,
    "request_timeout": 408,
    "rate_limited": 429,
    "external_service": 503,
}
_STATUS: list[tuple[type[RecruitingError], int]] = [
    (kind, _STATUS_OF[kind.code]) for kind, _ in KIND_TEXT
]

# What a person reads for a refusal without a use case's own words (Sanic's, by status):
# the texts of the error kinds mapped to their statuses, and the two statuses no kind has.
STATUS_TEXT: dict[int, str] = {_STATUS_OF[kind.code]: text for kind, text in KIND_TEXT} | {
    405: "不支持这种请求方式。",
    500: SERVER_TEXT,
}


def status_for(exc: RecruitingError) -> int:
    for kind, status in _STATUS:
        if isinstance(exc, kind):
            return status
    return 500


def user_message(code: str, message: str, status: int) -> str:
    """The Chinese text for people (``domain.error_text``): the use case's own when written
    for people, else the text of its code, else of its status."""
    fallback = STATUS_TEXT[500 if status >= 500 else 400]
    return code_text(code, message) or STATUS_TEXT.get(status) or fallback


def services_of(request: Request) -> Services:
    """What the routes and pages call: each capability's wiring (``recruiting.bootstrap``),
    for the mini-app API and the workbench alike."""
    services: Services = request.app.ctx.services
    return services


def reference() -> str:
    """A short id tying an error answer to its log line."""
    return secrets.token_hex(6)


def error_response(exc: RecruitingError, request: Request | None = None) -> HTTPResponse:
    status = status_for(exc)
    ref = reference()
    where = f"{request.method} {request.path}" if request is not None else "-"
    level = logging.WARNING if status >= 500 else logging.INFO
    log.log(level, "request %s refused [%s] %s %s: %s", ref, where, status, exc.code, exc.message)
    headers = {"X-Request-ID": ref}
    retry_after = getattr(exc, "retry_after", None)  # RetryLater, TooManyRequests
    if retry_after:
        headers["Retry-After"] = str(max(1, math.ceil(retry_after)))
    if isinstance(exc, Unauthenticated):
        headers["WWW-Authenticate"] = 'Bearer realm="miniapp"'
    if isinstance(exc, RangeNotSatisfiable):
        headers["Content-Range"] = f"bytes */{exc.size}"
    message = user_message(exc.code, exc.message, status)
    body = {"error": exc.code, "message": message} | getattr(exc, "extra", {})
    return json(body, status=status, headers=headers)


def http_error_body(status: int, detail: str, request: Request | None) -> JSONResponse:
    """Sanic's own refusals (unknown route, wrong method, bad body, too large) in our shape."""
    code = {404: "not_found", 405: "method_not_allowed", 408: "request_timeout",
            413: "payload_too_large", 416: "range_not_satisfiable"}.get(
        status, "bad_request" if status < 500 else "server_error"
    )  # fmt: skip
    ref = reference()
    where = f"{request.method} {request.path}" if request is not None else "-"
    log.info("request %s refused [%s] %s %s: %s", ref, where, status, code, detail)
    message = STATUS_TEXT.get(status) or STATUS_TEXT[500 if status >= 500 else 400]
    return json({"error": code, "message": message}, status=status, headers={"X-Request-ID": ref})


def unexpected_error(exc: BaseException, request: Request | None) -> JSONResponse:
    """A bug or an outage nobody translated: the person gets a reference, the log gets the
    traceback."""
    ref = reference()
    where = f"{request.method} {request.path}" if request is not None else "-"
    log.error("request %s failed [%s]: %s: %s", ref, where, type(exc).__name__, exc, exc_info=exc)
    message = f"服务出了点问题，请稍后再试（编号 {ref}）。"
    return json({"error": "internal", "message": message}, status=500,
                headers={"X-Request-ID": ref})  # fmt: skip


# -- security headers ------------------------------------------------------------------------

_BASE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'; base-uri 'none'",
}
HSTS = "max-age=31536000; includeSubDomains"
DOCS_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; worker-src 'self' blob:; frame-ancestors 'none'; base-uri 'none'"
)


def add_security_headers(request: Request, response: BaseHTTPResponse, *, hsts: bool) -> None:
    """Every answer: no sniffing, no framing, no scripts; no caching of what carries personal
    data; HSTS when the service is reached over HTTPS or serves beyond loopback. The API
    document's viewer (``/docs``, ReDoc served by this service) may run this service's own
    script, its inline styles and the workers it starts, and nothing from elsewhere."""
    headers = response.headers
    for name, value in _BASE_HEADERS.items():
        if name not in headers:
            headers[name] = value
    if request.path.startswith("/docs") and not request.path.endswith(".json"):
        headers["Content-Security-Policy"] = DOCS_CSP
    if "Cache-Control" not in headers and request.path.startswith(("/miniapp/", "/wecom/")):
        headers["Cache-Control"] = "no-store"
    if hsts or request.scheme == "https":
        headers["Strict-Transport-Security"] = HSTS


# -- recordings ------------------------------------------------------------------------------

MEDIA_SUFFIX = {"video/mp4": "mp4", "video/quicktime": "mov", "video/webm": "webm",
                "audio/mp4": "m4a", "audio/m4a": "m4a", "audio/aac": "aac", "audio/mpeg": "mp3",
                "audio/webm": "weba"}  # fmt: skip


def media_response(media: MediaStream, filename: str, *, inline: bool = False) -> ResponseStream:
    """A recording (or the range asked for: 206 with ``Content-Range``) streamed as its
    checked type. Never cached, never sniffed; ``inline`` for a page's ``<video>`` player,
    else a download. A recording may also parse as HTML or a zip (a polyglot): the type and
    ``nosniff`` keep a browser from rendering it as anything else."""
    part = media.range

    async def send(response: Any) -> None:
        async for block in media.chunks:
            await response.write(block)

    suffix = MEDIA_SUFFIX.get(media.media_type, "bin")
    headers = {
        "Content-Length": str(part.length),
        "Accept-Ranges": "bytes",
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
        "Content-Disposition": f"{'inline' if inline else 'attachment'}; "
        f'filename="{filename}.{suffix}"',
    }
    if part.partial:
        headers["Content-Range"] = part.content_range
    return ResponseStream(
        send,
        status=206 if part.partial else 200,
        content_type=media.media_type or "application/octet-stream",
        headers=headers,
    )


# -- app setup -------------------------------------------------------------------------------

WebApp = Sanic[Any, Any]
STATIC_DIR = Path(__file__).resolve().parent / "static"
API_DESCRIPTION = (
    "The mini-app API for candidates (recorded interviews) and employees, and the WeCom "
    "callback. Errors are JSON {error, message} with a stable error code."
)


PageError = Callable[[Request, int], Awaitable[HTTPResponse]]


def install_page_errors(app: WebApp, prefix: str, answer: PageError, *, skip: str = "") -> None:
    """Sanic's unknown path or wrong method under ``prefix`` (web pages, not the JSON API)
    answered by ``answer``: a person in a browser reads a page, not ``{"error": …}``. Paths
    under ``skip`` (static files) keep the plain answer."""
    pages: list[tuple[str, str, PageError]] = getattr(app.ctx, "page_errors", [])
    app.ctx.page_errors = [*pages, (prefix, skip, answer)]


def install_error_handlers(app: WebApp) -> None:
    """Every refusal and failure as ``{"error": code, "message": text}``."""
    app.error_handler.add(RecruitingError, _recruiting_error)
    app.error_handler.add(SanicException, _http_error)
    app.error_handler.add(Exception, _unexpected_error)


def install_security_headers(app: WebApp, *, hsts: bool) -> None:
    async def _headers(request: Request, response: BaseHTTPResponse) -> None:
        add_security_headers(request, response, hsts=hsts)

    app.register_middleware(_headers, "response")


def install_health(app: WebApp, status: Callable[[Request], Mapping[str, object]]) -> None:
    """``GET /healthz``: ``status`` reads what was found at start, never the disk per probe."""

    async def _health(request: Request) -> HTTPResponse:
        return json(dict(status(request)))

    app.add_route(_health, "/healthz", methods=["GET"], name="_health")


def install_openapi(app: WebApp) -> None:
    """The OpenAPI document at /docs/openapi.json (only sanic-ext's OpenAPI extension: the
    others would add per-request work to the callback path)."""
    app.config.update(
        {
            "OAS_AUTODOC": True,
            # ReDoc from this service, not a CDN: on-premise deployments are often offline.
            "OAS_PATH_TO_REDOC_HTML": str(STATIC_DIR / "redoc.html"),
            "OAS_UI_REDOC_CDN_URL": "/docs/redoc.standalone.js",
            "OAS_UI_REDOC_HTML_TITLE": "招聘服务 API 文档",
            "OAS_UI_SWAGGER": False,
        }
    )
    Extend(app, extensions=[OpenAPIExtension], built_in_extensions=False)
    app.static(
        "/docs/redoc.standalone.js",
        STATIC_DIR / "vendor" / "redoc" / "redoc.standalone.js",
        name="redoc_script",
        content_type="application/javascript; charset=utf-8",
    )
    oas = app.ext.openapi
    oas.describe("Recruiting service API", version="1", description=API_DESCRIPTION)
    oas.add_security_scheme("bearer", "http", scheme="bearer",
                            description="the token from /miniapp/v1/login/*")  # fmt: skip


async def _recruiting_error(request: Request, exc: Exception) -> HTTPResponse:
    assert isinstance(exc, RecruitingError)
    return error_response(exc, request)


async def _http_error(request: Request, exc: Exception) -> HTTPResponse:
    """Sanic's own refusals (unknown route, wrong method, body too large, bad request) in
    the same shape as ours: ``{"error": code, "message": text}``."""
    assert isinstance(exc, SanicException)
    if exc.status_code >= 500:
        return unexpected_error(exc, request)
    if exc.status_code in (404, 405):
        pages: list[tuple[str, str, PageError]] = getattr(request.app.ctx, "page_errors", [])
        for prefix, skip, answer in pages:
            under = request.path == prefix or request.path.startswith(prefix + "/")
            if under and not (skip and request.path.startswith(skip)):
                log.info("page %s %s: %s", request.path, exc.status_code, exc)
                return await answer(request, exc.status_code)
    response = http_error_body(exc.status_code, str(exc), request)
    response.headers.update(dict(getattr(exc, "headers", None) or {}))
    return response


async def _unexpected_error(request: Request, exc: Exception) -> HTTPResponse:
    return unexpected_error(exc, request)
