"""Schedules (``oa/schedule/*``) and meetings (``meeting/*``) for interview slots.

WeCom has no free/busy API, so this only stores what the service created and checks the
fields WeCom rejects: times, members and the fixed set of reminder offsets.
"""

from __future__ import annotations

import secrets
from typing import Any

from wecom_bot.sandbox import codes
from wecom_bot.sandbox.directory import Directory
from wecom_bot.sandbox.tokens import Clock

REMIND_OFFSETS = frozenset({0, 300, 900, 3600, 86400})
MEETING_SPAN = 180 * 86400  # meeting/get_user_meetingid: the longest begin_time..end_time


class ScheduleStore:
    def __init__(self, directory: Directory, clock: Clock) -> None:
        self._directory = directory
        self._clock = clock
        self.schedules: dict[str, dict[str, Any]] = {}
        self.meetings: dict[str, dict[str, Any]] = {}
        self.calendars: dict[str, dict[str, Any]] = {}  # made by the app (oa/calendar/add)

    def _check(self, schedule: Any) -> dict[str, Any]:
        if not isinstance(schedule, dict):
            raise codes.param_error("schedule must be an object")
        start, end = schedule.get("start_time"), schedule.get("end_time")
        if not isinstance(start, int) or not isinstance(end, int) or start >= end:
            raise codes.param_error("start_time and end_time must be integers, start < end")
        people = [a.get("userid") for a in schedule.get("attendees") or [] if isinstance(a, dict)]
        people += list(schedule.get("admins") or [])
        if schedule.get("organizer"):
            people.append(schedule["organizer"])
        unknown = [p for p in people if p not in self._directory]
        if unknown:
            raise codes.ApiError(codes.INVALID_USERID, f"invalid userid: {unknown}")
        if len(schedule.get("admins") or []) > 3:
            raise codes.param_error("at most 3 admins")
        reminders = schedule.get("reminders") or {}
        offset = reminders.get("remind_before_event_secs", 0)
        if reminders.get("is_remind") and offset not in REMIND_OFFSETS:
            allowed = sorted(REMIND_OFFSETS)
            raise codes.param_error(f"remind_before_event_secs must be one of {allowed}")
        return schedule

    def add_calendar(self, body: dict[str, Any]) -> dict[str, Any]:
        """``oa/calendar/add``: a calendar of the app; its schedules can be listed."""
        calendar = body.get("calendar")
        summary = calendar.get("summary") if isinstance(calendar, dict) else None
        if not isinstance(calendar, dict) or not 1 <= len(str(summary or "")) <= 128:
            raise codes.param_error("calendar.summary must be 1..128 characters")
        if not str(calendar.get("color") or "").startswith("#"):
            raise codes.param_error("calendar.color must be an RGB colour like #0000FF")
        people = list(calendar.get("admins") or [])
        people += [s.get("userid") for s in calendar.get("shares") or [] if isinstance(s, dict)]
        unknown = [p for p in people if p not in self._directory]
        if unknown:
            raise codes.ApiError(codes.INVALID_USERID, f"invalid userid: {unknown}")
        cal_id = "wc" + secrets.token_hex(15)
        self.calendars[cal_id] = dict(calendar)
        return {"cal_id": cal_id}

    def add(self, body: dict[str, Any]) -> dict[str, Any]:
        schedule = dict(self._check(body.get("schedule")))
        cal_id = schedule.get("cal_id")
        if cal_id is not None and cal_id not in self.calendars:
            raise codes.param_error(f"invalid cal_id {cal_id!r}: not a calendar of this app")
        schedule_id = secrets.token_hex(16)
        schedule["schedule_id"] = schedule_id
        schedule.setdefault("cal_id", "sandbox-calendar")  # the app's default calendar
        self.schedules[schedule_id] = schedule
        return {"schedule_id": schedule_id}

    def _existing(self, schedule_id: Any) -> dict[str, Any]:
        schedule = self.schedules.get(str(schedule_id or ""))
        if schedule is None:
            raise codes.param_error(f"invalid schedule_id {schedule_id!r}")
        return schedule

    def update(self, body: dict[str, Any]) -> dict[str, Any]:
        patch = body.get("schedule")
        if not isinstance(patch, dict):
            raise codes.param_error("schedule must be an object")
        current = self._existing(patch.get("schedule_id"))
        merged = {**current, **patch}
        self._check(merged)
        current.update(merged)
        return {}

    def get(self, body: dict[str, Any]) -> dict[str, Any]:
        ids = body.get("schedule_id_list")
        if not isinstance(ids, list) or not 1 <= len(ids) <= 1000:
            raise codes.param_error("schedule_id_list must list 1..1000 ids")
        return {"schedule_list": [self._existing(i) for i in ids]}

    def by_calendar(self, body: dict[str, Any]) -> dict[str, Any]:
        """``oa/schedule/get_by_calendar``: only calendars the app created; offset/limit
        paging, an empty list past the end."""
        cal_id = body.get("cal_id")
        if cal_id not in self.calendars:
            raise codes.param_error(f"invalid cal_id {cal_id!r}: not a calendar of this app")
        offset, limit = body.get("offset", 0), body.get("limit", 500)
        if not isinstance(offset, int) or offset < 0 or not isinstance(limit, int):
            raise codes.param_error("offset and limit must be integers")
        if not 1 <= limit <= 1000:
            raise codes.param_error("limit must be 1..1000")
        mine = [s for s in self.schedules.values() if s.get("cal_id") == cal_id]
        return {"schedule_list": mine[offset : offset + limit]}

    def delete(self, body: dict[str, Any]) -> dict[str, Any]:
        schedule_id = str(body.get("schedule_id") or "")
        self._existing(schedule_id)
        del self.schedules[schedule_id]
        return {}

    def create_meeting(self, body: dict[str, Any]) -> dict[str, Any]:
        """``meeting/create``: the admin and invitees must be members, the length positive."""
        admin = body.get("admin_userid")
        if admin not in self._directory:
            raise codes.ApiError(codes.INVALID_USERID, f"invalid admin_userid {admin!r}")
        if not body.get("title"):
            raise codes.param_error("title is required")
        start, duration = body.get("meeting_start"), body.get("meeting_duration")
        if not isinstance(start, int) or not isinstance(duration, int) or duration <= 0:
            raise codes.param_error("meeting_start and meeting_duration must be positive integers")
        invitees = (body.get("invitees") or {}).get("userid") or []
        unknown = [u for u in invitees if u not in self._directory]
        if unknown:
            raise codes.ApiError(codes.INVALID_USERID, f"invalid invitees: {unknown}")
        meeting_id = secrets.token_hex(12)
        code = str(100_000_000 + secrets.randbelow(900_000_000))
        answer = {
            "meetingid": meeting_id,
            "meeting_code": code,
            "meeting_link": f"https://meeting.tencent.com/dm/{code}",
            "excess_users": [],
        }
        self.meetings[meeting_id] = {**body, **answer}
        return answer

    def user_meeting_ids(self, body: dict[str, Any]) -> dict[str, Any]:
        """``meeting/get_user_meetingid``: the member's meetings (as admin or invitee) that
        start at ``begin_time`` or later; ``end_time`` bounds only those already begun."""
        userid = body.get("userid")
        if userid not in self._directory:
            raise codes.ApiError(codes.INVALID_USERID, f"invalid userid {userid!r}")
        begin, end = body.get("begin_time", 0), body.get("end_time")
        if not isinstance(begin, int) or not isinstance(end, int | None):
            raise codes.param_error("begin_time and end_time must be integers")
        if end is not None and end - begin > MEETING_SPAN:
            raise codes.param_error("end_time is at most 180 days after begin_time")
        limit = body.get("limit", 100)
        if not isinstance(limit, int) or not 1 <= limit <= 100:
            raise codes.param_error("limit must be 1..100")
        cursor = str(body.get("cursor") or "0")
        if not (cursor.isascii() and cursor.isdigit()):  # isdigit alone accepts "²"
            raise codes.param_error("invalid cursor")
        now = self._clock()
        mine = [
            meeting_id
            for meeting_id, m in self.meetings.items()
            if userid == m.get("admin_userid")
            or userid in ((m.get("invitees") or {}).get("userid") or [])
            if m["meeting_start"] >= begin
            and (end is None or m["meeting_start"] <= end or m["meeting_start"] > now)
        ]
        offset = int(cursor)
        page = mine[offset : offset + limit]
        more = offset + limit < len(mine)
        return {"meetingid_list": page, "next_cursor": str(offset + limit) if more else ""}

    def meeting_info(self, body: dict[str, Any]) -> dict[str, Any]:
        """``meeting/get_info``: what the meeting was created with, and its status."""
        meeting = self.meetings.get(str(body.get("meetingid") or ""))
        if meeting is None:
            raise codes.param_error(f"invalid meetingid {body.get('meetingid')!r}")
        return {**{k: v for k, v in meeting.items() if k != "excess_users"}, "status": 1}
