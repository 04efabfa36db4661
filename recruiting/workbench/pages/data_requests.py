"""个人信息申请: candidates' requests to see, correct or delete their data — the list with
the actions each allows, and a form to record a request received by phone, e-mail, letter or
in person. The same use cases as the mini-app's staff API (``personal_data.requests``)."""

from __future__ import annotations

from urllib.parse import quote

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, redirect

from recruiting import validation
from recruiting.domain import data_requests as rules
from recruiting.domain.roles import Permission
from recruiting.errors import InvalidInput
from recruiting.services.personal_data.requests import DataRequests
from recruiting.services.workbench.login import StaffPrincipal
from recruiting.web import services_of
from recruiting.workbench.shell import page, render, secure

bp = Blueprint("wb_data_requests", url_prefix="/workbench/data-requests")

# (action, button label) per kind and status: what the list offers on each row
ACTIONS = {
    "correction": [("confirm", "确认更正"), ("refuse", "不予更正")],
    "deletion": [("erase", "立即删除")],
    "access": [("answered", "已答复")],
}
OPEN = ("received", "on_hold")
KINDS = {k.value: rules.KIND_NAMES[k] for k in rules.DataRequestKind}
STATUSES = {s.value: name for s, name in rules.STATUS_NAMES.items()}


def _requests(request: Request) -> DataRequests:
    return services_of(request).data_rights.requests


def _field(request: Request, name: str) -> str:
    form = request.form
    value = form.get(name) if form is not None else None
    return str(value or "")


@bp.get("/")
@page(Permission.VIEW_CONTACT)
async def listing(request: Request, principal: StaffPrincipal) -> HTTPResponse:
    status = request.args.get("status") or ""
    if status and status not in STATUSES:
        status = ""
    rows = await _requests(request).listing(principal.as_principal(), status)
    for row in rows:
        row["actions"] = ACTIONS.get(row["kind"], []) if row["status"] in OPEN else []
    return render(
        request, principal, "data_requests/list.html", active="data_requests", rows=rows,
        current=status, statuses=STATUSES, kinds=KINDS, via_names=rules.VIA_NAMES,
        fields=rules.FIELD_NAMES, done=request.args.get("done") or "",
        candidate=_candidate(request.args.get("candidate") or ""),
    )  # fmt: skip


def _candidate(raw: str) -> str:
    """The candidate the candidate's page sent HR here for (its 登记 link): filled in, since
    HR reads no 编号 anywhere; anything but a plausible id leaves the field empty."""
    return raw if validation.is_digits(raw, 9) else ""


@bp.post("/")
@page(Permission.VIEW_CONTACT)
async def record(request: Request, principal: StaffPrincipal) -> HTTPResponse:
    raw_id = _field(request, "candidate_id").strip()
    if not validation.is_digits(raw_id, 9):
        raise InvalidInput("请填写候选人编号（数字）。", code="invalid_id")
    kind = _field(request, "kind")
    if kind not in KINDS:
        raise InvalidInput("申请类型只能是查阅、更正或删除。", code="invalid_kind")
    opened = await _requests(request).record_for(
        principal.as_principal(), int(raw_id), rules.DataRequestKind(kind), _field(request, "via"),
        field=validation.text("更正项", _field(request, "field"), 16),
        value=validation.text("新的值", _field(request, "value"), 320),
        note=validation.text("备注", _field(request, "note"), 1000),
    )  # fmt: skip
    done = "已登记" if opened.created else "这位候选人已有同类申请在处理中"
    return secure(redirect(f"/workbench/data-requests/?done={quote(done)}"))


@bp.post("/<request_id:int>")
@page(Permission.VIEW_CONTACT)
async def act(request: Request, principal: StaffPrincipal, request_id: int) -> HTTPResponse:
    action = _field(request, "action")
    if action not in {a for options in ACTIONS.values() for a, _ in options}:
        raise InvalidInput("未知的处理方式。", code="invalid_action")
    reason = validation.text("原因", _field(request, "reason"), 200)
    view = await _requests(request).act(principal.as_principal(), request_id, action, reason)
    done = f"申请 #{view['id']}：{view['status_name']}"
    return secure(redirect(f"/workbench/data-requests/?done={quote(done)}"))
