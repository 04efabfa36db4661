"""The 个人信息申请 page in a real browser (Playwright driving Debian's Chromium, a
phone-sized window): HR records a request a candidate made by phone, finds it in the list
with its deadline, and marks it answered."""

from __future__ import annotations

from pathlib import Path

import pytest

from recruiting.domain.data_requests import STATUS_NAMES
from recruiting.models import Candidate, DataRequest, DataRequestStatus
from tests.e2e.browser import WAIT, need_chromium, open_workbench
from tests.e2e.stack import running
from tests.serving import CHROMIUM, CHROMIUM_ARGS

playwright_api = pytest.importorskip("playwright.async_api")
expect = playwright_api.expect


async def test_hr_records_a_request_and_marks_it_answered(tmp_path: Path) -> None:
    need_chromium()
    async with (
        running("sqlite", tmp_path, "wbdr") as (settings, _service, _console),
        playwright_api.async_playwright() as pw,
    ):
        candidate = await Candidate.create(name="周芷若")
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = await browser.new_context(viewport={"width": 390, "height": 844},
                                                locale="zh-CN")  # fmt: skip
            page, refused = await open_workbench(context, settings, "lina", "李娜")
            await page.goto(settings.workbench.public_url + "/workbench/data-requests/")
            form = page.locator("#record")
            await form.locator("input[name=candidate_id]").fill(str(candidate.id))
            await form.locator("select[name=kind]").select_option("access")
            await form.locator("select[name=via]").select_option("phone")
            await form.get_by_role("button", name="登记").click()
            await expect(page.locator("#done")).to_have_text("已登记", timeout=WAIT)

            request = await DataRequest.get(candidate_id=candidate.id)
            row = page.locator(f"#request-{request.id}")
            await expect(row).to_contain_text("周芷若")
            await expect(row).to_contain_text("电话")
            await expect(row).to_contain_text(request.due_at.date().isoformat())
            await row.get_by_role("button", name="已答复").click()
            done = STATUS_NAMES[DataRequestStatus.COMPLETED]
            await expect(page.locator("#done")).to_contain_text(done, timeout=WAIT)
            await expect(page.locator(f"#request-{request.id}")).to_contain_text(
                "已通过其他方式答复"
            )
            assert (await DataRequest.get(id=request.id)).status == DataRequestStatus.COMPLETED
            assert not refused
        finally:
            await browser.close()
