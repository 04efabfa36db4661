"""Meetings (会议) for remote live interviews (path/93627)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from wecom_bot.client.base import WeComBaseClient


class MeetingApi:
    def __init__(self, client: WeComBaseClient) -> None:
        self._client = client

    async def create(self, payload: Mapping[str, Any]) -> dict[str, Any]:
        """``admin_userid, title, meeting_start, meeting_duration, invitees{userid[]}``…;
        the answer holds ``meetingid`` (and ``meeting_code``, ``meeting_link`` when given)."""
        return await self._client.post("/cgi-bin/meeting/create", payload)
