"""流程看板: the openings, each opening's board (stage columns on a laptop, a stage selector
on a phone, filters, checkboxes and the bulk action bar), the bulk actions' per-candidate
results, and the side-by-side comparison. The handlers call use cases (``services.pipeline``;
the list of openings is the 岗位 pages' own, ``services.openings``), which check the role;
this module only reads the form and renders."""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Any
from urllib.parse import urlencode

from sanic import Blueprint, Request
from sanic.request import RequestParameters
from sanic.response import HTTPResponse

from recruiting import validation
from recruiting.domain.interview_state import InterviewMode
from recruiting.domain.pipeline import REJECT_NAMES, STAGE_NAMES, RejectReason, Stage
from recruiting.domain.roles import Permission
from recruiting.errors import InvalidInput
from recruiting.services.pipeline.board import BoardFilters
from recruiting.services.pipeline.bulk import BulkResult
from recruiting.services.workbench.login import StaffPrincipal
from recruiting.web import services_of
from recruiting.wiring.pipeline import Pipeline
from recruiting.workbench.shell import page, render, settings_of

bp = Blueprint("workbench_pipeline")

BULK_ACTIONS = {"invite": "邀请录制面试", "schedule": "安排面试", "reject": "标记未通过"}
DATETIME_CHARS = 32
OPENINGS_SHOWN = 200


def pipeline_of(request: Request) -> Pipeline:
    return services_of(request).pipeline


@bp.get("/workbench/pipeline")
@page(Permission.MANAGE_INTERVIEWS)
async def openings(request: Request, principal: StaffPrincipal) -> HTTPResponse:
    """The openings list of 岗位 (newest first, with their candidates), the board's way in."""
    openings = services_of(request).openings.openings
    jobs = await openings.list_openings(principal.actor, limit=OPENINGS_SHOWN)
    return render(request, principal, "pipeline/openings.html", active="pipeline", jobs=jobs)


@bp.get("/workbench/pipeline/<job_id:int>")
@page(Permission.MANAGE_INTERVIEWS)
async def board(request: Request, principal: StaffPrincipal, job_id: int) -> HTTPResponse:
    filters = _filters(request)
    who = principal.as_principal()
    boards = pipeline_of(request).board
    shown = await boards.board(who, job_id, filters)
    columns = {s: [c for c in shown.cards if c.stage is s] for s in Stage}
    return render(
        request, principal, "pipeline/board.html", active="pipeline", board=shown,
        columns=columns, stages=STAGE_NAMES, actions=BULK_ACTIONS, reasons=REJECT_NAMES,
        interviewers=await boards.interviewers(who), query=_query_without_page(request),
        pages=-(-shown.total // filters.per_page),
    )  # fmt: skip


@bp.post("/workbench/pipeline/<job_id:int>/bulk")
@page(Permission.MANAGE_INTERVIEWS)
async def bulk(request: Request, principal: StaffPrincipal, job_id: int) -> HTTPResponse:
    form = form_of(request)
    ids = [validation.record_id("候选人", _int(v, "候选人")) for v in form.getlist("ids") or []]
    action = form.get("action") or ""
    who = principal.as_principal()
    actions = pipeline_of(request).bulk
    zone = settings_of(request).timezone
    result: BulkResult
    if action == "invite":
        deadline = _when(form.get("deadline"), zone, "截止时间")
        round_id = _int(form.get("round"), "轮次")
        result = await actions.invite_recorded(who, ids, round_id, deadline, job_id=job_id)
    elif action == "schedule":
        start = _when(form.get("start"), zone, "开始时间")
        panel = [_int(v, "面试官") for v in form.getlist("interviewers") or []]
        mode = InterviewMode.REMOTE if form.get("mode") == "remote" else InterviewMode.ONSITE
        location = validation.text("面试地点", form.get("location") or "", 256)
        result = await actions.schedule_live(
            who, ids, _int(form.get("round"), "轮次"), start, panel,
            gap_minutes=_int(form.get("gap") or "0", "间隔"), mode=mode, location=location,
            job_id=job_id,
        )  # fmt: skip
    elif action == "reject":
        note = validation.text("备注", form.get("note") or "", 500)
        result = await actions.reject(who, ids, _reason(form.get("reason")), note, job_id=job_id)
    else:
        raise InvalidInput("请选择要执行的操作。", code="no_action")
    report = await actions.report(who, job_id, result)
    return render(request, principal, "pipeline/bulk_result.html", active="pipeline",
                  report=report, action=BULK_ACTIONS[action])  # fmt: skip


@bp.get("/workbench/pipeline/<job_id:int>/compare")
@page(Permission.MANAGE_INTERVIEWS)
async def compare(request: Request, principal: StaffPrincipal, job_id: int) -> HTTPResponse:
    ids = [_int(v, "候选人") for v in request.args.getlist("ids") or []]
    data = await pipeline_of(request).comparison.compare(principal.as_principal(), job_id, ids)
    return render(request, principal, "pipeline/compare.html", active="pipeline", data=data)


# -- reading the form ----------------------------------------------------------------------------


def _filters(request: Request) -> BoardFilters:
    args = request.args
    stage = args.get("stage") or ""
    if stage and stage not in Stage.__members__.values():
        raise InvalidInput("没有这个阶段。", code="bad_filter")
    flagged = {"yes": True, "no": False}.get(args.get("flagged") or "")
    return BoardFilters(
        stage=Stage(stage) if stage else None,
        channel=validation.text("来源", args.get("channel") or "", 32),
        ai_min=_score(args.get("ai_min")),
        ai_max=_score(args.get("ai_max")),
        flagged=flagged,
        round_id=_int(args["round"][0], "轮次") if args.get("round") else None,
        page=_int(args.get("page") or "1", "页码"),
        per_page=50,
    )


def _query_without_page(request: Request) -> str:
    return urlencode([(k, v) for k, vs in request.args.items() if k != "page" for v in vs])


def form_of(request: Request) -> RequestParameters:
    """The posted form (empty when the body was no form)."""
    return request.form or RequestParameters()


def _int(value: Any, what: str) -> int:
    text = str(value or "").strip()
    if not validation.is_digits(text, 9):
        raise InvalidInput(f"{what}无效。", code="bad_number")
    return int(text)


def _score(value: str | None) -> float | None:
    if not value:
        return None
    try:
        number = float(value)
    except ValueError:
        raise InvalidInput("AI 评分应是 0 到 5 之间的数字。", code="bad_filter") from None
    if not 0 <= number <= 5:
        raise InvalidInput("AI 评分应是 0 到 5 之间的数字。", code="bad_filter")
    return number


def _when(value: str | None, zone: tzinfo, what: str) -> datetime:
    """A ``datetime-local`` field (no zone: the company's), or an ISO time with its own."""
    text = (value or "").strip()
    if not text or len(text) > DATETIME_CHARS:
        raise InvalidInput(f"请填写{what}。", code="bad_time")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"{what}格式不对。", code="bad_time") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    if not 2000 <= moment.year <= 2100:
        raise InvalidInput(f"{what}超出了允许的范围。", code="bad_time")
    return moment


def _reason(value: str | None) -> RejectReason:
    try:
        return RejectReason(value or "")
    except ValueError:
        raise InvalidInput("请选择未通过的原因。", code="bad_reason") from None
