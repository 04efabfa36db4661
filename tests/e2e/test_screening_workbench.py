"""Résumé screening in the workbench over real sockets, on SQLite and PostgreSQL + Redis:
requirements saved as lines (a gender line refused with the law, a marital one flagged and
left out), the ranked list with its breakdown and quoted evidence, the filters, inviting
the top N to the AI interview, and an interviewer refused."""

from __future__ import annotations

import re
from html import unescape

import httpx

from recruiting.models import (
    Application,
    Interview,
    JobOpening,
    OutboxMessage,
)
from recruiting.ports.outbound import Channel
from recruiting.services.demo import DEMO_JOB_CODE
from tests.e2e.screening_resumes import two_parsed_resumes
from tests.e2e.stack import Stack
from tests.e2e.workbench import DESKTOP, csrf, hr, sign_in

__all__ = ["hr"]  # the fixture


async def _client(stack: Stack, userid: str) -> httpx.AsyncClient:
    client = httpx.AsyncClient(
        base_url=stack.settings.workbench.public_url, headers=DESKTOP, timeout=30
    )
    r = await sign_in(stack, client, userid)
    assert r.status_code == 302, r.text
    return client


async def test_screening_in_the_workbench(stack: Stack, hr: httpx.AsyncClient) -> None:
    job = await JobOpening.get(code=DEMO_JOB_CODE)
    await two_parsed_resumes(job)
    listing = await hr.get("/workbench/screening/")
    assert listing.status_code == 200 and f"/workbench/screening/{job.id}" in listing.text
    path = f"/workbench/screening/{job.id}"
    empty = await hr.get(path)
    assert "设置招聘要求后" in empty.text

    refused = await hr.post(f"{path}/requirements", data={
        "must": "工作年限：3\n男性优先", "nice": "", "csrf_token": await csrf(hr, path)})  # fmt: skip
    assert refused.status_code == 400 and "就业促进法" in unescape(refused.text)
    saved = await hr.post(f"{path}/requirements", data={
        "must": "工作年限：3\n学历：大专", "nice": "技能：销售\n地点：上海\n已婚已育",
        "csrf_token": await csrf(hr, path)})  # fmt: skip
    assert saved.status_code == 302, saved.text
    page = unescape((await hr.get(saved.headers["location"])).text)
    assert "已保存 4 项要求" in page and "「已婚已育」涉及婚育状况" in page
    assert page.index("1. 孙磊") < page.index("2. 周杰")
    assert "不满足必须条件「3 年以上工作经验」" in page
    assert "2016.07-至今 某电子商务有限公司 大客户销售" in page  # the quoted sentence
    assert "30岁" not in page and "男 |" not in page  # protected parts never shown
    out = unescape((await hr.get(path, params={"out": "yes"})).text)
    assert "周杰" in out and "孙磊" not in out
    high = unescape((await hr.get(path, params={"min": "90"})).text)
    assert "孙磊" in high and "周杰" not in high
    bad = await hr.get(path, params={"min": "abc"})
    assert bad.status_code == 400

    invited = await hr.post(f"{path}/invite", data={"top": "5", "csrf_token": await csrf(hr, path)})
    assert invited.status_code == 302
    after = unescape((await hr.get(invited.headers["location"])).text)
    assert "AI 面试邀请：已邀请 1 人" in after and "已邀请 AI 面试" in after
    sun = await Application.get(candidate__name="孙磊")
    assert await Interview.filter(application_id=sun.id).count() == 1
    assert await OutboxMessage.filter(channel=Channel.CANDIDATE).count() >= 1
    again = await hr.post(f"{path}/invite", data={"top": "5", "csrf_token": await csrf(hr, path)})
    assert "已邀请过，跳过 1 人" in unescape((await hr.get(again.headers["location"])).text)

    interviewer = await _client(stack, "wangqiang")
    try:
        assert (await interviewer.get(path)).status_code == 403
    finally:
        await interviewer.aclose()


async def test_an_unknown_opening_is_a_chinese_404(hr: httpx.AsyncClient) -> None:
    """An id no opening has (never made, or deleted) is 找不到该岗位 on a 404 page, never a
    500; the page asks the use case, which looks the opening up once."""
    job = await JobOpening.create(code="gone-1", title="已删除的岗位")
    gone = job.id
    await job.delete()
    for path in (f"/workbench/screening/{gone}", "/workbench/screening/987654"):
        missing = await hr.get(path)
        text = unescape(missing.text)
        assert missing.status_code == 404, (path, missing.status_code)
        assert "找不到该岗位，可能已被删除" in text and "无法完成" in text
        assert not re.search(r"DoesNotExist|Traceback|Error", text)
