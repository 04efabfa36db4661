"""A dead EHR push as HR sees it: a WeCom card with 重新投递, clicked in the sandbox, and the
push delivered after the fix. Service + sandbox over real HTTP, SQLite (the embedded default)."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sanic import Sanic

from recruiting.bootstrap import create_app
from recruiting.models import OutboxMessage, ProcessingStatus
from recruiting.ports.ehr import CandidateArchive, CandidateProfile, ehr_draft
from recruiting.ports.outbound import Channel
from recruiting.ports.queue import OUTBOX_TOPIC
from recruiting.settings import load_settings
from tests.conftest import premigrate
from tests.serving import free_port, serving
from wecom_bot.sandbox.app import create_sandbox_app

_names = itertools.count()


@pytest.fixture
async def stack(tmp_path: Path) -> AsyncIterator[tuple[Any, httpx.AsyncClient]]:
    from tortoise.backends.base.executor import EXECUTOR_CACHE

    EXECUTOR_CACHE.clear()
    service_port, sandbox_port = free_port(), free_port()
    env = {
        "DATA_DIR": str(tmp_path),
        "PORT": str(service_port),
        "SANDBOX_PORT": str(sandbox_port),
        "RECRUITING__EHR__MAX_ATTEMPTS": "1",
    }
    settings = load_settings(None, env)
    premigrate(tmp_path)
    Sanic.test_mode = True
    n = next(_names)
    service = create_app(settings, name=f"dl{n}")
    sandbox = create_sandbox_app(settings, name=f"dlsbx{n}")
    async with (
        serving(sandbox, sandbox_port),
        serving(service, service_port),
        httpx.AsyncClient(base_url=settings.sandbox.base_url, timeout=15) as console,
    ):
        yield service, console


async def _wait(check: Any, timeout: float = 15.0) -> Any:
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        found = await check()
        if found:
            return found
        await asyncio.sleep(0.1)
    raise AssertionError("timed out")


async def test_hr_manager_requeues_a_dead_push_from_the_card(
    stack: tuple[Any, httpx.AsyncClient],
) -> None:
    service, console = stack
    services = service.ctx.services
    row = await OutboxMessage.create(
        idempotency_key="ehr-e2e", channel=Channel.EHR, recipient="candidate:9",
        payload={"op": "archive", "record": {"broken": True}},  # data the EHR cannot take
    )  # fmt: skip
    await services.shared.queue.put(OUTBOX_TOPIC, str(row.id))

    async def card() -> dict[str, Any] | None:
        messages = (await console.get("/sandbox/messages", params={"userid": "zhangwei"})).json()
        cards = [m for m in messages["messages"] if m.get("msgtype") == "template_card"]
        return cards[0]["content"] if cards else None

    content = await _wait(card)
    assert (await OutboxMessage.get(id=row.id)).status == ProcessingStatus.FAILED
    button = content["button_list"][0]
    assert button["text"] == "重新投递"

    archive = CandidateArchive(9, CandidateProfile(9, "周杰"), "DEV-01", "后端工程师",
                               "rejected", "2026-11-20T08:00:00+00:00", "zhangwei")  # fmt: skip
    await OutboxMessage.filter(id=row.id).update(payload=ehr_draft(archive, "a").payload)
    clicked = await console.post("/sandbox/click", json={
        "userid": "zhangwei", "task_id": content["task_id"], "key": button["key"]
    })  # fmt: skip
    assert clicked.status_code == 200, clicked.text

    async def delivered() -> bool:
        return (await OutboxMessage.get(id=row.id)).status == ProcessingStatus.DONE

    await _wait(delivered)
    spooled = list(
        (services.shared.settings.data_dir / "ehr" / "outgoing" / "archive").glob("*.json")
    )
    assert len(spooled) == 1  # the default file exchange took it, once
