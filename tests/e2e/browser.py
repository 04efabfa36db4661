"""The workbench in a real browser (Playwright driving Debian's Chromium), for the browser
tests: Chromium present (or the test skips), and a member signed in the way they do it in
the sandbox console."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest

from tests.serving import CHROMIUM, CHROMIUM_ARGS

WAIT = 15_000


def need_chromium() -> None:
    """Skip when Debian's Chromium is missing, except under CI (there it is a failure)."""
    if os.path.exists(CHROMIUM) or shutil.which("chromium"):
        return
    if os.environ.get("CI") or os.environ.get("REQUIRE_SERVICES"):
        pytest.fail("chromium is not installed (scripts/os-packages.sh installs it)")
    pytest.skip("chromium is not installed (scripts/os-packages.sh installs it)")


async def open_workbench(
    context: Any, settings: Any, userid: str, name: str
) -> tuple[Any, list[str]]:
    """Sign in as ``userid`` the way a member does in the sandbox: the console's 「工作台」
    button, through the sandbox's WeCom login pages. Returns the workbench page and the
    list that collects every script or style the page's CSP refused."""
    from playwright.async_api import expect  # only the browser tests need Playwright

    console = await context.new_page()
    await console.goto(settings.sandbox.base_url + f"/#{userid}")
    await expect(console.locator("#chat-title")).to_contain_text(name)
    async with context.expect_page() as opened:
        await console.locator("#workbench").click()
    page = await opened.value
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else None)
    await expect(page.locator("#member-name")).to_have_text(name, timeout=WAIT)
    return page, refused


@asynccontextmanager
async def phone_workbench(
    playwright: Any, settings: Any, userid: str, name: str
) -> AsyncIterator[tuple[Any, list[str]]]:
    """Chromium with a phone-sized window (390×844, zh-CN), ``userid`` signed in by
    ``open_workbench``: yields its page and CSP-refusal list, and closes the browser after."""
    browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    try:
        context = await browser.new_context(viewport={"width": 390, "height": 844},
                                            locale="zh-CN")  # fmt: skip
        yield await open_workbench(context, settings, userid, name)
    finally:
        await browser.close()
