"""Deliver scheduling effects to WeCom: the interviewers' schedule (``oa/schedule/*``) and,
for remote interviews, a meeting (``meeting/create``), writing the ids back on the interview.

WeCom's schedule API has no idempotency key, so the sender checks the interview first: a
schedule or meeting already recorded is not created again (an add that went through but
whose id was not saved before a crash is the one case that can still duplicate).
Updates and deletes read the id at delivery time; the outbox keeps one interview's effects
in order, so an update never overtakes the add it changes.
"""

from __future__ import annotations

from typing import Any, Protocol

from recruiting.models import Interview
from recruiting.ports.outbound import OutboundMessage

REMIND_BEFORE = 900  # seconds; one of WeCom's allowed values


class _ScheduleApi(Protocol):
    async def add(self, schedule: dict[str, Any], *, agent_id: int | None = None) -> str: ...

    async def update(
        self, schedule: dict[str, Any], *, skip_attendees: bool | None = None
    ) -> dict[str, Any]: ...

    async def delete(self, schedule_id: str) -> dict[str, Any]: ...


class _MeetingApi(Protocol):
    async def create(self, payload: dict[str, Any]) -> dict[str, Any]: ...


class WeComScheduleSender:
    def __init__(self, schedules: _ScheduleApi) -> None:
        self._schedules = schedules

    async def deliver(self, message: OutboundMessage) -> dict[str, Any]:
        p = message.payload
        interview = await Interview.get(id=int(p["interview_id"]))
        current = interview.wecom_schedule_id
        if p["op"] == "delete":
            if current:
                await self._schedules.delete(current)
                await Interview.filter(id=interview.id).update(wecom_schedule_id="")
            return {"deleted": current}
        body = _schedule(p)
        if p["op"] == "update" and current:
            await self._schedules.update(body | {"schedule_id": current})
            return {"schedule_id": current}
        if current:  # delivered before, id saved: nothing to do
            return {"schedule_id": current}
        schedule_id = await self._schedules.add(body)
        await Interview.filter(id=interview.id).update(wecom_schedule_id=schedule_id)
        return {"schedule_id": schedule_id}


class WeComMeetingSender:
    def __init__(self, meetings: _MeetingApi) -> None:
        self._meetings = meetings

    async def deliver(self, message: OutboundMessage) -> dict[str, Any]:
        p = message.payload
        interview = await Interview.get(id=int(p["interview_id"]))
        if interview.meeting_link:
            return {"meeting_link": interview.meeting_link}
        invitees = list(p["invitees"])
        answer = await self._meetings.create({
            "admin_userid": invitees[0], "title": p["title"], "meeting_start": p["start"],
            "meeting_duration": p["duration"], "invitees": {"userid": invitees},
        })  # fmt: skip
        link = str(answer.get("meeting_link") or answer.get("meeting_code") or "")
        await Interview.filter(id=interview.id).update(meeting_link=link)
        return {"meetingid": answer.get("meetingid", ""), "meeting_link": link}


def _schedule(p: dict[str, Any]) -> dict[str, Any]:
    attendees = list(p["attendees"])
    return {
        "admins": attendees[:3],
        "start_time": p["start"],
        "end_time": p["end"],
        "attendees": [{"userid": u} for u in attendees],
        "summary": p["summary"],
        "location": p.get("location", ""),
        "reminders": {"is_remind": 1, "remind_before_event_secs": REMIND_BEFORE},
    }
