"""The staff scheduling routes check who calls before they read anything: a call without a
session, or from staff who may not manage interviews, is refused without a single database
query (so neither learns which rounds or interviews exist), and each allowed call is one
use-case call."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sanic import Request, Sanic
from sanic.response import HTTPResponse, json
from tortoise.models import MetaInfo, Model

from miniapp_api import scheduling_routes as routes
from recruiting.domain.roles import Role
from recruiting.errors import RecruitingError, Unauthenticated
from recruiting.models import SubjectKind
from recruiting.services.invitations.lifecycle import InterviewInvitations
from recruiting.services.scheduling.booking import InterviewBooking
from recruiting.services.scheduling.slots import SchedulingRules, SchedulingService
from recruiting.services.shared.sessions import Principal
from recruiting.web import status_for

SH = ZoneInfo("Asia/Shanghai")
START = (datetime.now(SH) + timedelta(days=7)).replace(hour=10, minute=0).isoformat()
INTERVIEWER = Principal(
    7, SubjectKind.STAFF, staff_id=3, userid="wangqiang", roles=frozenset({Role.INTERVIEWER})
)
PREFIX = "/miniapp/v1/staff"
CALLS: list[tuple[str, dict[str, Any]]] = [
    ("/bookings", {"application_id": 1, "round_id": 1, "start": START, "interviewers": [3]}),
    ("/interviews/1/reschedule", {"start": START, "interviewers": [3]}),
    ("/interviews/1/cancel", {"reason": "岗位关闭"}),
]


class DatabaseTouched(AssertionError):
    pass


@pytest.fixture(autouse=True)
def no_database(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Any model query or write would need a connection: asking for one fails the test."""

    def touched(*args: Any, **kwargs: Any) -> Any:
        raise DatabaseTouched("the route used the database")

    monkeypatch.setattr(Model, "_choose_db", classmethod(touched))
    monkeypatch.setattr(MetaInfo, "db", property(touched))
    yield


@dataclass
class Sessions:
    """The session store: no token is refused (as the real one does, before any lookup)."""

    principal: Principal | None = None

    async def authenticate(self, token: str | None) -> Principal:
        if not token or self.principal is None:
            raise Unauthenticated("log in first", code="missing_token")
        return self.principal


@dataclass
class Limiter:
    hits: list[tuple[str, str, str]] = field(default_factory=list)

    async def hit(self, group: str, kind: str, key: str) -> None:
        self.hits.append((group, kind, key))


_apps = itertools.count()


def _app(principal: Principal | None = None) -> Sanic[Any, Any]:
    """The scheduling blueprint alone, with error statuses as the service maps them."""
    app: Sanic[Any, Any] = Sanic(f"scheduling_routes_{next(_apps)}", configure_logging=False)
    app.blueprint(routes.bp)

    async def error(request: Request, exc: RecruitingError) -> HTTPResponse:
        return json({"error": exc.code}, status=status_for(exc))

    app.error_handler.add(RecruitingError, error)
    scheduling = SchedulingService(SchedulingRules(SH))
    booking = InterviewBooking(scheduling, InterviewInvitations(scheduling, SH))
    miniapp = SimpleNamespace(sessions=Sessions(principal), limiter=Limiter())
    app.ctx.services = SimpleNamespace(
        recorded=SimpleNamespace(miniapp=miniapp),
        scheduling=SimpleNamespace(service=scheduling),
        invitations=SimpleNamespace(booking=booking),
    )
    return app


async def _post(app: Sanic[Any, Any], path: str, body: dict[str, Any], token: str = "") -> Any:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    _, response = await app.asgi_client.post(PREFIX + path, json=body, headers=headers)
    return response


@pytest.mark.parametrize(("path", "body"), CALLS)
async def test_a_call_without_a_session_is_refused_before_any_query(
    path: str, body: dict[str, Any]
) -> None:
    response = await _post(_app(), path, body)
    assert (response.status, response.json["error"]) == (401, "missing_token")


@pytest.mark.parametrize(("path", "body"), CALLS)
async def test_staff_who_may_not_schedule_learn_nothing_of_what_exists(
    path: str, body: dict[str, Any]
) -> None:
    """An interviewer is refused (403) before the round or the interview is looked up: a
    404 for an unknown id would tell them which ids exist."""
    response = await _post(_app(INTERVIEWER), path, body, "t0ken")
    assert (response.status, response.json["error"]) == (403, "access_denied")


async def test_a_long_cancel_reason_reaches_the_candidate_in_whole_words(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The reason goes into the message the candidate reads (原因：…): one too long is
    shortened between two words with an ellipsis, never cut inside a word."""
    hr = Principal(8, SubjectKind.STAFF, staff_id=1, userid="lina", roles=frozenset({Role.HR}))
    seen: list[str] = []

    async def cancel_and_withdraw(
        self: InterviewBooking, principal: Principal, interview_id: int, reason: str = ""
    ) -> None:
        seen.append(reason)

    monkeypatch.setattr(InterviewBooking, "cancel_and_withdraw", cancel_and_withdraw)
    reason = "岗位关闭，" + "the opening was closed by the hiring manager " * 6
    response = await _post(_app(hr), "/interviews/1/cancel", {"reason": reason}, "t0ken")
    assert response.status == 200, response.json
    (sent,) = seen
    assert sent.endswith("…") and len(sent) <= routes.REASON_CHARS < len(reason)
    kept = sent.removesuffix("…")
    assert reason.startswith(kept) and reason[len(kept)] == " "  # between two words
