"""Members signing in to the HR workbench (OAuth in the WeCom client, 扫码登录 on a desktop):
the ``MemberWebLogin`` port on the WeCom client."""

from __future__ import annotations

from recruiting.ports.identity import InvalidLoginCode, NotAMember, WebMember
from wecom_bot.client.auth import AuthApi
from wecom_bot.client.errors import WeComApiError

MAX_CODE_BYTES = 512  # WeCom's bound on an OAuth code
# 40029 invalid code; 42003 oauth code expired; 40163 code already used.
_BAD_CODE = frozenset({40029, 42003, 40163})


class WeComWebLogin:
    def __init__(self, auth: AuthApi) -> None:
        self._auth = auth

    async def member(self, code: str) -> WebMember:
        if not code or len(code.encode("utf-8", "surrogatepass")) > MAX_CODE_BYTES:
            raise InvalidLoginCode("an OAuth code of at most 512 bytes is required")
        try:
            data = await self._auth.getuserinfo(code)
        except WeComApiError as exc:
            if exc.errcode in _BAD_CODE:
                raise InvalidLoginCode(f"WeCom refused the code ({exc.errcode})") from exc
            raise
        userid = data.get("userid") or data.get("UserId")
        if isinstance(userid, str) and userid:
            return WebMember(userid)
        raise NotAMember("the code belongs to a WeChat user, not a member of the corp")
