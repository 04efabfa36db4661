"""Recordings over HTTP with range requests, on SQLite and PostgreSQL: the use case
(``ResultsService.media``, role check and audit per request) and the shared response
(``recruiting.web.media_response``) behind a Sanic route, with a real encrypted media store
and a real MP4 made with PyAV. Full, partial, open-ended and suffix ranges; 416 for a range
past the end; refused roles; never cached."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
from sanic import Request, Sanic
from sanic.response import ResponseStream

from recruiting import clock
from recruiting.domain.interview_state import InterviewStatus
from recruiting.domain.roles import Role
from recruiting.infra.media_store import LocalMediaStore
from recruiting.models import (
    Answer,
    AnswerStatus,
    Application,
    AuditLog,
    Candidate,
    Interview,
    InterviewMode,
    InterviewRound,
    JobOpening,
    RoundKind,
    SubjectKind,
)
from recruiting.services.recorded.results import ResultsService
from recruiting.services.shared.sessions import Principal
from recruiting.web import install_error_handlers, media_response
from tests.conftest import TEST_CIPHER
from tests.unit.core.mediafactory import write_video

WHO = {
    "hr": Principal(1, SubjectKind.STAFF, staff_id=1, userid="lina", roles=frozenset({Role.HR})),
    "finance": Principal(
        2, SubjectKind.STAFF, staff_id=2, userid="cai", roles=frozenset({Role.FINANCE})
    ),
    "candidate": Principal(3, SubjectKind.CANDIDATE, openid="o", candidate_id=1),
}


@pytest.fixture(scope="module")
def video(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    noise = np.random.default_rng(7)  # noise does not compress: several segments of media
    frames = [noise.integers(0, 255, (96, 128, 3), dtype=np.uint8) for _ in range(24)]
    path = write_video(tmp_path_factory.mktemp("v") / "a.mp4", frames, 12.0, faststart=True)
    data = path.read_bytes()
    assert len(data) > 20_000
    return data


@dataclass
class Served:
    app: Sanic
    interview_id: int


@pytest.fixture
async def served(database: str, tmp_path: Path, video: bytes) -> Served:
    job = await JobOpening.create(code="j", title="岗位")
    round_ = await InterviewRound.create(job=job, name="录制", kind=RoundKind.RECORDED,
                                         questions=[{"text": "问题", "competencies": []}])  # fmt: skip
    app_ = await Application.create(candidate=await Candidate.create(name="甲"), job=job)
    interview = await Interview.create(application=app_, round=round_, mode=InterviewMode.RECORDED,
                                       status=InterviewStatus.COMPLETED)  # fmt: skip
    store = LocalMediaStore(tmp_path / "media", TEST_CIPHER, segment_size=4096)
    key = f"answers/{interview.id}/0/u1"
    writer = await store.appender(key, 0)
    await writer.write(video)
    await writer.close()
    await Answer.create(interview=interview, question_index=0, status=AnswerStatus.SUBMITTED,
                        revealed_at=clock.now() - timedelta(minutes=5), media_key=key,
                        media_type="video/mp4", media_bytes=len(video))  # fmt: skip
    results = ResultsService(store, lambda analysis: [])
    web = Sanic(f"ranges_{interview.id}_{id(tmp_path)}")
    install_error_handlers(web)

    @web.get("/media/<interview_id:int>/<index:int>")
    async def media(request: Request, interview_id: int, index: int) -> ResponseStream:
        principal = WHO[request.headers["x-who"]]
        stream = await results.media(principal, interview_id, index, request.headers.get("range"))
        return media_response(stream, f"answer-{interview_id}-{index}", inline=True)

    return Served(web, interview.id)


async def _get(served: Served, who: str = "hr", range_: str | None = None):  # type: ignore[no-untyped-def]
    headers = {"x-who": who} | ({"Range": range_} if range_ else {})
    _, response = await served.app.asgi_client.get(
        f"/media/{served.interview_id}/0", headers=headers
    )
    return response


async def test_the_whole_recording_without_a_range(served: Served, video: bytes) -> None:
    response = await _get(served)
    assert response.status_code == 200 and response.content == video
    assert response.headers["accept-ranges"] == "bytes"
    assert response.headers["content-length"] == str(len(video))
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["content-type"] == "video/mp4"
    assert response.headers["content-disposition"].startswith("inline")
    assert "content-range" not in response.headers


@pytest.mark.parametrize(
    ("header", "start", "end"),
    [("bytes=0-99", 0, 99), ("bytes=5000-", 5000, None), ("bytes=-300", -300, None),
     ("bytes=4090-4200", 4090, 4200), ("bytes=100-99999999", 100, None)],
)  # fmt: skip
async def test_partial_ranges_answer_206_with_exactly_those_bytes(
    served: Served, video: bytes, header: str, start: int, end: int | None
) -> None:
    response = await _get(served, range_=header)
    size = len(video)
    first = start if start >= 0 else size + start
    last = end if end is not None else size - 1
    assert response.status_code == 206
    assert response.content == video[first : last + 1]
    assert response.headers["content-range"] == f"bytes {first}-{last}/{size}"
    assert response.headers["content-length"] == str(last - first + 1)


async def test_a_range_past_the_end_is_416_with_the_size(served: Served, video: bytes) -> None:
    response = await _get(served, range_=f"bytes={len(video)}-")
    assert response.status_code == 416
    assert response.headers["content-range"] == f"bytes */{len(video)}"
    assert response.json["error"] == "range_not_satisfiable"
    assert "范围" in response.json["message"]


async def test_roles_without_media_access_are_refused_and_every_request_is_audited(
    served: Served,
) -> None:
    for who in ("finance", "candidate"):
        assert (await _get(served, who, "bytes=0-9")).status_code == 403
    await _get(served, "hr", "bytes=0-9")
    await _get(served, "hr", "bytes=10-19")
    looks = await AuditLog.filter(action="view_media").order_by("id")
    assert [(a.actor, a.allowed) for a in looks] == [
        ("cai", False), ("candidate:1", False), ("lina", True), ("lina", True),
    ]  # fmt: skip
