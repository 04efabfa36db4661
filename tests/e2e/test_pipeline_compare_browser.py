"""流程看板's openings and 对比所选 in a real browser (Playwright driving Debian's Chromium):
HR finds the opening with its number of candidates, ticks two cards on the board, compares
them side by side (the opening's competencies, the advisory that AI scores only inform) and
goes back to the board. Until this, no browser opened the comparison: its button's script,
the page and its CSP only ever met httpx."""

from __future__ import annotations

from pathlib import Path

import pytest

from recruiting.models import Application, Candidate, JobOpening
from recruiting.services.demo import DEMO_JOB_CODE
from tests.e2e.browser import WAIT, need_chromium, open_workbench
from tests.e2e.stack import running
from tests.serving import CHROMIUM, CHROMIUM_ARGS

playwright_api = pytest.importorskip("playwright.async_api")
expect = playwright_api.expect


async def test_hr_compares_two_candidates_from_the_board(tmp_path: Path) -> None:
    need_chromium()
    async with (
        running("sqlite", tmp_path, "wbcmp") as (settings, _service, _console),
        playwright_api.async_playwright() as pw,
    ):
        job = await JobOpening.get(code=DEMO_JOB_CODE)
        await Application.create(candidate=await Candidate.create(name="周芷若"), job=job)
        names = [a.candidate.name for a in await Application.filter(job=job).prefetch_related(
            "candidate")]  # fmt: skip
        assert len(names) == 2 and "周芷若" in names
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = await browser.new_context(viewport={"width": 1280, "height": 800},
                                                locale="zh-CN")  # fmt: skip
            page, refused = await open_workbench(context, settings, "lina", "李娜")
            await page.get_by_role("link", name="流程看板", exact=True).click()
            opening = page.locator("#openings li", has_text=job.title)
            await expect(opening).to_contain_text("2 位候选人", timeout=WAIT)
            await opening.get_by_role("link", name=job.title).click()
            await expect(page.locator("[data-stage=new] .count")).to_have_text("2", timeout=WAIT)
            for name in names:
                await page.locator(
                    f"#board-columns li.stage-card:has(a.who:text-is('{name}')) input[name=ids]"
                ).check()
            await expect(page.locator("#selected-count")).to_have_text("2")

            await page.get_by_role("button", name="对比所选").click()
            await expect(page.locator("h1")).to_have_text(f"候选人对比：{job.title}",
                                                          timeout=WAIT)  # fmt: skip
            assert page.url.count("ids=") == 2
            await expect(page.locator(".advisory")).to_contain_text("仅供参考")
            header = page.locator("#compare-table thead")
            for name in names:
                await expect(header).to_contain_text(name)
            rows = page.locator("#compare-table tbody tr")
            await expect(rows.first.locator("th")).to_have_text("客户导向")  # the demo's model
            await expect(rows.last).to_contain_text("异常标记")

            await page.get_by_role("link", name="返回看板").click()
            await expect(page.locator("[data-stage=new] .count")).to_have_text("2", timeout=WAIT)
            assert not refused
        finally:
            await browser.close()
