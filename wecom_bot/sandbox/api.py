"""The ``/cgi-bin`` blueprint: WeCom's server API as the service's client sees it.

Every answer is HTTP 200 with ``errcode``/``errmsg`` like WeCom (only ``media/get`` returns
bytes on success). Each call first meets injected faults, then the access_token check, then the
API group's store in ``SandboxState``; one table maps paths to stores so the rules live there.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import partial
from typing import Any
from urllib.parse import quote

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, raw
from sanic.response import json as json_response

from wecom_bot.sandbox import codes
from wecom_bot.sandbox.faults import normalise_path
from wecom_bot.sandbox.media import Media, MediaStore
from wecom_bot.sandbox.state import SandboxState

Query = dict[str, str]
Body = dict[str, Any]
_dumps = partial(json.dumps, ensure_ascii=False)


def answer(payload: dict[str, Any], status: int = 200) -> HTTPResponse:
    return json_response(payload, status=status, dumps=_dumps)


def error_answer(exc: codes.ApiError) -> HTTPResponse:
    return answer({"errcode": exc.errcode, "errmsg": exc.errmsg})


def _update_card(state: SandboxState, body: Body) -> dict[str, Any]:
    state.messages.check_agent(body)
    return state.cards.update(body)


_GET: dict[str, Callable[[SandboxState, Query], dict[str, Any]]] = {
    "gettoken": lambda s, q: s.tokens.issue(q.get("corpid", ""), q.get("corpsecret", "")),
    "user/get": lambda s, q: s.directory.user_get(q.get("userid", "")),
    "miniprogram/jscode2session": lambda s, q: s.login_codes.redeem(
        q.get("js_code", ""), q.get("grant_type", "")
    ),
    "externalcontact/get": lambda s, q: s.customers.get(q.get("external_userid", "")),
    "auth/getuserinfo": lambda s, q: s.web_codes.redeem(q.get("code", "")),
}
_POST: dict[str, Callable[[SandboxState, Body], dict[str, Any]]] = {
    "message/send": lambda s, b: s.messages.send(b),
    "message/update_template_card": _update_card,
    "message/recall": lambda s, b: s.messages.recall(b),
    "oa/applyevent": lambda s, b: s.approvals.apply(b),
    "oa/getapprovaldetail": lambda s, b: s.approvals.detail(b),
    "oa/getapprovalinfo": lambda s, b: s.approvals.numbers(b),
    "oa/gettemplatedetail": lambda s, b: s.approvals.template_detail(b),
    "oa/schedule/add": lambda s, b: s.schedules.add(b),
    "oa/schedule/update": lambda s, b: s.schedules.update(b),
    "oa/schedule/get": lambda s, b: s.schedules.get(b),
    "oa/schedule/del": lambda s, b: s.schedules.delete(b),
    "oa/schedule/get_by_calendar": lambda s, b: s.schedules.by_calendar(b),
    "oa/calendar/add": lambda s, b: s.schedules.add_calendar(b),
    "meeting/create": lambda s, b: s.schedules.create_meeting(b),
    "meeting/get_user_meetingid": lambda s, b: s.schedules.user_meeting_ids(b),
    "meeting/get_info": lambda s, b: s.schedules.meeting_info(b),
    "externalcontact/add_contact_way": lambda s, b: s.customers.add_contact_way(b),
    "externalcontact/add_msg_template": lambda s, b: s.customers.add_msg_template(b),
    "kf/sync_msg": lambda s, b: s.kf.sync(b),
    "kf/send_msg": lambda s, b: s.kf.send(b),
}
_NO_TOKEN = frozenset({"gettoken"})
KNOWN_PATHS = frozenset(_GET) | frozenset(_POST) | {"media/get", "media/upload"}


def create_api_blueprint() -> Blueprint:
    """A new blueprint per app (Sanic binds a blueprint to the apps it is registered on)."""
    bp = Blueprint("wecom_api")
    bp.add_route(_dispatch, "/cgi-bin/<path:path>", methods=["GET", "POST"])
    return bp


async def _dispatch(request: Request, path: str) -> HTTPResponse:
    path = normalise_path(path)
    state: SandboxState = request.app.ctx.state
    if path not in KNOWN_PATHS:
        missing = {"errcode": codes.NOT_FOUND, "errmsg": f"api not found: /cgi-bin/{path}"}
        return answer(missing, 404)
    try:
        _gate(state, request, path)
        if path == "media/get":
            return _media_response(request, state.media.get(_query(request).get("media_id", "")))
        if path == "media/upload":
            return answer({"errcode": 0, "errmsg": "ok", **_upload(state, request)})
        result = _call(state, request, path)
    except codes.ApiError as exc:
        return error_answer(exc)
    return answer({"errcode": 0, "errmsg": "ok", **result})


def _gate(state: SandboxState, request: Request, path: str) -> None:
    """Injected faults first (even gettoken can be busy), then the access_token."""
    fault = state.faults.take(path)
    if fault is not None:
        raise fault
    if path not in _NO_TOKEN:
        state.tokens.check(_query(request).get("access_token", ""))


def _call(state: SandboxState, request: Request, path: str) -> dict[str, Any]:
    if request.method == "GET" and path in _GET:
        return _GET[path](state, _query(request))
    if request.method == "POST" and path in _POST:
        return _POST[path](state, _body(request))
    raise codes.param_error(f"/cgi-bin/{path} does not take {request.method}")


def _query(request: Request) -> Query:
    return {key: values[0] for key, values in request.args.items() if values}


def _body(request: Request) -> Body:
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError) as exc:
        raise codes.ApiError(codes.BAD_JSON, "Warning: wrong json format.") from exc
    if not isinstance(body, dict):
        raise codes.ApiError(codes.BAD_JSON, "Warning: wrong json format.")
    return body


def _upload(state: SandboxState, request: Request) -> dict[str, Any]:
    kind = _query(request).get("type", "")
    upload = request.files.get("media") if request.files else None
    if upload is None:
        raise codes.ApiError(codes.EMPTY_MEDIA, "media data missing: multipart field 'media'")
    media = state.media.upload(kind, upload.name or "", upload.type or "", upload.body)
    return MediaStore.upload_answer(media)


def _media_response(request: Request, media: Media) -> HTTPResponse:
    """The bytes, with WeCom's headers; a ``Range: bytes=a-b`` request gets a 206 slice."""
    headers = {
        "Content-Disposition": _disposition(media.filename),
        "Accept-Ranges": "bytes",
    }
    span = _byte_range(request.headers.get("range", ""), len(media.data))
    if span is None:
        return raw(media.data, headers=headers, content_type=media.content_type)
    start, end = span
    headers["Content-Range"] = f"bytes {start}-{end}/{len(media.data)}"
    return raw(media.data[start : end + 1], 206, headers, media.content_type)


def _disposition(filename: str) -> str:
    """Plain ``filename="…"`` like WeCom; RFC 5987 ``filename*`` when the name is not ASCII."""
    if filename.isascii() and filename.isprintable() and not set(filename) & set('"\\;'):
        return f'attachment; filename="{filename}"'
    return f"attachment; filename*=UTF-8''{quote(filename)}"


def _byte_range(header: str, size: int) -> tuple[int, int] | None:
    unit, _, spec = header.partition("=")
    if unit.strip() != "bytes" or "," in spec or "-" not in spec or size == 0:
        return None
    first, _, last = spec.strip().partition("-")
    if not first:  # "bytes=-500": the last 500 bytes
        return (max(size - int(last), 0), size - 1) if last.isdigit() else None
    if not first.isdigit() or (last and not last.isdigit()):
        return None
    start, end = int(first), min(int(last) if last else size - 1, size - 1)
    return (start, end) if start <= end else None
