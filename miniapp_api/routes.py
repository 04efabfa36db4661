"""HTTP entry points of the mini-app API (``/miniapp/v1``): each route reads the request,
calls one use case and writes JSON. Errors become ``{"error": code, "message": text}`` with
the status chosen in ``recruiting.web``.
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from typing import Any, TypeVar, cast

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, ResponseStream, json
from sanic_ext.extensions.openapi import openapi

from miniapp_api import limits
from miniapp_api import schemas as s
from miniapp_api.context import MiniApp, miniapp
from recruiting import validation
from recruiting.errors import AccessDenied, InvalidInput
from recruiting.models import ConsentPurpose, SubjectKind
from recruiting.services.recorded.consents import Decision, consent_state
from recruiting.services.shared.audit import record
from recruiting.services.shared.sessions import IssuedSession, Principal

bp = Blueprint("miniapp", url_prefix="/miniapp/v1")
H = TypeVar("H", bound=Callable[..., Any])

ERRORS = {
    400: {"application/json": s.Error},
    401: {"application/json": s.Error},
    403: {"application/json": s.Error},
    404: {"application/json": s.Error},
    409: {"application/json": s.Error},
    413: {"application/json": s.Error},
    408: {"application/json": s.Error},
    429: {"application/json": s.Error},
    503: {"application/json": s.Error},
}


def documented(
    summary: str,
    tag: str,
    response: Any,
    *,
    body: Any = None,
    auth: bool = True,
    binary: bool = False,
    query: tuple[str, ...] = (),
    header: tuple[str, ...] = (),
    anyone: bool = False,
) -> Callable[[H], H]:
    """One decorator for the OpenAPI facts every route states, and for the edge checks every
    route gets: a secured route authenticates first; routes tagged ``staff``/``scheduling``
    are for employees, the others for candidates (and invited visitors), unless ``anyone``."""
    audience = None if anyone or not auth else STAFF if tag in STAFF_TAGS else CANDIDATES

    def wrap(handler: H) -> H:
        handler = _guarded(handler, auth, audience)
        handler = openapi.summary(summary)(handler)
        handler = openapi.tag(tag)(handler)
        handler = openapi.response(200, {"application/json": response}, "OK")(handler)
        for status, content in ERRORS.items():
            handler = openapi.response(status, content, "error")(handler)
        if body is not None:
            handler = openapi.body({"application/json": body}, required=True)(handler)
        if binary:
            binary_body: dict[str, Any] = {
                "application/octet-stream": {"type": "string", "format": "binary"}
            }
            handler = openapi.body(binary_body, required=True)(handler)
        for name in query:
            handler = openapi.parameter(name, int, "query", required=True)(handler)
        for name in header:
            handler = openapi.parameter(name, str, "header", required=True)(handler)
        if auth:
            handler = openapi.secured("bearer")(handler)
        return handler

    return wrap


STAFF_TAGS = frozenset({"staff", "scheduling"})
STAFF = frozenset({SubjectKind.STAFF})
CANDIDATES = frozenset({SubjectKind.CANDIDATE, SubjectKind.VISITOR})


def _guarded(handler: H, auth: bool, audience: frozenset[SubjectKind] | None) -> H:
    """Authenticate before anything else (so no lookup, parse or 404 can answer a caller
    without a valid session), refuse the other side's sessions, then check the path
    parameters at the edge."""

    @functools.wraps(handler)
    async def guarded(request: Request, **params: Any) -> Any:
        if auth:
            principal = request.ctx.principal = await _authenticate(request)
            if audience is not None and principal.kind not in audience:
                route = request.route.name if request.route else request.path
                await record(principal.actor, "open_route", "route", route, allowed=False)
                raise AccessDenied(
                    "这项功能只对员工开放。" if audience is STAFF else "这项功能只对候选人开放。"
                )
        if not request.path.isascii():  # Sanic's int matches Unicode digits such as ٣
            raise InvalidInput("地址中的编号无效。", code="invalid_id")
        return await handler(request, **{k: _path_value(k, v) for k, v in params.items()})

    return cast(H, guarded)


def _path_value(name: str, value: Any) -> Any:
    if isinstance(value, int):
        return validation.record_id(name, value) if name.endswith("_id") else (
            validation.ordinal(name, value))  # fmt: skip
    return validation.key(name, value)


async def principal_of(request: Request) -> Principal:
    """The caller, authenticated once per request (first thing in every secured route)."""
    known: Principal | None = getattr(request.ctx, "principal", None)
    return known if known is not None else await _authenticate(request)


async def _authenticate(request: Request) -> Principal:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    principal = await miniapp(request).sessions.authenticate(
        token.strip() if scheme.lower() == "bearer" else None
    )
    await limits.limit_caller(request, principal)  # per session and account: 429
    return principal


def _session(issued: IssuedSession) -> HTTPResponse:
    p = issued.principal
    return json(
        {
            "token": issued.token,
            "expires_at": issued.expires_at.isoformat(),
            "kind": p.kind.value,
            "candidate_id": p.candidate_id,
        }
    )


# -- login ---------------------------------------------------------------------------------


@bp.post("/login/candidate")
@documented(
    "Log in a candidate with a wx.login code", "session", s.Session, body=s.LoginBody, auth=False
)
async def login_candidate(request: Request) -> HTTPResponse:
    body = s.parse(s.LoginBody, request.json)
    code = validation.text("code", body.code, 128)
    return _session(await miniapp(request).sessions.login_candidate(code))


@bp.post("/login/staff")
@documented(
    "Log in an employee with a wx.qy.login code", "session", s.Session, body=s.LoginBody, auth=False
)
async def login_staff(request: Request) -> HTTPResponse:
    body = s.parse(s.LoginBody, request.json)
    code = validation.text("code", body.code, 128)
    return _session(await miniapp(request).sessions.login_staff(code))


@bp.post("/logout")
@documented("Revoke the current session", "session", s.Ok, anyone=True)
async def logout(request: Request) -> HTTPResponse:
    await miniapp(request).sessions.revoke(await principal_of(request))
    return json({"ok": True})


@bp.post("/invitations/redeem")
@documented(
    "Bind this WeChat account to an invitation (one-time)", "session", s.Redeemed, body=s.RedeemBody
)
async def redeem(request: Request) -> HTTPResponse:
    body = s.parse(s.RedeemBody, request.json)
    bound, interview_id = await miniapp(request).invitations.redeem(
        await principal_of(request), body.invitation
    )
    return json({"interview_id": interview_id, "candidate_id": bound.candidate_id})


# -- consent -------------------------------------------------------------------------------


@bp.get("/consents/texts")
@documented("The current consent texts (versioned)", "consent", list[s.ConsentTextOut], auth=False)
async def consent_texts(request: Request) -> HTTPResponse:
    return json(
        [
            {
                "purpose": t.purpose.value,
                "version": t.version,
                "required": t.required,
                "title": t.title,
                "text": t.text,
            }
            for t in miniapp(request).consents.texts()
        ]
    )


@bp.get("/consents")
@documented("The candidate's standing consent decisions", "consent", s.ConsentStateOut)
async def consents(request: Request) -> HTTPResponse:
    principal = await principal_of(request)
    return _consent_json(await consent_state(principal.candidate_id or 0))


@bp.post("/consents")
@documented(
    "Grant, refuse or withdraw consents (withdrawing erases what they covered)",
    "consent",
    s.ConsentStateOut,
    body=s.ConsentBody,
)
async def decide_consents(request: Request) -> HTTPResponse:
    body = s.parse(s.ConsentBody, request.json)
    decisions = [_decision(d) for d in body.decisions]
    state = await miniapp(request).consents.decide(await principal_of(request), decisions)
    return _consent_json(state)


def _decision(data: Any) -> Decision:
    d = s.parse(s.ConsentDecisionIn, data)
    try:
        purpose = ConsentPurpose(d.purpose)
    except ValueError as exc:
        raise InvalidInput("未知的授权事项。") from exc
    return Decision(purpose, d.version, d.granted)


def _consent_json(state: Any) -> HTTPResponse:
    return json(
        {
            "granted": sorted(p.value for p in state.granted),
            "missing_required": [p.value for p in state.missing_required()],
        }
    )


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
    result = await miniapp(request).device_check.check(principal, _body(request))
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
        _body(request),
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


# -- staff ---------------------------------------------------------------------------------


@bp.post("/staff/invitations")
@documented(
    "Invite an applicant to a recorded round", "staff", s.InvitationOut, body=s.InvitationBody
)
async def create_invitation(request: Request) -> HTTPResponse:
    b = s.parse(s.InvitationBody, request.json)
    deadline = parse_time(b.deadline, "deadline")
    assert deadline is not None
    created = await miniapp(request).invitations.create(
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
@documented("Stream one recorded answer (audited)", "staff", s.Ok)
async def staff_media(request: Request, interview_id: int, index: int) -> ResponseStream:
    principal = await principal_of(request)
    media = await miniapp(request).results.media(principal, interview_id, index)

    async def send(response: Any) -> None:
        async for block in media.chunks:
            await response.write(block)

    # A recording may also parse as HTML or a zip (a polyglot): never let a browser sniff
    # or render it in the page; it is downloaded as the type it was checked to be.
    suffix = MEDIA_SUFFIX.get(media.media_type, "bin")
    return ResponseStream(
        send,
        content_type=media.media_type or "application/octet-stream",
        headers={
            "Content-Length": str(media.size),
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
            "Content-Disposition": f'attachment; filename="answer-{interview_id}-{index}.{suffix}"',
        },
    )


MEDIA_SUFFIX = {"video/mp4": "mp4", "video/quicktime": "mov", "video/webm": "webm",
                "audio/mp4": "m4a", "audio/m4a": "m4a", "audio/aac": "aac", "audio/mpeg": "mp3",
                "audio/webm": "weba"}  # fmt: skip


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


# -- helpers -------------------------------------------------------------------------------


def _body(request: Request) -> AsyncIterator[bytes]:
    return limits.read_body(request, request.app.ctx.services.settings.miniapp.body_seconds)


def parse_time(value: str | None, name: str = "time") -> datetime | None:
    return None if value is None else validation.moment(name, value)


__all__ = ["MiniApp", "bp"]
