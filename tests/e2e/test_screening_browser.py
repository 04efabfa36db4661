"""简历筛选 in a real browser (Playwright driving Debian's Chromium), phone-sized: HR opens
it from the nav, picks the opening, saves requirements as lines, reads the ranked list
(the knocked-out résumé last, with its reason), invites the top to the AI interview, and
sees the opening listed as 已设置要求 (未设置要求 before).
Until this, no browser opened the page: its forms and CSP only ever met httpx."""

from __future__ import annotations

from pathlib import Path

import pytest

from recruiting.models import Application, Interview, JobOpening
from recruiting.services.demo import DEMO_JOB_CODE
from tests.e2e.browser import WAIT, need_chromium, phone_workbench
from tests.e2e.screening_resumes import two_parsed_resumes
from tests.e2e.stack import running

playwright_api = pytest.importorskip("playwright.async_api")
expect = playwright_api.expect


async def test_hr_screens_and_invites_in_the_browser(tmp_path: Path) -> None:
    need_chromium()
    async with (
        running("sqlite", tmp_path, "wbsc") as (settings, _service, _console),
        playwright_api.async_playwright() as pw,
    ):
        job = await JobOpening.get(code=DEMO_JOB_CODE)
        await two_parsed_resumes(job)
        async with phone_workbench(pw, settings, "lina", "李娜") as (page, refused):
            await page.get_by_role("link", name="简历筛选", exact=True).click()
            await expect(page.locator("h1")).to_have_text("简历筛选", timeout=WAIT)
            link = page.locator(f'a[href="/workbench/screening/{job.id}"]')
            opening = page.locator("#openings li", has=link)
            await expect(opening).to_contain_text("未设置要求")
            await opening.locator(link).click()
            await expect(page.locator("body")).to_contain_text("设置招聘要求后", timeout=WAIT)

            await page.get_by_label("必须满足").fill("工作年限：3\n学历：大专")
            await page.get_by_label("加分项").fill("技能：销售\n地点：上海")
            await page.get_by_role("button", name="保存要求").click()
            await expect(page.locator("#notice")).to_contain_text("已保存 4 项要求", timeout=WAIT)
            ranked = page.locator("#ranked > li")
            await expect(ranked).to_have_count(2)
            await expect(ranked.first).to_contain_text("孙磊")
            await expect(ranked.last).to_contain_text("不满足必须条件「3 年以上工作经验」")

            await page.get_by_role("button", name="一键邀请").click()
            await expect(page.locator("#notice")).to_contain_text(
                "AI 面试邀请：已邀请 1 人", timeout=WAIT
            )
            await page.get_by_role("link", name="简历筛选", exact=True).click()
            await expect(opening).to_contain_text("已设置要求", timeout=WAIT)
            assert not refused
        sun = await Application.get(candidate__name="孙磊")
        assert await Interview.filter(application_id=sun.id).count() == 1
