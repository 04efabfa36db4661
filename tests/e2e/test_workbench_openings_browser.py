"""Setting up an opening with a recorded round in a real browser (Playwright driving
Debian's Chromium), phone-sized: HR opens the workbench from the sandbox console, creates an
opening with a built-in competency model, adjusts the weights, adds a recorded round, sees
the behavioural anchors beside its question, adds a second question and saves."""

from __future__ import annotations

from pathlib import Path

import pytest

from recruiting.models import InterviewRound, JobOpening
from tests.e2e.browser import WAIT, need_chromium, phone_workbench
from tests.e2e.stack import running

playwright_api = pytest.importorskip("playwright.async_api")
expect = playwright_api.expect


@pytest.mark.parametrize("kind", ["sqlite", "postgres+redis"])
async def test_hr_creates_an_opening_with_a_recorded_round(kind: str, tmp_path: Path) -> None:
    need_chromium()
    async with (
        running(kind, tmp_path, "wbop") as (settings, _service, _console),
        playwright_api.async_playwright() as pw,
    ):
        async with phone_workbench(pw, settings, "lina", "李娜") as (page, refused):
            await page.get_by_role("link", name="岗位", exact=True).click()
            await page.locator("#new-opening").click()
            await page.get_by_label("岗位编号").fill("SALES-BJ-02")
            await page.get_by_label("岗位名称").fill("大客户销售")
            await page.get_by_label("城市").fill("北京")
            await page.get_by_label("能力模型").select_option("sales")
            await page.get_by_role("button", name="保存").click()
            await expect(page.locator("h1")).to_contain_text("大客户销售", timeout=WAIT)
            await expect(page.locator("#weight-total")).to_have_text("合计 100%")

            # move 5 points from 学习能力 to 沟通能力; the total follows as HR types
            await page.get_by_label("学习能力的权重").fill("10")
            await expect(page.locator("#weight-total")).to_contain_text("须为 100%")
            await page.get_by_label("沟通能力的权重").fill("25")
            await expect(page.locator("#weight-total")).to_have_text("合计 100%")
            await page.locator("#save-model").click()
            await expect(page.get_by_label("沟通能力的权重")).to_have_value("25", timeout=WAIT)

            await page.get_by_label("第一道题").fill("请讲一次你拿下一个难啃的大客户的经历。")
            await page.locator("input[name=first_competencies][value=customer_focus]").check()
            await page.locator("#add-recorded").click()
            await expect(page.locator("h1")).to_contain_text("录制面试", timeout=WAIT)
            anchors = page.locator("#q0 .anchors summary")
            await expect(anchors).to_have_text("客户导向 · 行为锚定")
            await anchors.click()
            await expect(page.locator("#q0 .anchors li")).to_have_count(5)

            await page.locator("textarea[name=q_text_1]").fill(
                "说说你在业绩压力很大时怎么完成目标。"
            )
            await page.locator("input[name=q_comp_1][value=stress_tolerance]").check()
            await page.locator("input[name=q_answer_1]").fill("120")
            await page.get_by_label("作答期限（邀请后天数）").fill("5")
            await page.locator("#save-round").click()
            await expect(page.locator("#q1 legend")).to_contain_text("第 2 题", timeout=WAIT)
            await expect(page.locator("#q1 .anchors summary")).to_have_text("抗压能力 · 行为锚定")
            assert not refused
        job = await JobOpening.get(code="SALES-BJ-02")
        weights = {i["code"]: i["weight"] for i in job.competency_model}
        assert weights["communication"] == "0.25" and weights["learning_agility"] == "0.1"
        round_ = await InterviewRound.get(job_id=job.id)
        assert round_.deadline_days == 5
        assert [(q["competencies"], q["answer_seconds"]) for q in round_.questions] == [
            (["客户导向"], 180), (["抗压能力"], 120),
        ]  # fmt: skip
