"""待评审 and the candidate's review page: the recorded answers with their video (played
through the ranged, audited media route below), the transcript with the evidence marked and
click-to-seek, the AI's advisory scores beside the panel's, flags, notes, the timeline, and
the decision buttons (each one use-case call, confirmed in the browser first)."""

from __future__ import annotations

from typing import cast

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, ResponseStream, text

from recruiting import validation
from recruiting.domain.byte_range import RangeNotSatisfiable
from recruiting.domain.pipeline import REJECT_NAMES
from recruiting.domain.roles import Permission
from recruiting.errors import InvalidInput
from recruiting.services.pipeline.decisions import Decision
from recruiting.services.pipeline.review import pieces
from recruiting.services.workbench.login import StaffPrincipal
from recruiting.web import media_response, services_of
from recruiting.workbench.pages.pipeline import _int, _reason, _when, form_of, pipeline_of
from recruiting.workbench.shell import (
    message_page,
    page,
    render,
    secure,
    settings_of,
)

bp = Blueprint("workbench_review")


@bp.get("/workbench/review")
@page(Permission.MANAGE_INTERVIEWS)
async def waiting(request: Request, principal: StaffPrincipal) -> HTTPResponse:
    rows = await pipeline_of(request).pending.waiting(principal.as_principal())
    return render(request, principal, "review/list.html", active="review", rows=rows)


@bp.get("/workbench/review/<application_id:int>")
@page(Permission.VIEW_ASSESSMENT)
async def review(request: Request, principal: StaffPrincipal, application_id: int) -> HTTPResponse:
    who = principal.as_principal()
    pipeline = pipeline_of(request)
    data = await pipeline.review.review(who, application_id)
    # the panel picker belongs to the decisions, which only HR sees
    interviewers = await pipeline.board.interviewers(who) if data["can_decide"] else []
    return render(
        request, principal, "review/page.html", active="review", data=data,
        reasons=REJECT_NAMES, pieces=pieces, interviewers=interviewers,
        can_media=principal.can(Permission.VIEW_MEDIA),
    )  # fmt: skip


@bp.post("/workbench/review/<application_id:int>/decide")
@page(Permission.MANAGE_INTERVIEWS)
async def decide(request: Request, principal: StaffPrincipal, application_id: int) -> HTTPResponse:
    form = form_of(request)
    who = principal.as_principal()
    decisions = pipeline_of(request).decisions
    zone = settings_of(request).timezone
    action = form.get("action") or ""
    done: Decision
    if action == "advance":
        round_id = _int(form.get("round"), "轮次")
        deadline = _when(form.get("deadline"), zone, "截止时间") if form.get("deadline") else None
        start = _when(form.get("start"), zone, "开始时间") if form.get("start") else None
        panel = [_int(v, "面试官") for v in form.getlist("interviewers") or []]
        done = await decisions.advance(who, application_id, round_id, deadline=deadline,
                                       start=start, interviewers=panel)  # fmt: skip
    elif action == "reject":
        note = validation.text("备注", form.get("note") or "", 500)
        done = await decisions.reject(who, application_id, _reason(form.get("reason")), note)
    elif action == "offer":
        figures = validation.text("offer 条件", form.get("figures") or "", 200)
        done = await decisions.propose_offer(who, application_id, figures)
    else:
        raise InvalidInput("请选择要执行的操作。", code="no_action")
    text = done.message + (f"\n邀请链接：{done.link}" if done.link else "")
    back = f"/workbench/review/{application_id}"
    return message_page(request, "已处理" if done.ok else "未能完成", text,
                        status=200 if done.ok else 409, principal=principal,
                        retry=back, retry_label="返回评审页")  # fmt: skip


@bp.get("/workbench/media/<interview_id:int>/<index:int>")
@page(Permission.VIEW_MEDIA)
async def media(
    request: Request, principal: StaffPrincipal, interview_id: int, index: int
) -> HTTPResponse:
    """The answer's recording for the page's player: Range requests (seeking), the role
    checked and the look audited on every request, never cached."""
    results = services_of(request).recorded.miniapp.results
    try:
        stream = await results.media(
            principal.as_principal(), interview_id, validation.ordinal("题号", index),
            request.headers.get("range"),
        )  # fmt: skip
    except RangeNotSatisfiable as exc:
        response = secure(text("请求的范围超出了录像的长度。", status=416))
        response.headers["Content-Range"] = f"bytes */{exc.size}"
        return response
    streamed: ResponseStream = media_response(stream, f"answer-{interview_id}-{index}", inline=True)
    return cast(HTTPResponse, streamed)  # Sanic sends either; the guard is typed for pages
