"""The API documentation page in a real browser with the outside world cut off: on-premise
deployments are often offline, so ``/docs`` must render from what the service itself serves."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.serving import CHROMIUM, CHROMIUM_ARGS, run_process

playwright_api = pytest.importorskip("playwright.async_api")


async def test_docs_render_without_any_outside_request(tmp_path: Path) -> None:
    proc, base, _sandbox = run_process(tmp_path, {"RECRUITING__ANALYSIS__PROCESSES": "0"})
    outside: list[str] = []

    async def only_the_service(route: Any) -> None:
        request = route.request
        if request.url.startswith(base):
            await route.continue_()
        else:
            outside.append(request.url)
            await route.abort()

    try:
        async with playwright_api.async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                page = await browser.new_page()
                await page.route("**/*", only_the_service)
                opened = await page.goto(f"{base}/docs")
                assert opened is not None  # ReDoc renders under the page's own script policy:
                assert "script-src 'self'" in opened.headers["content-security-policy"]
                # ReDoc rendered the document: its title and an operation of the mini-app API.
                heading = page.get_by_role("heading", name="Recruiting service API")
                await playwright_api.expect(heading.first).to_be_visible(timeout=30_000)
                await playwright_api.expect(page.get_by_text("/miniapp/v1/uploads").first)\
                    .to_be_attached(timeout=30_000)  # fmt: skip
            finally:
                await browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    # The vendored ReDoc's own footer logo is the only outside address it knows; nothing
    # the page needs comes from there.
    assert [u for u in outside if "redoc.ly/redoc/logo" not in u] == []
