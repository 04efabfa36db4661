"""Service + WeCom sandbox over real HTTP: a member types, the bot answers, exactly once.

The sandbox encrypts and signs every callback like WeCom, and records every app message the
service sends through WeCom's API, so these tests see what a member would see.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sanic import Sanic

from recruiting import clock
from recruiting.bootstrap import create_app
from recruiting.models import InboxEvent, OutboxMessage
from recruiting.services.conversation import HELP_TEXT, UNKNOWN_MEMBER
from recruiting.services.demo import SandboxDemo
from recruiting.settings import Settings, load_settings
from tests.conftest import shared_services_env
from tests.serving import free_port, serving
from wecom_bot.sandbox.app import create_sandbox_app
from wecom_bot.sandbox.oa import OFFER_TEMPLATE_ID

_names = itertools.count()


@dataclass
class Stack:
    settings: Settings
    service: Any
    console: httpx.AsyncClient

    async def say(self, userid: str, text: str) -> dict[str, Any]:
        response = await self.console.post("/sandbox/say", json={"userid": userid, "text": text})
        assert response.status_code == 200, response.text
        return dict(response.json())

    async def chat(self, userid: str) -> list[dict[str, Any]]:
        response = await self.console.get("/sandbox/messages", params={"userid": userid})
        return list(response.json()["messages"])

    async def bot_texts(self, userid: str, expect: int, timeout: float = 10.0) -> list[str]:
        """Wait until the member has ``expect`` delivered texts from the app, then a bit more
        to catch any extra (a duplicate reply must not slip in after the wait)."""
        deadline = asyncio.get_running_loop().time() + timeout
        texts: list[str] = []
        while asyncio.get_running_loop().time() < deadline:
            texts = _delivered_texts(await self.chat(userid))
            if len(texts) >= expect:
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.3)
        return _delivered_texts(await self.chat(userid))


def _delivered_texts(timeline: list[dict[str, Any]]) -> list[str]:
    return [
        m["content"]["content"]
        for m in timeline
        if m.get("direction") == "out" and m.get("msgtype") == "text" and m["status"] == "sent"
    ]


@asynccontextmanager
async def running(
    kind: str,
    data_dir: Path,
    prefix: str,
    env: dict[str, str] | None = None,
    *,
    demo: bool = False,
) -> AsyncIterator[tuple[Settings, Any, httpx.AsyncClient]]:
    """The service and the sandbox serving on free ports (``kind``: "sqlite" or
    "postgres+redis"), and a client of the sandbox console; ``env`` adds settings; ``demo``
    wires the console's demo candidates and clock as ``run`` does (the clock is put back
    to real time afterwards)."""
    service_port, sandbox_port = free_port(), free_port()
    full = {"DATA_DIR": str(data_dir), "PORT": str(service_port), "SANDBOX_PORT": str(sandbox_port),
            **(env or {})}  # fmt: skip
    if kind == "postgres+redis":
        full |= await shared_services_env()
    from tortoise.backends.base.executor import EXECUTOR_CACHE

    EXECUTOR_CACHE.clear()
    settings = load_settings(None, full)
    Sanic.test_mode = True
    n = next(_names)
    service = create_app(settings, name=f"{prefix}{n}")
    world = None
    if demo:

        async def tick() -> object:
            return await service.ctx.services.scheduler.run_once()

        world = SandboxDemo(settings, tick)
    sandbox = create_sandbox_app(settings, name=f"{prefix}sbx{n}", world=world)
    try:
        async with (
            serving(sandbox, sandbox_port),
            serving(service, service_port),
            httpx.AsyncClient(base_url=settings.sandbox.base_url, timeout=15) as console,
        ):
            yield settings, service, console
    finally:
        clock.rewind()


@pytest.fixture(params=["sqlite", "postgres+redis"])
async def stack(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Stack]:
    async with running(request.param, tmp_path, "svc") as (settings, service, console):
        yield Stack(settings, service, console)


async def test_member_asks_for_help_and_gets_exactly_one_reply(stack: Stack) -> None:
    pushed = await stack.say("lina", "帮助")
    assert pushed["status"] == 200
    assert await stack.bot_texts("lina", 1) == [HELP_TEXT]


async def test_every_text_gets_one_reply_even_when_identical(stack: Stack) -> None:
    for text in ("帮助", "帮助", "你好"):
        await stack.say("wangqiang", text)
    texts = await stack.bot_texts("wangqiang", 3)
    assert len(texts) == 3 and texts[0] == texts[1] == HELP_TEXT
    assert texts[2].startswith("抱歉，没有理解「你好」")


async def test_unregistered_member_is_sent_to_hr(stack: Stack) -> None:
    await stack.say("visitor", "帮助")
    assert await stack.bot_texts("visitor", 1) == [UNKNOWN_MEMBER]


async def test_wecom_retrying_a_callback_four_times_gives_one_reply(stack: Stack) -> None:
    response = await stack.console.post("/sandbox/faults", json={"callback_repeats": 4})
    assert response.status_code == 200
    pushed = await stack.say("lina", "帮助")
    assert pushed["attempts"] == 4
    assert await stack.bot_texts("lina", 1) == [HELP_TEXT]
    assert await InboxEvent.all().count() == 1


async def test_expired_token_and_busy_api_still_deliver_once(stack: Stack) -> None:
    await stack.say("lina", "帮助")  # warms the token cache
    await stack.bot_texts("lina", 1)
    faults = {
        "expire_tokens": True,
        "fail_next": {"path": "message/send", "errcode": -1, "count": 2},
    }
    assert (await stack.console.post("/sandbox/faults", json=faults)).status_code == 200
    await stack.say("lina", "我的面试")
    texts = await stack.bot_texts("lina", 2, timeout=20)
    assert texts == [HELP_TEXT, "您目前没有尚未结束的面试。"]


async def test_non_text_events_are_stored_and_acknowledged(stack: Stack) -> None:
    sp_no = await stack.service.ctx.services.wecom.approval.apply_event(
        {
            "creator_userid": "lina",
            "template_id": OFFER_TEMPLATE_ID,
            "use_template_approver": 1,
            "apply_data": {
                "contents": [{"control": "Text", "id": "Text-candidate", "value": {"text": "刘洋"}}]
            },
        }
    )
    for path, body in [
        ("/sandbox/enter", {"userid": "lina"}),
        ("/sandbox/voice", {"userid": "lina"}),
        ("/sandbox/approval", {"sp_no": sp_no, "status": 2}),
    ]:
        response = await stack.console.post(path, json=body)
        assert response.status_code == 200, response.text
        assert response.json()["status"] == 200  # the gateway acknowledged it
    deadline = asyncio.get_running_loop().time() + 5
    while asyncio.get_running_loop().time() < deadline:
        if await InboxEvent.filter(status="done").count() >= 3:
            break
        await asyncio.sleep(0.05)
    kinds = sorted(await InboxEvent.filter(status="done").values_list("kind", flat=True))
    assert kinds == ["approval", "enter_agent", "voice"]
    assert await OutboxMessage.all().count() == 0  # nothing to say yet, and nothing said


async def test_health_check_tells_operators_the_speech_model_is_missing(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    empty = tmp_path / "no-models"
    env = {"SPEECH_MODEL_DIR": str(empty)}
    async with running("sqlite", tmp_path, "health", env) as (settings, _, _console):
        base = f"http://{settings.server.host}:{settings.server.port}"
        async with httpx.AsyncClient(base_url=base) as client:
            health = (await client.get("/healthz")).json()
    assert health["status"] == "ok"  # the service works; transcripts wait for the model
    speech = health["speech_model"]
    assert speech["status"] == "missing" and speech["code"] == "model_missing"
    assert str(empty) in speech["detail"] and "install-model" in speech["detail"]
    assert "secret" not in str(health).lower()
    logged = [r.getMessage() for r in caplog.records if "speech recognition" in r.getMessage()]
    assert any("install-model" in line for line in logged)
    assert health["scoring"] == {"engine": "rules", "llm_configured": False}


async def test_health_check_shows_the_llm_scoring_engine_without_its_key(tmp_path: Path) -> None:
    key = "sk-health-check-4711"
    env = {
        "SCORING_LLM_BASE_URL": "http://127.0.0.1:9/v1",
        "SCORING_LLM_MODEL": "qwen2.5-14b-instruct",
        "SCORING_LLM_API_KEY": key,
    }
    async with running("sqlite", tmp_path, "health-llm", env) as (settings, _, _console):
        base = f"http://{settings.server.host}:{settings.server.port}"
        async with httpx.AsyncClient(base_url=base) as client:
            response = await client.get("/healthz")
    assert response.json()["scoring"] == {
        "engine": "llm",
        "llm_configured": True,
        "model": "qwen2.5-14b-instruct",
        "cache": "in-process",
    }
    assert key not in response.text
