"""The web console: play the corp's members (and candidates) talking to the bot.

``/`` serves one static page; the JSON endpoints under ``/sandbox`` read the state and turn a
member's action into the callback WeCom would send, delivered through ``CallbackPusher``.
Errors answer 400 with ``{"error": …}``: these endpoints are the sandbox's own, not WeCom's.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import json
from collections.abc import Callable, Coroutine
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, html, raw

from recruiting.errors import RecruitingError
from wecom_bot.sandbox import codes
from wecom_bot.sandbox.api import answer
from wecom_bot.sandbox.cards import SelectedItem
from wecom_bot.sandbox.kf import DEFAULT_ACCOUNTS
from wecom_bot.sandbox.media import AMR_MAGIC
from wecom_bot.sandbox.pusher import CallbackPusher, Selected
from wecom_bot.sandbox.state import SandboxState
from wecom_bot.sandbox.world import DemoWorld

PAGE = Path(__file__).with_name("console.html")
# One second of AMR-NB 12.2 kbit/s frames (header 0x3C + 31 bytes): valid, silent enough.
SILENT_AMR = AMR_MAGIC + (b"\x3c" + bytes(31)) * 50


@cache
def _page() -> str:
    return PAGE.read_text(encoding="utf-8")


def create_console_blueprint() -> Blueprint:
    bp = Blueprint("wecom_console")
    bp.add_route(_index, "/", methods=["GET"])
    for path, handler, method in _ROUTES:
        bp.add_route(handler, f"/sandbox/{path}", methods=[method])
    return bp


# -- helpers -------------------------------------------------------------------------------


def _state(request: Request) -> SandboxState:
    state: SandboxState = request.app.ctx.state
    return state


def _pusher(request: Request) -> CallbackPusher:
    pusher: CallbackPusher = request.app.ctx.pusher
    return pusher


def _payload(request: Request) -> dict[str, Any]:
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError) as exc:
        raise codes.param_error("body must be JSON") from exc
    if not isinstance(body, dict):
        raise codes.param_error("body must be a JSON object")
    return body


def _text(body: dict[str, Any], key: str) -> str:
    value = body.get(key)
    if not isinstance(value, str | int) or str(value) == "":
        raise codes.param_error(f"{key} is required")
    return str(value)


def _member(request: Request, body: dict[str, Any]) -> str:
    userid = _text(body, "userid")
    _state(request).directory.get(userid)
    return userid


def _bad_request(exc: codes.ApiError) -> HTTPResponse:
    return answer({"error": exc.errmsg, "errcode": exc.errcode}, 400)


async def _deliver(
    request: Request, userid: str, kind: str, detail: dict[str, Any], plaintext: bytes
) -> HTTPResponse:
    """Log the action, deliver its callback, log a passive reply as the app's answer."""
    state = _state(request)
    action = state.record_action(userid, kind, detail)
    delivery = await _pusher(request).deliver(plaintext, repeats=state.callback_repeats)
    action.status, action.attempts = delivery.status, delivery.attempts
    if delivery.reply is not None:
        state.record_action(userid, "reply", delivery.reply).status = 200
    return answer(
        {"status": delivery.status, "attempts": delivery.attempts, "reply": delivery.reply}
    )


# -- reading -------------------------------------------------------------------------------


async def _index(request: Request) -> HTTPResponse:
    return html(_page())


async def _members(request: Request) -> HTTPResponse:
    state = _state(request)
    customers = dict(state.kf.customers)
    customers.update({c.external_userid: c.name for c in state.customers.contacts.values()})
    return answer(
        {
            "corp_id": state.corp_id,
            "agent_id": state.agent_id,
            "callback_url": _pusher(request).callback_url,
            "members": [m.to_json() for m in state.directory.all()],
            "customers": [{"external_userid": k, "name": v} for k, v in customers.items()],
            "kf_accounts": state.kf.accounts,
        }
    )


async def _messages(request: Request) -> HTTPResponse:
    state = _state(request)
    external = request.args.get("external_userid", "")
    if external:
        kf = [m.to_json() for m in state.kf.conversation(external)]
        templates = state.customers.msg_templates
        sends = [t for t in templates if external in t.get("external_userid", [])]
        return answer({"external_userid": external, "kf": kf, "msg_templates": sends})
    userid = request.args.get("userid", "")
    try:
        state.directory.get(userid)
    except codes.ApiError as exc:
        return _bad_request(exc)
    return answer({"userid": userid, "messages": state.timeline(userid)})


async def _schedules(request: Request) -> HTTPResponse:
    """The schedules and meetings the service created, as WeCom holds them."""
    store = _state(request).schedules
    return answer({"schedules": store.schedules, "meetings": store.meetings})


async def _approvals(request: Request) -> HTTPResponse:
    approvals = _state(request).approvals.approvals.values()
    return answer({"approvals": [a.to_json() for a in approvals]})


async def _media(request: Request) -> HTTPResponse:
    """Media for the page (no access_token: the console is the member's own client)."""
    media = _state(request).media.get(request.args.get("media_id", ""))
    return raw(media.data, content_type=media.content_type)


async def _faults(request: Request) -> HTTPResponse:
    state = _state(request)
    return answer({"pending": state.faults.to_json(), "callback_repeats": state.callback_repeats})


# -- acting as a member --------------------------------------------------------------------


async def _say(request: Request) -> HTTPResponse:
    body = _payload(request)
    userid, text = _member(request, body), _text(body, "text")
    plaintext = _pusher(request).text(userid, text)
    return await _deliver(request, userid, "text", {"content": text}, plaintext)


def _upload_for(request: Request, body: dict[str, Any], kind: str) -> str:
    encoded = body.get("data_base64")
    try:
        data = base64.b64decode(encoded, validate=True) if encoded else SILENT_AMR
    except (binascii.Error, ValueError) as exc:
        raise codes.param_error("data_base64 is not base64") from exc
    filename = str(body.get("filename") or f"{kind}.{'amr' if kind == 'voice' else 'jpg'}")
    return _state(request).media.upload(kind, filename, "", data).media_id


async def _voice(request: Request) -> HTTPResponse:
    body = _payload(request)
    userid = _member(request, body)
    media_id = _upload_for(request, body, "voice")
    plaintext = _pusher(request).voice(userid, media_id)
    return await _deliver(request, userid, "voice", {"media_id": media_id}, plaintext)


async def _image(request: Request) -> HTTPResponse:
    body = _payload(request)
    userid = _member(request, body)
    if not body.get("data_base64"):
        raise codes.param_error("data_base64 (a JPG or PNG) is required")
    media_id = _upload_for(request, body, "image")
    plaintext = _pusher(request).image(userid, media_id)
    return await _deliver(request, userid, "image", {"media_id": media_id}, plaintext)


async def _enter(request: Request) -> HTTPResponse:
    userid = _member(request, _payload(request))
    return await _deliver(request, userid, "enter_agent", {}, _pusher(request).enter_agent(userid))


async def _menu(request: Request) -> HTTPResponse:
    body = _payload(request)
    userid, key = _member(request, body), _text(body, "key")
    plaintext = _pusher(request).click(userid, key)
    return await _deliver(request, userid, "click", {"key": key}, plaintext)


def _selection(body: dict[str, Any]) -> list[SelectedItem]:
    items = body.get("selected") or []
    if not isinstance(items, list):
        raise codes.param_error("selected must be a list")
    return [
        SelectedItem(str(i.get("question_key", "")), [str(x) for x in i.get("option_ids") or []])
        for i in items
        if isinstance(i, dict)
    ]


async def _click(request: Request) -> HTTPResponse:
    """Press a card button (or submit a vote/select): a new response_code, then the event."""
    body = _payload(request)
    userid, task_id, key = _member(request, body), _text(body, "task_id"), _text(body, "key")
    selected = _selection(body)
    view = _state(request).cards.click(userid, task_id, key, selected)
    code = view.clicks[-1]["response_code"]
    plaintext = _pusher(request).card_event(
        userid,
        task_id=task_id,
        card_type=str(view.card.get("card_type")),
        key=key,
        response_code=code,
        selected=[Selected(s.question_key, s.option_ids) for s in selected],
    )
    detail = {"task_id": task_id, "key": key, "selected": [vars(s) for s in selected]}
    return await _deliver(request, userid, "card", detail, plaintext)


async def _approval(request: Request) -> HTTPResponse:
    body = _payload(request)
    status = body.get("status")
    if not isinstance(status, int):
        raise codes.param_error("status must be an integer (2, 3, 4 or 6)")
    approval = _state(request).approvals.decide(
        _text(body, "sp_no"), status, str(body.get("speech") or ""), bool(body.get("step"))
    )
    plaintext = _pusher(request).approval_change(approval.callback_info())
    detail = {"sp_no": approval.sp_no, "sp_status": approval.sp_status}
    return await _deliver(request, "sys", "approval", detail, plaintext)


async def _contact(request: Request) -> HTTPResponse:
    """A WeChat user (a candidate) adds a member, through a contact way or directly."""
    body = _payload(request)
    follow, external = _state(request).customers.customer_adds(
        _text(body, "name"), str(body.get("config_id") or ""), str(body.get("userid") or "")
    )
    plaintext = _pusher(request).external_contact_added(follow.userid, external, follow.state)
    detail = {"external_userid": external, "state": follow.state}
    return await _deliver(request, follow.userid, "external_contact", detail, plaintext)


async def _kf(request: Request) -> HTTPResponse:
    """A WeChat user writes to 微信客服; the service gets kf_msg_or_event and must sync."""
    body = _payload(request)
    state = _state(request)
    external = str(body.get("external_userid") or "") or state.kf.customer(_text(body, "name"))
    open_kfid = str(body.get("open_kfid") or next(iter(DEFAULT_ACCOUNTS)))
    text = _text(body, "text")
    token = state.kf.customer_says(open_kfid, external, text, str(body.get("menu_id") or ""))
    plaintext = _pusher(request).kf_event(token, open_kfid)
    detail = {"external_userid": external, "content": text}
    return await _deliver(request, external, "kf", detail, plaintext)


async def _member_change(request: Request) -> HTTPResponse:
    """The admin changes a member in 通讯录; the service gets ``change_contact``.
    ``{"userid", "change_type": "update_user" | "delete_user", "status": 1|2|4|5,
    "new_userid", "department"}`` (all but the first two optional)."""
    body = _payload(request)
    userid, change_type = _member(request, body), _text(body, "change_type")
    if change_type not in ("update_user", "delete_user"):
        raise codes.param_error("change_type must be update_user or delete_user")
    status, department = body.get("status"), body.get("department")
    for name, value in (("status", status), ("department", department)):
        if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
            raise codes.param_error(f"{name} must be an integer")
    new_userid = str(body.get("new_userid") or "")
    if len(new_userid) > 64:
        raise codes.param_error("new_userid is at most 64 characters")
    member = _state(request).directory.change(
        userid, delete=change_type == "delete_user", new_userid=new_userid,
        department=department, status=status,
    )  # fmt: skip
    plaintext = _pusher(request).contact_change(
        change_type, userid, new_userid=new_userid, status=status,
        departments=(department,) if department is not None else (),
    )  # fmt: skip
    detail = {"change_type": change_type, "userid": userid,
              "member": member.to_json() if member else None}  # fmt: skip
    return await _deliver(request, "sys", "change_contact", detail, plaintext)


# -- the demo: candidates, invitation codes and the clock ----------------------------------

NO_WORLD = (
    "演示数据和演示时钟只在服务与沙箱同一进程运行、且只监听本机地址时可用"
    "（python -m recruiting run）"
)


def _world(request: Request) -> DemoWorld | None:
    """The service behind the console, for loopback callers only."""
    world: DemoWorld | None = getattr(request.app.ctx, "world", None)
    try:
        local = ipaddress.ip_address(request.ip).is_loopback
    except ValueError:
        local = False
    return world if local else None


async def _demo(request: Request) -> HTTPResponse:
    world = _world(request)
    if world is None:
        return answer({"available": False, "reason": NO_WORLD, "candidates": [], "clock": None})
    candidates, now = await world.candidates(), await world.clock_view()
    return answer({"available": True, "candidates": candidates, "clock": now})


async def _clock(request: Request) -> HTTPResponse:
    """``{"seconds": 3600}`` or ``{"to": "2030-01-07T10:00:00+08:00"}`` (without an offset:
    in the service's time zone): move the service's clock forward; the sandbox's own clock
    follows it."""
    body, world = _payload(request), _world(request)
    if world is None:
        return _refused(NO_WORLD)
    seconds = body.get("seconds")
    if body.get("to") is not None:
        try:
            target = datetime.fromisoformat(str(body["to"]))
        except ValueError as exc:
            raise codes.param_error("to must be an ISO 8601 time") from exc
        if target.tzinfo is None:  # the console's picker: the service's own time zone
            target = target.replace(tzinfo=request.app.ctx.settings.timezone)
        now = datetime.fromisoformat(str((await world.clock_view())["now"]))
        seconds = (target - now).total_seconds()
    if not isinstance(seconds, int | float) or isinstance(seconds, bool):
        raise codes.param_error("seconds (a number) or to (a time) is required")
    try:
        view = await world.advance(float(seconds))
    except RecruitingError as exc:
        return _refused(exc.message)
    return answer(view)


def _refused(text: str) -> HTTPResponse:
    """The console's own refusals, in the words the console shows (no WeCom error code)."""
    return answer({"error": text}, 400)


# -- the sandbox itself --------------------------------------------------------------------


async def _set_faults(request: Request) -> HTTPResponse:
    """``{"expire_tokens": true, "fail_next": {"path", "errcode", "count"}, "clear": true,
    "callback_repeats": 2}`` — any subset."""
    body, state = _payload(request), _state(request)
    if body.get("clear"):
        state.faults.clear()
        state.callback_repeats = 1
    if body.get("expire_tokens"):
        state.expire_tokens()
    fail = body.get("fail_next")
    if isinstance(fail, dict):
        count = fail.get("count", 1)
        if not isinstance(fail.get("errcode"), int) or not isinstance(count, int) or count < 1:
            raise codes.param_error("fail_next needs an integer errcode and a count >= 1")
        state.fail_next(_text(fail, "path"), fail["errcode"], count, str(fail.get("errmsg") or ""))
    repeats = body.get("callback_repeats")
    if repeats is not None:
        if not isinstance(repeats, int) or not 1 <= repeats <= 4:
            raise codes.param_error("callback_repeats must be 1..4")
        state.callback_repeats = repeats
    return await _faults(request)


async def _reset(request: Request) -> HTTPResponse:
    _state(request).reset()
    return answer({"ok": True})


async def _jscode(request: Request) -> HTTPResponse:
    """A ``wx.qy.login`` code for a member, to feed the mini-app login."""
    userid = _member(request, _payload(request))
    if _state(request).directory.get(userid).status != 1:
        raise codes.param_error(f"member {userid} is not active in WeCom")
    return answer({"code": _state(request).login_codes.issue(userid)})


async def _verify(request: Request) -> HTTPResponse:
    return answer({"ok": await _pusher(request).verify_url()})


Handler = Callable[[Request], Coroutine[Any, Any, HTTPResponse]]


def _guarded(handler: Handler) -> Handler:
    """Turn an ``ApiError`` into a 400 answer for every console endpoint."""

    async def run(request: Request) -> HTTPResponse:
        try:
            response: HTTPResponse = await handler(request)
        except codes.ApiError as exc:
            return _bad_request(exc)
        return response

    run.__name__ = handler.__name__
    return run


_ROUTES = [
    (path, _guarded(handler), method)
    for path, handler, method in (
        ("members", _members, "GET"),
        ("messages", _messages, "GET"),
        ("approvals", _approvals, "GET"),
        ("schedules", _schedules, "GET"),
        ("media", _media, "GET"),
        ("faults", _faults, "GET"),
        ("demo", _demo, "GET"),
        ("clock", _clock, "POST"),
        ("say", _say, "POST"),
        ("voice", _voice, "POST"),
        ("image", _image, "POST"),
        ("enter", _enter, "POST"),
        ("menu", _menu, "POST"),
        ("click", _click, "POST"),
        ("approval", _approval, "POST"),
        ("contact", _contact, "POST"),
        ("kf", _kf, "POST"),
        ("member", _member_change, "POST"),
        ("faults", _set_faults, "POST"),
        ("reset", _reset, "POST"),
        ("jscode", _jscode, "POST"),
        ("verify", _verify, "POST"),
    )
]
