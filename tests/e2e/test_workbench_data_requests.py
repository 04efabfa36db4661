"""The workbench's 个人信息申请 page over real sockets (SQLite, PostgreSQL + Redis): HR signs
in through the sandbox, records a correction a candidate asked for by phone, sees it in the
list with its actions and confirms it; an interviewer is refused the page; a bad form gets
a Chinese error page, never a 500."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from recruiting.models import Application, Candidate, DataRequest, JobOpening
from tests.e2e.stack import Stack
from tests.e2e.workbench import DESKTOP, sign_in


@pytest.fixture
async def browser(stack: Stack) -> AsyncIterator[httpx.AsyncClient]:
    base = stack.settings.workbench.public_url
    async with httpx.AsyncClient(base_url=base, headers=DESKTOP, timeout=15) as client:
        yield client


def csrf_of(page: httpx.Response) -> str:
    return page.text.split('name="csrf-token" content="')[1].split('"')[0]


async def test_hr_records_and_confirms_a_correction(
    stack: Stack, browser: httpx.AsyncClient
) -> None:
    job = await JobOpening.create(code="wb-dr", title="店长")
    candidate = await Candidate.create(name="孙丽")
    await Application.create(candidate=candidate, job=job)
    assert (await sign_in(stack, browser, "lina")).status_code == 302
    page = await browser.get("/workbench/data-requests/")
    assert page.status_code == 200 and "个人信息申请" in page.text and "暂无申请" in page.text
    csrf = csrf_of(page)
    form = {"csrf_token": csrf, "candidate_id": str(candidate.id), "kind": "correction",
            "via": "phone", "field": "phone", "value": "13912345678", "note": "来电"}  # fmt: skip
    bad = await browser.post("/workbench/data-requests/", data={**form, "value": "123"})
    assert bad.status_code == 400 and "手机号格式不正确" in bad.text
    missing = await browser.post("/workbench/data-requests/", data={**form, "candidate_id": "x"})
    assert missing.status_code == 400 and "候选人编号" in missing.text
    nobody = await browser.post("/workbench/data-requests/",
                                data={**form, "candidate_id": "999999"})  # fmt: skip
    assert nobody.status_code == 404
    done = await browser.post("/workbench/data-requests/", data=form)
    assert done.status_code == 302
    listed = await browser.get(done.headers["location"])
    request = await DataRequest.get(candidate_id=candidate.id)
    assert "已登记" in listed.text and f'id="request-{request.id}"' in listed.text
    assert "孙丽" in listed.text and "确认更正" in listed.text and "电话" in listed.text
    confirmed = await browser.post(f"/workbench/data-requests/{request.id}",
                                   data={"csrf_token": csrf, "action": "confirm"})  # fmt: skip
    assert confirmed.status_code == 302
    fresh = await Candidate.get(id=candidate.id)
    cipher = stack.service.ctx.services.shared.cipher
    assert cipher.decrypt(fresh.phone_enc or "", "candidate.phone") == "13912345678"
    assert (await DataRequest.get(id=request.id)).status == "completed"
    after = await browser.get("/workbench/data-requests/?status=completed")
    assert "已完成" in after.text and "确认更正</button>" not in after.text
    huge = await browser.post("/workbench/data-requests/99999999999999999999",
                              data={"csrf_token": csrf, "action": "confirm"})  # fmt: skip
    assert huge.status_code in (400, 404)  # not a 500 from the database
    no_csrf = await browser.post(f"/workbench/data-requests/{request.id}", data={"action": "x"})
    assert no_csrf.status_code == 403


async def test_an_interviewer_is_refused(stack: Stack, browser: httpx.AsyncClient) -> None:
    assert (await sign_in(stack, browser, "wangqiang")).status_code == 302
    page = await browser.get("/workbench/data-requests/")
    assert page.status_code == 403 and "没有权限" in page.text
    home = await browser.get("/workbench/")
    assert "个人信息申请" not in home.text


async def test_the_candidate_page_opens_the_form_for_that_candidate(
    stack: Stack, browser: httpx.AsyncClient
) -> None:
    """HR never reads a 候选人编号 anywhere: the candidate's page links to the form with the
    candidate filled in, so a request taken by phone is recorded from where HR found them."""
    candidate = await Candidate.create(name="钱多")
    assert (await sign_in(stack, browser, "lina")).status_code == 302
    detail = await browser.get(f"/workbench/candidates/{candidate.id}")
    link = f'href="/workbench/data-requests/?candidate={candidate.id}#record"'
    assert link in detail.text and "登记个人信息申请" in detail.text
    form = await browser.get(f"/workbench/data-requests/?candidate={candidate.id}")
    assert f'name="candidate_id" value="{candidate.id}"' in form.text
    odd = await browser.get("/workbench/data-requests/?candidate=99999999999")
    assert odd.status_code == 200 and 'name="candidate_id" value=""' in odd.text
