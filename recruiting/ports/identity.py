"""Who is logging in to the mini-app: a WeChat user (candidate) or a WeCom member (employee).

Both exchange a one-time login code from the phone for an identity on the server; the
session_key that comes with it is for the server only and is never sent to the app.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from recruiting.errors import ExternalServiceError, Untrusted


class InvalidLoginCode(Untrusted):
    """The code is unknown, used or expired (WeChat 40029 / 40163)."""

    code = "invalid_login_code"


class LoginDisabled(ExternalServiceError):
    """This deployment has no such login (e.g. a real corp without a WeChat mini-program)."""

    code = "login_disabled"


@dataclass(frozen=True)
class WeChatIdentity:
    openid: str
    unionid: str | None = None
    session_key: str = field(default="", repr=False)


@dataclass(frozen=True)
class EmployeeIdentity:
    corpid: str
    userid: str
    session_key: str = field(default="", repr=False)


class EmployeeLogin(Protocol):
    async def employee(self, code: str) -> EmployeeIdentity:
        """``wx.qy.login`` code → WeCom member (``miniprogram/jscode2session``)."""


class LoginCodeExchange(Protocol):
    async def candidate(self, code: str) -> WeChatIdentity:
        """``wx.login`` code → WeChat identity (``sns/jscode2session``)."""

    async def employee(self, code: str) -> EmployeeIdentity:
        """``wx.qy.login`` code → WeCom member (``miniprogram/jscode2session``)."""


class NotAMember(Untrusted):
    """WeCom answered with a WeChat user (``openid``/``external_userid``), not a member."""

    code = "not_a_member"


@dataclass(frozen=True)
class WebMember:
    """A WeCom member who signed in to a web page (OAuth in the client or 扫码登录)."""

    userid: str


class MemberWebLogin(Protocol):
    async def member(self, code: str) -> WebMember:
        """OAuth / web-login code → member (``auth/getuserinfo``). ``InvalidLoginCode`` for an
        unknown, used or expired code; ``NotAMember`` for a non-member."""
