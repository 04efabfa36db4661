"""Scheduling over HTTP against the WeCom sandbox: HR proposes and books a remote panel
interview, the interviewers' WeCom schedule and the meeting are created, a second HR person
racing for the same time is told it is taken (with alternatives), and cancelling removes the
schedule."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

from recruiting.models import (
    Interview,
    InterviewInvitation,
    InterviewRound,
    InvitationStatus,
    OutboxMessage,
    Staff,
)
from recruiting.ports.outbound import Channel
from tests.e2e import chat, miniapp
from tests.e2e.miniapp import Stack, monday

stack = miniapp.stack  # service + sandbox with a sales job (SQLite, PG + Redis)


async def _sandbox_schedules(stack: Stack) -> dict[str, Any]:
    response = await stack.console.get("/sandbox/schedules")
    assert response.status_code == 200, response.text
    return dict(response.json())


async def test_hr_books_a_remote_panel_and_wecom_gets_the_schedule(stack: Stack) -> None:
    live = await InterviewRound.create(job_id=(await InterviewRound.get(id=stack.round_id)).job_id,  # type: ignore[attr-defined]
                                       name="终面", sequence=5, duration_minutes=45, panel_size=2)  # fmt: skip
    panel = [s.id for s in await Staff.filter(wecom_userid__in=["wangqiang", "chenjing"])]
    hr = await stack.staff_token("lina")
    day = monday()
    body = {"round_id": live.id, "interviewers": panel,
            "windows": [{"start": day.isoformat(), "end": (day + timedelta(days=1)).isoformat()}]}  # fmt: skip
    found = await stack.call("POST", "/staff/proposals", hr, json=body)
    assert found.status_code == 200, found.text
    options = found.json()
    assert len(options) >= 3 and all(sorted(o["interviewers"]) == sorted(panel) for o in options)
    first = options[0]
    booking = {"application_id": stack.application_id, "round_id": live.id,
               "start": first["start"], "interviewers": first["interviewers"], "mode": "remote"}  # fmt: skip
    zhang = await stack.staff_token("zhangwei")
    answers = await asyncio.gather(
        stack.call("POST", "/staff/bookings", hr, json=booking),
        stack.call("POST", "/staff/bookings", zhang, json=booking),
    )
    codes = sorted(a.status_code for a in answers)
    assert codes == [200, 409], [a.text for a in answers]
    lost = next(a for a in answers if a.status_code == 409).json()
    assert lost["error"] == "slot_taken" and len(lost["alternatives"]) >= 1
    interview_id = next(a for a in answers if a.status_code == 200).json()["interview_id"]

    interview = await chat.wait(lambda: _with_links(interview_id), 15)
    assert interview.meeting_link.startswith("https://meeting.tencent.com/")
    schedules = await _sandbox_schedules(stack)
    created = schedules["schedules"][interview.wecom_schedule_id]
    assert sorted(a["userid"] for a in created["attendees"]) == ["chenjing", "wangqiang"]
    assert created["start_time"] == int(datetime.fromisoformat(first["start"]).timestamp())

    cancel = await stack.call("POST", f"/staff/interviews/{interview_id}/cancel", hr,
                              json={"reason": "岗位关闭"})  # fmt: skip
    assert cancel.status_code == 200, cancel.text
    gone = await chat.wait(lambda: _schedule_gone(stack, interview.wecom_schedule_id), 15)
    assert gone
    # The invited candidate is told, once, with the reason; the invitation is withdrawn.
    told = [m for m in await OutboxMessage.filter(channel=Channel.CANDIDATE)
            if "已取消" in m.payload["content"]]  # fmt: skip
    assert len(told) == 1 and "岗位关闭" in told[0].payload["content"]
    [invitation] = await InterviewInvitation.filter(interview_id=interview_id)
    assert invitation.status == InvitationStatus.WITHDRAWN
    # The time is free again for another booking.
    again = await stack.call("POST", "/staff/bookings", hr, json=booking)
    assert again.status_code == 200, again.text


async def _with_links(interview_id: int) -> Interview | None:
    interview = await Interview.get(id=interview_id)
    return interview if interview.wecom_schedule_id and interview.meeting_link else None


async def _schedule_gone(stack: Stack, schedule_id: str) -> bool | None:
    return True if schedule_id not in (await _sandbox_schedules(stack))["schedules"] else None
