"""岗位 pages: the openings list, the opening editor (fields, competency model, rounds), the
round editor (recorded questions with the anchors beside them, or live settings) and the
question bank by competency.

Thin: every handler reads the form, calls one use case of ``services.openings`` (which checks
the role again and audits the change) and renders or redirects. A refused form is shown
again with what was typed and the use case's Chinese reason.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any
from urllib.parse import urlencode

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, redirect

from recruiting.domain import openings as rules
from recruiting.domain.roles import Permission
from recruiting.errors import Conflict, InvalidInput, NotFound, RecruitingError
from recruiting.services.openings.rounds import RoundDetail
from recruiting.services.workbench.login import StaffPrincipal
from recruiting.validation import is_digits
from recruiting.web import services_of, status_for, user_message
from recruiting.wiring.openings import Openings
from recruiting.workbench.shell import page, render, secure

bp = Blueprint("workbench_openings", url_prefix="/workbench/openings")

VIEW, EDIT = Permission.VIEW_OPENINGS, Permission.MANAGE_OPENINGS
STATUS_CHOICES = [(s, rules.STATUS_NAMES[s]) for s in rules.STATUSES]
PAGE = 50  # openings per page of the list
MAX_FORM_QUESTIONS = rules.MAX_QUESTIONS + 1  # the rows shown: the questions and one blank


def _uc(request: Request) -> Openings:
    return services_of(request).openings


def _form(request: Request, name: str, default: str = "") -> str:
    value = request.form.get(name) if request.form else None
    return str(value) if value is not None else default


def _many(request: Request, name: str) -> list[str]:
    return [str(v) for v in (request.form.getlist(name) if request.form else [])]


def _refusal(exc: RecruitingError | None) -> tuple[str, int]:
    """The refusal's Chinese text and status (200 when there is none)."""
    if exc is None:
        return "", 200
    status = status_for(exc)
    return user_message(exc.code, exc.message, status), status


def _go(path: str) -> HTTPResponse:
    return secure(redirect(path))


# -- the list and a new opening ----------------------------------------------------------------


@bp.get("/")
@page(VIEW)
async def opening_list(request: Request, principal: StaffPrincipal) -> HTTPResponse:
    status = request.args.get("status", "")
    search = request.args.get("q", "")[:64]
    raw = request.args.get("offset", "0")
    offset = min(int(raw), 1_000_000) if is_digits(raw, 7) else 0
    rows = await _uc(request).openings.list_openings(
        principal.actor, status=status if status in rules.STATUSES else "", search=search,
        limit=PAGE + 1, offset=offset,
    )  # fmt: skip
    more = urlencode({"status": status, "q": search, "offset": offset + PAGE})
    return render(request, principal, "openings/list.html", active="openings",
                  rows=rows[:PAGE], more=more if len(rows) > PAGE else "",
                  status_filter=status, search=search, statuses=STATUS_CHOICES,
                  can_edit=principal.can(EDIT))  # fmt: skip


@bp.get("/new")
@page(EDIT)
async def opening_new(request: Request, principal: StaffPrincipal) -> HTTPResponse:
    return _new_form(request, principal, {}, None)


def _new_form(
    request: Request,
    principal: StaffPrincipal,
    values: dict[str, str],
    error: RecruitingError | None,
) -> HTTPResponse:
    text, status = _refusal(error)
    return render(request, principal, "openings/new.html", active="openings", values=values,
                  error=text, statuses=STATUS_CHOICES, jobs=_uc(request).openings.library_jobs(),
                  status=status)  # fmt: skip


@bp.post("/new")
@page(EDIT)
async def opening_create(request: Request, principal: StaffPrincipal) -> HTTPResponse:
    uc = _uc(request).openings
    fields = ("code", "title", "department", "city", "interview_location", "library_job")
    values = {k: _form(request, k) for k in fields}
    try:
        job = await uc.create(principal.actor, {**values, "status": "draft"})
    except (InvalidInput, Conflict) as exc:
        return _new_form(request, principal, values, exc)
    return _go(f"/workbench/openings/{job.id}")


# -- one opening -------------------------------------------------------------------------------


@bp.get("/<opening_id:int>")
@page(VIEW)
async def opening_view(
    request: Request, principal: StaffPrincipal, opening_id: int
) -> HTTPResponse:
    return await _opening_page(request, principal, opening_id)


async def _opening_page(
    request: Request,
    principal: StaffPrincipal,
    opening_id: int,
    *,
    error: RecruitingError | None = None,
    weights: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
) -> HTTPResponse:
    uc = _uc(request).openings
    detail = await uc.get(principal.actor, opening_id)
    text, status = _refusal(error)
    current = {m.code: m.percent for m in detail.model}
    s = detail.summary
    shown = values or {"code": s.code, "title": s.title, "department": s.department,
                       "city": s.city, "status": s.status,
                       "interview_location": detail.interview_location}  # fmt: skip
    return render(request, principal, "openings/opening.html", active="openings",
                  detail=detail, values=shown, library=uc.library(), jobs=uc.library_jobs(),
                  weights=weights if weights is not None else current, statuses=STATUS_CHOICES,
                  error=text, can_edit=principal.can(EDIT), status=status)  # fmt: skip


@bp.post("/<opening_id:int>")
@page(EDIT)
async def opening_save(
    request: Request, principal: StaffPrincipal, opening_id: int
) -> HTTPResponse:
    fields = ("code", "title", "department", "city", "status", "interview_location")
    values = {k: _form(request, k) for k in fields}
    try:
        await _uc(request).openings.update(principal.actor, opening_id, values)
    except (InvalidInput, Conflict) as exc:
        return await _opening_page(request, principal, opening_id, error=exc,
                                   values=values)  # fmt: skip
    return _go(f"/workbench/openings/{opening_id}?saved=1")


@bp.post("/<opening_id:int>/model")
@page(EDIT)
async def model_save(request: Request, principal: StaffPrincipal, opening_id: int) -> HTTPResponse:
    uc = _uc(request).openings
    weights = {c.code: _form(request, f"w_{c.code}").strip() for c in uc.library()}
    chosen = {code: w for code, w in weights.items() if w not in ("", "0")}
    entries = [{"code": code, "weight": f"{w}%"} for code, w in chosen.items()]
    try:
        await uc.set_model(principal.actor, opening_id, entries)
    except InvalidInput as exc:
        return await _opening_page(request, principal, opening_id, error=exc,
                                   weights=weights)  # fmt: skip
    return _go(f"/workbench/openings/{opening_id}?saved=1#model")


@bp.post("/<opening_id:int>/model/library")
@page(EDIT)
async def model_library(
    request: Request, principal: StaffPrincipal, opening_id: int
) -> HTTPResponse:
    try:
        await _uc(request).openings.model_from_library(
            principal.actor, opening_id, _form(request, "library_job")
        )
    except InvalidInput as exc:
        return await _opening_page(request, principal, opening_id, error=exc)
    return _go(f"/workbench/openings/{opening_id}?saved=1#model")


@bp.post("/<opening_id:int>/rounds")
@page(EDIT)
async def round_add(request: Request, principal: StaffPrincipal, opening_id: int) -> HTTPResponse:
    kind = _form(request, "kind")
    name = _form(request, "name") or ("录制面试" if kind == "recorded" else "面试")
    try:
        if kind == "recorded":
            round_id = await _add_recorded_from_form(request, principal, opening_id, name)
        else:
            data = {"kind": kind, "name": name}
            round_id = (await _uc(request).rounds.add(principal.actor, opening_id, data)).id
    except (InvalidInput, Conflict) as exc:
        return await _opening_page(request, principal, opening_id, error=exc)
    return _go(f"/workbench/openings/rounds/{round_id}")


async def _add_recorded_from_form(
    request: Request, principal: StaffPrincipal, opening_id: int, name: str
) -> int:
    """A recorded round starts with the first question typed on the opening page."""
    text = _form(request, "first_question")
    question = {"text": text, "competencies": _many(request, "first_competencies")}
    if not text.strip():
        raise InvalidInput("请填写录制面试的第一道题（之后可以继续添加或从题库选题）")
    round_ = await _uc(request).rounds.add(
        principal.actor, opening_id, {"kind": "recorded", "name": name, "questions": [question]}
    )
    return round_.id


@bp.post("/<opening_id:int>/rounds/<round_id:int>/move")
@page(EDIT)
async def round_move(
    request: Request, principal: StaffPrincipal, opening_id: int, round_id: int
) -> HTTPResponse:
    up = _form(request, "direction") == "up"
    await _uc(request).rounds.move(principal.actor, opening_id, round_id, up=up)
    return _go(f"/workbench/openings/{opening_id}#rounds")


# -- one round ---------------------------------------------------------------------------------


@bp.get("/rounds/<round_id:int>")
@page(VIEW)
async def round_view(request: Request, principal: StaffPrincipal, round_id: int) -> HTTPResponse:
    detail = await _uc(request).rounds.get(principal.actor, round_id)
    return await _round_page(request, principal, detail, _questions_of(detail), {}, None)


async def _round_page(
    request: Request,
    principal: StaffPrincipal,
    detail: RoundDetail,
    questions: list[dict[str, Any]],
    values: dict[str, Any],
    error: RecruitingError | None,
) -> HTTPResponse:
    uc = _uc(request)
    text, status = _refusal(error)
    opening = await uc.openings.get(principal.actor, detail.opening_id)
    library = {c.code: c for c in uc.openings.library()}
    model_codes = [m.code for m in opening.model] or list(library)
    shelves = []
    if detail.kind == "recorded":
        # only questions the round can take: every competency they target is in the model
        shelves = [
            replace(s, questions=tuple(q for q in s.questions
                                       if all(code in model_codes for code, _ in q.competencies)))
            for s in await uc.bank.shelves(principal.actor) if s.competency.code in model_codes
        ]  # fmt: skip
    shown = {
        "name": detail.name, "deadline_days": detail.deadline_days,
        "preparation": detail.preparation, "duration_minutes": detail.duration_minutes,
        "panel_size": detail.panel_size, "location": detail.location,
        "meeting_link": detail.meeting_link,
        "competencies": [c.code for c in detail.competencies] if detail.kind == "live" else [],
        **values,
    }  # fmt: skip
    rows = [*questions, {"text": "", "competencies": [], "prep_seconds": 30,
                         "answer_seconds": 180, "retakes": 1, "bank_question_id": ""}]  # fmt: skip
    return render(request, principal, "openings/round.html", active="openings", detail=detail,
                  opening=opening, library=library, model_codes=model_codes, rows=rows,
                  values=shown, shelves=shelves, error=text, can_edit=principal.can(EDIT),
                  status=status)  # fmt: skip


def _questions_of(detail: RoundDetail) -> list[dict[str, Any]]:
    return [
        {
            "text": q.text,
            "competencies": [c.code for c in q.competencies],
            "prep_seconds": q.prep_seconds,
            "answer_seconds": q.answer_seconds,
            "retakes": q.retakes,
            "bank_question_id": q.bank_question_id or "",
        }
        for q in detail.questions
    ]


def _questions_from_form(request: Request) -> list[dict[str, Any]]:
    """The question rows of the round form, in the order HR numbered them; blank rows and
    rows marked for removal are dropped."""
    count = rules.number(_form(request, "q_count", "0"), "题目数量", 0, MAX_FORM_QUESTIONS)
    rows: list[tuple[int, int, dict[str, Any]]] = []
    for i in range(count):
        text = _form(request, f"q_text_{i}")
        if not text.strip() or _form(request, f"q_remove_{i}"):
            continue
        order = _form(request, f"q_order_{i}", str(i + 1)).strip()
        bank = _form(request, f"q_bank_{i}")
        row: dict[str, Any] = {
            "text": text,
            "competencies": _many(request, f"q_comp_{i}"),
            "prep_seconds": _form(request, f"q_prep_{i}", "30"),
            "answer_seconds": _form(request, f"q_answer_{i}", "180"),
            "retakes": _form(request, f"q_retakes_{i}", "1"),
        }
        if is_digits(bank):
            row["bank_question_id"] = int(bank)
        rows.append((int(order) if is_digits(order, 3) else i + 1, i, row))
    return [row for _, _, row in sorted(rows, key=lambda r: (r[0], r[1]))]


@bp.post("/rounds/<round_id:int>")
@page(EDIT)
async def round_save(request: Request, principal: StaffPrincipal, round_id: int) -> HTTPResponse:
    uc = _uc(request).rounds
    detail = await uc.get(principal.actor, round_id)
    values: dict[str, Any] = {"name": _form(request, "name"),
                              "preparation": _form(request, "preparation")}  # fmt: skip
    questions: list[dict[str, Any]] = []
    try:
        if detail.kind == "recorded":
            questions = _questions_from_form(request)
            values.update(deadline_days=_form(request, "deadline_days", "7"), questions=questions)
        else:
            values.update(
                {
                    k: _form(request, k)
                    for k in ("duration_minutes", "panel_size", "location", "meeting_link")
                }
            )
            values["competencies"] = _many(request, "competencies")  # fmt: skip
        await uc.update(principal.actor, round_id, values)
    except (InvalidInput, Conflict) as exc:
        shown = [_coded(q) for q in questions] if detail.kind == "recorded" else []
        rows = shown or _questions_of(detail)
        return await _round_page(request, principal, detail, rows, values, exc)
    return _go(f"/workbench/openings/rounds/{round_id}?saved=1")


def _coded(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "bank_question_id": row.get("bank_question_id", "")}


@bp.post("/rounds/<round_id:int>/bank")
@page(EDIT)
async def round_pick(request: Request, principal: StaffPrincipal, round_id: int) -> HTTPResponse:
    picked = _many(request, "bank_ids")
    uc = _uc(request).rounds
    try:
        ids = [int(p) for p in picked if is_digits(p, 9)]
        await uc.add_bank_questions(principal.actor, round_id, ids)
    except (InvalidInput, Conflict, NotFound) as exc:
        detail = await uc.get(principal.actor, round_id)
        return await _round_page(request, principal, detail, _questions_of(detail), {}, exc)
    return _go(f"/workbench/openings/rounds/{round_id}?saved=1")


@bp.get("/rounds/<round_id:int>/versions/<number:int>")
@page(VIEW)
async def round_version(
    request: Request, principal: StaffPrincipal, round_id: int, number: int
) -> HTTPResponse:
    """What the interviews of one version were taken with (read-only)."""
    uc = _uc(request)
    detail = await uc.rounds.get(principal.actor, round_id)
    content = await uc.rounds.version(principal.actor, round_id, min(number, 32767))
    library = {c.code: c for c in uc.openings.library()}
    by_name = {c.name: c for c in library.values()}
    return render(request, principal, "openings/version.html", active="openings",
                  detail=detail, content=content, number=number, library=library,
                  by_name=by_name)  # fmt: skip


@bp.post("/rounds/<round_id:int>/close")
@page(EDIT)
async def round_close(request: Request, principal: StaffPrincipal, round_id: int) -> HTTPResponse:
    uc = _uc(request).rounds
    await uc.close(principal.actor, round_id, closed=_form(request, "closed", "1") == "1")
    return _go(f"/workbench/openings/rounds/{round_id}")


@bp.post("/rounds/<round_id:int>/delete")
@page(EDIT)
async def round_delete(request: Request, principal: StaffPrincipal, round_id: int) -> HTTPResponse:
    uc = _uc(request).rounds
    detail = await uc.get(principal.actor, round_id)
    await uc.delete(principal.actor, round_id)  # refused with interviews: the page says why
    return _go(f"/workbench/openings/{detail.opening_id}#rounds")


# -- the question bank -------------------------------------------------------------------------


@bp.get("/bank")
@page(VIEW)
async def bank_view(request: Request, principal: StaffPrincipal) -> HTTPResponse:
    return await _bank_page(request, principal, {}, None)


async def _bank_page(
    request: Request,
    principal: StaffPrincipal,
    values: dict[str, Any],
    error: RecruitingError | None,
) -> HTTPResponse:
    uc = _uc(request)
    text, status = _refusal(error)
    competency = request.args.get("competency", "")[:32]
    tag = request.args.get("tag", "")[: rules.MAX_TAG]
    shelves = await uc.bank.shelves(principal.actor, competency=competency, tag=tag)
    return render(request, principal, "openings/bank.html", active="openings", shelves=shelves,
                  library=uc.openings.library(), competency=competency, tag=tag, values=values,
                  error=text, can_edit=principal.can(EDIT), status=status)  # fmt: skip


def _bank_values(request: Request) -> dict[str, Any]:
    return {
        "text": _form(request, "text"),
        "competencies": _many(request, "competencies"),
        "tags": _form(request, "tags"),
        "prep_seconds": _form(request, "prep_seconds", "30"),
        "answer_seconds": _form(request, "answer_seconds", "180"),
        "retakes": _form(request, "retakes", "1"),
    }


@bp.post("/bank")
@page(EDIT)
async def bank_add(request: Request, principal: StaffPrincipal) -> HTTPResponse:
    values = _bank_values(request)
    try:
        await _uc(request).bank.add(principal.actor, values)
    except (InvalidInput, Conflict) as exc:
        return await _bank_page(request, principal, values, exc)
    return _go("/workbench/openings/bank?saved=1")


@bp.post("/bank/<question_id:int>")
@page(EDIT)
async def bank_edit(request: Request, principal: StaffPrincipal, question_id: int) -> HTTPResponse:
    values = _bank_values(request)
    try:
        await _uc(request).bank.edit(principal.actor, question_id, values)
    except (InvalidInput, Conflict) as exc:
        return await _bank_page(request, principal, {}, exc)
    return _go(f"/workbench/openings/bank?saved=1#q{question_id}")


@bp.post("/bank/<question_id:int>/retire")
@page(EDIT)
async def bank_retire(
    request: Request, principal: StaffPrincipal, question_id: int
) -> HTTPResponse:
    await _uc(request).bank.retire(principal.actor, question_id)
    return _go("/workbench/openings/bank?saved=1")


@bp.post("/bank/seed")
@page(EDIT)
async def bank_seed(request: Request, principal: StaffPrincipal) -> HTTPResponse:
    await _uc(request).bank.seed_from_library(principal.actor)
    return _go("/workbench/openings/bank?saved=1")
