"""Mini-app sessions and consents: log in, log out, redeem an invitation, read and decide
the consents."""

from __future__ import annotations

from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json

from miniapp_api import schemas as s
from miniapp_api.context import miniapp
from miniapp_api.edge import documented, principal_of
from recruiting import validation
from recruiting.errors import InvalidInput
from recruiting.models import ConsentPurpose
from recruiting.services.recorded.consents import Decision, consent_state
from recruiting.services.shared.sessions import IssuedSession

bp = Blueprint("miniapp", url_prefix="/miniapp/v1")


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
    bound, interview_id = await miniapp(request).links.redeem(
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
