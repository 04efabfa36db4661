"""Deliver scheduling effects to WeCom: the interviewers' schedule (``oa/schedule/*``) and,
for remote interviews, a meeting (``meeting/create``), writing the ids back on the interview.

WeCom's schedule API has no idempotency key, so the sender checks the interview first (a
schedule or meeting already recorded is not created again) and marks each add: an attempt
row is committed before the call and its marker (系统编号) goes into the description. With
an app calendar configured (``wecom.schedule_calendar_id``) the schedule is added there, and
a redelivery after a crash between WeCom's answer and saving the id finds it by its marker
(``oa/schedule/get_by_calendar``) instead of adding a second one. In the app's default
calendar, which cannot be listed, that one case can still duplicate (logged as such).
Meetings are marked the same way and found again among the admin's meetings. Updates and
deletes read the id at delivery time; the outbox keeps one interview's effects in order, so
an update never overtakes the add it changes. A delete is marked too, so WeCom refusing to
delete again what a crashed attempt deleted is read as done.
"""

from __future__ import annotations

import logging
from typing import Any, Protocol

from recruiting.errors import RetryLater
from recruiting.infra.send_attempts import Attempt, AttemptLog, SendAttempts
from recruiting.models import Interview
from recruiting.ports.outbound import OutboundMessage
from wecom_bot.client.errors import WeComApiError, WeComTokenInvalid, WeComUnavailable

log = logging.getLogger(__name__)

REMIND_BEFORE = 900  # seconds; one of WeCom's allowed values
REFERENCE_LABEL = "系统编号："
CALENDAR_PAGE = 1000  # the most oa/schedule/get_by_calendar returns at once


class _ScheduleApi(Protocol):
    async def add(self, schedule: dict[str, Any], *, agent_id: int | None = None) -> str: ...

    async def update(
        self, schedule: dict[str, Any], *, skip_attendees: bool | None = None
    ) -> dict[str, Any]: ...

    async def delete(self, schedule_id: str) -> dict[str, Any]: ...

    async def get_by_calendar(
        self, cal_id: str, offset: int = 0, limit: int = 500
    ) -> dict[str, Any]: ...


class _MeetingApi(Protocol):
    async def create(self, payload: dict[str, Any]) -> dict[str, Any]: ...

    async def user_meeting_ids(
        self, userid: str, begin_time: int, end_time: int, cursor: str = "", limit: int = 100
    ) -> dict[str, Any]: ...

    async def get_info(self, meetingid: str) -> dict[str, Any]: ...


class WeComScheduleSender:
    def __init__(
        self, schedules: _ScheduleApi, calendar_id: str = "", attempts: AttemptLog | None = None
    ) -> None:
        self._schedules = schedules
        self._calendar_id = calendar_id
        self._attempts = attempts or SendAttempts()

    async def deliver(self, message: OutboundMessage) -> dict[str, Any]:
        p = message.payload
        interview = await Interview.get(id=int(p["interview_id"]))
        current = interview.wecom_schedule_id
        if p["op"] == "delete":
            if current:
                await self._delete(interview.id, current, message)
            return {"deleted": current}
        body = _schedule(p)
        if p["op"] == "update" and current:
            await self._schedules.update(body | {"schedule_id": current})
            return {"schedule_id": current}
        if current:  # delivered before, id saved: nothing to do
            return {"schedule_id": current}
        return await self._add(interview.id, body, message)

    async def _delete(self, interview_id: int, schedule_id: str, message: OutboundMessage) -> None:
        """Delete, marked first: WeCom refusing the delete of a schedule an earlier attempt
        deleted (the crash came before the id was cleared) means it is gone, not a failure
        to retry until the row is dead."""
        key = f"schedule-del:{message.idempotency_key or message.id}"
        attempt = await self._attempts.begin(key)
        try:
            await self._schedules.delete(schedule_id)
        except WeComUnavailable:
            raise  # no answer: it may be deleted; a refusal of the redelivery says it is
        except (RetryLater, WeComApiError) as exc:
            if not attempt.earlier:
                await self._attempts.forget(key)  # WeCom answered: nothing was deleted
                raise
            if isinstance(exc, RetryLater | WeComTokenInvalid):
                raise  # busy, or a stale token: not an answer about this schedule
            log.warning("interview %s: schedule %s refused on a second delete (%s): deleted "
                        "before a crash", interview_id, schedule_id, exc.errcode)  # fmt: skip
        await Interview.filter(id=interview_id).update(wecom_schedule_id="")

    async def _add(
        self, interview_id: int, body: dict[str, Any], message: OutboundMessage
    ) -> dict[str, Any]:
        key = f"schedule:{message.idempotency_key or message.id}"
        attempt = await self._attempts.begin(key)
        body["description"] = f"{REFERENCE_LABEL}{attempt.marker}"
        if self._calendar_id:
            body["cal_id"] = self._calendar_id
        found = attempt.outcome or (await self._find(attempt.marker) if attempt.earlier else "")
        if found:
            log.warning("interview %s: adopting schedule %s added before", interview_id, found)
            await Interview.filter(id=interview_id).update(wecom_schedule_id=found)
            return {"schedule_id": found, "adopted": True}
        if attempt.earlier and not self._calendar_id:
            log.warning(
                "interview %s: an earlier schedule add may have gone through; without "
                "wecom.schedule_calendar_id it cannot be looked up and may be duplicated",
                interview_id,
            )
        try:
            schedule_id = await self._schedules.add(body)
        except WeComUnavailable:
            raise  # no answer: the schedule may exist; the redelivery looks for it
        except WeComApiError:
            await self._attempts.forget(key)  # WeCom answered: nothing was added
            raise
        await self._attempts.settle(key, schedule_id)
        await Interview.filter(id=interview_id).update(wecom_schedule_id=schedule_id)
        return {"schedule_id": schedule_id}

    async def _find(self, marker: str) -> str:
        """The live schedule in the app calendar whose description carries ``marker``."""
        if not self._calendar_id:
            return ""
        offset = 0
        while True:
            page = await self._schedules.get_by_calendar(
                self._calendar_id, offset=offset, limit=CALENDAR_PAGE
            )
            schedules = page.get("schedule_list") or []
            for schedule in schedules:
                if marker in str(schedule.get("description") or "") and not schedule.get("status"):
                    return str(schedule.get("schedule_id") or "")
            if not schedules:
                return ""
            offset += len(schedules)


class WeComMeetingSender:
    """``meeting/create`` has no idempotency key either: each creation is marked like a
    schedule add (its 系统编号 in the description), and a redelivery after a crash first
    looks among the admin's meetings from that start on (``meeting/get_user_meetingid``,
    ``meeting/get_info``) for the one it made, adopting its link instead of a second
    meeting."""

    def __init__(self, meetings: _MeetingApi, attempts: AttemptLog | None = None) -> None:
        self._meetings = meetings
        self._attempts = attempts or SendAttempts()

    async def deliver(self, message: OutboundMessage) -> dict[str, Any]:
        p = message.payload
        interview = await Interview.get(id=int(p["interview_id"]))
        if interview.meeting_link:
            return {"meeting_link": interview.meeting_link}
        invitees = list(p["invitees"])
        key = f"meeting:{message.idempotency_key or message.id}"
        attempt = await self._attempts.begin(key)
        if attempt.earlier:
            found = await self._find(invitees[0], int(p["start"]), attempt)
            if found is not None:
                log.warning("interview %s: adopting meeting %s made before",
                            interview.id, found.get("meetingid"))  # fmt: skip
                return await _keep(interview.id, found) | {"adopted": True}
        try:
            answer = await self._meetings.create({
                "admin_userid": invitees[0], "title": p["title"], "meeting_start": p["start"],
                "meeting_duration": p["duration"], "invitees": {"userid": invitees},
                "description": f"{REFERENCE_LABEL}{attempt.marker}",
            })  # fmt: skip
        except WeComUnavailable:
            raise  # no answer: the meeting may exist; the redelivery looks for it
        except WeComApiError:
            await self._attempts.forget(key)  # WeCom answered: nothing was made
            raise
        await self._attempts.settle(key, str(answer.get("meetingid") or ""))
        return await _keep(interview.id, answer)

    async def _find(self, admin: str, start: int, attempt: Attempt) -> dict[str, Any] | None:
        """The meeting made by the earlier attempt (its id, when recorded, or the one whose
        description carries the marker), with ``meetingid``; None when there is none."""
        if attempt.outcome:
            return {**await self._meetings.get_info(attempt.outcome), "meetingid": attempt.outcome}
        cursor = ""
        while True:
            page = await self._meetings.user_meeting_ids(admin, start, start + 1, cursor)
            for meetingid in page.get("meetingid_list") or []:
                info = await self._meetings.get_info(str(meetingid))
                if attempt.marker in str(info.get("description") or ""):
                    return {**info, "meetingid": str(meetingid)}
            cursor = str(page.get("next_cursor") or "")
            if not cursor or not page.get("meetingid_list"):
                return None


async def _keep(interview_id: int, meeting: dict[str, Any]) -> dict[str, Any]:
    """Write the meeting's link on the interview; what the delivery returns."""
    link = str(meeting.get("meeting_link") or meeting.get("meeting_code") or "")
    await Interview.filter(id=interview_id).update(meeting_link=link)
    return {"meetingid": meeting.get("meetingid", ""), "meeting_link": link}


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
