"""Candidates in through the workbench over real sockets, on SQLite and PostgreSQL + Redis:
the form (and a duplicate refused), a spreadsheet with bad rows (nothing applied) and a good
one (all applied), the new-candidate cards in the sandbox chat and their buttons, a résumé
upload stored as ciphertext only, and the duplicates page."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from recruiting.models import Application, ApplicationStatus, Candidate, JobOpening, ResumeFile
from recruiting.services.demo import DEMO_JOB_CODE
from tests.e2e.chat import cards, click, texts, until
from tests.e2e.stack import Stack
from tests.e2e.test_workbench_login import DESKTOP, sign_in

BAD = (
    "姓名,手机号码,邮箱,应聘岗位,学历,工作年限\n"
    "周芷若,13500135000,zzr@example.cn,demo-sales,本科,3\n"
    "张无忌,12345,,demo-sales,本科,3\n"
    ",13500135001,,demo-sales,,\n"
    "殷离,13500135002,yl@,宇航员,,abc\n"
).encode("gb18030")
GOOD = (
    "姓名,手机号码,邮箱,应聘岗位,来源,学历,工作年限\n"
    "周芷若,13500135000,zzr@example.cn,demo-sales,BOSS直聘,本科,3年\n"
    "宋青书,+86 135 0013 5009,,demo-sales,智联招聘,大专,应届生\n"
).encode("utf-8-sig")


@pytest.fixture
async def hr(stack: Stack) -> AsyncIterator[httpx.AsyncClient]:
    base = stack.settings.workbench.public_url
    async with httpx.AsyncClient(base_url=base, headers=DESKTOP, timeout=30) as client:
        r = await sign_in(stack, client, "lina")
        assert r.status_code == 302, r.text
        yield client


async def csrf(client: httpx.AsyncClient, path: str = "/workbench/candidates/new") -> str:
    page = await client.get(path)
    assert page.status_code == 200, page.text
    found = re.search(r'<meta name="csrf-token" content="([^"]+)"', page.text)
    assert found
    return found.group(1)


async def upload(client: httpx.AsyncClient, path: str, files: list[tuple[str, Any]],
                 data: dict[str, str] | None = None) -> httpx.Response:  # fmt: skip
    token = await csrf(client, path)
    return await client.post(path, files=files, data=data or {}, headers={"X-CSRF-Token": token})


async def test_candidates_in_through_the_workbench(stack: Stack, hr: httpx.AsyncClient) -> None:
    job = await JobOpening.get(code=DEMO_JOB_CODE)
    # by hand, then the same phone again: refused as a duplicate that names the first
    form = {"name": "赵敏", "phone": "138 0013 8000", "email": "zm@example.cn",
            "job_id": str(job.id), "education": "本科", "years": "3", "source": "内推"}  # fmt: skip
    r = await hr.post("/workbench/candidates/new", data={**form, "csrf_token": await csrf(hr)})
    assert r.status_code == 302 and r.headers["location"].startswith("/workbench/candidates/")
    detail = await hr.get(r.headers["location"])
    assert "赵敏" in detail.text and "已添加候选人" in detail.text
    again = {**form, "name": "赵敏二", "phone": "+8613800138000"}
    r = await hr.post("/workbench/candidates/new", data={**again, "csrf_token": await csrf(hr)})
    assert r.status_code == 409 and "该候选人已存在" in r.text and "手机和邮箱相同" in r.text
    bad_form = {**form, "phone": "123", "email": ""}
    r = await hr.post("/workbench/candidates/new", data={**bad_form, "csrf_token": await csrf(hr)})
    assert r.status_code == 400 and "不是有效的手机号" in r.text
    no_csrf = await hr.post("/workbench/candidates/new", data=form)
    assert no_csrf.status_code == 403

    # a spreadsheet with bad rows: every problem listed, nothing written
    before = await Candidate.all().count()
    r = await upload(hr, "/workbench/candidates/import", [("file", ("boss.csv", BAD, "text/csv"))])
    assert r.status_code == 200, r.text
    report = await hr.get(r.json()["redirect"])
    assert "没有导入任何候选人" in report.text
    for row in ("第 3 行", "第 4 行", "第 5 行"):
        assert row in report.text
    assert "不是有效的手机号" in report.text and "没有找到岗位" in report.text
    assert await Candidate.all().count() == before
    ref = r.json()["redirect"].split("/")[-1]
    refused = await hr.post(f"/workbench/candidates/import/{ref}",
                            data={"csrf_token": await csrf(hr)})  # fmt: skip
    assert refused.status_code == 400 and await Candidate.all().count() == before

    # a good one: checked, then applied whole; the uploader gets a card per new candidate
    r = await upload(hr, "/workbench/candidates/import", [("file", ("boss.csv", GOOD, "text/csv"))])
    check = await hr.get(r.json()["redirect"])
    assert "检查通过：共 2 行" in check.text
    ref = r.json()["redirect"].split("/")[-1]
    applied = await hr.post(f"/workbench/candidates/import/{ref}",
                            data={"csrf_token": await csrf(hr)})  # fmt: skip
    assert applied.status_code == 200 and "已导入 2 位候选人" in applied.text
    assert await Candidate.all().count() == before + 2
    gone = await hr.get(f"/workbench/candidates/import/{ref}")
    assert gone.status_code == 404  # applied once: the kept file is deleted
    timeline = await until(stack, "lina", lambda t: len(cards(t, "intake-")) >= 2)
    new = cards(timeline, "intake-")
    titles = sorted(c["content"]["main_title"]["title"] for c in new)
    assert titles == ["新候选人：周芷若", "新候选人：宋青书"]

    # its buttons: 不合适 turns the application down, 邀请AI面试 answers with the link
    card = next(c["content"] for c in new if "周芷若" in c["content"]["main_title"]["title"])
    keys = {b["text"]: b["key"] for b in card["button_list"]}
    await click(stack, "lina", card["task_id"], keys["不合适"])
    zzr = await Candidate.get(name="周芷若")
    await until(stack, "lina", lambda t: any("标记为不合适" in x for x in texts(t)))
    assert (await Application.get(candidate_id=zzr.id)).status == ApplicationStatus.REJECTED
    other = next(c["content"] for c in new if "宋青书" in c["content"]["main_title"]["title"])
    invite = {b["text"]: b["key"] for b in other["button_list"]}["邀请AI面试"]
    await click(stack, "lina", other["task_id"], invite)
    timeline = await until(stack, "lina", lambda t: any("AI 面试邀请" in x for x in texts(t)))
    assert any("weixin://dl/business/" in x for x in texts(timeline))
    # 安排面试: the same slot card as the chat command (or why there is none)
    schedule = {b["text"]: b["key"] for b in other["button_list"]}["安排面试"]
    seen = len(texts(timeline)) + len(cards(timeline, "book-"))
    await click(stack, "lina", other["task_id"], schedule)
    timeline = await until(stack, "lina", lambda t: len(texts(t)) + len(cards(t, "book-")) > seen)
    booking = cards(timeline, "book-")
    assert booking or any("面试官时间" in x for x in texts(timeline))
    if booking:
        assert "宋青书" in booking[-1]["content"]["main_title"]["title"]

    # a résumé upload: stored encrypted, the name HR typed becomes the candidate, a card comes
    secret = "独一无二的工作经历句子".encode()
    pdf = b"%PDF-1.4\n" + secret + b"\n%%EOF\n"
    r = await upload(
        hr, "/workbench/candidates/upload",
        [("files", ("韦一笑简历.pdf", pdf, "application/pdf")),
         ("files", ("virus.exe", b"MZ\x90\x00", "application/octet-stream"))],
        {"name": "韦一笑", "phone": "13600136000", "job": str(job.id)},
    )  # fmt: skip
    assert r.status_code == 200, r.text
    fragment = r.json()["html"]
    assert "已保存 · 未解析" in fragment and "不支持的文件类型" in fragment
    stored = await ResumeFile.get()
    assert stored.filename == "韦一笑简历.pdf" and stored.parse_status == "unparsed"
    for path in stack.settings.miniapp.media_dir.rglob("*"):
        if path.is_file():
            assert secret not in path.read_bytes() and b"%PDF" not in path.read_bytes()
    download = await hr.get(f"/workbench/candidates/resumes/{stored.id}")
    assert download.status_code == 200 and download.content == pdf
    await until(stack, "lina", lambda t: any("韦一笑" in c["content"]["main_title"]["title"]
                                             for c in cards(t, "intake-")))  # fmt: skip

    # the list finds people by exact name and by phone in any format
    found = await hr.get("/workbench/candidates", params={"phone": "135-0013-5009"})
    assert "宋青书" in found.text and 'id="total">1<' in found.text
    dupes = await hr.get("/workbench/candidates/duplicates")
    assert "没有重复的候选人记录" in dupes.text
    # last: the server closes the connection after refusing an oversized body
    big = b"%PDF" + b"0" * (51 * 1024 * 1024)
    too_big = await upload(hr, "/workbench/candidates/upload",
                           [("files", ("big.pdf", big, "application/pdf"))])  # fmt: skip
    assert too_big.status_code == 413 and "上传内容过大" in too_big.json()["error"]
