"""Run Sanic apps on real loopback sockets inside the test's event loop."""

from __future__ import annotations

import os
import random
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
from sanic import Sanic

ROOT = Path(__file__).resolve().parents[1]
# Debian's Chromium for the browser tests (Playwright cannot download its own here); the flags
# keep it from reaching for Google's hosts on a closed network.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]  # fmt: skip


# Each pytest-xdist worker hands out ports from its own block below Linux's ephemeral range
# (32768+). A port the kernel picks for "port 0" comes from that range, and between closing
# it and the server binding it, another worker's outgoing connection (PostgreSQL, Redis,
# httpx) can take it: "address already in use". Outgoing connections never use these blocks.
PORT_BLOCK = 1000
_FIRST_PORT = 20000
_handed: list[int] = []


def free_port() -> int:
    """A loopback port free now, that no other worker of this run will hand out."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw")
    block = _FIRST_PORT + PORT_BLOCK * (int(worker) % 12 if worker.isdigit() else 0)
    start = (_handed[-1] + 1 - block) if _handed else random.randrange(PORT_BLOCK)
    for step in range(PORT_BLOCK):
        port = block + (start + step) % PORT_BLOCK
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
        _handed.append(port)
        return port
    raise RuntimeError(f"no free port in {block}..{block + PORT_BLOCK - 1}")


@asynccontextmanager
async def serving(app: Sanic, port: int) -> AsyncIterator[str]:
    """Start ``app`` with all its listeners on 127.0.0.1:``port``; yield its base URL."""
    server = await app.create_server(
        host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False
    )
    assert server is not None
    await server.startup()
    await server.before_start()
    await server.after_start()
    await server.start_serving()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await server.before_stop()
        await server.close()
        await server.after_stop()


def run_process(
    tmp: Path, env: Mapping[str, str] | None = None
) -> tuple[subprocess.Popen[bytes], str, str]:
    """``python -m recruiting run`` (service + WeCom sandbox, embedded default, data in
    ``tmp``) as a real process, once ``/healthz`` answers; returns it, the service's and the
    sandbox's base URLs. The caller terminates it."""
    from tests.conftest import premigrate

    port, sandbox_port = free_port(), free_port()
    premigrate(tmp)  # start-up then finds the schema in place (migrating takes seconds)
    full = os.environ | {"DATA_DIR": str(tmp), "PORT": str(port), "SANDBOX_PORT": str(sandbox_port),
                         **(env or {})}  # fmt: skip
    for name in ("DATABASE_URL", "REDIS_URL", "PII_KEYS", "WECOM_CORP_ID", "WECHAT_APPID"):
        full.pop(name, None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "recruiting", "run"], cwd=ROOT, env=full,
        stdout=subprocess.DEVNULL, stderr=(tmp / "service.log").open("wb"),
    )  # fmt: skip
    base, sandbox = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{sandbox_port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return proc, base, sandbox
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError((tmp / "service.log").read_text())
