"""Service + WeCom sandbox over real HTTP: a member types, the bot answers, exactly once.

The sandbox encrypts and signs every callback like WeCom, and records every app message the
service sends through WeCom's API, so these tests see what a member would see.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from recruiting.models import InboxEvent, OutboxMessage
from recruiting.services.messaging.conversation import HELP_TEXT, UNKNOWN_MEMBER
from tests.e2e.stack import Stack, running
from wecom_bot.sandbox.oa import OFFER_TEMPLATE_ID


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
    sp_no = await stack.service.ctx.services.shared.wecom.approval.apply_event(
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
    # nothing to say yet, and nothing said (the scheduler's alerts about stale city payroll
    # data at today's date are not the callbacks' doing)
    said = OutboxMessage.exclude(idempotency_key__startswith="payroll-data:")
    assert await said.count() == 0


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
