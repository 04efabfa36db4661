"""Résumés in through the workbench and chat over real sockets, on SQLite and PostgreSQL +
Redis: a zip of three generated résumés (PDF, Word, text) read by the real reader becomes
three candidates; HR's sandbox chat gets a card per candidate with the match against the
opening's requirements and the buttons, and a line per file; 不合适 asks for the reason
and rejects through ``Rejections`` (the candidate is told, ``decided_at`` set); the same
person uploaded again is matched, not duplicated; the candidate page shows the résumé's
facts with their sentences and the match."""

from __future__ import annotations

import io
import random
import zipfile
from typing import Any

import httpx

from recruiting.models import (
    Application,
    ApplicationStatus,
    Candidate,
    JobOpening,
    OutboxMessage,
    ResumeFile,
)
from recruiting.ports.outbound import Channel
from recruiting.services.demo import DEMO_JOB_CODE
from tests.e2e.chat import card_state, cards, click, texts, until
from tests.e2e.stack import Stack
from tests.e2e.workbench import csrf, hr, upload
from tests.resumes import generate as g

__all__ = ["hr"]  # the signed-in HR client fixture

# (layout, format) of the three résumés; the seed makes the same people every run
FILES = [("zhilian", "pdf"), ("boss", "docx"), ("handmade", "txt")]
SEED = 16
MUST_MONTHS = 24


def resumes() -> list[tuple[str, bytes, g.Person]]:
    rng = random.Random(SEED)
    made = []
    for layout, fmt in FILES:
        person, style = g.make_person(rng), g.make_style(rng)
        data = g.RENDERERS[fmt](g.LAYOUTS[layout](person, style), style)
        made.append((f"{person.name}.{g.EXTENSIONS[fmt]}", data, person))
    return made


def zipped(files: list[tuple[str, bytes, g.Person]]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data, _ in files:
            z.writestr(f"简历/{name}", data)  # a folder inside: ignored
    return out.getvalue()


def rows(card: dict[str, Any]) -> dict[str, str]:
    return {r["keyname"]: r["value"] for r in card.get("horizontal_content_list", [])}


async def test_a_zip_of_resumes_becomes_candidates_with_a_matched_card(
    stack: Stack, hr: httpx.AsyncClient
) -> None:
    job = await JobOpening.get(code=DEMO_JOB_CODE)
    r = await hr.post(
        f"/workbench/screening/{job.id}/requirements",
        data={"must": "工作年限：2", "nice": "技能：项目管理\n技能：Excel",
              "csrf_token": await csrf(hr, f"/workbench/screening/{job.id}")},
    )  # fmt: skip
    assert r.status_code == 302, r.text
    made = resumes()
    r = await upload(hr, "/workbench/candidates/upload",
                     [("files", ("简历.zip", zipped(made), "application/zip"))],
                     {"job": str(job.id)})  # fmt: skip
    assert r.status_code == 200, r.text
    html = r.json()["html"]
    assert html.count("已保存 · 已解析") == 3 and html.count("来自 简历.zip") == 3
    assert html.count("已根据简历新建候选人") == 3
    people = {p.name: p for _, _, p in made}
    for name in people:
        candidate = await Candidate.get(name=name)
        assert (await Application.get(candidate_id=candidate.id)).job_id == job.id

    # a card per candidate, with the match and the three buttons; a line per file
    timeline = await until(stack, "lina", lambda t: len(cards(t, "intake-")) >= 3)
    by_name = {c["content"]["main_title"]["title"].split("：", 1)[1]: c["content"]
               for c in cards(timeline, "intake-")}  # fmt: skip
    assert set(by_name) == set(people)
    for name, person in people.items():
        card = by_name[name]
        assert "分" in rows(card)["匹配"] and rows(card)["简历"].endswith("· 已解析")
        assert [b["text"] for b in card["button_list"]] == ["邀请AI面试", "安排面试", "不合适"]
        short = (g.months_truth(person.work) or 0) < MUST_MONTHS
        assert ("不满足必须条件" in card["sub_title_text"]) == short, card["sub_title_text"]
        assert "年以上工作经验" in card["sub_title_text"]  # the requirement lines are on the card
    timeline = await until(stack, "lina", lambda t: any("本次上传 3 个简历文件" in x
                                                        for x in texts(t)))  # fmt: skip

    # 不合适: the card asks for the reason, the reason rejects through Rejections
    name = next(iter(people))
    card = by_name[name]
    keys = {b["text"]: b["key"] for b in card["button_list"]}
    await click(stack, "lina", card["task_id"], keys["不合适"])
    timeline = await until(stack, "lina",
                           lambda t: card_state(t, card["task_id"])["updates"] >= 1)  # fmt: skip
    asked = card_state(timeline, card["task_id"])["card"]
    reasons = {b["text"]: b["key"] for b in asked["button_list"]}
    assert len(reasons) == 6 and "返回" in reasons
    await click(stack, "lina", card["task_id"], reasons["经验不匹配"])
    await until(stack, "lina", lambda t: any("标记为不合适（经验与岗位要求不匹配）" in x
                                             for x in texts(t)))  # fmt: skip
    candidate = await Candidate.get(name=name)
    app = await Application.get(candidate_id=candidate.id)
    assert app.status == ApplicationStatus.REJECTED and app.rejection_reason == "experience"
    assert app.decided_at is not None and app.rejected_by == "lina"
    told = await OutboxMessage.filter(channel=Channel.CANDIDATE,
                                      recipient=f"candidate:{candidate.id}")  # fmt: skip
    assert sum("未能继续推进" in str(m.payload.get("content")) for m in told) == 1
    timeline = await until(stack, "lina",
                           lambda t: card_state(t, card["task_id"])["updates"] >= 2)  # fmt: skip
    assert card_state(timeline, card["task_id"])["finished_text"] == "已标记不合适"

    # the same person again (one file, another name): matched, not a second record
    again_name, again_data, again = made[1]
    r = await upload(hr, "/workbench/candidates/upload",
                     [("files", ("新版-" + again_name, again_data, "application/octet-stream"))],
                     {"job": str(job.id)})  # fmt: skip
    assert f"已归入已有候选人{again.name}" in r.json()["html"]
    assert await Candidate.filter(name=again.name).count() == 1
    who = await Candidate.get(name=again.name)
    assert await ResumeFile.filter(candidate_id=who.id).count() == 2
    assert await Application.filter(candidate_id=who.id).count() == 1

    # the candidate page: the résumé's facts with their sentences, the match per opening
    page = await hr.get(f"/workbench/candidates/{who.id}")
    assert page.status_code == 200
    assert 'id="resume-facts"' in page.text and "工作经历" in page.text
    assert again.work[0].company in page.text
    assert 'id="resume-matches"' in page.text and "分</strong>" in page.text
    assert again.phone not in page.text and again.email not in page.text  # on request only

    # the candidate page's 不合适 is the same use case: a reason code and HR's own note
    other = await Application.get(candidate__name=made[2][2].name)
    path = f"/workbench/candidates/{other.candidate_id}/reject"
    token = await csrf(hr, f"/workbench/candidates/{other.candidate_id}")
    bad = await hr.post(path, data={"application": str(other.id), "reason": "经验不足",
                                    "csrf_token": token})  # fmt: skip
    assert bad.status_code == 400 and "请选择不合适的原因" in bad.text
    r = await hr.post(path, data={"application": str(other.id), "reason": "better_match",
                                  "note": "比另一位弱", "csrf_token": token})  # fmt: skip
    assert (
        r.status_code == 302 and "告知候选人" in httpx.URL(r.headers["location"]).params["notice"]
    )
    await other.refresh_from_db()
    assert other.status == ApplicationStatus.REJECTED and other.decided_at is not None
    assert (other.rejection_reason, other.rejection_note) == ("better_match", "比另一位弱")
    shown = await hr.get(f"/workbench/candidates/{other.candidate_id}")
    assert "原因：有更匹配的候选人" in shown.text
