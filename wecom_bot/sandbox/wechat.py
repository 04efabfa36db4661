"""WeChat's own mini-program login (``sns/jscode2session`` on api.weixin.qq.com), for candidates.

Candidates are plain WeChat users, not corp members: the console hands out ``wx.login``
codes for any openid it is given, and the endpoint answers as WeChat does, with openid,
session_key and (when the app is bound to an open platform) unionid; 40029 for an unknown
code, 40163 for a used one, 40013 for a wrong appid or secret.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json

from wecom_bot.sandbox.tokens import Clock

CODE_TTL = 300.0
INVALID_APPID = 40013
INVALID_CODE = 40029
CODE_USED = 40163


class WeChatLogin:
    def __init__(self, appid: str, secret: str, clock: Clock = time.time) -> None:
        self._appid, self._secret, self._clock = appid, secret, clock
        self._codes: dict[str, tuple[str, float]] = {}
        self._used: set[str] = set()

    def issue(self, openid: str) -> str:
        code = secrets.token_hex(16)
        self._codes[code] = (openid, self._clock() + CODE_TTL)
        return code

    def redeem(self, query: dict[str, str]) -> dict[str, Any]:
        if query.get("appid") != self._appid or query.get("secret") != self._secret:
            return {"errcode": INVALID_APPID, "errmsg": "invalid appid"}
        code = query.get("js_code", "")
        if code in self._used:
            return {"errcode": CODE_USED, "errmsg": "code been used"}
        openid, expires = self._codes.pop(code, ("", 0.0))
        if not openid or expires <= self._clock():
            return {"errcode": INVALID_CODE, "errmsg": "invalid code"}
        self._used.add(code)
        unionid = "o" + hashlib.sha256(f"union:{openid}".encode()).hexdigest()[:27]
        return {"openid": openid, "session_key": secrets.token_urlsafe(18), "unionid": unionid}


def create_wechat_blueprint() -> Blueprint:
    bp = Blueprint("wechat_login")
    bp.add_route(_jscode2session, "/sns/jscode2session", methods=["GET"])
    bp.add_route(_issue, "/sandbox/wechat_code", methods=["POST"])
    return bp


def _login(request: Request) -> WeChatLogin:
    login: WeChatLogin = request.app.ctx.wechat
    return login


async def _jscode2session(request: Request) -> HTTPResponse:
    query = {k: v[0] for k, v in request.args.items() if v}
    return json(_login(request).redeem(query))


async def _issue(request: Request) -> HTTPResponse:
    """A ``wx.login`` code for a WeChat user (any openid: candidates are not members)."""
    body = request.json if isinstance(request.json, dict) else {}
    openid = str(body.get("openid") or "")
    if not openid or len(openid) > 64:
        return json({"error": "openid (1..64 characters) is required", "errcode": 40003}, 400)
    return json({"code": _login(request).issue(openid)})
