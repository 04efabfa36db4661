"""Schedules (日程) for interviewers (path/93648). WeCom has no public free/busy query."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from recruiting.errors import InvalidInput
from wecom_bot.client.base import WeComBaseClient
from wecom_bot.client.errors import WeComUnavailable

_ADD = "/cgi-bin/oa/schedule/add"


class ScheduleApi:
    def __init__(self, client: WeComBaseClient, agent_id: int = 0) -> None:
        self._client = client
        self._agent_id = agent_id

    async def add(self, schedule: Mapping[str, Any], *, agent_id: int | None = None) -> str:
        """Create a schedule (organizer or admins, times, attendees…); returns its id."""
        body: dict[str, Any] = {"schedule": dict(schedule)}
        agent = self._agent_id if agent_id is None else agent_id
        if agent:
            body["agentid"] = agent
        data = await self._client.post(_ADD, body)
        schedule_id = data.get("schedule_id")
        if not isinstance(schedule_id, str) or not schedule_id:
            raise WeComUnavailable(None, "the answer lacks schedule_id", _ADD)
        return schedule_id

    async def update(
        self, schedule: Mapping[str, Any], *, skip_attendees: bool | None = None
    ) -> dict[str, Any]:
        """``schedule`` must carry ``schedule_id``; ``skip_attendees`` keeps the attendees."""
        if not schedule.get("schedule_id"):
            raise InvalidInput("schedule update needs schedule.schedule_id")
        body: dict[str, Any] = {"schedule": dict(schedule)}
        if skip_attendees is not None:
            body["skip_attendees"] = skip_attendees
        return await self._client.post("/cgi-bin/oa/schedule/update", body)

    async def get(self, schedule_ids: Sequence[str]) -> dict[str, Any]:
        """The answer's ``schedule_list`` holds the schedules (at most 1000 ids)."""
        if isinstance(schedule_ids, str) or not schedule_ids:
            raise InvalidInput("schedule_ids must be a non-empty list")
        body = {"schedule_id_list": list(schedule_ids)}
        return await self._client.post("/cgi-bin/oa/schedule/get", body)

    async def get_by_calendar(
        self, cal_id: str, offset: int = 0, limit: int = 500
    ) -> dict[str, Any]:
        """A page of the schedules in a calendar the app created (path/97723); an empty
        ``schedule_list`` means the offset is past the end."""
        if not 1 <= limit <= 1000:
            raise InvalidInput("limit must be between 1 and 1000")
        body = {"cal_id": cal_id, "offset": offset, "limit": limit}
        return await self._client.post("/cgi-bin/oa/schedule/get_by_calendar", body)

    async def delete(self, schedule_id: str) -> dict[str, Any]:
        return await self._client.post("/cgi-bin/oa/schedule/del", {"schedule_id": schedule_id})
