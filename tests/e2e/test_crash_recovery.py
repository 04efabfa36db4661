"""Kill -9 the service after it acknowledged a callback and before it processed it:
after a restart the member still gets exactly one reply."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
from sanic import Sanic

from recruiting.services.messaging.conversation import HELP_TEXT
from recruiting.settings import load_settings
from tests.conftest import premigrate
from tests.e2e.stack import delivered_texts
from tests.serving import free_port, serving
from wecom_bot.sandbox.app import create_sandbox_app

ROOT = Path(__file__).resolve().parents[2]


def start_service(env: dict[str, str], *extra: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "recruiting", "serve", *extra],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


async def wait_healthy(base: str, process: subprocess.Popen[bytes]) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=1) as client:
        for _ in range(200):
            assert process.poll() is None, "service exited during start"
            try:
                if (await client.get("/healthz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    raise AssertionError("service did not become healthy")


async def test_kill_between_ack_and_processing_loses_nothing(tmp_path: Path) -> None:
    service_port, sandbox_port = free_port(), free_port()
    env = {"DATA_DIR": str(tmp_path), "PORT": str(service_port), "SANDBOX_PORT": str(sandbox_port)}
    premigrate(tmp_path)
    settings = load_settings(None, env)
    Sanic.test_mode = True
    sandbox = create_sandbox_app(settings, name="sbx-crash")
    base = f"http://127.0.0.1:{service_port}"
    async with (
        serving(sandbox, sandbox_port),
        httpx.AsyncClient(base_url=settings.sandbox.base_url, timeout=15) as console,
    ):
        first = start_service(env, "--no-workers")  # acknowledges, never processes
        try:
            await wait_healthy(base, first)
            pushed = await console.post("/sandbox/say", json={"userid": "lina", "text": "帮助"})
            assert pushed.json()["status"] == 200
        finally:
            first.send_signal(signal.SIGKILL)
            first.wait()
        timeline = (await console.get("/sandbox/messages", params={"userid": "lina"})).json()
        assert delivered_texts(timeline["messages"]) == []

        second = start_service(env)  # workers on: the start-up sweep finds the row
        try:
            await wait_healthy(base, second)
            texts: list[str] = []
            for _ in range(100):
                timeline = (
                    await console.get("/sandbox/messages", params={"userid": "lina"})
                ).json()
                texts = delivered_texts(timeline["messages"])
                if texts:
                    break
                await asyncio.sleep(0.1)
            await asyncio.sleep(0.5)
            timeline = (await console.get("/sandbox/messages", params={"userid": "lina"})).json()
            assert delivered_texts(timeline["messages"]) == [HELP_TEXT]
        finally:
            second.send_signal(signal.SIGTERM)
            second.wait(timeout=15)
