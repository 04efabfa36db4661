"""Response headers and the last two refusals of issue 12 item 6, over real HTTP: no
sniffing, framing or scripts anywhere; staff views never cached; HSTS beyond loopback only; a
polyglot recording (a real MP4 with HTML and a zip appended) is served as a download of its
checked type; integrity events after the interview ended are refused; an unexpected failure
is a Chinese ``{error, message}`` with a reference, its reason only in the log."""

from __future__ import annotations

import hashlib
import io
import logging
import zipfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from recruiting.models import Interview
from tests.security.api_stack import Population, assert_error_shape, population
from tests.unit.core.mediafactory import face_video, speech_like

BASE = {"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY"}


@pytest.fixture
async def people(tmp_path: Path) -> AsyncIterator[Population]:
    async with population("postgres+redis", tmp_path) as built:
        yield built


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def assert_hardened(response: httpx.Response) -> None:
    for name, value in BASE.items():
        assert response.headers.get(name) == value, (response.request.url, dict(response.headers))
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert "Strict-Transport-Security" not in response.headers  # plain HTTP on loopback


async def test_every_kind_of_answer_is_hardened(people: Population) -> None:
    api, a = people.api, people.a
    assert a is not None
    hr = bearer(people.tokens["hr"])
    answers = [
        await api.get("/healthz"),
        await api.get("/miniapp/v1/consents/texts"),
        await api.get("/miniapp/v1/interviews", headers=bearer(a.token)),
        await api.get("/miniapp/v1/interviews"),  # 401
        await api.get("/no/such/route"),  # Sanic's own 404
        await api.post("/wecom/callback", content=b"<xml/>"),  # unsigned
        await api.get("/docs/openapi.json"),
    ]
    for response in answers:
        assert_hardened(response)
    for path in ("/miniapp/v1/staff/interviews", f"/miniapp/v1/staff/interviews/{a.interview_id}"):
        staff_view = await api.get(path, headers=hr)
        assert staff_view.status_code == 200, staff_view.text
        assert staff_view.headers["Cache-Control"] == "no-store"
        assert_hardened(staff_view)


async def test_hsts_when_served_beyond_loopback(tmp_path: Path) -> None:
    async with population("postgres+redis", tmp_path, {"HOST": "0.0.0.0"}) as people:
        response = await people.api.get("/miniapp/v1/consents/texts")
        assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def polyglot(tmp_path: Path) -> bytes:
    """A playable MP4 that is also an HTML page and a zip archive."""
    video = face_video(tmp_path / "answer.mp4", 3.0, fps=10, audio=speech_like(3.0)).read_bytes()
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("index.html", "<script>alert(document.cookie)</script>")
    html = b"<html><body><script>alert(document.cookie)</script></body></html>"
    return video + html + archive.getvalue()


async def test_a_polyglot_recording_is_downloaded_never_rendered(tmp_path: Path) -> None:
    data = polyglot(tmp_path)
    assert zipfile.is_zipfile(io.BytesIO(data)) and b"<script>" in data
    async with population("postgres+redis", tmp_path / "stack", upload=data) as people:
        await _polyglot_served(people, data)


async def _polyglot_served(people: Population, data: bytes) -> None:
    api, a = people.api, people.a
    assert a is not None
    me, upload_id = bearer(a.token), a.upload_id
    sent = await api.put(f"/miniapp/v1/uploads/{upload_id}", params={"offset": 0}, content=data,
                         headers=me | {"X-Chunk-SHA256": hashlib.sha256(data).hexdigest()})  # fmt: skip
    assert sent.status_code == 200, sent.text
    done = await api.post(f"/miniapp/v1/uploads/{upload_id}/complete", headers=me)
    assert done.status_code == 200, done.text  # it is a real recording, so it is kept
    hr = bearer(people.tokens["hr"])
    path = f"/miniapp/v1/staff/interviews/{a.interview_id}/answers/0/media"
    media = await api.get(path, headers=hr)
    assert media.status_code == 200 and media.content == data
    assert media.headers["Content-Type"] == "video/mp4"
    assert media.headers["Content-Disposition"].startswith("attachment;")
    assert media.headers["Cache-Control"] == "no-store"
    assert_hardened(media)


async def test_integrity_events_end_with_the_interview(people: Population) -> None:
    api, a = people.api, people.a
    assert a is not None
    path = f"/miniapp/v1/interviews/{a.interview_id}/events"
    event = {"kind": "app_backgrounded", "question_index": 0}
    assert (await api.post(path, headers=bearer(a.token), json=event)).status_code == 200
    await Interview.filter(id=a.interview_id).update(status="completed")
    late = await api.post(path, headers=bearer(a.token), json=event)
    assert late.status_code == 409
    assert assert_error_shape(late)["error"] == "interview_closed"


async def test_an_unexpected_failure_is_our_shape_and_its_reason_only_logged(
    people: Population, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    a = people.a
    assert a is not None
    recorded = people.app.ctx.services.recorded.miniapp.recorded

    async def broken(*args: Any) -> Any:
        raise OSError(5, "Input/output error", "/tmp/4242/upload-secret.media")

    monkeypatch.setattr(recorded, "list_for", broken)
    with caplog.at_level(logging.ERROR, logger="recruiting.web"):
        response = await people.api.get("/miniapp/v1/interviews", headers=bearer(a.token))
    assert response.status_code == 500
    body = assert_error_shape(response)
    assert body["error"] == "internal" and "upload-secret" not in response.text
    reference = response.headers["X-Request-ID"]
    assert reference in body["message"]
    logged = [r for r in caplog.records if reference in r.getMessage()]
    assert logged and "upload-secret.media" in logged[0].getMessage()
    assert_hardened(response)
