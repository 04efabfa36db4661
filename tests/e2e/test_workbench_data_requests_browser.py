"""个人信息申请 in a real browser (Playwright driving Debian's Chromium), phone-sized: HR
opens it from the nav, records a correction a candidate asked for by phone, sees a Chinese
error for a bad phone number, records it again from the candidate's page (the form filled
in), then finds the request listed and confirms it; and HR records an access request, finds
it with its deadline and marks it answered."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from recruiting.domain.data_requests import STATUS_NAMES
from recruiting.models import (
    Application,
    Candidate,
    DataRequest,
    DataRequestStatus,
    JobOpening,
)
from tests.e2e.browser import WAIT, need_chromium, open_workbench
from tests.e2e.stack import running
from tests.serving import CHROMIUM, CHROMIUM_ARGS

playwright_api = pytest.importorskip("playwright.async_api")
expect = playwright_api.expect


@asynccontextmanager
async def _hr_on_a_phone(tmp_path: Path) -> AsyncIterator[tuple[str, Any, list[str]]]:
    """李娜 signed in to the workbench on a phone-sized Chromium: (base URL, page, the CSP
    refusals the page met)."""
    need_chromium()
    async with (
        running("sqlite", tmp_path, "wbdr") as (settings, _service, _console),
        playwright_api.async_playwright() as pw,
    ):
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = await browser.new_context(viewport={"width": 390, "height": 844},
                                                locale="zh-CN")  # fmt: skip
            page, refused = await open_workbench(context, settings, "lina", "李娜")
            yield settings.workbench.public_url, page, refused
        finally:
            await browser.close()


async def test_hr_records_and_confirms_a_correction_in_the_browser(tmp_path: Path) -> None:
    async with _hr_on_a_phone(tmp_path) as (base, page, refused):
        job = await JobOpening.create(code="wb-drb", title="店长")
        candidate = await Candidate.create(name="孙丽")
        await Application.create(candidate=candidate, job=job)
        await page.get_by_role("link", name="个人信息申请", exact=True).click()
        await expect(page.locator("h1")).to_have_text("个人信息申请", timeout=WAIT)
        await expect(page.locator("#requests")).to_contain_text("暂无申请")

        form = page.locator("#record")
        await form.get_by_label("候选人编号").fill(str(candidate.id))
        await form.get_by_label("申请").select_option("correction")
        await form.get_by_label("来源").select_option("phone")
        await form.get_by_label("更正项").select_option("phone")
        await form.get_by_label("新的值").fill("123")
        await form.get_by_role("button", name="登记").click()
        await expect(page.locator("body")).to_contain_text("手机号格式不正确", timeout=WAIT)

        # from where HR finds the candidate: their page's link fills the form in
        await page.goto(f"{base}/workbench/candidates/{candidate.id}")
        await page.locator("#data-request").click()
        form = page.locator("#record")
        await expect(form.get_by_label("候选人编号")).to_have_value(str(candidate.id))
        await form.get_by_label("申请").select_option("correction")
        await form.get_by_label("来源").select_option("phone")
        await form.get_by_label("更正项").select_option("phone")
        await form.get_by_label("新的值").fill("13912345678")
        await form.get_by_label("备注").fill("来电")
        await form.get_by_role("button", name="登记").click()
        await expect(page.locator("#done")).to_have_text("已登记", timeout=WAIT)
        request = await DataRequest.get(candidate_id=candidate.id)
        row = page.locator(f"#request-{request.id}")
        await expect(row).to_contain_text("孙丽")
        await expect(row).to_contain_text("电话")
        await row.get_by_role("button", name="确认更正").click()
        await expect(page.locator(f"#request-{request.id}")).not_to_contain_text(
            "确认更正", timeout=WAIT
        )
        assert not refused
        assert (await DataRequest.get(id=request.id)).status == "completed"


async def test_hr_records_a_request_and_marks_it_answered(tmp_path: Path) -> None:
    async with _hr_on_a_phone(tmp_path) as (base, page, refused):
        candidate = await Candidate.create(name="周芷若")
        await page.goto(base + "/workbench/data-requests/")
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
        await expect(page.locator(f"#request-{request.id}")).to_contain_text("已通过其他方式答复")
        assert (await DataRequest.get(id=request.id)).status == DataRequestStatus.COMPLETED
        assert not refused
