"""重复记录 and a candidate's page in a real browser (Playwright driving Debian's Chromium),
phone-sized: HR opens the duplicates from the 候选人 sub-nav, keeps one record of the pair
and merges the other into it, lands on the kept record with its application moved over,
marks that application 不合适 with a reason from the page's own form, and finds the
duplicates page empty. Until this, no browser opened the duplicates page or posted the
candidate page's 不合适 form: they only ever met httpx."""

from __future__ import annotations

from pathlib import Path

import pytest

from recruiting.domain.pipeline import REJECT_NAMES, RejectReason
from recruiting.models import Application, ApplicationStatus, Candidate, JobOpening
from tests.e2e.browser import WAIT, need_chromium, open_workbench
from tests.e2e.stack import running
from tests.serving import CHROMIUM, CHROMIUM_ARGS

playwright_api = pytest.importorskip("playwright.async_api")
expect = playwright_api.expect


async def test_hr_merges_a_duplicate_and_marks_the_application_unsuitable(
    tmp_path: Path,
) -> None:
    need_chromium()
    async with (
        running("sqlite", tmp_path, "wbmg") as (settings, _service, _console),
        playwright_api.async_playwright() as pw,
    ):
        job = await JobOpening.create(code="wb-merge", title="门店店长")
        keep = await Candidate.create(name="张敏", phone_hash="h-zhangmin")
        other = await Candidate.create(name="张敏", phone_hash="h-zhangmin")
        moved = await Application.create(candidate=other, job=job)
        base = settings.workbench.public_url
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = await browser.new_context(viewport={"width": 390, "height": 844},
                                                locale="zh-CN")  # fmt: skip
            page, refused = await open_workbench(context, settings, "lina", "李娜")
            await page.get_by_role("link", name="候选人", exact=True).click()
            await page.get_by_role("link", name="重复记录", exact=True).click()
            await expect(page.locator("h1")).to_have_text("重复记录", timeout=WAIT)
            group = page.locator("form.group")
            await expect(group).to_have_count(1)
            await expect(group.locator("label.card")).to_have_count(2)
            await expect(group).to_contain_text("门店店长")

            await group.locator(f'input[name=survivor][value="{keep.id}"]').check()
            await group.get_by_role("button", name="保留所选，合并其余").click()
            await expect(page.locator("#candidate-name")).to_have_text("张敏", timeout=WAIT)
            assert page.url.split("?")[0].endswith(f"/workbench/candidates/{keep.id}")
            await expect(page.locator(".notice")).to_have_text("已合并 1 条重复记录")
            applied = page.locator("main ul.cards").first  # 应聘岗位
            card = applied.locator("li.card", has_text="门店店长")
            await expect(card).to_contain_text("新投递")

            await card.get_by_label("不合适的原因").select_option(RejectReason.EXPERIENCE.value)
            await card.get_by_role("button", name="不合适").click()
            await expect(page.locator(".notice")).to_contain_text("已标记为不合适", timeout=WAIT)
            card = page.locator("main ul.cards").first.locator("li.card", has_text="门店店长")
            await expect(card).to_contain_text(f"原因：{REJECT_NAMES[RejectReason.EXPERIENCE]}")
            await expect(card.get_by_role("button", name="不合适")).to_have_count(0)

            # the merged record leads to the kept one; nothing is left to merge
            await page.goto(f"{base}/workbench/candidates/{other.id}")
            await expect(page.locator("#candidate-name")).to_have_text("张敏", timeout=WAIT)
            assert page.url.split("?")[0].endswith(f"/workbench/candidates/{keep.id}")
            await page.get_by_role("link", name="重复记录", exact=True).click()
            await expect(page.locator("#no-duplicates")).to_have_text("没有重复的候选人记录。")
            assert not refused
        finally:
            await browser.close()
        assert (await Candidate.get(id=other.id)).merged_into == keep.id
        done = await Application.get(id=moved.id)
        assert done.candidate_id == keep.id and done.status == ApplicationStatus.REJECTED
