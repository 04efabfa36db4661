"""The sandbox console's guided demo, played in a real browser (Playwright driving Debian's
Chromium) against the service and the sandbox on real sockets, as a newcomer would: each step
is chosen in the guide, 准备这一步 fills in the message or moves the demo clock, the user
presses 发送 or a card's button, and the test reads what each person's chat shows.

``UPDATE_README_SCREENSHOT=1`` also writes the README's ``docs/sandbox-console.png``.
"""

from __future__ import annotations

import os
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from recruiting.models import Offer
from recruiting.services.demo import DEMO_MODEL
from tests.e2e import chat
from tests.e2e.browser import need_chromium
from tests.e2e.stack import running
from tests.serving import CHROMIUM, CHROMIUM_ARGS

playwright_api = pytest.importorskip("playwright.async_api")
expect = playwright_api.expect

SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "sandbox-console.png"
WAIT = 20_000  # ms: a step's messages arrive within this
CANDIDATE, HR = "刘洋", "lina"


@dataclass
class Demo:
    page: object  # playwright Page
    errors: list[str] = field(default_factory=list)

    @property
    def p(self) -> playwright_api.Page:
        page: playwright_api.Page = self.page  # type: ignore[assignment]
        return page

    async def step(self, key: str) -> None:
        """Choose a step in the guide and press 准备这一步."""
        await self.p.locator(f'#steps button[data-step="{key}"]').click()
        await self.p.locator("#step-go").click()
        await self.p.wait_for_selector("body:not([data-busy])", timeout=WAIT)

    async def send(self, expected_text: str) -> None:
        """The step filled the composer: check what it says, press 发送."""
        await expect(self.p.locator("#text")).to_have_value(re.compile(re.escape(expected_text)))
        await self.p.locator("#send").click()

    async def open(self, name: str) -> None:
        """Open a member's or a 微信客服 customer's chat from the left-hand list."""
        await self.p.locator("nav .who", has_text=name).first.click()
        await expect(self.p.locator("#chat-title")).to_contain_text(name)

    async def sees(self, name: str, *texts: str, count: int | None = None) -> None:
        """``name``'s chat shows each of ``texts`` (in exactly ``count`` bubbles if given)."""
        await self.open(name)
        for text in texts:
            found = self.p.locator("#log .row.out", has_text=text)
            if count is None:
                await expect(found.first).to_be_visible(timeout=WAIT)
            else:
                await expect(found).to_have_count(count, timeout=WAIT)

    async def card_button(self, name: str, card_text: str, button: str) -> None:
        """Press ``button`` on the latest card in ``name``'s chat that mentions ``card_text``."""
        await self.open(name)
        card = self.p.locator("#log .card", has_text=card_text).last
        await expect(card).to_be_visible(timeout=WAIT)
        await card.get_by_role("button", name=button).first.click()

    async def score_all(self, name: str) -> None:
        """Choose 4 for each competency of the demo job on the scoring cards in ``name``'s
        chat and submit each card."""
        await self.open(name)
        selects = self.p.locator("#log .card select")
        await expect(selects).to_have_count(len(DEMO_MODEL), timeout=WAIT)
        cards = self.p.locator("#log .card", has=self.p.locator("select"))
        for i in range(await cards.count()):
            card = cards.nth(i)
            for select in await card.locator("select").all():
                await select.select_option("4")
            submit = card.locator(".actions button").first
            before = await submit.inner_text()
            await submit.click()
            await expect(submit).not_to_have_text(before, timeout=WAIT)  # the card was updated

    async def tap_menu(self, item_index: int = 0) -> None:
        """In the open 微信客服 chat, tap an item of the latest menu."""
        menu = self.p.locator("#log .bubble", has=self.p.locator("a")).last
        await menu.locator("a").nth(item_index).click()


@pytest.fixture(params=["sqlite", "postgres+redis"])
async def demo(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Demo]:
    need_chromium()
    env = {"RECRUITING__ANALYSIS__PROCESSES": "0", "RECRUITING__SCHEDULER__TICK_SECONDS": "1"}
    async with (
        running(request.param, tmp_path, "guide", env, demo=True) as (settings, _service, _c),
        playwright_api.async_playwright() as pw,
    ):
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = await browser.new_page(viewport={"width": 1440, "height": 900},
                                          locale="zh-CN", timezone_id="Asia/Shanghai")  # fmt: skip
            played = Demo(page)
            page.on("pageerror", lambda exc: played.errors.append(str(exc)))
            await page.goto(settings.sandbox.base_url + "/#lina")
            await expect(page.locator("#chat-title")).to_contain_text("李娜")
            yield played
        finally:
            await browser.close()


async def test_the_guided_demo_plays_from_scheduling_to_the_accepted_offer(demo: Demo) -> None:
    """Every step, as each person sees it, down to the offer accepted by typing in 微信客服."""
    page = demo.p
    # The console shows the demo candidate before anything happened, without an invitation.
    card = page.locator('#demo-candidates [data-candidate="刘洋"]')
    await expect(card).to_contain_text("销售代表（演示）")
    await expect(card).to_contain_text("安排面试后生成")

    await demo.step("morning")  # a working-day morning: every reminder inside the kf window
    await expect(page.locator("#clock")).to_contain_text("比真实时间快", timeout=WAIT)
    assert re.search(r" 08:3\d$", await page.locator("#clock-now").inner_text())

    await demo.step("schedule")
    await demo.send(f"安排面试 {CANDIDATE} 销售代表")
    await demo.sees("李娜", f"{CANDIDATE}")  # the booking card with three times
    booking = page.locator("#log .card", has_text=CANDIDATE).last
    await expect(booking.locator(".actions button")).to_have_count(3)

    await demo.step("book")
    await booking.locator(".actions button").first.click()
    await demo.sees("李娜", "已预约")
    code = page.locator('#demo-candidates [data-candidate="刘洋"] .invitation-code')
    await expect(code).to_have_text(re.compile(r"^iv[0-9a-f]{10}$"), timeout=WAIT)
    reference = await code.inner_text()
    panel = await _panel(demo)

    await demo.step("bind")
    await demo.send(reference)
    await demo.sees(CANDIDATE, "已收到。之后的面试通知会通过这里发给您")
    await expect(card).to_contain_text("微信客服已绑定", timeout=WAIT)

    await demo.step("confirm")
    await demo.send("确认")
    await demo.sees(CANDIDATE, "已确认")
    await demo.sees("李娜", "候选人已确认参加")

    await demo.step("remind-day")
    await demo.sees(CANDIDATE, "【面试提醒】", count=1)
    for name in panel:
        await demo.sees(name, "【面试提醒】", count=1)
    await demo.step("remind-hour")
    await demo.sees(CANDIDATE, "【面试提醒】", count=2)
    for name in panel:
        await demo.sees(name, "【面试提醒】", count=2)

    lead_name = panel[0]
    await demo.step("start")
    await demo.send("开始面试")
    await demo.sees(lead_name, "已开始面试")
    await demo.step("note")
    await demo.send("大客户")
    await demo.sees(lead_name, "【笔记】")
    await demo.step("finish")
    await demo.send("结束面试")
    await demo.sees(lead_name, "已结束面试")

    await demo.step("score")
    for name in panel:
        await demo.score_all(name)
    await demo.sees("李娜", "【面试汇总】")

    await demo.step("survey")
    await demo.sees(CANDIDATE, "想听听您的感受")
    for asked in ("2/3", "3/3"):
        await demo.tap_menu()
        await demo.sees(CANDIDATE, asked)
    await demo.tap_menu()
    await page.locator("#text").fill("面试官很专业，希望提前告知面试形式")
    await page.locator("#send").click()
    await demo.sees(CANDIDATE, "已收到您的意见")

    await demo.step("summary")
    await demo.sees("李娜", "【候选人反馈草稿】")
    await demo.card_button("李娜", "发布给候选人", "发布给候选人")
    await demo.sees(CANDIDATE, "做得好的方面")

    await demo.step("offer")
    await demo.send(f"发offer {CANDIDATE} 入职")
    await demo.card_button("李娜", "提交审批", "提交审批")
    await demo.sees("李娜", "已提交企业微信审批")
    await demo.step("approve")
    await demo.sees("李娜", "offer 已通过")
    await demo.sees(CANDIDATE, "录用邀请（offer）")

    await she_accepts_by_typing(demo)
    assert demo.errors == []  # no script error on the page, the last step included


async def _panel(demo: Demo) -> list[str]:
    """The demo interview's panel as the guide names it (who gets a scoring card), the lead
    first."""
    await demo.p.locator('#steps button[data-step="finish"]').click()
    names = await demo.p.locator("#step-box .see li a").all_inner_texts()
    members = list(dict.fromkeys(n for n in names if "微信客服" not in n))
    assert members, names
    return members


async def she_accepts_by_typing(demo: Demo) -> None:
    """The last step: 接受offer typed in 微信客服 reaches the offer, HR hears of it."""
    await demo.step("accept")
    if os.environ.get("UPDATE_README_SCREENSHOT"):  # the guide, her chat, 接受offer filled in
        await demo.p.locator("#toast").wait_for(state="hidden")
        await demo.p.screenshot(path=str(SCREENSHOT))
    await demo.send("接受offer")
    await chat.wait(lambda: Offer.filter(candidate_answer="accept").exists(), timeout=10)
    await demo.sees("李娜", f"候选人{CANDIDATE}接受了「销售代表（演示）」的 offer")
    await demo.sees(CANDIDATE, "欢迎加入")
