"""Identity of a member who opened a web page (path/91023): OAuth in the WeCom client and
the desktop web login (扫码登录) both end in a code exchanged here."""

from __future__ import annotations

from typing import Any

from recruiting.errors import InvalidInput
from wecom_bot.client.base import WeComBaseClient

_GETUSERINFO = "/cgi-bin/auth/getuserinfo"


class AuthApi:
    def __init__(self, client: WeComBaseClient) -> None:
        self._client = client

    async def getuserinfo(self, code: str) -> dict[str, Any]:
        """``{userid}`` for a member (older answers spell it ``UserId``), ``{openid,
        external_userid}`` for a non-member; a bad, used or expired code raises
        ``WeComInvalidCode`` (40029)."""
        if not code:
            raise InvalidInput("code is required")
        return await self._client.get(_GETUSERINFO, {"code": code})
