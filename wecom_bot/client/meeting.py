"""Meetings (会议) for remote live interviews (path/93627)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from recruiting.errors import InvalidInput
from wecom_bot.client.base import WeComBaseClient


class MeetingApi:
    def __init__(self, client: WeComBaseClient) -> None:
        self._client = client

    async def create(self, payload: Mapping[str, Any]) -> dict[str, Any]:
        """``admin_userid, title, meeting_start, meeting_duration, invitees{userid[]}``…;
        the answer holds ``meetingid`` (and ``meeting_code``, ``meeting_link`` when given)."""
        return await self._client.post("/cgi-bin/meeting/create", payload)

    async def user_meeting_ids(
        self, userid: str, begin_time: int, end_time: int, cursor: str = "", limit: int = 100
    ) -> dict[str, Any]:
        """A page of the ids of ``userid``'s meetings this app created (path/93709):
        ``meetingid_list`` and ``next_cursor`` ("" or absent at the end). Meetings not yet
        begun are listed whatever ``end_time`` when they start after ``begin_time``."""
        if not 1 <= limit <= 100:
            raise InvalidInput("limit must be between 1 and 100")
        body = {"userid": userid, "cursor": cursor or "0", "begin_time": begin_time,
                "end_time": end_time, "limit": limit}  # fmt: skip
        return await self._client.post("/cgi-bin/meeting/get_user_meetingid", body)

    async def get_info(self, meetingid: str) -> dict[str, Any]:
        """One meeting (path/93708): ``title``, ``meeting_start``, ``description``…"""
        return await self._client.post("/cgi-bin/meeting/get_info", {"meetingid": meetingid})
