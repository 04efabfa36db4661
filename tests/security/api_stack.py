"""The service and the WeCom sandbox on real loopback sockets, with two candidates (each
holding a redeemed recorded interview and an upload) and staff of every role: the
population the security suite attacks. Built from the same parts as the e2e stacks."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sanic import Sanic

from recruiting.models import (
    Application,
    Candidate,
    CandidateMessage,
    InterviewRound,
    JobOpening,
    RoundKind,
)
from recruiting.settings import Settings
from tests.e2e.stack import running

QUESTIONS = [
    {"text": "请介绍一次你解决复杂问题的经历。", "competencies": ["沟通能力"],
     "prep_seconds": 10, "answer_seconds": 60, "retakes": 1},
]  # fmt: skip
MODEL = [{"code": "communication", "name": "沟通能力", "weight": "1"}]


@dataclass
class Candidacy:
    token: str
    candidate_id: int
    interview_id: int
    upload_id: str
    message_id: int


@dataclass
class Population:
    settings: Settings
    api: httpx.AsyncClient
    app: Sanic
    console: httpx.AsyncClient
    tokens: dict[str, str] = field(default_factory=dict)  # hr, interviewer, visitor
    a: Candidacy | None = None
    b: Candidacy | None = None
    round_id: int = 0


async def _staff_token(api: httpx.AsyncClient, console: httpx.AsyncClient, userid: str) -> str:
    code = (await console.post("/sandbox/jscode", json={"userid": userid})).json()
    response = await api.post("/miniapp/v1/login/staff", json=code)
    assert response.status_code == 200, response.text
    return str(response.json()["token"])


async def _wechat_token(api: httpx.AsyncClient, console: httpx.AsyncClient, openid: str) -> str:
    code = (await console.post("/sandbox/wechat_code", json={"openid": openid})).json()
    response = await api.post("/miniapp/v1/login/candidate", json=code)
    assert response.status_code == 200, response.text
    return str(response.json()["token"])


async def _candidacy(
    api: httpx.AsyncClient, console: httpx.AsyncClient, hr: str, job: JobOpening,
    round_: InterviewRound, name: str, data: bytes,
) -> Candidacy:  # fmt: skip
    candidate = await Candidate.create(name=name)
    application = await Application.create(candidate=candidate, job=job)
    deadline = (datetime.now(UTC) + timedelta(days=3)).isoformat()
    auth = {"Authorization": f"Bearer {hr}"}
    invited = await api.post("/miniapp/v1/staff/invitations", headers=auth, json={
        "application_id": application.id, "round_id": round_.id, "deadline": deadline})  # fmt: skip
    assert invited.status_code == 200, invited.text
    token = await _wechat_token(api, console, f"o-sec-{candidate.id}")
    me = {"Authorization": f"Bearer {token}"}
    redeemed = await api.post("/miniapp/v1/invitations/redeem", headers=me,
                              json={"invitation": invited.json()["token"]})  # fmt: skip
    assert redeemed.status_code == 200, redeemed.text
    texts = (await api.get("/miniapp/v1/consents/texts")).json()
    decisions = [{"purpose": t["purpose"], "version": t["version"], "granted": True}
                 for t in texts]  # fmt: skip
    consented = await api.post("/miniapp/v1/consents", headers=me, json={"decisions": decisions})
    assert consented.status_code == 200, consented.text
    interview_id = int(invited.json()["interview_id"])
    assert (await api.post(f"/miniapp/v1/interviews/{interview_id}/next", headers=me)).is_success
    started = await api.post("/miniapp/v1/uploads", headers=me, json={
        "interview_id": interview_id, "question_index": 0, "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(), "media_type": "video/mp4"})  # fmt: skip
    assert started.status_code == 200, started.text
    message = await CandidateMessage.create(
        outbox_key=f"sec:{candidate.id}", candidate=candidate, subject="invite:0",
        payload={"content": "面试邀请", "choices": [{"key": "confirm", "label": "确认"}]},
    )  # fmt: skip
    return Candidacy(token, candidate.id, interview_id, str(started.json()["upload_id"]),
                     message.id)  # fmt: skip


@asynccontextmanager
async def population(
    variant: str,
    tmp_path: Path,
    extra_env: dict[str, str] | None = None,
    upload: bytes = b"\x00\x00\x00\x18ftypmp42" + b"x" * 100,
) -> AsyncIterator[Population]:
    """``upload``: what candidate a's open upload (of question 0) will hold."""
    env = {"RECRUITING__ANALYSIS__PROCESSES": "0", **(extra_env or {})}
    async with (
        running(variant, tmp_path, "sec", env) as (settings, service, console),
        httpx.AsyncClient(
            base_url=f"http://{settings.server.host}:{settings.server.port}", timeout=60
        ) as api,  # fmt: skip
    ):
        job = await JobOpening.create(code="sec", title="安全测试岗", competency_model=MODEL)
        round_ = await InterviewRound.create(job=job, name="录制面试", kind=RoundKind.RECORDED,
                                             questions=QUESTIONS)  # fmt: skip
        hr = await _staff_token(api, console, "lina")
        people = Population(settings, api, service, console, round_id=round_.id)
        people.tokens = {
            "hr": hr,
            "interviewer": await _staff_token(api, console, "wangqiang"),
            "visitor": await _wechat_token(api, console, "o-sec-visitor"),
        }
        people.a = await _candidacy(api, console, hr, job, round_, "候选人甲", upload)
        people.b = await _candidacy(api, console, hr, job, round_, "候选人乙", upload[:64])
        yield people


def assert_error_shape(response: httpx.Response) -> dict[str, Any]:
    """``{error, message}``: a stable code and a Chinese message without internals."""
    assert response.headers["content-type"].startswith("application/json"), response.text
    body = response.json()
    assert isinstance(body, dict), body
    assert isinstance(body.get("error"), str) and body["error"], body
    message = body.get("message")
    assert isinstance(message, str) and message, body
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message), body  # written for people
    for leak in ("Traceback", "/tmp", ".media", "errno", "Error(", 'File "'):
        assert leak not in message, body
    return dict(body)
