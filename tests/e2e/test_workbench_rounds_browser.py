"""An opening's rounds in a real browser (Playwright driving Debian's Chromium): HR moves a
round down and back up with the 下移/上移 buttons on the opening's page. Until this, no
browser posted that form (the move is now one use-case call, ``rounds.move``): it only
ever met httpx."""

from __future__ import annotations

from pathlib import Path

import pytest

from recruiting.models import InterviewRound, JobOpening, RoundKind
from recruiting.services.demo import DEMO_JOB_CODE
from tests.e2e.browser import WAIT, need_chromium, open_workbench
from tests.e2e.stack import running
from tests.serving import CHROMIUM, CHROMIUM_ARGS

playwright_api = pytest.importorskip("playwright.async_api")
expect = playwright_api.expect


async def test_hr_moves_a_round_down_and_back_up(tmp_path: Path) -> None:
    need_chromium()
    async with (
        running("sqlite", tmp_path, "wbrd") as (settings, _service, _console),
        playwright_api.async_playwright() as pw,
    ):
        job = await JobOpening.get(code=DEMO_JOB_CODE)
        first, second = await InterviewRound.filter(job=job).order_by("sequence")
        assert first.kind == RoundKind.RECORDED
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = await browser.new_context(viewport={"width": 1280, "height": 800},
                                                locale="zh-CN")  # fmt: skip
            page, refused = await open_workbench(context, settings, "lina", "李娜")
            await page.get_by_role("link", name="岗位", exact=True).click()
            await page.get_by_role("link", name=job.title).click()
            rows = page.locator("#rounds .round-row")
            await expect(rows.first).to_contain_text(f"第 1 轮 · {first.name}", timeout=WAIT)

            await rows.first.get_by_role("button", name="下移").click()
            await expect(rows.first).to_contain_text(f"第 1 轮 · {second.name}", timeout=WAIT)
            await expect(rows.nth(1)).to_contain_text(f"第 2 轮 · {first.name}")
            moved = await InterviewRound.filter(job=job).order_by("sequence")
            assert [r.id for r in moved] == [second.id, first.id]
            await rows.nth(1).get_by_role("button", name="上移").click()
            await expect(rows.first).to_contain_text(f"第 1 轮 · {first.name}", timeout=WAIT)
            await expect(rows.first.get_by_role("button", name="上移")).to_be_disabled()
            assert not refused
        finally:
            await browser.close()
        ordered = await InterviewRound.filter(job=job).order_by("sequence")
        assert [r.id for r in ordered] == [first.id, second.id]
