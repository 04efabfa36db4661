"""Résumé screening in the workbench: an opening's requirements (edited as lines of
「类型：内容」), its applicants ranked by how well their parsed résumés meet them with the
breakdown and the résumé sentence behind each verdict, filters (knocked out or not, a
minimum score), and one button that invites the top N to the AI (recorded) interview.
Thin: each handler calls one ``services.screening`` use case.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, redirect

from recruiting.domain.job_requirements import KIND_NAMES, JobRequirements
from recruiting.domain.roles import Permission
from recruiting.domain.shorten import shorten
from recruiting.errors import InvalidInput
from recruiting.services.screening.ranking import Outcome, Screening
from recruiting.services.screening.requirements import OpeningRequirements
from recruiting.services.workbench.login import StaffPrincipal
from recruiting.validation import is_digits
from recruiting.web import services_of
from recruiting.workbench.shell import notice_of, page, render

bp = Blueprint("workbench_screening", url_prefix="/workbench/screening")

MANAGE = Permission.MANAGE_INTERVIEWS
FORM_CHARS = 5000  # one textarea of requirements
SHOWN = 200  # rows on the page
NOTICE_CHARS = 300  # the saved requirements and those not taken, with their reasons
OUTCOME_NAMES = {
    Outcome.INVITED: "已邀请",
    Outcome.ALREADY_INVITED: "已邀请过，跳过",
    Outcome.FAILED: "邀请失败",
}


def _services(request: Request) -> tuple[Screening, OpeningRequirements]:
    wired = services_of(request).screening
    return wired.screening, wired.requirements


@bp.get("/")
@page(MANAGE)
async def openings(request: Request, principal: StaffPrincipal) -> HTTPResponse:
    _, requirements = _services(request)
    rows = await requirements.openings(principal.as_principal())
    return render(request, principal, "screening/list.html", active="screening", rows=rows)


@bp.get("/<job_id:int>")
@page(MANAGE)
async def shortlist(request: Request, principal: StaffPrincipal, job_id: int) -> HTTPResponse:
    screening, requirements = _services(request)
    who = principal.as_principal()
    job = await requirements.show(who, job_id)
    current = job.requirements
    q = request.args
    out = (q.get("out") or "").strip()
    min_score = _score(q.get("min"))
    listed = None
    if not current.empty:
        knocked = {"no": False, "yes": True}.get(out)
        listed = await screening.shortlist(who, job_id, knocked_out=knocked,
                                           min_score=min_score, limit=SHOWN)  # fmt: skip
    return render(
        request, principal, "screening/detail.html", active="screening", job=job,
        requirements=current, must_text=_lines(current, must=True),
        nice_text=_lines(current, must=False), listed=listed,
        filters={"out": out, "min": "" if min_score is None else str(min_score)},
        notice=notice_of(request, NOTICE_CHARS),
    )  # fmt: skip


@bp.post("/<job_id:int>/requirements")
@page(MANAGE)
async def save(request: Request, principal: StaffPrincipal, job_id: int) -> HTTPResponse:
    _, requirements = _services(request)
    form: Any = request.form or {}
    raw = {"must": _entries(form.get("must")), "nice": _entries(form.get("nice"))}
    saved = await requirements.save(principal.as_principal(), job_id, raw)
    notice = f"已保存 {len(saved.items)} 项要求。"
    if saved.flagged:
        notice += "以下要求未采用：" + "；".join(f.reason for f in saved.flagged) + "。"
    query = urlencode({"notice": shorten(notice, max_chars=NOTICE_CHARS)})
    return redirect(f"/workbench/screening/{job_id}?{query}")


@bp.post("/<job_id:int>/invite")
@page(MANAGE)
async def invite(request: Request, principal: StaffPrincipal, job_id: int) -> HTTPResponse:
    screening, _ = _services(request)
    form: Any = request.form or {}
    top = _score(form.get("top"), name="邀请人数")
    if top is None:
        raise InvalidInput("请填写要邀请的人数")
    results = await screening.invite_top(principal.as_principal(), job_id, top)
    counts: dict[str, int] = {}
    for r in results:
        counts[OUTCOME_NAMES[r.outcome]] = counts.get(OUTCOME_NAMES[r.outcome], 0) + 1
    done = "，".join(f"{k} {v} 人" for k, v in counts.items()) or "没有可邀请的候选人"
    return redirect(
        f"/workbench/screening/{job_id}?{urlencode({'notice': f'AI 面试邀请：{done}。'})}"
    )


def _lines(requirements: JobRequirements, *, must: bool) -> str:
    return "\n".join(
        f"{KIND_NAMES[r.kind]}：{r.value}" for r in requirements.items if r.must == must
    )


def _entries(text: Any) -> list[Any]:
    """One requirement a line, 「类型：内容」; a line without a type is kept as words (only a
    protected attribute is recognised that way, anything else is refused with the reason)."""
    body = str(text or "")
    if len(body) > FORM_CHARS:
        raise InvalidInput(f"要求最多 {FORM_CHARS} 个字")
    entries: list[Any] = []
    for line in body.splitlines():
        line = line.strip()
        if not line:
            continue
        kind, sep, value = line.replace("：", ":").partition(":")
        entries.append({kind.strip(): value.strip()} if sep else line)
    return entries


def _score(value: str | None, *, name: str = "最低分") -> int | None:
    if value is None or not value.strip():
        return None
    text = value.strip()
    if not is_digits(text, 4):
        raise InvalidInput(f"{name}应是整数")
    return int(text)
