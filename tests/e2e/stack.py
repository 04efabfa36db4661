"""The service and the WeCom sandbox on real sockets, shared by the e2e and security suites.

``running()`` starts both (SQLite, or PostgreSQL + Redis emptied for the test) and yields a
``Stack``: the settings, the service app and a client of the sandbox console, with the
steps a member takes (say something, read the chat). The ``stack`` fixture in
``tests/e2e/conftest.py`` runs it once per backend.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple

import httpx
from sanic import Sanic
from tortoise.backends.base.executor import EXECUTOR_CACHE

from recruiting import clock
from recruiting.bootstrap import Services, create_app
from recruiting.services.demo import SandboxDemo
from recruiting.settings import Settings, load_settings
from tests.conftest import premigrate, shared_services_env
from tests.e2e import chat
from tests.serving import free_port, serving
from wecom_bot.sandbox.app import create_sandbox_app

# Every app in a process needs its own name (Sanic's registry).
_names = itertools.count()


class Stack(NamedTuple):
    """A running service + sandbox; unpacks as ``(settings, service, console)``."""

    settings: Settings
    service: Sanic[Any, Any]
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
            texts = delivered_texts(await self.chat(userid))
            if len(texts) >= expect:
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.3)
        return delivered_texts(await self.chat(userid))


class FrozenScheduler:
    """The service's scheduler on a clock the test moves: an attribute of the in-process
    object, a test hook nothing outside the process can reach."""

    services: Services
    ticks: int

    def scheduler_at(self, at: datetime) -> None:
        """From now on the scheduler reads ``at`` as the time (each read counts a tick)."""

        def frozen() -> datetime:
            self.ticks += 1
            return at

        self.services.scheduler.clock = frozen

    async def ticked(self, more: int) -> None:
        """Wait until the scheduler has read its clock ``more`` more times."""
        target = self.ticks + more
        await chat.wait(lambda: self.ticks >= target)


def delivered_texts(timeline: list[dict[str, Any]]) -> list[str]:
    """The texts the app sent that reached the member, in order."""
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
    premigrated: bool = True,
) -> AsyncIterator[Stack]:
    """The service and the sandbox serving on free ports (``kind``: "sqlite" or
    "postgres+redis"), and a client of the sandbox console; ``env`` adds settings; ``demo``
    wires the console's demo candidates and clock as ``run`` does (the clock is put back
    to real time afterwards). ``premigrated``: the SQLite file starts as a migrated copy
    (``tests.conftest.premigrate``); False lets the service create ``data_dir`` and its database."""
    service_port, sandbox_port = free_port(), free_port()
    full = {"DATA_DIR": str(data_dir), "PORT": str(service_port), "SANDBOX_PORT": str(sandbox_port),
            **(env or {})}  # fmt: skip
    if kind == "postgres+redis":
        full |= await shared_services_env()
    elif premigrated:
        premigrate(data_dir)
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
            yield Stack(settings, service, console)
    finally:
        clock.rewind()
