"""Access tokens and mini-program login codes, with WeCom's lifetimes.

Like WeCom, ``gettoken`` hands back the same token while it is valid: a client that refetches
on every call is not punished, but one that keeps a dead token gets 42001 and must recover.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from wecom_bot.sandbox import codes

Clock = Callable[[], float]
TOKEN_TTL = 7200
LOGIN_CODE_TTL = 300


class TokenStore:
    def __init__(self, corp_id: str, app_secrets: Iterable[str], clock: Clock) -> None:
        self.corp_id = corp_id
        self.secrets = set(app_secrets)
        self._clock = clock
        self._current: dict[str, str] = {}  # secret -> its live token
        self._expiry: dict[str, float] = {}  # every token ever issued -> expires at

    def issue(self, corpid: str, secret: str) -> dict[str, Any]:
        """``GET /cgi-bin/gettoken``: the live token for this secret, or a fresh one."""
        if not corpid:
            raise codes.ApiError(codes.MISSING_CORPID, "missing corpid")
        if corpid != self.corp_id:
            raise codes.ApiError(codes.INVALID_CORPID, "invalid corpid")
        if not secret:
            raise codes.ApiError(codes.MISSING_SECRET, "missing secret")
        if secret not in self.secrets:
            raise codes.ApiError(codes.INVALID_SECRET, "invalid credential: corpsecret")
        now = self._clock()
        token = self._current.get(secret, "")
        if not token or self._expiry[token] <= now:
            token = secrets.token_urlsafe(48)
            self._current[secret] = token
            self._expiry[token] = now + TOKEN_TTL
        return {"access_token": token, "expires_in": int(self._expiry[token] - now)}

    def check(self, token: str) -> None:
        """Every API call but gettoken: 41001 missing, 40014 unknown, 42001 expired."""
        if not token:
            raise codes.ApiError(codes.MISSING_TOKEN, "access_token missing")
        expires = self._expiry.get(token)
        if expires is None:
            raise codes.ApiError(codes.INVALID_TOKEN, "invalid access_token")
        if expires <= self._clock():
            raise codes.ApiError(codes.EXPIRED_TOKEN, "access_token expired")

    def expire_all(self) -> None:
        """Fault injection: every issued token is now expired (42001 on next use)."""
        now = self._clock()
        for token in self._expiry:
            self._expiry[token] = min(self._expiry[token], now)
        self._current.clear()


class LoginCodes:
    """``wx.qy.login`` codes: issued by the console for a member, usable once, 5 minutes."""

    def __init__(self, corp_id: str, clock: Clock) -> None:
        self._corp_id = corp_id
        self._clock = clock
        self._codes: dict[str, tuple[str, float]] = {}

    def issue(self, userid: str) -> str:
        code = secrets.token_hex(16)
        self._codes[code] = (userid, self._clock() + LOGIN_CODE_TTL)
        return code

    def redeem(self, js_code: str, grant_type: str) -> dict[str, Any]:
        """``jscode2session``: 40029 for an unknown, used or expired code."""
        if grant_type and grant_type != "authorization_code":
            raise codes.param_error("grant_type must be authorization_code")
        userid, expires = self._codes.pop(js_code, ("", 0.0))
        if not userid or expires <= self._clock():
            raise codes.ApiError(codes.INVALID_CODE, "invalid code")
        return {
            "corpid": self._corp_id,
            "userid": userid,
            "session_key": secrets.token_urlsafe(18),
        }


EXTERNAL = "__external__"  # the chooser's "a WeChat user" entry (not a member)


@dataclass(frozen=True)
class _Code:
    userid: str  # EXTERNAL for a WeChat user
    expires: float


class WebCodes:
    """OAuth / web-login codes: issued for a member (or a WeChat user), taken once."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._codes: dict[str, _Code] = {}
        self.next_member = ""  # chosen in the console for the next sign-in

    def issue(self, userid: str, ttl: float = LOGIN_CODE_TTL) -> str:
        now = self._clock()
        self._codes = {c: v for c, v in self._codes.items() if v.expires > now}
        code = secrets.token_urlsafe(32)
        self._codes[code] = _Code(userid, now + ttl)
        return code

    def redeem(self, code: str) -> dict[str, Any]:
        """``auth/getuserinfo``: ``userid`` for a member, ``openid``/``external_userid`` for
        a WeChat user, 40029 for an unknown, used or expired code."""
        found = self._codes.pop(code, None)
        if found is None or found.expires <= self._clock():
            raise codes.ApiError(codes.INVALID_CODE, "invalid code")
        if found.userid == EXTERNAL:
            return {"openid": "oSandbox" + secrets.token_hex(8),
                    "external_userid": "wmSandbox" + secrets.token_hex(8)}  # fmt: skip
        return {"userid": found.userid}
