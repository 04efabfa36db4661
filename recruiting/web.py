"""HTTP helpers shared by the entry points: error → status code, JSON error bodies, the
security headers of every response, and the ``install_*`` setup functions that put them (and
the OpenAPI document and the health route) on the app.

Status codes live only here and in the route modules; use cases raise typed errors. Every
error body is ``{"error": code, "message": text}``: the code is stable for programs, the
message is Chinese for the person using the mini-app. A use case's message is shown when it
is written for people (Chinese); a developer's English reason, an exception's text, a file
name or an FFmpeg error number is never sent, only logged with a reference that is also
returned in ``X-Request-ID`` so an operator can find it.
"""

from __future__ import annotations

import logging
import math
import re
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
from recruiting.errors import (
    Conflict,
    ExternalServiceError,
    Forbidden,
    InvalidInput,
    NotFound,
    PayloadTooLarge,
    RecruitingError,
    RequestTimeout,
    TooManyRequests,
    Unauthenticated,
)

if TYPE_CHECKING:
    from recruiting.services.recorded.results import MediaStream

log = logging.getLogger(__name__)

_STATUS: list[tuple[type[RecruitingError], int]] = [
    (PayloadTooLarge, 413),
    (RangeNotSatisfiable, 416),
    (InvalidInput, 400),
    (Unauthenticated, 401),
    (Forbidden, 403),
    (NotFound, 404),
    (Conflict, 409),
    (RequestTimeout, 408),
    (TooManyRequests, 429),
    (ExternalServiceError, 503),
]

# What a person reads when the use case's own message is a developer's reason.
USER_TEXT: dict[str, str] = {
    "missing_token": "请先登录。",
    "invalid_session": "登录已失效，请重新登录。",
    "session_expired": "登录已过期，请重新登录。",
    "invalid_login_code": "登录码无效或已使用，请重新进入小程序。",
    "unknown_member": "您还不是本服务登记的员工，请联系 HR。",
    "access_denied": "您没有权限进行此操作。",
    "not_your_interview": "您无权查看这场面试。",
    "consent_required": "需要您先同意相关授权。",
    "invitation_invalid": "邀请无效或已过期，请联系 HR 重新发送。",
    "interview_closed": "这场面试已经结束。",
    "deadline_passed": "已超过截止时间。",
    "answer_window_closed": "这道题的作答时间已过。",
    "retake_limit": "这道题已没有重录机会。",
    "question_out_of_order": "请按顺序作答当前题目。",
    "stale_consent_version": "授权内容已更新，请重新阅读后确认。",
    "checksum_mismatch": "文件校验失败，请重新上传。",
    "offset_mismatch": "上传进度不一致，请从服务器记录的位置继续上传。",
    "chunk_out_of_range": "上传的分片超出了文件大小。",
    "upload_closed": "这次上传已经结束，请重新开始上传。",
    "upload_busy": "上传正在处理中，请稍后再试。",
    "upload_in_progress": "上传正在进行，请稍后再试。",
    "upload_incomplete": "文件还没有传完，请继续上传。",
    "upload_rejected": "文件无法使用，请确认是完整的录像后重新录制。",
    "answer_too_long": "录像超过了这道题允许的时长，请重新录制。",
    "media_rejected": "文件无法识别为音视频，请重新录制。",
    "media_too_long": "文件太大或太长，请重新录制。",
    "media_missing": "没有找到这段录像。",
    "payload_too_large": "内容太大，请缩小后重试。",
    "survey_not_open": "面试完成后才能填写问卷。",
    "survey_closed": "问卷已过修改期限。",
    "survey_busy": "问卷正在提交，请稍后再试。",
    "slot_taken": "这个时间刚被占用，请选择其他时间。",
    "empty_summary": "请填写总结内容。",
    "invalid_choice": "这个选项已失效，请刷新后重试。",
    "invalid_transition": "当前状态不允许此操作，请刷新后重试。",
    "undecryptable": "数据无法读取，请联系 HR。",
    "retry_later": "服务繁忙，请稍后再试。",
    "invalid_id": "编号无效。",
    "time_out_of_range": "时间超出了允许的范围。",
    "invalid_text": "内容含有无法识别的字符。",
    "too_long": "内容太长了。",
}
STATUS_TEXT: dict[int, str] = {
    400: "请求内容有误，请检查后重试。",
    401: "请先登录。",
    403: "您没有权限进行此操作。",
    404: "没有找到要访问的内容。",
    405: "不支持这种请求方式。",
    408: "请求超时，请重试。",
    409: "当前状态不允许此操作，请刷新后重试。",
    413: "内容太大，请缩小后重试。",
    416: "请求的范围无效。",
    429: "操作太频繁，请稍后再试。",
    500: "服务出了点问题，请稍后再试。",
    503: "服务暂时不可用，请稍后再试。",
}
_HAN = re.compile(r"[\u4e00-\u9fff]")
_ENGLISH = re.compile(r"[A-Za-z]{2,} [A-Za-z]{2,} [A-Za-z]{2,}")  # a developer's sentence
# Signs that a message carries internals (paths, scratch names, error numbers, code).
# A file path is a slash before a name (/tmp/…) or two slashes between names (var/models/…);
# a media type (video/mp4) or a date (2026/05/01) is not.
_INTERNALS = re.compile(
    r"(?<![\w/:])/[A-Za-z_.~-]|[A-Za-z_.-][\w.-]*/[\w.-]+/|\\|\.media\b|errno|Traceback"
    r"|\.py\b|upload-|device-check-",
    re.I,
)


def status_for(exc: RecruitingError) -> int:
    for kind, status in _STATUS:
        if isinstance(exc, kind):
            return status
    return 500


def user_message(code: str, message: str, status: int) -> str:
    """The Chinese text for people: the use case's own when written for them (Chinese, no
    English sentence around what a user typed, no internals), else the text of its code or
    status."""
    written_for_people = _HAN.search(message) and not _ENGLISH.search(message)
    if written_for_people and not _INTERNALS.search(message):
        return message
    fallback = STATUS_TEXT[500 if status >= 500 else 400]
    return USER_TEXT.get(code) or STATUS_TEXT.get(status) or fallback


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
