"""External contacts (客户联系): how recruiters reach candidates on plain WeChat."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from wecom_bot.client.base import WeComBaseClient


class ExternalContactApi:
    def __init__(self, client: WeComBaseClient) -> None:
        self._client = client

    async def get(self, external_userid: str, cursor: str | None = None) -> dict[str, Any]:
        """``external_contact`` and ``follow_user`` (paged by ``next_cursor`` when long)."""
        params = {"external_userid": external_userid}
        if cursor:
            params["cursor"] = cursor
        return await self._client.get("/cgi-bin/externalcontact/get", params)

    async def add_contact_way(self, payload: Mapping[str, Any]) -> dict[str, Any]:
        """Create a 联系我 way; its ``state`` comes back in ``add_external_contact``.
        The answer holds ``config_id`` (and ``qr_code`` for QR ways)."""
        return await self._client.post("/cgi-bin/externalcontact/add_contact_way", payload)

    async def add_msg_template(self, payload: Mapping[str, Any]) -> dict[str, Any]:
        """Queue a group send; the sending employee must confirm it in WeCom before it goes
        out, and each customer receives a limited number per month."""
        return await self._client.post("/cgi-bin/externalcontact/add_msg_template", payload)
