"""Login codes to identities (the ``LoginCodeExchange`` port): WeChat
``sns/jscode2session`` for candidates here; employees through the WeCom adapter's
``miniprogram/jscode2session`` (an ``EmployeeLogin`` the bootstrap passes in).

No appid means no candidate login: the adapter refuses without calling anywhere, so a real
corp without ``WECHAT_APPID`` can never fall back to the sandbox's code minting.

WeChat's endpoint takes the mini-program's appid and secret in the query (no access token)
and answers errors as JSON with HTTP 200; they are translated here into the service's errors.
"""

from __future__ import annotations

import logging

import httpx

from recruiting.errors import ExternalServiceError, RetryLater
from recruiting.ports.identity import (
    EmployeeIdentity,
    EmployeeLogin,
    InvalidLoginCode,
    LoginDisabled,
    WeChatIdentity,
)

log = logging.getLogger(__name__)
WECHAT_LOGIN_OFF = "本服务暂未开通微信登录，请联系招聘负责人。"

_BAD_CODE = frozenset({40029, 40163, 40226})  # invalid, used, high-risk user blocked
_BUSY = frozenset({-1, 45011})  # system busy, too many logins per minute


class MiniProgramLogin:
    def __init__(
        self, http: httpx.AsyncClient, api_base: str, appid: str, secret: str,
        employees: EmployeeLogin,
    ) -> None:  # fmt: skip
        self._employees = employees
        self._http = http
        self._url = f"{api_base.rstrip('/')}/sns/jscode2session"
        self._appid = appid
        self._secret = secret

    async def candidate(self, code: str) -> WeChatIdentity:
        if not self._appid:
            log.warning(
                "candidate WeChat login refused: no WECHAT_APPID beside a real WeCom corp "
                "(set WECHAT_APPID and WECHAT_SECRET to enable it)"
            )
            raise LoginDisabled(WECHAT_LOGIN_OFF, code="wechat_login_disabled")
        if not code or len(code) > 128:
            raise InvalidLoginCode("a wx.login code is required")
        params = {
            "appid": self._appid,
            "secret": self._secret,
            "js_code": code,
            "grant_type": "authorization_code",
        }
        try:
            response = await self._http.get(self._url, params=params, timeout=10.0)
            data = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise RetryLater("WeChat login is unreachable; try again", retry_after=3) from exc
        errcode = int(data.get("errcode") or 0) if isinstance(data, dict) else -1
        if errcode in _BAD_CODE:
            raise InvalidLoginCode(f"WeChat refused the login code ({errcode})")
        if errcode in _BUSY:
            raise RetryLater(f"WeChat is busy ({errcode}); try again", retry_after=3)
        if errcode:
            raise ExternalServiceError(f"WeChat login failed ({errcode})")
        openid = data.get("openid")
        if not isinstance(openid, str) or not openid:
            raise ExternalServiceError("WeChat's answer has no openid")
        unionid = data.get("unionid")
        return WeChatIdentity(
            openid,
            unionid if isinstance(unionid, str) else None,
            str(data.get("session_key") or ""),
        )

    async def employee(self, code: str) -> EmployeeIdentity:
        return await self._employees.employee(code)
