"""The candidate's rights over their personal data (``/miniapp/v1/me/...``): what is held
(summary and export), their own recordings, requests to correct or delete, the talent pool;
and HR's side (``/miniapp/v1/staff/data-requests``): requests received by other means, the
list, acting on one. Each route calls one use case of ``recruiting.services.personal_data``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, ResponseStream, json
from sanic_ext.extensions.openapi import openapi

from miniapp_api import schemas as s
from miniapp_api.edge import documented, principal_of
from recruiting import validation
from recruiting.errors import InvalidInput
from recruiting.models import DataRequestKind
from recruiting.services.personal_data.requests import DataRequests
from recruiting.services.personal_data.rights import CandidateRights
from recruiting.web import media_response, services_of

bp = Blueprint("miniapp_rights", url_prefix="/miniapp/v1")


@dataclass
class CorrectionBody:
    field: str  # phone | email
    value: str


@dataclass
class DeletionBody:
    confirm: bool  # must be true: deleting everything cannot be undone


@dataclass
class TalentPoolBody:
    granted: bool
    version: str


@dataclass
class DataRequestOut:
    id: int
    candidate_id: int
    kind: str
    kind_name: str
    status: str
    status_name: str
    via: str
    created_at: str
    due_at: str
    outcome: str
    field: str | None = None
    handled_at: str | None = None


@dataclass
class Opened:
    created: bool
    request: DataRequestOut


@dataclass
class StaffRecordBody:
    candidate_id: int
    kind: str  # access | correction | deletion
    via: str  # phone | email | letter | in_person | wecom
    field: str = ""
    value: str = ""
    note: str = ""


@dataclass
class ActBody:
    action: str  # confirm | refuse | erase | noted | answered
    reason: str = ""


def _rights(request: Request) -> CandidateRights:
    return services_of(request).data_rights.rights


def _requests(request: Request) -> DataRequests:
    return services_of(request).data_rights.requests


# -- the candidate -------------------------------------------------------------------------


@bp.get("/me/data")
@documented("What is held about me, readable (contact data masked; audited)", "rights",
            dict[str, Any])  # fmt: skip
async def my_data(request: Request) -> HTTPResponse:
    return _private(await _rights(request).summary(await principal_of(request)))


@bp.get("/me/data/export")
@documented("Everything held about me, machine-readable, with the AI's assessments and "
            "their evidence (audited)", "rights", dict[str, Any])  # fmt: skip
async def my_export(request: Request) -> HTTPResponse:
    response = _private(await _rights(request).export(await principal_of(request)))
    response.headers["Content-Disposition"] = 'attachment; filename="my-data.json"'
    return response


@bp.get("/me/recordings/<interview_id:int>/<index:int>")
@documented("Download one of my recorded answers (audited)", "rights", s.Ok)
async def my_recording(request: Request, interview_id: int, index: int) -> ResponseStream:
    media = await _rights(request).recording(await principal_of(request), interview_id, index)
    return media_response(media, f"answer-{interview_id}-{index}")


@bp.get("/me/resumes/<resume_id:int>")
@documented("Download one of my résumé files (audited)", "rights", s.Ok)
async def my_resume(request: Request, resume_id: int) -> ResponseStream:
    name, media = await _rights(request).resume(await principal_of(request), resume_id)

    async def send(response: Any) -> None:
        async for block in media.chunks:
            await response.write(block)

    # The original name may hold any character: only an ASCII fallback plus RFC 5987.
    return ResponseStream(
        send,
        content_type=media.media_type or "application/octet-stream",
        headers={
            "Content-Length": str(media.size),
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
            "Content-Disposition": f'attachment; filename="resume-{resume_id}"; '
            f"filename*=UTF-8''{quote(name, safe='')}",
        },
    )


@bp.get("/me/requests")
@documented("My requests about my data and how they stand", "rights", list[DataRequestOut])
async def my_requests(request: Request) -> HTTPResponse:
    return json(await _rights(request).my_requests(await principal_of(request)))


@bp.post("/me/requests/correction")
@documented("Ask for my phone or e-mail to be corrected (applied once HR confirms it)",
            "rights", Opened, body=CorrectionBody)  # fmt: skip
async def ask_correction(request: Request) -> HTTPResponse:
    b = s.parse(CorrectionBody, request.json)
    value = validation.text("新的联系方式", b.value, 320)
    opened = await _rights(request).ask_correction(await principal_of(request), b.field, value)
    return _opened(request, opened)


@bp.post("/me/requests/deletion")
@documented("Ask for everything held about me to be deleted (within the set period, unless "
            "a legal hold applies)", "rights", Opened, body=DeletionBody)  # fmt: skip
async def ask_deletion(request: Request) -> HTTPResponse:
    b = s.parse(DeletionBody, request.json)
    if not b.confirm:
        raise InvalidInput("删除后无法恢复，请确认后再提交。", code="confirm_required")
    opened = await _rights(request).ask_deletion(await principal_of(request))
    return _opened(request, opened)


@bp.get("/me/talent-pool")
@documented("The talent-pool consent: its text and my decision", "rights", dict[str, Any])
async def talent_pool(request: Request) -> HTTPResponse:
    return json(await _rights(request).talent_pool(await principal_of(request)))


@bp.post("/me/talent-pool")
@documented("Join, decline or leave the talent pool (a separate, versioned consent)", "rights",
            dict[str, Any], body=TalentPoolBody)  # fmt: skip
async def decide_talent_pool(request: Request) -> HTTPResponse:
    b = s.parse(TalentPoolBody, request.json)
    state = await _rights(request).decide_talent_pool(
        await principal_of(request), b.granted, validation.text("同意书版本", b.version, 32)
    )
    return json(state)


# -- HR ------------------------------------------------------------------------------------


@bp.get("/staff/data-requests")
@documented("Candidates' requests about their data, newest first (HR; audited)", "staff",
            list[DataRequestOut])  # fmt: skip
@openapi.parameter("status", str, "query", description="received, on_hold, completed, refused")
async def staff_requests(request: Request) -> HTTPResponse:
    status = validation.text("状态", request.args.get("status") or "", 16)
    return json(await _requests(request).listing(await principal_of(request), status))


@bp.post("/staff/data-requests")
@documented("Record a request a candidate made by phone, e-mail, letter or in person (HR)",
            "staff", Opened, body=StaffRecordBody)  # fmt: skip
async def staff_record(request: Request) -> HTTPResponse:
    b = s.parse(StaffRecordBody, request.json)
    try:
        kind = DataRequestKind(b.kind)
    except ValueError as exc:
        raise InvalidInput("申请类型只能是查阅、更正或删除。", code="invalid_kind") from exc
    opened = await _requests(request).record_for(
        await principal_of(request), b.candidate_id, kind, b.via,
        field=b.field, value=validation.text("新的值", b.value, 320),
        note=validation.text("备注", b.note, 1000),
    )  # fmt: skip
    return _opened(request, opened)


@bp.post("/staff/data-requests/<request_id:int>/act")
@documented("Act on a request: confirm or refuse a correction, erase now, mark an access "
            "request answered (HR; erasing needs an HR manager)", "staff", DataRequestOut,
            body=ActBody)  # fmt: skip
async def staff_act(request: Request, request_id: int) -> HTTPResponse:
    b = s.parse(ActBody, request.json)
    if b.action not in ("confirm", "refuse", "erase", "noted", "answered"):
        raise InvalidInput("未知的处理方式。", code="invalid_action")
    reason = validation.text("原因", b.reason, 200)
    done = await _requests(request).act(await principal_of(request), request_id, b.action, reason)
    return json(done)


def _opened(request: Request, opened: Any) -> HTTPResponse:
    view = _requests(request).view(opened.request)
    return json({"created": opened.created, "request": view}, status=201 if opened.created else 200)


def _private(data: dict[str, Any]) -> HTTPResponse:
    return json(data, headers={"Cache-Control": "no-store"})
