"""The spreadsheet import page in a real browser (Playwright driving Debian's Chromium, a
phone-sized window): a file with bad rows gets a per-row report and applies nothing; the
corrected file is checked, then imported."""

from __future__ import annotations

from pathlib import Path

import pytest

from recruiting.models import Candidate
from tests.e2e.browser import WAIT, need_chromium, phone_workbench
from tests.e2e.stack import running

playwright_api = pytest.importorskip("playwright.async_api")
expect = playwright_api.expect

BAD = (
    "姓名,手机,邮箱,应聘岗位,学历,工作年限\n"
    "周芷若,13500135000,zzr@example.cn,demo-sales,本科,3\n"
    "张无忌,12345,,demo-sales,本科,3\n"
    "殷离,13500135002,yl@,宇航员,,abc\n"
).encode("gb18030")
GOOD = (
    "姓名,手机,邮箱,应聘岗位,学历,工作年限\n"
    "周芷若,13500135000,zzr@example.cn,demo-sales,本科,3\n"
    "张无忌,13500135001,,demo-sales,本科,3\n"
).encode("gb18030")


async def test_import_page_reports_bad_rows_then_imports(tmp_path: Path) -> None:
    need_chromium()
    async with (
        running("sqlite", tmp_path, "wbimp") as (settings, _service, _console),
        playwright_api.async_playwright() as pw,
    ):
        async with phone_workbench(pw, settings, "lina", "李娜") as (page, refused):
            await page.goto(settings.workbench.public_url + "/workbench/candidates/import")
            before = await Candidate.all().count()

            await page.locator("#sheet").set_input_files(
                {"name": "boss.csv", "mimeType": "text/csv", "buffer": BAD}
            )
            await page.get_by_role("button", name="上传并检查").click()
            await expect(page.locator("#import-result")).to_contain_text("没有导入任何候选人",
                                                                         timeout=WAIT)  # fmt: skip
            rows = page.locator("#row-errors tbody tr")
            await expect(rows).to_have_count(4)  # row 3 phone; row 4 e-mail, opening, years
            await expect(rows.nth(0)).to_contain_text("第 3 行")
            await expect(rows.nth(0)).to_contain_text("不是有效的手机号")
            await expect(page.locator("#row-errors")).to_contain_text("没有找到岗位")
            assert await page.locator("#apply").count() == 0
            assert await Candidate.all().count() == before

            await page.get_by_role("link", name="重新上传").click()
            await page.locator("#sheet").set_input_files(
                {"name": "boss.csv", "mimeType": "text/csv", "buffer": GOOD}
            )
            await page.get_by_role("button", name="上传并检查").click()
            await expect(page.locator("#import-result")).to_contain_text("检查通过", timeout=WAIT)
            await page.locator("#apply").click()
            await expect(page.locator("#import-result")).to_have_text("已导入 2 位候选人",
                                                                      timeout=WAIT)  # fmt: skip
            assert await Candidate.all().count() == before + 2
            await page.goto(settings.workbench.public_url + "/workbench/candidates?name=张无忌")
            await expect(page.locator("#total")).to_have_text("1")
            assert not refused
