"""What the workbench foundation left open, over real sockets: an unknown workbench address
is a Chinese page (with the nav when signed in), while static files, a missing static file
and the JSON API keep their own answers; and the operator is told when ``PUBLIC_URL`` is
empty on a non-loopback address (the Secure session cookie would be dropped over http)."""

from __future__ import annotations

import logging
from pathlib import Path

import httpx
import pytest

from recruiting.bootstrap import (
    WORKBENCH_COOKIE_WARNING,
    _workbench_health,
    start_services,
    stop_services,
)
from recruiting.settings import load_settings
from tests.e2e.stack import running
from tests.e2e.workbench import DESKTOP, csrf, sign_in


async def test_unknown_workbench_paths_get_a_chinese_page(tmp_path: Path) -> None:
    async with running("sqlite", tmp_path, "wb404") as stack:
        base = stack.settings.workbench.public_url
        async with httpx.AsyncClient(base_url=base, headers=DESKTOP, timeout=15) as web:
            r = await web.get("/workbench/no-such-page")
            assert r.status_code == 404
            assert r.headers["content-type"].startswith("text/html")
            assert "页面不存在" in r.text and "返回首页" in r.text
            assert '"error"' not in r.text and "nav" not in r.text.split("<main")[0]
            assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
            r = await web.get("/workbench/candidates/x/y/z")
            assert r.status_code == 404 and "页面不存在" in r.text
            r = await web.put("/workbench/")  # a method no page takes
            assert r.status_code == 405 and "不支持这种操作方式" in r.text

            css = await web.get("/workbench/static/workbench.css")
            assert css.status_code == 200 and "text/css" in css.headers["content-type"]
            missing = await web.get("/workbench/static/nope.css")
            assert missing.status_code == 404
            assert missing.json()["error"] == "not_found"  # a file, not a page
            api = await web.get("/miniapp/v1/no-such-route")
            assert api.status_code == 404 and api.json()["error"] == "not_found"
            assert (
                (await web.get("/workbenchx"))
                .headers["content-type"]
                .startswith("application/json")
            )

            home = await sign_in(stack, web, "lina")
            assert home.status_code == 302 and home.headers["location"] == "/workbench/"
            r = await web.get("/workbench/openings/42/unknown")
            assert r.status_code == 404 and "页面不存在" in r.text
            assert 'id="member-name"' in r.text or "李娜" in r.text  # the nav of the member
            assert 'href="/workbench/candidates"' in r.text


def test_empty_public_url_beyond_loopback_is_reported(tmp_path: Path) -> None:
    open_ = load_settings(None, {"DATA_DIR": str(tmp_path), "HOST": "0.0.0.0"})
    health = _workbench_health(open_)
    assert health["public_url"] == "http://0.0.0.0:8000"
    assert str(health["warning"]).startswith("public_url_unset: PUBLIC_URL is empty")
    for env in ({"HOST": "0.0.0.0", "PUBLIC_URL": "https://hr.example.com"}, {}):
        fine = load_settings(None, {"DATA_DIR": str(tmp_path), **env})
        assert _workbench_health(fine)["warning"] == ""


async def test_the_warning_is_logged_at_start(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = load_settings(None, {"DATA_DIR": str(tmp_path), "HOST": "0.0.0.0"})
    with caplog.at_level(logging.WARNING, logger="recruiting.bootstrap"):
        services = await start_services(settings)
        await stop_services(services)
    expected = WORKBENCH_COOKIE_WARNING % "http://0.0.0.0:8000"
    assert expected in caplog.text


async def test_health_check_carries_the_warning(tmp_path: Path) -> None:
    async with running("sqlite", tmp_path, "wbhealth") as stack:
        async with httpx.AsyncClient(base_url=stack.settings.workbench.public_url) as web:
            health = (await web.get("/healthz")).json()
    assert health["workbench"] == {"public_url": stack.settings.workbench.public_url,
                                   "warning": ""}  # fmt: skip


async def test_ids_no_row_can_have_get_a_chinese_404(tmp_path: Path) -> None:
    huge = 10**20
    async with running("sqlite", tmp_path, "wbids") as stack:
        base = stack.settings.workbench.public_url
        async with httpx.AsyncClient(base_url=base, headers=DESKTOP, timeout=15) as web:
            await sign_in(stack, web, "lina")
            for path in (
                f"/workbench/candidates/{huge}",
                f"/workbench/openings/{huge}",
                f"/workbench/openings/rounds/{huge}",
                f"/workbench/pipeline/{huge}",
                f"/workbench/review/{huge}",
                f"/workbench/media/{huge}/0",
                f"/workbench/screening/{huge}",
            ):
                r = await web.get(path)
                assert r.status_code == 404, path
                assert "没有找到" in r.text or "页面不存在" in r.text, path


async def test_ids_below_one_are_a_page_that_does_not_exist(tmp_path: Path) -> None:
    """0 and -1 in an address (the router's int takes a sign) are a missing page, like an id
    past the keys: never a 400 that names the parameter (``job_id``, ``index``) to HR. A form
    field too long is named the way the form names it."""
    async with running("sqlite", tmp_path, "wbneg") as stack:
        base = stack.settings.workbench.public_url
        async with httpx.AsyncClient(base_url=base, headers=DESKTOP, timeout=15) as web:
            await sign_in(stack, web, "lina")
            token = await csrf(web)
            for x in ("0", "-1"):
                for path in (f"/workbench/pipeline/{x}", f"/workbench/pipeline/{x}/compare",
                             f"/workbench/review/{x}", f"/workbench/media/{x}/0",
                             "/workbench/media/1/-1"):  # fmt: skip
                    r = await web.get(path)
                    assert r.status_code == 404 and "没有找到" in r.text, path
                    assert "_id" not in r.text and "index" not in r.text, path
                for path in (f"/workbench/pipeline/{x}/bulk", f"/workbench/review/{x}/decide",
                             f"/workbench/data-requests/{x}"):  # fmt: skip
                    r = await web.post(path, data={"csrf_token": token, "action": "reject"})
                    assert r.status_code == 404 and "没有找到" in r.text, path
                    assert "_id" not in r.text, path
            long_note = {"csrf_token": token, "action": "reject", "reason": "other",
                         "note": "很" * 501}  # fmt: skip
            for path in ("/workbench/pipeline/1/bulk", "/workbench/review/1/decide"):
                r = await web.post(path, data=long_note)
                assert r.status_code == 400 and "备注 太长了" in r.text, path
                assert "note" not in r.text.split("<main")[1], path
