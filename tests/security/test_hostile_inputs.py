"""Hostile strings and numbers over every route of the served OpenAPI document (schemathesis
generates each operation's cases; hypothesis swaps parameters and body fields for hostile
values): no answer is a 5xx, every refusal is ``{error, message}`` in Chinese without
internals. Plus the raw attacks a schema cannot express: broken UTF-8, NaN, deep nesting,
a ``²`` Content-Length, a lone surrogate in a login code.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.security.api_stack import Population, assert_error_shape, population

# Usable in a URL (path, query) as well as in a body.
URL_TEXT = [
    "²", "٣", "１２", "-1", "0", "00", "9223372036854775807", "9223372036854775808",
    "1" * 40, "1e3", "NaN", "Infinity", "9999-12-31T23:59:59+14:00",
    "0001-01-01T00:00:00-12:00", "2026-02-30T10:00:00+08:00", "2026-05-01T09:00:00",
    "<svg onload=alert(1)>", "../../../etc/passwd", "' OR '1'='1", "\u202e\u0644", "😀" * 80,
    "码" * 300, "a" * 1000, "a" * 5000,
]  # fmt: skip
BODY_TEXT = [*URL_TEXT, "\ud800", "x\udfff", "\x00", "a" * 70_000, "\u2028"]
NUMBERS: list[Any] = [0, -1, -(2**63) - 1, 2**31, 2**63 - 1, 2**63, 2**64, 10**40, 1.5, 1e308,
                      True, None, [], {}]  # fmt: skip


@pytest.fixture
async def people(tmp_path: Path) -> AsyncIterator[Population]:
    # Rate limits (tests/security/test_dos.py) would answer most generated cases with 429.
    no_limits = {"RECRUITING__RATE_LIMITS__ENABLED": "false"}
    async with population("postgres+redis", tmp_path, extra_env=no_limits) as built:
        yield built


def check(response: Any) -> None:
    """``response``: what schemathesis's ``case.call`` returns (headers as lists)."""
    where = f"{response.request.method} {response.request.url}"
    assert response.status_code < 500, (where, response.status_code, response.text[:500])
    if response.status_code >= 400:
        headers = {k: v[0] if isinstance(v, list) else v for k, v in response.headers.items()}
        as_httpx = httpx.Response(response.status_code, headers=headers, content=response.content)
        try:
            assert_error_shape(as_httpx)
        except AssertionError as exc:
            raise AssertionError(f"{where}: {exc}") from exc


def _swap(data: st.DataObject, value: Any, pool: list[Any]) -> Any:
    return data.draw(st.one_of(st.just(value), st.sampled_from(pool)))


def hostile(case: Any, data: st.DataObject) -> None:
    """Replace some path parameters, query arguments and body fields by hostile values."""
    for name, value in list((case.path_parameters or {}).items()):
        case.path_parameters[name] = _swap(data, value, [*URL_TEXT, 0, -1, 2**63, 10**40])
    for name, value in list((case.query or {}).items()):
        case.query[name] = _swap(data, value, URL_TEXT)
    if isinstance(case.body, dict):
        for name, value in list(case.body.items()):
            case.body[name] = _swap(data, value, BODY_TEXT + NUMBERS)


def fuzz(operation: Any, base: str, tokens: list[str | None]) -> None:
    @given(case=operation.as_strategy(), data=st.data())
    @settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck),
              database=None)  # fmt: skip
    def run(case: Any, data: st.DataObject) -> None:
        hostile(case, data)
        for token in tokens:
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            check(case.call(base_url=base, headers=headers, timeout=30))

    run()


async def test_hostile_values_on_every_route_never_fail_the_service(people: Population) -> None:
    a = people.a
    assert a is not None
    base = str(people.api.base_url).rstrip("/")
    schema = schemathesis.openapi.from_dict((await people.api.get("/docs/openapi.json")).json())
    operations = [r.ok() for r in schema.get_all_operations()]
    assert len(operations) > 30
    everyone: list[str | None] = [None, people.tokens["hr"], a.token]

    def all_routes() -> None:  # blocking requests: in a thread, the server keeps this loop
        for operation in operations:
            if operation.path.startswith("/docs"):
                continue
            # Logging out would end the sessions the other routes are attacked with.
            fuzz(operation, base, [None] if operation.path.endswith("/logout") else everyone)

    await asyncio.to_thread(all_routes)


async def test_raw_hostile_requests(people: Population) -> None:
    a = people.a
    assert a is not None
    api = people.api
    me = {"Authorization": f"Bearer {a.token}"}
    hr = {"Authorization": f"Bearer {people.tokens['hr']}"}
    login = "/miniapp/v1/login/candidate"
    events = f"/miniapp/v1/interviews/{a.interview_id}/events"
    upload = f"/miniapp/v1/uploads/{a.upload_id}"
    chunk = me | {"X-Chunk-SHA256": "0" * 64}
    far_dates = {"start": "0001-01-01T00:00:00+14:00", "end": "0001-01-02T00:00:00+14:00"}
    start_upload = {"interview_id": 2**63, "question_index": 2**40, "size": 10,
                    "sha256": "0" * 64, "media_type": "video/mp4"}  # fmt: skip
    invite = {"application_id": 1, "round_id": people.round_id,
              "deadline": "9999-12-31T23:59:59+14:00"}  # fmt: skip
    propose = {"round_id": people.round_id, "windows": [far_dates]}
    attacks: list[tuple[str, str, dict[str, str], bytes | None]] = [
        # A lone surrogate in a login code: refused as input, not a misleading 503.
        ("POST", login, {}, b'{"code": "\\ud800abc"}'),
        ("POST", "/miniapp/v1/login/staff", {}, b'{"code": "\\udfff"}'),
        ("POST", login, {}, b'{"code": "' + "码".encode() * 200 + b'"}'),
        ("POST", login, {}, b'\xff\xfe{"code": "\xc3\x28"}'),  # not UTF-8
        ("POST", login, {}, b'{"code": NaN}'),
        ("POST", login, {}, b"[" * 5000 + b"]" * 5000),  # deep nesting
        ("POST", login, {}, b'{"code": "a"'),  # truncated
        ("POST", events, me, b'{"kind": "retake", "client_at": "9999-12-31T23:59:59-12:00"}'),
        ("POST", events, me, b'{"kind": "retake", "client_at": "0001-01-01T00:00:00+14:00"}'),
        ("POST", "/miniapp/v1/uploads", me, json.dumps(start_upload).encode()),
        ("POST", "/miniapp/v1/staff/invitations", hr, json.dumps(invite).encode()),
        ("POST", "/miniapp/v1/staff/proposals", hr, json.dumps(propose).encode()),
        ("GET", "/miniapp/v1/staff/surveys?job=%ED%A0%80&round=%C2%B2", hr, None),
        ("GET", "/miniapp/v1/interviews/%D9%A3", me, None),  # Arabic-Indic three
        ("GET", "/miniapp/v1/interviews/%C2%B2", me, None),  # superscript two
        ("GET", "/miniapp/v1/interviews/99999999999999999999999", me, None),
        ("GET", "/miniapp/v1/interviews/9223372036854775807", me, None),
        ("GET", "/miniapp/v1/interviews/-5", me, None),
        ("GET", "/miniapp/v1/interviews/1/questions/99999999999/skip", me, None),
        ("PUT", f"{upload}?offset=%C2%B2", chunk, b"x"),
        ("PUT", f"{upload}?offset=99999999999999999999", chunk, b"x"),
        ("GET", "/miniapp/v1/uploads/%ED%A0%80", me, None),
        ("GET", "/miniapp/v1/uploads/%3A%C2%80%F0%90%80%80%F0%90%80%80", me, None),
        ("GET", "/miniapp/v1/uploads/" + "a" * 40, me, None),  # wider than the column
        ("GET", "/miniapp/v1/staff/surveys?job=%C2%B2", hr, None),
        ("GET", "/miniapp/v1/staff/surveys?job=" + "x" * 100, hr, None),
        ("GET", "/miniapp/v1/staff/surveys?job=sec&round=" + "码" * 100, hr, None),
        ("GET", "/no/such/route", {}, None),
        ("DELETE", "/miniapp/v1/consents", me, None),
    ]
    for method, path, headers, content in attacks:
        response = await api.request(method, path, headers=headers, content=content)
        assert 400 <= response.status_code < 500, (path, content, response.text)
        body = assert_error_shape(response)
        assert "X-Request-ID" in response.headers, path
        if path == login:
            assert response.status_code == 400, (content, body)
