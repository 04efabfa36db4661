"""The candidate mini-app's stack: service + sandbox on real sockets with a sales job, a
recorded round and one application, and the calls a candidate or staff member makes over
HTTP. The mini-app, invitation, scheduling and reminder flows share it as their ``stack``.
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from sanic import Sanic
from tortoise.backends.base.executor import EXECUTOR_CACHE

from recruiting.bootstrap import create_app
from recruiting.models import Application, Candidate, InterviewRound, JobOpening, RoundKind
from recruiting.settings import Settings, load_settings
from tests.conftest import premigrate, shared_services_env
from tests.serving import free_port, serving
from wecom_bot.sandbox.app import create_sandbox_app

SH = ZoneInfo("Asia/Shanghai")


def monday(weeks: int = 2) -> datetime:
    """Midnight (Shanghai) of the Monday ``weeks`` weeks ahead: a free working week."""
    today = datetime.now(SH).replace(hour=0, minute=0, second=0, microsecond=0)
    return today + timedelta(days=7 * weeks - today.weekday())


_names = itertools.count()
CHUNK = 16 * 1024
QUESTIONS = [
    {"text": "请讲一次你说服犹豫的客户最终成交的经历。", "competencies": ["客户导向", "沟通能力"],
     "prep_seconds": 10, "answer_seconds": 60, "retakes": 1},
    {"text": "你如何在压力下完成销售目标？", "competencies": ["结果导向", "抗压能力"],
     "prep_seconds": 10, "answer_seconds": 60, "retakes": 0},
]  # fmt: skip
SALES_MODEL = [
    {"code": "customer_focus", "name": "客户导向", "weight": "0.25"},
    {"code": "results", "name": "结果导向", "weight": "0.25"},
    {"code": "communication", "name": "沟通能力", "weight": "0.20"},
    {"code": "stress", "name": "抗压能力", "weight": "0.15"},
    {"code": "learning", "name": "学习能力", "weight": "0.15"},
]


@dataclass
class Stack:
    """The running mini-app stack and the seeded application the tests invite to."""

    settings: Settings
    api: httpx.AsyncClient
    console: httpx.AsyncClient
    application_id: int
    round_id: int

    async def staff_token(self, userid: str) -> str:
        code = (await self.console.post("/sandbox/jscode", json={"userid": userid})).json()["code"]
        response = await self.api.post("/miniapp/v1/login/staff", json={"code": code})
        assert response.status_code == 200, response.text
        return str(response.json()["token"])

    async def candidate_token(self, openid: str) -> str:
        code = (await self.console.post("/sandbox/wechat_code", json={"openid": openid})).json()
        response = await self.api.post("/miniapp/v1/login/candidate", json=code)
        assert response.status_code == 200, response.text
        return str(response.json()["token"])

    async def call(self, method: str, path: str, token: str, **kwargs: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} | kwargs.pop("headers", {})
        return await self.api.request(method, f"/miniapp/v1{path}", headers=headers, **kwargs)

    async def invite(self, hr: str, application_id: int | None = None) -> tuple[int, str]:
        deadline = (datetime.now(UTC) + timedelta(days=3)).isoformat()
        body = {"application_id": application_id or self.application_id,
                "round_id": self.round_id, "deadline": deadline}  # fmt: skip
        response = await self.call("POST", "/staff/invitations", hr, json=body)
        assert response.status_code == 200, response.text
        return int(response.json()["interview_id"]), str(response.json()["token"])

    async def consent_all(self, token: str, granted: bool = True) -> dict[str, Any]:
        texts = (await self.api.get("/miniapp/v1/consents/texts")).json()
        decisions = [{"purpose": t["purpose"], "version": t["version"], "granted": granted}
                     for t in texts]  # fmt: skip
        response = await self.call("POST", "/consents", token, json={"decisions": decisions})
        assert response.status_code == 200, response.text
        return dict(response.json())

    async def upload(self, token: str, interview_id: int, index: int, data: bytes,
                     media_type: str = "video/mp4") -> str:  # fmt: skip
        start = {"interview_id": interview_id, "question_index": index, "size": len(data),
                 "sha256": hashlib.sha256(data).hexdigest(), "media_type": media_type}  # fmt: skip
        response = await self.call("POST", "/uploads", token, json=start)
        assert response.status_code == 200, response.text
        upload_id = str(response.json()["upload_id"])
        for offset in range(0, len(data), CHUNK):
            await self.put(token, upload_id, offset, data[offset : offset + CHUNK], 200)
        return upload_id

    async def put(self, token: str, upload_id: str, offset: int, chunk: bytes,
                  expect: int, checksum: str | None = None) -> dict[str, Any]:  # fmt: skip
        headers = {"X-Chunk-SHA256": checksum or hashlib.sha256(chunk).hexdigest()}
        response = await self.call("PUT", f"/uploads/{upload_id}", token, params={"offset": offset},
                                   content=chunk, headers=headers)  # fmt: skip
        assert response.status_code == expect, response.text
        return dict(response.json())

    async def hr_told(self, userid: str, needle: str, timeout: float = 15.0) -> int:
        """How many delivered app messages to ``userid`` contain ``needle`` (waits for one)."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            chat = (await self.console.get("/sandbox/messages", params={"userid": userid})).json()
            texts = [m["content"]["content"] for m in chat["messages"]
                     if m.get("msgtype") == "text" and m.get("status") == "sent"]  # fmt: skip
            found = sum(needle in t for t in texts)
            if found or asyncio.get_running_loop().time() > deadline:
                await asyncio.sleep(0.3)
                return found
            await asyncio.sleep(0.2)

    async def analysed(self, token: str, upload_id: str, timeout: float = 60.0) -> dict[str, Any]:
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            state = (await self.call("GET", f"/uploads/{upload_id}", token)).json()
            if state.get("analysis") in ("done", "failed", "skipped"):
                return dict(state)
            assert asyncio.get_running_loop().time() < deadline, state
            await asyncio.sleep(0.2)


@pytest.fixture(params=["sqlite", "postgres+redis"])
async def stack(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Stack]:
    service_port, sandbox_port = free_port(), free_port()
    env = {"DATA_DIR": str(tmp_path), "PORT": str(service_port), "SANDBOX_PORT": str(sandbox_port),
           "RECRUITING__ANALYSIS__PROCESSES": "0"}  # fmt: skip
    if request.param == "postgres+redis":
        env |= await shared_services_env() | {"RECRUITING__ANALYSIS__PROCESSES": "1"}
    else:
        premigrate(tmp_path)
    EXECUTOR_CACHE.clear()
    settings = load_settings(None, env)
    Sanic.test_mode = True
    n = next(_names)
    service = create_app(settings, name=f"mini{n}")
    sandbox = create_sandbox_app(settings, name=f"minisbx{n}")
    async with (
        serving(sandbox, sandbox_port),
        serving(service, service_port),
        httpx.AsyncClient(base_url=f"http://127.0.0.1:{service_port}", timeout=60) as api,
        httpx.AsyncClient(base_url=settings.sandbox.base_url, timeout=15) as console,
    ):
        job = await JobOpening.create(code="sales", title="销售代表", competency_model=SALES_MODEL)
        round_ = await InterviewRound.create(job=job, name="录制面试", kind=RoundKind.RECORDED,
                                             questions=QUESTIONS)  # fmt: skip
        candidate = await Candidate.create(name="赵敏")
        application = await Application.create(candidate=candidate, job=job)
        yield Stack(settings, api, console, application.id, round_.id)
