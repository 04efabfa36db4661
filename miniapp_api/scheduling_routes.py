"""Staff scheduling endpoints (``/miniapp/v1/staff/...``): propose slots, book, reschedule,
cancel, record a no-show. A booking that lost a race answers 409 ``slot_taken`` with fresh
``alternatives``.

Each route authenticates first and makes one use-case call: booking, moving and cancelling
carry the candidate's invitation with them (``booking.InterviewBooking``), so no route chains
two steps a crash could split."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json

from miniapp_api import schemas as s
from miniapp_api.edge import documented, principal_of
from recruiting import validation
from recruiting.domain.availability import Interval
from recruiting.domain.shorten import shorten
from recruiting.errors import InvalidInput
from recruiting.models import Interview, InterviewMode
from recruiting.services.scheduling.booking import InterviewBooking
from recruiting.services.scheduling.slots import SchedulingService, proposal_json
from recruiting.web import services_of

bp = Blueprint("miniapp_scheduling", url_prefix="/miniapp/v1/staff")
REASON_CHARS = 200  # a cancellation's reason, in the message to the candidate


def _service(request: Request) -> SchedulingService:
    return services_of(request).scheduling.service


def _booking(request: Request) -> InterviewBooking:
    return services_of(request).invitations.booking


@bp.post("/proposals")
@documented("Propose conflict-free slots for a round within the candidate's windows",
            "scheduling", list[s.ProposalOut], body=s.ProposalsBody)  # fmt: skip
async def proposals(request: Request) -> HTTPResponse:
    principal = await principal_of(request)
    body = s.parse(s.ProposalsBody, request.json)
    windows = [_window(w) for w in body.windows]
    if not windows or len(windows) > 20:
        raise InvalidInput("请给出 1 到 20 个可面试时段。")
    found = await _service(request).propose(
        principal, body.round_id, windows, body.interviewers, want=5
    )
    return json([proposal_json(p) for p in found])


@bp.post("/bookings")
@documented("Book an interview (atomic; 409 slot_taken comes with alternatives) and invite the "
            "candidate",
            "scheduling", s.Booked, body=s.BookBody)  # fmt: skip
async def book(request: Request) -> HTTPResponse:
    principal = await principal_of(request)
    b = s.parse(s.BookBody, request.json)
    try:
        mode = InterviewMode(b.mode)
    except ValueError as exc:
        raise InvalidInput("面试方式只能是 onsite（现场）或 remote（远程）。") from exc
    start = validation.moment("start", b.start)
    interview = await _booking(request).book_and_invite(
        principal, b.application_id, b.round_id, start, b.interviewers,
        mode=mode, location=validation.text("location", b.location, 256),
    )  # fmt: skip
    return json(_booked(interview))


@bp.post("/interviews/<interview_id:int>/reschedule")
@documented("Move an interview to another slot", "scheduling", s.Booked, body=s.RescheduleBody)
async def reschedule(request: Request, interview_id: int) -> HTTPResponse:
    principal = await principal_of(request)
    b = s.parse(s.RescheduleBody, request.json)
    moved = await _booking(request).reschedule_and_invite(
        principal, interview_id, validation.moment("start", b.start), b.interviewers
    )
    return json(_booked(moved))


@bp.post("/interviews/<interview_id:int>/cancel")
@documented("Cancel an interview (frees the time, removes the WeCom schedule, tells an invited "
            "candidate)", "scheduling",
            s.Ok, body=s.CancelBody)  # fmt: skip
async def cancel(request: Request, interview_id: int) -> HTTPResponse:
    principal = await principal_of(request)
    b = s.parse(s.CancelBody, request.json or {})
    reason = shorten(b.reason, max_chars=REASON_CHARS)  # the candidate reads it: whole words
    await _booking(request).cancel_and_withdraw(principal, interview_id, reason)
    return json({"ok": True})


@bp.post("/interviews/<interview_id:int>/no-show")
@documented("Record that the candidate did not come", "scheduling", s.Ok)
async def no_show(request: Request, interview_id: int) -> HTTPResponse:
    await _service(request).no_show(await principal_of(request), interview_id)
    return json({"ok": True})


def _window(data: Any) -> Interval:
    w = s.parse(s.WindowIn, data)
    start, end = validation.moment("start", w.start), validation.moment("end", w.end)
    if end <= start or end - start > timedelta(days=31):
        raise InvalidInput("时段的开始须早于结束，且不超过 31 天。")
    return Interval(start, end)


def _booked(interview: Interview) -> dict[str, Any]:
    return {
        "interview_id": interview.id,
        "status": interview.status,
        "start": interview.starts_at.isoformat() if interview.starts_at else None,
        "end": interview.ends_at.isoformat() if interview.ends_at else None,
    }
