"""What employees do in the mini-app: invite, list and view recorded interviews, play an
answer, read surveys, release a summary."""

from __future__ import annotations

from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, ResponseStream, json
from sanic_ext.extensions.openapi import openapi

from miniapp_api import schemas as s
from miniapp_api.context import miniapp
from miniapp_api.edge import documented, principal_of
from recruiting import validation
from recruiting.errors import InvalidInput
from recruiting.web import media_response

bp = Blueprint("miniapp_staff", url_prefix="/miniapp/v1")


# -- staff ---------------------------------------------------------------------------------


@bp.post("/staff/invitations")
@documented(
    "Invite an applicant to a recorded round", "staff", s.InvitationOut, body=s.InvitationBody
)
async def create_invitation(request: Request) -> HTTPResponse:
    b = s.parse(s.InvitationBody, request.json)
    deadline = validation.moment("deadline", b.deadline)  # required: never None, no assert
    created = await miniapp(request).links.create(
        await principal_of(request), b.application_id, b.round_id, deadline
    )
    return json(
        {
            "interview_id": created.interview_id,
            "token": created.token,
            "expires_at": created.expires_at.isoformat(),
            "path": created.path,
        }
    )


@bp.get("/staff/interviews")
@documented("Recorded interviews this employee may review (audited)", "staff", list[dict[str, Any]])
async def staff_list(request: Request) -> HTTPResponse:
    return json(await miniapp(request).results.staff_list(await principal_of(request)))


@bp.get("/staff/interviews/<interview_id:int>")
@documented(
    "Answers, transcripts, scores with evidence and integrity flags (audited)",
    "staff",
    dict[str, Any],
)
async def staff_view(request: Request, interview_id: int) -> HTTPResponse:
    return json(
        await miniapp(request).results.staff_view(await principal_of(request), interview_id)
    )


@bp.get("/staff/interviews/<interview_id:int>/answers/<index:int>/media")
@documented(
    "Stream one recorded answer, or the byte range asked for (Range: bytes=…, 206; an "
    "unsatisfiable range is 416); role-checked and audited on every request",
    "staff",
    s.Ok,
)
@openapi.parameter("Range", str, "header", description="bytes=start-end, start- or -suffix")
async def staff_media(request: Request, interview_id: int, index: int) -> ResponseStream:
    principal = await principal_of(request)
    media = await miniapp(request).results.media(
        principal, interview_id, index, request.headers.get("range")
    )
    return media_response(media, f"answer-{interview_id}-{index}")


@bp.get("/staff/surveys")
@documented(
    "Survey results of a job per round: counts, means, distributions, response rates; "
    "candidates' comments for HR only (audited)",
    "staff",
    dict[str, Any],
)
@openapi.parameter("job", str, "query", required=True, description="job id, code or title")
@openapi.parameter("round", str, "query", description="round sequence number or name")
async def staff_surveys(request: Request) -> HTTPResponse:
    principal = await principal_of(request)
    job = validation.text("job", request.args.get("job") or "", 128)
    if not job.strip():
        raise InvalidInput("请填写岗位（编号、代码或名称）。")
    round_ = validation.text("round", request.args.get("round") or "", 128)
    summaries = miniapp(request).survey_summaries
    return json(await summaries.summary(principal, job, round_ or None))


@bp.post("/staff/interviews/<interview_id:int>/summary")
@documented(
    "Write (or edit) and release a summary: the mini-app shows it and it is sent through "
    "the candidate channel (audited; the same text again sends nothing)",
    "staff",
    s.Ok,
    body=s.SummaryBody,
)
async def release_summary(request: Request, interview_id: int) -> HTTPResponse:
    b = s.parse(s.SummaryBody, request.json)
    await miniapp(request).results.release_summary(
        await principal_of(request), interview_id, b.strengths, b.improvements, b.next_step
    )
    return json({"ok": True})
