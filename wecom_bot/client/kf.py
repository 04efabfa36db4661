"""微信客服 (customer service accounts): reach candidates who wrote to a kf account.

Replies are allowed only within 48 h of the customer's last message and at most 5 of them;
beyond that WeCom answers 95001 (``WeComKfWindowClosed``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from recruiting.errors import InvalidInput
from wecom_bot.client.base import WeComBaseClient

SYNC_LIMIT = 1000


class KfApi:
    def __init__(self, client: WeComBaseClient) -> None:
        self._client = client

    async def sync_msg(
        self,
        cursor: str = "",
        token: str = "",
        limit: int = SYNC_LIMIT,
        open_kfid: str = "",
    ) -> dict[str, Any]:
        """Pull messages after a ``kf_msg_or_event`` callback (pass its ``Token``); the
        answer holds ``next_cursor``, ``has_more`` and ``msg_list``."""
        if not 1 <= limit <= SYNC_LIMIT:
            raise InvalidInput(f"limit must be between 1 and {SYNC_LIMIT}")
        body: dict[str, Any] = {"limit": limit}
        for key, value in (("cursor", cursor), ("token", token), ("open_kfid", open_kfid)):
            if value:
                body[key] = value
        return await self._client.post("/cgi-bin/kf/sync_msg", body)

    async def send_msg(self, payload: Mapping[str, Any]) -> dict[str, Any]:
        """``{touser, open_kfid, msgtype, <msgtype>: {...}}``; the answer holds ``msgid``."""
        return await self._client.post("/cgi-bin/kf/send_msg", payload)
