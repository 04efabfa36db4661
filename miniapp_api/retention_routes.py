"""Legal holds (HR managers): suspend the purge of a candidate's or an opening's personal
data, and lift the hold again. Each route reads the request and calls one use case."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json

from miniapp_api import schemas as s
from miniapp_api.edge import documented, principal_of
from recruiting.services.personal_data.holds import HoldView, LegalHolds
from recruiting.web import services_of

bp = Blueprint("miniapp_retention", url_prefix="/miniapp/v1")


@dataclass
class HoldBody:
    reason: str
    candidate_id: int | None = None
    job_id: int | None = None


@dataclass
class LiftBody:
    reason: str


@dataclass
class HoldOut:
    id: int
    candidate_id: int | None
    job_id: int | None
    reason: str
    placed_by: str
    placed_at: str
    lifted_by: str
    lifted_at: str | None


def _holds(request: Request) -> LegalHolds:
    return services_of(request).personal_data.holds


def _out(hold: HoldView) -> dict[str, Any]:
    return {
        "id": hold.id, "candidate_id": hold.candidate_id, "job_id": hold.job_id,
        "reason": hold.reason, "placed_by": hold.placed_by,
        "placed_at": hold.placed_at.isoformat(), "lifted_by": hold.lifted_by,
        "lifted_at": hold.lifted_at.isoformat() if hold.lifted_at else None,
    }  # fmt: skip


@bp.get("/staff/legal-holds")
@documented("Standing legal holds (HR managers; audited)", "staff", list[HoldOut])
async def list_holds(request: Request) -> HTTPResponse:
    holds = await _holds(request).standing((await principal_of(request)).actor)
    return json([_out(h) for h in holds])


@bp.post("/staff/legal-holds")
@documented("Place a legal hold on a candidate or an opening (HR managers; audited)", "staff",
            HoldOut, body=HoldBody)  # fmt: skip
async def place_hold(request: Request) -> HTTPResponse:
    actor = (await principal_of(request)).actor
    b = s.parse(HoldBody, request.json)
    hold = await _holds(request).place(
        actor, candidate_id=b.candidate_id, job_id=b.job_id, reason=b.reason
    )
    return json(_out(hold))


@bp.post("/staff/legal-holds/<hold_id:int>/lift")
@documented("Lift a legal hold (HR managers; audited)", "staff", HoldOut, body=LiftBody)
async def lift_hold(request: Request, hold_id: int) -> HTTPResponse:
    actor = (await principal_of(request)).actor
    b = s.parse(LiftBody, request.json)
    return json(_out(await _holds(request).lift(actor, hold_id, b.reason)))
