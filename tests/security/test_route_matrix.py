"""Every route of the served OpenAPI document, called without a token, with a forged one,
with the other side's token (candidate ↔ staff) and with another candidate's ids: each is
refused with the right status and the ``{error, message}`` shape, and authentication comes
before any lookup or parsing (a caller without a session cannot tell which ids exist).

The routes come from the document the app serves at test time, so a route added tomorrow
is attacked the day it lands; a route without ``security`` must be listed in ``PUBLIC``.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from recruiting.models import AuditLog
from tests.security.api_stack import Candidacy, Population, assert_error_shape, population

METHODS = ("get", "post", "put", "patch", "delete")
PUBLIC = {  # reachable without a session, on purpose
    ("post", "/miniapp/v1/login/candidate"),
    ("post", "/miniapp/v1/login/staff"),
    ("get", "/miniapp/v1/consents/texts"),
    ("get", "/wecom/callback"),  # signed by WeCom instead
    ("post", "/wecom/callback"),
    ("get", "/healthz"),  # says only "ok" and sandbox/corp
}
STRINGS = {"kind": "app_backgrounded", "sha256": "0" * 64, "media_type": "video/mp4"}
MISSING_ROW = 2_000_000_000  # a well-formed id no row has
BEYOND_INT64 = 2**63 + 7


@pytest.fixture(params=["sqlite", "postgres+redis"])
async def people(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Population]:
    async with population(request.param, tmp_path) as built:
        yield built


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    found = []
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in METHODS and not path.startswith("/docs"):
                found.append((method, path, operation))
    return found


def is_staff_route(path: str) -> bool:
    return path.startswith("/miniapp/v1/staff/")


def fill(path: str, owner: Candidacy, *, number: int | None = None) -> str:
    """The path with ``owner``'s ids (or ``number`` for every numeric id)."""
    values = {
        "interview_id": owner.interview_id, "message_id": owner.message_id,
        "upload_id": owner.upload_id, "index": 0, "hold_id": owner.interview_id,
        "request_id": owner.interview_id, "resume_id": owner.interview_id,
    }  # fmt: skip
    for name, value in values.items():
        if number is not None and name != "upload_id" and name != "index":
            value = number
        path = path.replace("{" + name + "}", str(value))
    assert "{" not in path, f"the matrix does not know a parameter of {path}: add it to fill()"
    return path


def body_for(operation: dict[str, Any], document: dict[str, Any], owner: Candidacy) -> Any:
    """A plausible body from the documented schema, naming ``owner``'s rows."""
    content = operation.get("requestBody", {}).get("content", {})
    schema = content.get("application/json", {}).get("schema")
    if schema is None:
        return None
    if "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    body: dict[str, Any] = {}
    soon = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    for name, prop in (schema.get("properties") or {}).items():
        if "default" in prop:  # optional
            continue
        kind = prop.get("type")
        if kind == "integer":
            body[name] = owner.interview_id if name.endswith("_id") else (
                16 if name == "size" else 0)  # fmt: skip
        elif kind == "boolean":
            body[name] = True
        elif kind == "array":
            body[name] = []
        elif kind == "object":
            body[name] = {}
        elif name in ("start", "end", "deadline", "client_at"):
            body[name] = soon
        else:
            body[name] = STRINGS.get(name, "confirm")
    return body


async def call(
    api: httpx.AsyncClient, method: str, path: str, token: str | None, body: Any = None
) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    chunk = b"\x00" * 16
    if method == "put":  # the chunk upload: a well-formed chunk at offset 0
        headers["X-Chunk-SHA256"] = hashlib.sha256(chunk).hexdigest()
        return await api.put(path, params={"offset": 0}, content=chunk, headers=headers)
    return await api.request(method.upper(), path, json=body, headers=headers)


def refused(response: httpx.Response, *statuses: int) -> dict[str, Any]:
    assert response.status_code in statuses, (
        response.request.method, str(response.request.url), response.status_code, response.text
    )  # fmt: skip
    return assert_error_shape(response)


async def test_every_route_refuses_strangers_other_roles_and_other_candidates(
    people: Population,
) -> None:
    api, a, b = people.api, people.a, people.b
    assert a is not None and b is not None
    document = (await api.get("/docs/openapi.json")).json()
    ops = operations(document)
    assert len(ops) > 30
    secured = [(m, p, o) for m, p, o in ops if o.get("security")]
    unsecured = {(m, p) for m, p, o in ops if not o.get("security")}
    assert unsecured <= PUBLIC, f"routes without a session check: {sorted(unsecured - PUBLIC)}"
    hostile_body = {"code": "²", "interview_id": BEYOND_INT64, "start": "9999-12-31T23:59:59+14:00"}
    for method, path in sorted(unsecured):  # public: hostile input is a 4xx in our shape
        response = await call(api, method, path, None, hostile_body)
        if response.status_code >= 400:
            refused(response, 400, 403, 413)
    for method, template, operation in secured:
        # No token, a forged token: 401 before anything is looked up or parsed, whatever
        # the id (an existing one, a missing one, one beyond int64) and however bad the body.
        for number in (None, MISSING_ROW, BEYOND_INT64):
            path = fill(template, a, number=number)
            for token in (None, "forged-" + "x" * 40):
                response = await call(api, method, path, token, hostile_body)
                body = refused(response, 401)
                assert body["error"] in ("missing_token", "invalid_session")
                assert response.headers["WWW-Authenticate"].startswith("Bearer")
        path = fill(template, a)
        # The other side's session: 403.
        others = [a.token, people.tokens["visitor"]] if is_staff_route(template) else (
            [people.tokens["hr"]] if template != "/miniapp/v1/logout" else [])  # fmt: skip
        for token in others:
            refused(await call(api, method, path, token, body_for(operation, document, a)), 403)
        # Another candidate's rows (in the path or the body): refused, never served.
        if not is_staff_route(template) and ("{" in template or method != "get"):
            if template in ("/miniapp/v1/logout", "/miniapp/v1/invitations/redeem",
                            "/miniapp/v1/consents", "/miniapp/v1/device-check",
                            "/miniapp/v1/me/requests/correction", "/miniapp/v1/me/requests/deletion",
                            "/miniapp/v1/me/talent-pool"):  # fmt: skip
                continue  # they name no row of anyone
            response = await call(api, method, path, b.token, body_for(operation, document, a))
            refused(response, 403, 404)
        # An interviewer who is not on the panel may not touch the interview.
        if is_staff_route(template) and "{interview_id}" in template:
            interviewer = people.tokens["interviewer"]
            response = await call(api, method, path, interviewer, body_for(operation, document, a))
            refused(response, 403)
    # The other side's attempts are in the audit log, as refused.
    assert await AuditLog.filter(action="open_route", allowed=False, actor="lina").exists()
    # Nothing of a's was touched by any of it.
    me = {"Authorization": f"Bearer {a.token}"}
    state = (await api.get(f"/miniapp/v1/uploads/{a.upload_id}", headers=me)).json()
    assert state["received"] == 0 and state["status"] == "open"
