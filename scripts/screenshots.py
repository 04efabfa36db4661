"""Screenshots of the HR workbench for the README, from the sandbox's lived-in demo.

Starts ``python -m recruiting run`` (service + WeCom sandbox, demo seeded) on free ports in a
scratch data folder, signs in as 李娜 through the sandbox's sign-in page in Debian's
Chromium (Playwright), and saves the main pages at a laptop width and a phone width as PNG
under ``docs/screenshots/`` (palette-reduced so each stays under about 250 KB)::

    .venv/bin/python scripts/screenshots.py            # all pages, both widths
    .venv/bin/python scripts/screenshots.py --out /tmp/shots
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
from PIL import Image
from playwright.async_api import Page, async_playwright

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run"]
WIDTHS = {  # viewport, device scale factor
    "laptop": ({"width": 1366, "height": 860}, 1),
    "phone": ({"width": 390, "height": 844}, 2),
}
MAX_HEIGHT = {"laptop": 1800, "phone": 1500}  # CSS pixels kept of a long page
LIMIT = 250_000
# the first frame is shown (no loading spinner) once the video can play
VIDEO_READY = """async v => {
  if (v.readyState < 3) {
    await new Promise(ok => v.addEventListener("canplay", ok, { once: true }));
  }
  v.muted = true;
  await v.play();
  await new Promise(ok => setTimeout(ok, 700));
  v.pause();
  await new Promise(ok => setTimeout(ok, 300));
}"""
OPENING = "后端开发工程师（示例）"
BAD_SHEET = (
    "姓名,手机,邮箱,应聘岗位,来源,学历,工作年限\n"
    "韩梅梅,13600136000,hmm@example.cn,demo-swe,拉勾,本科,4\n"
    "李雷,1360013,,demo-swe,拉勾,本科,3\n"
    "王小明,13600136002,wxm@,数据科学家,猎聘,博士,abc\n"
).encode("gb18030")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_stack(data_dir: Path) -> tuple[subprocess.Popen[bytes], str, str]:
    """``make run``'s process on free ports; returns it with the service and sandbox URLs."""
    service, sandbox = free_port(), free_port()
    env = os.environ | {"DATA_DIR": str(data_dir), "PORT": str(service),
                        "SANDBOX_PORT": str(sandbox),
                        "RECRUITING__ANALYSIS__PROCESSES": "0"}  # fmt: skip
    log = (data_dir / "run.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "recruiting", "run"], cwd=ROOT, env=env, stdout=log,
        stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{service}"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = (data_dir / "run.log").read_text(errors="replace")[-3000:]
            raise SystemExit(f"the service stopped:\n{tail}")
        try:
            if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                return process, base, f"http://127.0.0.1:{sandbox}"
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    process.kill()
    raise SystemExit("the service did not answer /healthz within 3 minutes")


def stop_stack(process: subprocess.Popen[bytes]) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def save_png(raw: bytes, path: Path) -> int:
    """The screenshot as a PNG; above the limit, with a 256-colour palette (UI pages keep
    their look) and, if still too large, fewer colours."""
    path.write_bytes(raw)
    for colours in (256, 128, 64):
        if path.stat().st_size <= LIMIT:
            break
        image = Image.open(io.BytesIO(raw)).convert("RGB")
        small = image.quantize(colors=colours, method=Image.Quantize.MEDIANCUT, dither=0)
        small.save(path, format="PNG", optimize=True)
    return path.stat().st_size


async def sign_in(page: Page, base: str) -> None:
    await page.goto(base + "/workbench/")
    await page.click("#qr-login")  # 企业微信扫码登录 → the sandbox's member chooser
    await page.click("button[value=lina]")
    await page.wait_for_url(base + "/workbench/")


async def shoot(page: Page, out: Path, name: str, size: str) -> None:
    height = await page.evaluate("document.documentElement.scrollHeight")
    width = page.viewport_size["width"] if page.viewport_size else 1366
    top = 0.0
    if name == "review-scores":  # from the scores down: the evidence beside the transcript
        box = await page.locator("table.scores").bounding_box()
        top = max(0.0, (box["y"] if box else 0) + await page.evaluate("scrollY") - 60)
    clip = {"x": 0, "y": top, "width": width, "height": min(height - top, MAX_HEIGHT[size])}
    raw = await page.screenshot(full_page=True, clip=clip)
    path = out / f"{name}-{size}.png"
    print(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}: "
          f"{save_png(raw, path) // 1000} KB")  # fmt: skip


async def pages(page: Page, base: str) -> list[tuple[str, Callable[[], Awaitable[Any]]]]:
    """(name, how to get there) for every page shown, in the README's order."""

    async def opening() -> None:
        await page.goto(base + "/workbench/openings")
        await page.get_by_role("link", name=OPENING).first.click()

    async def round_editor() -> None:
        await opening()
        await page.get_by_role("link", name="第 1 轮 · 录制面试").click()
        await page.locator(".q-anchors summary").first.click()  # the behavioural anchors

    async def import_report() -> None:
        await page.goto(base + "/workbench/candidates/import")
        await page.locator("#sheet").set_input_files(
            {"name": "拉勾导出.csv", "mimeType": "text/csv", "buffer": BAD_SHEET}
        )
        await page.get_by_role("button", name="上传并检查").click()
        await page.locator("#row-errors").wait_for()

    async def board() -> None:
        await page.goto(base + "/workbench/pipeline")
        await page.get_by_role("link", name=OPENING).click()
        await page.locator("#board-columns").wait_for()

    async def review() -> None:
        await page.goto(base + "/workbench/review")
        await page.get_by_role("link", name="何静").click()
        videos = page.locator("video")
        for n in range(await videos.count()):
            await videos.nth(n).evaluate(VIDEO_READY)

    async def review_scores() -> None:
        await review()
        await page.locator("table.scores").scroll_into_view_if_needed()

    async def compare() -> None:
        await board()
        for name in ("何静", "许晨", "冯凯", "罗琳"):
            card = page.locator(f"li.stage-card:has(a.who:text-is('{name}'))")
            await card.locator("input[name=ids]").check()
        await page.locator("#compare-selected").click()
        await page.wait_for_url("**/compare**")

    return [
        ("home", lambda: page.goto(base + "/workbench/")),
        ("openings", lambda: page.goto(base + "/workbench/openings")),
        ("round-editor", round_editor),
        ("candidates", lambda: page.goto(base + "/workbench/candidates")),
        ("import-report", import_report),
        ("pipeline-board", board),
        ("review", review),
        ("review-scores", review_scores),
        ("comparison", compare),
    ]


async def capture(base: str, out: Path, only: set[str]) -> None:
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            for size, (viewport, scale) in WIDTHS.items():
                context = await browser.new_context(viewport=viewport, locale="zh-CN",
                                                    device_scale_factor=scale)  # fmt: skip
                page = await context.new_page()
                await sign_in(page, base)
                for name, go in await pages(page, base):
                    if only and name not in only:
                        continue
                    await go()
                    await page.wait_for_load_state("networkidle")
                    await shoot(page, out, name, size)
                await context.close()
        finally:
            await browser.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--only", nargs="*", default=[], help="page names to capture")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="screenshots-") as scratch:
        started = time.monotonic()
        process, base, _sandbox = start_stack(Path(scratch))
        print(f"demo stack up in {time.monotonic() - started:.1f} s at {base}")
        try:
            asyncio.run(capture(base, args.out, set(args.only)))
        finally:
            stop_stack(process)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
