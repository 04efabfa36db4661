"""The console's 「工作台」 button in a real browser (Playwright driving Debian's Chromium):
the selected member lands on the workbench's home page, signed in through the sandbox's
web login, with no script or style refused by the page's CSP."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.browser import WAIT, need_chromium, phone_workbench
from tests.e2e.stack import running

playwright_api = pytest.importorskip("playwright.async_api")
expect = playwright_api.expect


async def test_console_workbench_button_opens_the_members_home(tmp_path: Path) -> None:
    need_chromium()
    async with (
        running("sqlite", tmp_path, "wbui") as (settings, _service, _console),
        playwright_api.async_playwright() as pw,
    ):
        async with phone_workbench(pw, settings, "zhangwei", "张伟") as (page, refused):
            assert page.url == settings.workbench.public_url + "/workbench/"
            await expect(page.locator(".roles")).to_contain_text("HR 经理")
            await expect(page.locator("nav.nav a")).to_have_count(7)  # 首页 … 待评审, 个人信息申请
            # the style sheet is served by the service and applied
            color = await page.locator(".figure strong").first.evaluate(
                "e => getComputedStyle(e).color"
            )
            assert color == "rgb(11, 107, 203)"
            assert await page.evaluate("typeof window.wb.post") == "function"
            await page.locator(".who button").click()  # 退出 (a POST form with the CSRF field)
            await expect(page.locator("h1")).to_have_text("登录招聘工作台", timeout=WAIT)
            assert not refused
