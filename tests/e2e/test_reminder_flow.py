"""Interview reminders over HTTP against the WeCom sandbox: HR books a remote interview
through the scheduling API, the service's own scheduler (running inside the web process, on
SQLite and on PostgreSQL + Redis with the Redis leader lock) reaches the 24 h and then the 1 h
mark, and each interviewer sees each reminder in WeCom exactly once, with the role, time and
meeting link; after a reschedule the old time reminds no one and the new time does.

Time is moved by replacing the scheduler's clock, an attribute of the in-process object: a
test hook nothing outside the process can reach."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from recruiting.bootstrap import Services
from recruiting.models import (
    Application,
    Candidate,
    Interview,
    InterviewRound,
    JobOpening,
    ReminderDelivery,
    Staff,
)
from tests.e2e import chat
from tests.e2e.miniapp import Stack, monday
from tests.e2e.stack import FrozenScheduler, running

PANEL = ["chenjing", "wangqiang"]


@dataclass
class Clocked(FrozenScheduler):
    """The stack, and a handle on the service's scheduler clock."""

    stack: Stack
    services: Services
    ticks: int = 0


@pytest.fixture(params=["sqlite", "postgres+redis"])
async def clocked(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Clocked]:
    env = {"RECRUITING__ANALYSIS__PROCESSES": "0", "RECRUITING__SCHEDULER__TICK_SECONDS": "1"}
    async with (
        running(request.param, tmp_path, "remind", env) as (settings, service, console),
        httpx.AsyncClient(base_url=f"http://127.0.0.1:{settings.server.port}", timeout=60) as api,
    ):
        job = await JobOpening.create(code="sales", title="销售代表")
        round_ = await InterviewRound.create(job=job, name="终面", duration_minutes=45,
                                             panel_size=2)  # fmt: skip
        application = await Application.create(candidate=await Candidate.create(name="赵敏"),
                                               job=job)  # fmt: skip
        services: Services = service.ctx.services
        yield Clocked(Stack(settings, api, console, application.id, round_.id), services)


async def reminders_to(stack: Stack, userid: str) -> list[str]:
    chat = (await stack.console.get("/sandbox/messages", params={"userid": userid})).json()
    return [m["content"]["content"] for m in chat["messages"]
            if m.get("msgtype") == "text" and m.get("status") == "sent"
            and "【面试提醒】" in m["content"]["content"]]  # fmt: skip


async def book(stack: Stack, hr: str, day: datetime) -> dict[str, Any]:
    panel = [s.id for s in await Staff.filter(wecom_userid__in=PANEL)]
    window = {"start": day.isoformat(), "end": (day + timedelta(days=1)).isoformat()}
    found = await stack.call("POST", "/staff/proposals", hr,
                             json={"round_id": stack.round_id, "interviewers": panel,
                                   "windows": [window]})  # fmt: skip
    assert found.status_code == 200, found.text
    first = found.json()[0]
    booking = {"application_id": stack.application_id, "round_id": stack.round_id,
               "start": first["start"], "interviewers": first["interviewers"], "mode": "remote"}  # fmt: skip
    booked = await stack.call("POST", "/staff/bookings", hr, json=booking)
    assert booked.status_code == 200, booked.text
    return {"id": booked.json()["interview_id"], "start": datetime.fromisoformat(first["start"]),
            "interviewers": first["interviewers"]}  # fmt: skip


async def test_interviewers_get_each_reminder_once_and_none_for_the_old_time(
    clocked: Clocked,
) -> None:
    stack = clocked.stack
    assert clocked.services.scheduler.running
    hr = await stack.staff_token("lina")
    booked = await book(stack, hr, monday())
    start: datetime = booked["start"]
    await chat.wait(lambda: _link(booked["id"]))  # the meeting was created through the outbox
    interview = await Interview.get(id=booked["id"])

    clocked.scheduler_at(start - timedelta(hours=24) + timedelta(minutes=1))
    for userid in PANEL:
        await chat.wait(lambda u=userid: _count(stack, u, 1))
    await clocked.ticked(3)  # more ticks at this time add nothing
    for userid in PANEL:
        texts = await reminders_to(stack, userid)
        assert len(texts) == 1, texts
        local = start.astimezone(stack.settings.timezone)
        assert "销售代表（终面）" in texts[0] and f"{local:%H:%M}" in texts[0]
        assert interview.meeting_link in texts[0] and "明天" in texts[0]

    clocked.scheduler_at(start - timedelta(minutes=59))
    for userid in PANEL:
        await chat.wait(lambda u=userid: _count(stack, u, 2))
    await clocked.ticked(3)
    for userid in PANEL:
        texts = await reminders_to(stack, userid)
        assert len(texts) == 2 and "今天" in texts[1], texts
    assert await _deliveries(booked["id"]) == {"candidate": 2, "interviewer": 2 * len(PANEL)}

    # HR moves the interview a week later: the old time reminds no one, the new one does
    week = {"start": (start + timedelta(days=7)).isoformat(),
            "end": (start + timedelta(days=8)).isoformat()}  # fmt: skip
    later = await stack.call("POST", "/staff/proposals", hr, json={
        "round_id": stack.round_id, "interviewers": booked["interviewers"], "windows": [week]})  # fmt: skip
    assert later.status_code == 200, later.text
    new = later.json()[0]
    moved = await stack.call("POST", f"/staff/interviews/{booked['id']}/reschedule", hr,
                             json={"start": new["start"], "interviewers": new["interviewers"]})  # fmt: skip
    assert moved.status_code == 200, moved.text
    new_start = datetime.fromisoformat(new["start"])
    clocked.scheduler_at(start - timedelta(minutes=10))
    await clocked.ticked(3)
    clocked.scheduler_at(new_start - timedelta(minutes=30))  # 24 h and 1 h due: only the 1 h goes
    for userid in PANEL:
        await chat.wait(lambda u=userid: _count(stack, u, 3))
    await clocked.ticked(3)
    local = new_start.astimezone(stack.settings.timezone)
    for userid in PANEL:
        texts = await reminders_to(stack, userid)
        assert len(texts) == 3, texts
        assert f"{local.month}月{local.day}日" in texts[2] and "今天" in texts[2]
    assert await _deliveries(booked["id"]) == {"candidate": 3, "interviewer": 3 * len(PANEL)}


async def _deliveries(interview_id: int) -> dict[str, int]:
    """Reminders written per audience (since booking invites her, the candidate is one)."""
    rows = await ReminderDelivery.filter(interview_id=interview_id).values_list(
        "audience", flat=True
    )
    return dict(Counter(str(a) for a in rows))


async def _link(interview_id: int) -> bool:
    return bool((await Interview.get(id=interview_id)).meeting_link)


async def _count(stack: Stack, userid: str, n: int) -> bool:
    return len(await reminders_to(stack, userid)) >= n
