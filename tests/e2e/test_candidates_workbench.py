"""Candidates in through the workbench over real sockets, on SQLite and PostgreSQL + Redis:
the form (and a duplicate refused), a spreadsheet with bad rows (nothing applied) and a good
one (all applied), the new-candidate cards in the sandbox chat and their buttons, a résumé
upload stored as ciphertext only, and the duplicates page."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx

from recruiting.models import (
    Application,
    ApplicationStatus,
    AuditLog,
    Candidate,
    JobOpening,
    ResumeFile,
)
from recruiting.services.demo import DEMO_JOB_CODE
from tests.e2e.chat import card_state, cards, click, texts, until
from tests.e2e.stack import Stack
from tests.e2e.workbench import csrf, hr, upload

__all__ = ["hr"]  # the signed-in HR client fixture

BAD = (
    "姓名,手机号码,邮箱,应聘岗位,学历,工作年限\n"
    "周芷若,13500135000,zzr@example.cn,demo-sales,本科,3\n"
    "张无忌,12345,,demo-sales,本科,3\n"
    ",13500135001,,demo-sales,,\n"
    "殷离,13500135002,yl@,宇航员,,abc\n"
).encode("gb18030")
RESUME = """韦一笑
手机：13600136000 | 邮箱：wyx@example.cn | 现居：北京
工作经历
2019.07 - 至今  明教科技有限公司  销售经理
负责华北区大客户销售，{secret}。
教育经历
2015.09 - 2019.06  北京大学  市场营销  本科
"""
GOOD = (
    "姓名,手机号码,邮箱,应聘岗位,来源,学历,工作年限\n"
    "周芷若,13500135000,zzr@example.cn,demo-sales,BOSS直聘,本科,3年\n"
    "宋青书,+86 135 0013 5009,,demo-sales,智联招聘,大专,应届生\n"
).encode("utf-8-sig")


async def test_candidates_in_through_the_workbench(stack: Stack, hr: httpx.AsyncClient) -> None:
    job = await JobOpening.get(code=DEMO_JOB_CODE)
    # by hand, then the same phone again: refused as a duplicate that names the first
    form = {"name": "赵敏", "phone": "138 0013 8000", "email": "zm@example.cn",
            "job_id": str(job.id), "education": "本科", "years": "3", "source": "内推"}  # fmt: skip
    r = await hr.post("/workbench/candidates/new", data={**form, "csrf_token": await csrf(hr)})
    assert r.status_code == 302 and r.headers["location"].startswith("/workbench/candidates/")
    detail = await hr.get(r.headers["location"])
    assert "赵敏" in detail.text and "已添加候选人" in detail.text
    assert "13800138000" not in detail.text  # contact details only on request, audited
    shown = await hr.get(r.headers["location"].split("?")[0], params={"contact": "1"})
    assert "手机：13800138000" in shown.text and "zm@example.cn" in shown.text
    assert await AuditLog.filter(actor="lina", action="read_pii", allowed=True).exists()
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

    # its buttons: 不合适 asks the reason and turns the application down, 邀请AI面试 answers
    # with the link
    card = next(c["content"] for c in new if "周芷若" in c["content"]["main_title"]["title"])
    keys = {b["text"]: b["key"] for b in card["button_list"]}
    await click(stack, "lina", card["task_id"], keys["不合适"])
    zzr = await Candidate.get(name="周芷若")
    zzr_app = await Application.get(candidate_id=zzr.id)
    await until(stack, "lina", lambda t: card_state(t, card["task_id"])["updates"] >= 1)
    await click(stack, "lina", card["task_id"], f"intake.reason:{zzr_app.id}:better_match")
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

    no_token = await hr.post(
        "/workbench/candidates/upload", files=[("files", ("a.pdf", b"%PDF-1"))]
    )
    assert no_token.status_code == 403 and await ResumeFile.all().count() == 0
    # a résumé upload: read, the person it names becomes a candidate, stored encrypted, a card
    secret = "独一无二的工作经历句子"
    resume = RESUME.format(secret=secret).encode("utf-8")
    r = await upload(hr, "/workbench/candidates/upload",
                     [("files", ("韦一笑简历.txt", resume, "text/plain"))], {"job": str(job.id)})  # fmt: skip
    assert r.status_code == 200, r.text
    assert "已保存 · 已解析" in r.json()["html"] and "已根据简历新建候选人" in r.json()["html"]
    wyx = await Candidate.get(name="韦一笑")
    stored = await ResumeFile.get(candidate_id=wyx.id)
    assert stored.parse_status == "parsed" and stored.parsed["phone"] == "13600136000"
    assert (wyx.education, wyx.source) == ("本科", "简历上传") and wyx.years_experience is not None
    assert (await Application.get(candidate_id=wyx.id)).job_id == job.id
    await until(stack, "lina", lambda t: any("新候选人：韦一笑" in c["content"]["main_title"]["title"]
                                             for c in cards(t, "intake-")))  # fmt: skip
    # the same person again: attached to the record that is there, not a second one
    r = await upload(hr, "/workbench/candidates/upload",
                     [("files", ("韦一笑-新.txt", resume + b"\n", "text/plain"))])  # fmt: skip
    assert "已归入已有候选人韦一笑" in r.json()["html"]
    assert await Candidate.filter(name="韦一笑").count() == 1
    # a file the reader refuses is kept only for a candidate HR names; other types refused
    pdf = b"%PDF-1.4\n" + secret.encode() + b"\n%%EOF\n"
    r = await upload(
        hr, "/workbench/candidates/upload",
        [("files", ("殷天正.pdf", pdf, "application/pdf")),
         ("files", ("virus.exe", b"MZ\x90\x00", "application/octet-stream"))],
        {"name": "殷天正", "phone": "13600136001"},
    )  # fmt: skip
    fragment = r.json()["html"]
    assert "已保存 · 无法读取" in fragment and "不支持的文件类型" in fragment
    for path in stack.settings.miniapp.media_dir.rglob("*"):
        if path.is_file():
            blob = path.read_bytes()
            assert (
                secret.encode() not in blob
                and b"%PDF" not in blob
                and "韦一笑".encode() not in blob
            )
    kept = await ResumeFile.get(candidate__name="殷天正")  # the file name is sealed
    assert kept.filename == "殷天正.pdf" and kept.parse_status == "refused"
    download = await hr.get(f"/workbench/candidates/resumes/{kept.id}")
    assert download.status_code == 200 and download.content == pdf

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


async def test_merging_a_group_on_the_duplicates_page_is_all_or_none(
    stack: Stack, hr: httpx.AsyncClient
) -> None:
    """The duplicates page posts a whole group: one record that may not be merged (erased
    since the page was shown) leaves every record of the group as it was."""
    keep = await Candidate.create(name="纪晓芙", phone_hash="h-jxf")
    first = await Candidate.create(name="纪晓芙", phone_hash="h-jxf")
    erased = await Candidate.create(name="纪晓芙", phone_hash="h-jxf")
    token = await csrf(hr, "/workbench/candidates/duplicates")
    await Candidate.filter(id=erased.id).update(erased_at=datetime.now(UTC), phone_hash=None)
    form = {"csrf_token": token, "survivor": str(keep.id),
            "member": [str(keep.id), str(first.id), str(erased.id)]}  # fmt: skip
    refused = await hr.post("/workbench/candidates/merge", data=form)
    assert refused.status_code == 409 and "删除个人信息" in refused.text
    assert (await Candidate.get(id=first.id)).merged_into is None
    second = await Candidate.create(name="纪晓芙", phone_hash="h-jxf")
    form["member"] = [str(keep.id), str(first.id), str(second.id)]
    done = await hr.post("/workbench/candidates/merge", data=form)
    assert done.status_code == 302
    assert "已合并 2 条重复记录" in httpx.URL(done.headers["location"]).params["notice"]
    for gone in (first, second):
        assert (await Candidate.get(id=gone.id)).merged_into == keep.id
    page = await hr.get(f"/workbench/candidates/{first.id}")  # a merged record leads on
    assert page.status_code == 302 and page.headers["location"].endswith(f"/{keep.id}")
    assert await AuditLog.filter(action="merge_candidates", allowed=True).count() == 2


async def test_a_long_notice_is_shortened_at_a_boundary(
    stack: Stack, hr: httpx.AsyncClient
) -> None:
    """The notice after adding an application names the opening; a long English title is
    shortened between words with an ellipsis, never cut inside one."""
    title = "门店店长 Shanghai Pudong Flagship Store Operations and Customer Experience Team"
    job = await JobOpening.create(code="long-title", title=title)
    candidate = await Candidate.create(name="范遥")
    token = await csrf(hr, f"/workbench/candidates/{candidate.id}")
    added = await hr.post(f"/workbench/candidates/{candidate.id}/apply",
                          data={"csrf_token": token, "job": str(job.id)})  # fmt: skip
    assert added.status_code == 302
    page = await hr.get(added.headers["location"])
    notice = page.text.split('<p class="notice" role="status">')[1].split("</p>")[0]
    whole = f"已添加应聘岗位：{title}"
    assert len(whole) > 80 and notice.endswith("…") and len(notice) <= 80
    assert notice[:-1] in whole and whole[len(notice) - 1] == " "  # cut between two words
