"""Schedules (``oa/schedule/*``) and meetings (``meeting/create``) for interview slots.

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


class ScheduleStore:
    def __init__(self, directory: Directory, clock: Clock) -> None:
        self._directory = directory
        self._clock = clock
        self.schedules: dict[str, dict[str, Any]] = {}
        self.meetings: dict[str, dict[str, Any]] = {}

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

    def add(self, body: dict[str, Any]) -> dict[str, Any]:
        schedule = dict(self._check(body.get("schedule")))
        schedule_id = secrets.token_hex(16)
        schedule["schedule_id"] = schedule_id
        schedule.setdefault("cal_id", "sandbox-calendar")
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
