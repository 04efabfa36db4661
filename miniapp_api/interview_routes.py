"""The candidate's recorded interview: device check, the question flow, chunked uploads,
results and the survey."""

from __future__ import annotations

from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json

from miniapp_api import schemas as s
from miniapp_api.context import miniapp
from miniapp_api.edge import body_of, documented, parse_time, principal_of
from recruiting import validation
from recruiting.errors import InvalidInput

bp = Blueprint("miniapp_interviews", url_prefix="/miniapp/v1")


# -- device check and the question flow ----------------------------------------------------


@bp.post("/device-check", stream=True)
@documented(
    "Check camera, microphone and light with a 3–5 s test clip (not stored)",
    "interview",
    s.DeviceCheckOut,
    binary=True,
)
async def device_check(request: Request) -> HTTPResponse:
    principal = await principal_of(request)
    result = await miniapp(request).device_check.check(principal, body_of(request))
    return json(
        {
            "ready": result.ready,
            "audible": result.audible,
            "face_visible": result.face_visible,
            "lighting_ok": result.lighting_ok,
            "duration": round(result.duration, 2),
            "advice": result.advice,
            "details": result.details,
        }
    )


@bp.get("/interviews")
@documented("The candidate's recorded interviews", "interview", list[dict[str, Any]])
async def interviews(request: Request) -> HTTPResponse:
    return json(await miniapp(request).recorded.list_for(await principal_of(request)))


@bp.get("/interviews/<interview_id:int>")
@documented("One interview: status, deadline, progress", "interview", dict[str, Any])
async def interview(request: Request, interview_id: int) -> HTTPResponse:
    return json(await miniapp(request).recorded.overview(await principal_of(request), interview_id))


@bp.post("/interviews/<interview_id:int>/next")
@documented(
    "Reveal the current question (idempotent); done when all are answered",
    "interview",
    s.NextQuestion,
)
async def next_question(request: Request, interview_id: int) -> HTTPResponse:
    q = await miniapp(request).recorded.next_question(await principal_of(request), interview_id)
    return json({"done": q is None, "question": q.to_json() if q else None})


@bp.post("/interviews/<interview_id:int>/questions/<index:int>/skip")
@documented("Skip the current question", "interview", s.Ok)
async def skip(request: Request, interview_id: int, index: int) -> HTTPResponse:
    await miniapp(request).recorded.skip(await principal_of(request), interview_id, index)
    return json({"ok": True})


@bp.post("/interviews/<interview_id:int>/questions/<index:int>/retake")
@documented("Record the latest answer again (within the allowed retakes)", "interview", s.Question)
async def retake(request: Request, interview_id: int, index: int) -> HTTPResponse:
    q = await miniapp(request).recorded.retake(await principal_of(request), interview_id, index)
    return json(q.to_json())


@bp.post("/interviews/<interview_id:int>/events")
@documented(
    "Report an integrity event (app backgrounded, network switch, …)",
    "interview",
    s.Ok,
    body=s.EventBody,
)
async def report_event(request: Request, interview_id: int) -> HTTPResponse:
    body = s.parse(s.EventBody, request.json)
    await miniapp(request).recorded.report_event(
        await principal_of(request),
        interview_id,
        body.kind,
        question_index=body.question_index,
        client_at=parse_time(body.client_at, "client_at"),
        detail=body.detail,
    )
    return json({"ok": True})


# -- uploads -------------------------------------------------------------------------------


@bp.post("/uploads")
@documented(
    "Start (or find again) the resumable upload of an answer",
    "upload",
    s.UploadStateOut,
    body=s.UploadStartBody,
)
async def start_upload(request: Request) -> HTTPResponse:
    b = s.parse(s.UploadStartBody, request.json)
    state = await miniapp(request).uploads.start(
        await principal_of(request),
        b.interview_id,
        b.question_index,
        b.size,
        b.sha256,
        b.media_type,
    )
    return json(state.to_json())


@bp.get("/uploads/<upload_id:str>")
@documented("Where an upload stands: bytes acknowledged, status", "upload", s.UploadStateOut)
async def upload_status(request: Request, upload_id: str) -> HTTPResponse:
    state = await miniapp(request).uploads.status(await principal_of(request), upload_id)
    return json(state.to_json())


@bp.put("/uploads/<upload_id:str>", stream=True)
@documented(
    "Send one chunk at ?offset= with its SHA-256 in X-Chunk-SHA256",
    "upload",
    s.UploadStateOut,
    binary=True,
    query=("offset",),
    header=("X-Chunk-SHA256",),
)
async def put_chunk(request: Request, upload_id: str) -> HTTPResponse:
    principal = await principal_of(request)
    offset = validation.digits("offset", request.args.get("offset"))
    checksum = request.headers.get("x-chunk-sha256", "")
    if len(checksum) != 64:
        raise InvalidInput("需要 X-Chunk-SHA256 请求头（64 位十六进制）。")
    length = request.headers.get("content-length")
    state = await miniapp(request).uploads.append(
        principal,
        upload_id,
        offset,
        validation.digits("Content-Length", length) if length is not None else None,
        checksum,
        body_of(request),
    )
    return json(state.to_json())


@bp.post("/uploads/<upload_id:str>/complete")
@documented(
    "Finish: whole-file SHA-256 and media checks, then analysis is queued",
    "upload",
    s.UploadStateOut,
)
async def complete_upload(request: Request, upload_id: str) -> HTTPResponse:
    state = await miniapp(request).uploads.complete(await principal_of(request), upload_id)
    return json(state.to_json())


# -- results -------------------------------------------------------------------------------


@bp.get("/interviews/<interview_id:int>/receipts")
@documented("Receipts of what the candidate submitted", "results", list[dict[str, Any]])
async def receipts(request: Request, interview_id: int) -> HTTPResponse:
    return json(await miniapp(request).results.receipts(await principal_of(request), interview_id))


@bp.get("/interviews/<interview_id:int>/summary")
@documented("The summary HR released (or released: false)", "results", dict[str, Any])
async def summary(request: Request, interview_id: int) -> HTTPResponse:
    principal = await principal_of(request)
    return json(await miniapp(request).results.released_summary(principal, interview_id))


@bp.get("/interviews/<interview_id:int>/explanation")
@documented("How the candidate was assessed, in plain language", "results", dict[str, Any])
async def explanation(request: Request, interview_id: int) -> HTTPResponse:
    principal = await principal_of(request)
    return json(await miniapp(request).results.explanation(principal, interview_id))


# -- survey --------------------------------------------------------------------------------


@bp.get("/interviews/<interview_id:int>/survey")
@documented("The post-interview survey: questions and the candidate's answers", "survey",
            s.SurveyForm)  # fmt: skip
async def survey(request: Request, interview_id: int) -> HTTPResponse:
    principal = await principal_of(request)
    return json(await miniapp(request).surveys.candidate_form(principal, interview_id))


@bp.post("/interviews/<interview_id:int>/survey")
@documented(
    "Answer the survey (one response per interview; changes allowed within the edit window, "
    "then 409 survey_closed; 409 survey_not_open before the interview is completed)",
    "survey",
    s.SurveyForm,
    body=s.SurveyBody,
)
async def answer_survey(request: Request, interview_id: int) -> HTTPResponse:
    body = s.parse(s.SurveyBody, request.json)
    principal = await principal_of(request)
    form = await miniapp(request).surveys.submit_candidate(
        principal, interview_id, body.answers, body.comment
    )
    return json(form)
