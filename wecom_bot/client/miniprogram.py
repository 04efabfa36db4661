"""Login of employees in the WeCom mini-program (``wx.qy.login``, path/91507)."""

from __future__ import annotations

from dataclasses import dataclass, field

from recruiting.errors import InvalidInput
from wecom_bot.client.base import WeComBaseClient
from wecom_bot.client.errors import WeComUnavailable

_JSCODE2SESSION = "/cgi-bin/miniprogram/jscode2session"


@dataclass(frozen=True)
class MiniProgramSession:
    """Who logged in. ``session_key`` stays on the server: never send it to the client."""

    corpid: str
    userid: str
    session_key: str = field(repr=False)


class MiniProgramApi:
    def __init__(self, client: WeComBaseClient) -> None:
        self._client = client

    async def code_to_session(self, js_code: str) -> MiniProgramSession:
        """Exchange a ``wx.qy.login`` code; an invalid or reused code raises
        ``WeComInvalidCode`` (40029)."""
        if not js_code:
            raise InvalidInput("js_code is required")
        data = await self._client.get(
            _JSCODE2SESSION, {"js_code": js_code, "grant_type": "authorization_code"}
        )
        corpid, userid, key = data.get("corpid"), data.get("userid"), data.get("session_key")
        if not (isinstance(corpid, str) and isinstance(userid, str) and isinstance(key, str)):
            raise WeComUnavailable(None, "the answer lacks corpid, userid or session_key",
                                   _JSCODE2SESSION)  # fmt: skip
        return MiniProgramSession(corpid=corpid, userid=userid, session_key=key)
