"""Candidates in the workbench: the list (search by exact name or phone through the sealed
values, filters by opening and source), adding one by hand, importing a spreadsheet (check,
then apply), uploading résumé files, and merging duplicates. Thin: each handler calls one
``services.intake`` use case.

Files arrive on streamed routes (the service's default body limit is sized for WeCom
callbacks), posted by ``candidates.js`` with the CSRF token in a header; everything else is
a plain form. A checked spreadsheet is held by ``SpreadsheetImport.hold`` until 「导入」.
"""

from __future__ import annotations

import asyncio
from typing import Any, cast
from urllib.parse import urlencode

from sanic import Blueprint, Request
from sanic.request import RequestParameters, parse_multipart_form
from sanic.response import HTTPResponse, json, raw, redirect

from recruiting import validation
from recruiting.domain.intake import EDUCATION_LEVELS, LABELS
from recruiting.domain.pipeline import REJECT_NAMES, reject_reason
from recruiting.domain.roles import Permission
from recruiting.errors import InvalidInput, NotFound, PayloadTooLarge, RecruitingError
from recruiting.services.intake.candidates import DuplicateCandidate, EntryInvalid, MergedAway
from recruiting.services.intake.merge import merge_candidates
from recruiting.services.intake.resumes import UploadedFile
from recruiting.services.pipeline.reject import NOTE_CHARS
from recruiting.services.workbench.login import StaffPrincipal
from recruiting.web import services_of, status_for, user_message
from recruiting.wiring.intake import Intake
from recruiting.workbench.shell import notice_of, page, render, secure

bp = Blueprint("workbench_candidates", url_prefix="/workbench/candidates")

SHEET_BYTES = 5 * 1024 * 1024
UPLOAD_BYTES = 50 * 1024 * 1024  # one résumé upload, all files together
BODY_SECONDS = 120.0
PER_PAGE = 20
STATUS_NAMES = {
    "applied": "新投递", "screening": "筛选中", "interviewing": "面试中", "offer": "录用中",
    "hired": "已入职", "rejected": "不合适", "withdrawn": "已撤回",
}  # fmt: skip
PARSE_NAMES = {
    "unparsed": "未解析",
    "parsed": "已解析",
    "needs_ocr": "需文字识别",
    "refused": "无法读取",
}
MANAGE = Permission.MANAGE_INTERVIEWS


def intake_of(request: Request) -> Intake:
    return services_of(request).intake


async def _openings(request: Request, principal: StaffPrincipal) -> list[Any]:
    """The openings a candidate may be added to (the forms' choices)."""
    return await intake_of(request).candidates.open_openings(principal.as_principal())


def _int(value: str | None, *, name: str) -> int | None:
    if value is None or not value.strip():
        return None
    text = value.strip()
    if not validation.is_digits(text, 9):
        raise InvalidInput(f"{name}无效", code="bad_number")
    return int(text)


# -- the list --------------------------------------------------------------------------------


@bp.get("/")
@page(MANAGE)
async def candidate_list(request: Request, principal: StaffPrincipal) -> HTTPResponse:
    q = request.args
    filters = {
        "name": (q.get("name") or "").strip()[:40],
        "phone": (q.get("phone") or "").strip()[:40],
        "source": (q.get("source") or "").strip()[:32],
        "job": (q.get("job") or "").strip()[:9],
    }
    page_no = _int(q.get("page"), name="页码") or 1
    result = await intake_of(request).candidates.search(
        principal.as_principal(), name=filters["name"], phone=filters["phone"],
        source=filters["source"], job_id=_int(filters["job"], name="岗位"), page=page_no,
        per_page=PER_PAGE,
    )  # fmt: skip
    kept = {k: v for k, v in filters.items() if v}
    pages = {
        "prev": f"?{urlencode({**kept, 'page': page_no - 1})}" if page_no > 1 else "",
        "next": f"?{urlencode({**kept, 'page': page_no + 1})}" if page_no < result.pages else "",
    }
    return render(
        request, principal, "candidates/list.html", active="candidates", result=result,
        filters=filters, openings=await _openings(request, principal), pages=pages,
        status_names=STATUS_NAMES,
        notice=notice_of(request),
    )  # fmt: skip


@bp.get("/<candidate_id:int>")
@page(MANAGE)
async def candidate_detail(
    request: Request, principal: StaffPrincipal, candidate_id: int
) -> HTTPResponse:
    try:
        shown = await intake_of(request).candidates.profile(principal.as_principal(), candidate_id)
    except MergedAway as moved:
        return secure(redirect(f"/workbench/candidates/{moved.survivor_id}"))
    candidate = shown.candidate
    contact = None
    if request.args.get("contact") == "1":  # 查看联系方式: decrypted on demand, audited
        personal = services_of(request).personal_data.contact_data
        read = await personal.read(
            principal.actor, candidate.id, ["phone", "email"], "工作台查看联系方式"
        )
        contact = read.values
    resumes = services_of(request).screening.candidates
    resume = await resumes.view(principal.as_principal(), candidate.id)
    return render(
        request, principal, "candidates/detail.html", active="candidates", candidate=candidate,
        applications=shown.applications, files=shown.files, status_names=STATUS_NAMES,
        parse_names=PARSE_NAMES, openings=await _openings(request, principal), contact=contact,
        reasons=REJECT_NAMES, reason_name=_reason_name, resume=resume,
        notice=notice_of(request),
        can_record_request=principal.can(Permission.VIEW_CONTACT),  # 个人信息申请's role
    )  # fmt: skip


@bp.post("/<candidate_id:int>/reject")
@page(MANAGE)
async def reject(request: Request, principal: StaffPrincipal, candidate_id: int) -> HTTPResponse:
    form = _form(request)
    application_id = _int(form.get("application"), name="应聘记录")
    if application_id is None:
        raise NotFound("没有找到该应聘记录")
    reason = reject_reason(form.get("reason") or "")
    if reason is None:
        raise InvalidInput("请选择不合适的原因", code="bad_reason")
    note = validation.text("备注", form.get("note") or "", NOTE_CHARS)
    rejections = services_of(request).pipeline.rejections
    done = await rejections.reject(
        principal.as_principal(), application_id, reason, note, candidate_id=candidate_id
    )
    return _back(candidate_id, "已标记为不合适并告知候选人" if done.now else "之前已标记为不合适")


@bp.post("/<candidate_id:int>/apply")
@page(MANAGE)
async def apply_existing(
    request: Request, principal: StaffPrincipal, candidate_id: int
) -> HTTPResponse:
    job_id = _int(_form(request).get("job"), name="岗位")
    if job_id is None:
        raise InvalidInput("请选择岗位", code="job_required")
    added = await intake_of(request).candidates.apply_existing(
        principal.as_principal(), candidate_id, job_id
    )
    return _back(candidate_id, f"已添加应聘岗位：{added.job_title}")


def _reason_name(stored: str) -> str:
    """A stored rejection reason as HR reads it (a code's name; older rows kept HR's words)."""
    code = reject_reason(stored)
    return REJECT_NAMES[code] if code else stored


def _back(candidate_id: int, notice: str) -> HTTPResponse:
    return secure(redirect(f"/workbench/candidates/{candidate_id}?{urlencode({'notice': notice})}"))


@bp.get("/resumes/<resume_id:int>")
@page(Permission.VIEW_CONTACT)
async def resume_file(request: Request, principal: StaffPrincipal, resume_id: int) -> HTTPResponse:
    name, kind, blocks = await intake_of(request).resumes.read(principal.as_principal(), resume_id)
    data = b"".join([block async for block in blocks])
    disposition = f"attachment; filename=resume-{resume_id}; filename*=UTF-8''{_quote(name)}"
    headers = {
        "Content-Disposition": disposition,
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "sandbox; default-src 'none'",
    }
    return raw(data, content_type=kind or "application/octet-stream", headers=headers)


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name, safe="")


# -- adding by hand --------------------------------------------------------------------------


@bp.get("/new")
@page(MANAGE)
async def new_form(request: Request, principal: StaffPrincipal) -> HTTPResponse:
    return await _new_page(request, principal, {}, [], [])


@bp.post("/new")
@page(MANAGE)
async def add(request: Request, principal: StaffPrincipal) -> HTTPResponse:
    form = _form(request)
    values = {key: (form.get(key) or "")[:600] for key in LABELS}
    job_id = _int(form.get("job_id"), name="岗位")
    try:
        added = await intake_of(request).candidates.add(
            principal.as_principal(), values, job_id=job_id, channel="manual"
        )
    except EntryInvalid as bad:
        return await _new_page(
            request, principal, values, bad.problems, [], status=400, job_id=job_id
        )
    except DuplicateCandidate as dup:
        return await _new_page(
            request, principal, values, [], dup.duplicates, status=409, job_id=job_id
        )
    return _back(added.candidate_id, "已添加候选人")


async def _new_page(
    request: Request, principal: StaffPrincipal, values: dict[str, str], problems: list[Any],
    duplicates: list[Any], *, status: int = 200, job_id: int | None = None,
) -> HTTPResponse:  # fmt: skip
    errors: dict[str, list[str]] = {}
    for p in problems:
        errors.setdefault(p.column, []).append(p.reason)
    return render(
        request, principal, "candidates/new.html", status=status, active="candidates",
        values=values, errors=errors, duplicates=duplicates,
        openings=await _openings(request, principal),
        job_id=job_id, levels=EDUCATION_LEVELS, labels=LABELS,
    )  # fmt: skip


# -- spreadsheet import ----------------------------------------------------------------------


@bp.get("/import")
@page(MANAGE)
async def import_form(request: Request, principal: StaffPrincipal) -> HTTPResponse:
    return render(request, principal, "candidates/import.html", active="candidates",
                  openings=await _openings(request, principal))  # fmt: skip


@bp.post("/import", stream=True)
@page(MANAGE)
async def import_upload(request: Request, principal: StaffPrincipal) -> HTTPResponse:
    """Hold the file (sealed, an hour) and send the browser to its check report."""
    try:
        fields, files = await _multipart(request, SHEET_BYTES + 64 * 1024)
        sheet = files[0] if files else None
        if sheet is None or not sheet.data:
            raise InvalidInput("请选择要导入的表格文件（.xlsx 或 .csv）", code="no_file")
        sheets = intake_of(request).spreadsheets
        ref = await sheets.hold(principal.as_principal(), sheet.data, sheet.filename)
        query = {"job": fields.get("job", "")[:9]} if fields.get("job") else {}
        target = f"/workbench/candidates/import/{ref}"
        return json({"redirect": target + (f"?{urlencode(query)}" if query else "")})
    except RecruitingError as exc:
        return _json_error(exc)


@bp.get("/import/<ref:str>")
@page(MANAGE)
async def import_report(request: Request, principal: StaffPrincipal, ref: str) -> HTTPResponse:
    job_id = _int(request.args.get("job"), name="岗位")
    sheets = intake_of(request).spreadsheets
    data, filename = await sheets.held(principal.as_principal(), ref)
    report = await sheets.check(principal.as_principal(), data, filename, job_id=job_id)
    return render(request, principal, "candidates/import_report.html", active="candidates",
                  report=report, ref=ref, job=report.job, applied=False)  # fmt: skip


@bp.post("/import/<ref:str>")
@page(MANAGE)
async def import_apply(request: Request, principal: StaffPrincipal, ref: str) -> HTTPResponse:
    """Apply the held file (all rows or none); released once applied."""
    job_id = _int(_form(request).get("job"), name="岗位")
    sheets = intake_of(request).spreadsheets
    data, filename = await sheets.held(principal.as_principal(), ref)
    report = await sheets.apply(principal.as_principal(), data, filename, job_id=job_id)
    if report.applied:
        await sheets.release(principal.as_principal(), ref)
    return render(request, principal, "candidates/import_report.html", active="candidates",
                  report=report, ref=ref, job=report.job, applied=report.applied,
                  status=200 if report.applied else 400)  # fmt: skip


# -- résumé upload ---------------------------------------------------------------------------


@bp.get("/upload")
@page(MANAGE)
async def upload_form(request: Request, principal: StaffPrincipal) -> HTTPResponse:
    candidate_id = _int(request.args.get("candidate"), name="候选人")
    intake = intake_of(request).candidates
    who = principal.as_principal()
    candidate = await intake.candidate(who, candidate_id) if candidate_id else None
    return render(request, principal, "candidates/upload.html", active="candidates",
                  openings=await intake.open_openings(who), candidate=candidate,
                  parses=intake_of(request).resumes.parses)  # fmt: skip


@bp.post("/upload", stream=True)
@page(MANAGE)
async def upload(request: Request, principal: StaffPrincipal) -> HTTPResponse:
    try:
        fields, files = await _multipart(request, UPLOAD_BYTES)
        entry = {k: fields.get(k, "")[:600] for k in ("name", "phone", "email")}
        result = await intake_of(request).resumes.upload(
            principal.as_principal(), files,
            candidate_id=_int(fields.get("candidate"), name="候选人"),
            job_id=_int(fields.get("job"), name="岗位"),
            entry=entry if any(entry.values()) else None,
        )  # fmt: skip
    except DuplicateCandidate as dup:
        fragment = render(
            request, principal, "candidates/upload_result.html", duplicates=dup.duplicates,
            result=None, parse_names=PARSE_NAMES,
        )  # fmt: skip
        return json({"html": fragment.body.decode() if fragment.body else ""}, status=409)
    except RecruitingError as exc:
        return _json_error(exc)
    fragment = render(request, principal, "candidates/upload_result.html", result=result,
                      duplicates=[], parse_names=PARSE_NAMES)  # fmt: skip
    return json({"html": fragment.body.decode() if fragment.body else ""})


# -- duplicates and merging ------------------------------------------------------------------


@bp.get("/duplicates")
@page(MANAGE)
async def duplicates(request: Request, principal: StaffPrincipal) -> HTTPResponse:
    groups = await intake_of(request).candidates.duplicate_groups(principal.as_principal())
    return render(request, principal, "candidates/duplicates.html", active="candidates",
                  groups=groups, status_names=STATUS_NAMES,
                  notice=notice_of(request))  # fmt: skip


@bp.post("/merge")
@page(MANAGE)
async def merge(request: Request, principal: StaffPrincipal) -> HTTPResponse:
    form = _form(request)
    survivor = _int(form.get("survivor"), name="保留的记录")
    others = [_int(v, name="候选人") for v in form.getlist("member", [])]
    if survivor is None:
        raise InvalidInput("请选择要保留的记录", code="survivor_required")
    members = [o for o in others if o is not None]
    merged = await merge_candidates(principal.as_principal(), survivor, members)
    return _back(survivor, f"已合并 {len(merged)} 条重复记录")


# -- helpers ---------------------------------------------------------------------------------


async def _multipart(request: Request, limit: int) -> tuple[dict[str, str], list[UploadedFile]]:
    """The streamed multipart body, at most ``limit`` bytes within ``BODY_SECONDS``."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit * 2:
        raise PayloadTooLarge(f"上传内容过大（一次最多 {limit // (1024 * 1024)} MB）")
    stream: Any = request.stream
    if stream is not None:
        stream.request_max_size = limit * 2 + 1
    body = bytearray()
    try:
        async with asyncio.timeout(BODY_SECONDS):
            while stream is not None and (piece := await stream.read()) is not None:
                body += piece
                if len(body) > limit:
                    raise PayloadTooLarge(f"上传内容过大（一次最多 {limit // (1024 * 1024)} MB）")
    except TimeoutError:
        raise InvalidInput("上传太慢，请检查网络后重试", code="upload_slow") from None
    content_type = request.headers.get("content-type", "")
    boundary = content_type.partition("boundary=")[2].split(";")[0].strip().strip('"')
    if not content_type.startswith("multipart/form-data") or not boundary:
        raise InvalidInput("请通过页面上的表单上传文件", code="not_multipart")
    form, files = cast(Any, parse_multipart_form)(bytes(body), boundary.encode())
    fields = {k: (v[0] if v else "") for k, v in form.items()}
    uploaded = [
        UploadedFile(f.name or "", f.body) for group in files.values() for f in group if f.body
    ]
    return fields, uploaded


def _form(request: Request) -> RequestParameters:
    form = request.form
    return form if isinstance(form, RequestParameters) else RequestParameters()


def _json_error(exc: RecruitingError) -> HTTPResponse:
    status = status_for(exc)
    return json({"error": user_message(exc.code, exc.message, status)}, status=status)
