"""The HR workbench as a member's browser uses it over real sockets: signing in through the
sandbox's WeCom web login, a signed-in HR client, and posting forms with the page's CSRF
token. Shared by the workbench e2e tests."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tests.e2e.stack import Stack

DESKTOP = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/120"}


async def start(client: httpx.AsyncClient, next_path: str = "/workbench/") -> tuple[str, str]:
    """The browser starts a sign-in; returns (redirect_uri, state) the sandbox page got."""
    r = await client.get("/workbench/login/start", params={"via": "qr", "next": next_path})
    assert r.status_code == 302, r.text
    query = parse_qs(urlsplit(r.headers["location"]).query)
    return query["redirect_uri"][0], query["state"][0]


async def choose(stack: Stack, redirect_uri: str, state: str, userid: str) -> str:
    """The member picks themselves on the sandbox's sign-in page; returns the callback URL."""
    r = await stack.console.post(
        "/sandbox/weblogin/choose",
        data={"userid": userid, "redirect_uri": redirect_uri, "state": state},
    )
    assert r.status_code == 302, r.text
    return r.headers["location"]


async def sign_in(stack: Stack, client: httpx.AsyncClient, userid: str) -> httpx.Response:
    redirect_uri, state = await start(client)
    callback = await choose(stack, redirect_uri, state, userid)
    return await client.get(callback)


@pytest.fixture
async def hr(stack: Stack) -> AsyncIterator[httpx.AsyncClient]:
    """李娜 (HR) signed in to the workbench from a desktop browser."""
    base = stack.settings.workbench.public_url
    async with httpx.AsyncClient(base_url=base, headers=DESKTOP, timeout=30) as client:
        r = await sign_in(stack, client, "lina")
        assert r.status_code == 302, r.text
        yield client


async def csrf(client: httpx.AsyncClient, path: str = "/workbench/candidates/new") -> str:
    page = await client.get(path)
    assert page.status_code == 200, page.text
    found = re.search(r'<meta name="csrf-token" content="([^"]+)"', page.text)
    assert found
    return found.group(1)


async def upload(client: httpx.AsyncClient, path: str, files: list[tuple[str, Any]],
                 data: dict[str, str] | None = None) -> httpx.Response:  # fmt: skip
    token = await csrf(client, path)
    return await client.post(path, files=files, data=data or {}, headers={"X-CSRF-Token": token})
