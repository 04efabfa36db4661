"""筛选简历 through the WeCom sandbox: an interviewer is refused; HR gets the ranked card of
the opening's parsed résumés (read by the real reader), clicks 邀请前N名AI面试, the
candidates get their AI-interview invitation through the candidate channel, the card is
redrawn, and a second click skips those already invited."""

from __future__ import annotations

import hashlib
from dataclasses import asdict
from typing import Any

from recruiting.domain.roles import Role
from recruiting.domain.shorten import utf8_len
from recruiting.infra.resumes.reader import FileResumeReader
from recruiting.models import (
    Application,
    Candidate,
    Interview,
    InterviewRound,
    OutboxMessage,
    ResumeFile,
    ResumeParse,
    SubjectKind,
)
from recruiting.ports.outbound import Channel
from recruiting.services.screening.requirements import OpeningRequirements
from recruiting.services.shared.sessions import Principal
from tests.e2e import chat, miniapp
from tests.e2e.miniapp import Stack

stack = miniapp.stack  # service + sandbox with a sales job and its recorded round

RESUME = """{name}
{personal} | 电话：1390000{n:04d}
现居：{city}
教育经历
2010.09-2014.06 上海大学 市场营销 {degree}
工作经历
{start}.07-至今 某电子商务有限公司 大客户销售
负责华东区渠道销售，年销售额 800 万
专业技能
{skills}
"""
PEOPLE = [  # name, personal, city, degree, start year, skills
    ("孙磊", "男 | 30岁", "上海", "本科", 2016, "大客户销售、Excel"),
    ("李娜", "女 | 已婚已育", "上海", "本科", 2015, "销售、CRM"),
    ("周杰", "男 | 24岁", "杭州", "大专", 2024, "电话销售"),  # 2 years < 3: knocked out
]
HR = Principal(0, SubjectKind.STAFF, userid="lina", roles=frozenset({Role.HR}))


async def _seed(stack: Stack) -> dict[str, int]:
    job_id = (await InterviewRound.get(id=stack.round_id)).job_id  # type: ignore[attr-defined]
    await OpeningRequirements().save(HR, job_id, {
        "must": [{"工作年限": 3}, {"学历": "大专"}],
        "nice": [{"技能": "销售"}, {"地点": "上海"}, {"行业": "电子商务"}, "已婚已育优先"],
    })  # fmt: skip
    reader = FileResumeReader()
    ids = {}
    for n, (name, personal, city, degree, start, skills) in enumerate(PEOPLE):
        text = RESUME.format(name=name, personal=personal, n=n, city=city, degree=degree,
                             start=start, skills=skills)  # fmt: skip
        parsed = reader.read(text.encode(), "简历.txt")
        candidate = await Candidate.create(name=name)
        application = await Application.create(candidate=candidate, job_id=job_id)
        await ResumeFile.create(
            candidate_id=candidate.id, application_id=application.id, object_key=f"e2e{n}",
            size=len(text), sha256=hashlib.sha256(text.encode()).hexdigest(),
            parse_status=ResumeParse.PARSED, parsed=asdict(parsed), uploaded_by="lina",
        )  # fmt: skip
        ids[name] = application.id
    return ids


async def _screen_card(stack: Stack) -> dict[str, Any] | None:
    cards = chat.cards(await stack_chat(stack, "lina"), "screen-")
    return dict(cards[-1]["content"]) if cards else None


async def stack_chat(stack: Stack, userid: str) -> chat.Timeline:
    response = await stack.console.get("/sandbox/messages", params={"userid": userid})
    return list(response.json()["messages"])


async def test_hr_screens_in_chat_and_invites_the_top_two(stack: Stack) -> None:
    ids = await _seed(stack)
    say = {"userid": "wangqiang", "text": "筛选简历 销售代表 前2名"}
    assert (await stack.console.post("/sandbox/say", json=say)).status_code == 200
    assert await stack.hr_told("wangqiang", "只有 HR 可以筛选简历") == 1

    say = {"userid": "lina", "text": "筛选简历 销售代表 前2名"}
    assert (await stack.console.post("/sandbox/say", json=say)).status_code == 200
    card = await chat.wait(lambda: _screen_card(stack))
    assert card["main_title"]["title"] == "筛选简历：销售代表"
    lines = card["sub_title_text"].split("\n")
    assert lines[0].startswith("1. 孙磊 ") and lines[1].startswith("2. 李娜 "), lines
    assert "另有 1 人未列出" in card["sub_title_text"]
    rows = {r["keyname"]: r["value"] for r in card["horizontal_content_list"]}
    assert rows["已筛选"] == "3 份简历，1 份不满足必须条件"
    assert "已婚已育优先" in rows["未采用"]  # flagged, never used
    assert len(card["horizontal_content_list"]) <= 6 and len(card["main_title"]["title"]) <= 36
    assert all(len(r["value"]) <= 30 for r in card["horizontal_content_list"])
    [button] = card["button_list"]
    assert button["text"] == "邀请前2名AI面试"
    assert button["key"].endswith(f":{ids['孙磊']}-{ids['李娜']}")
    assert utf8_len(button["key"]) <= 1024 and utf8_len(card["task_id"]) <= 128

    await chat.click(stack, "lina", card["task_id"], button["key"])
    assert await stack.hr_told("lina", "已向 2 人发出 AI 面试邀请：孙磊、李娜") == 1
    for name in ("孙磊", "李娜"):
        interview = await Interview.get(application_id=ids[name], round_id=stack.round_id)
        assert interview.status == "invited"
    assert not await Interview.exists(application_id=ids["周杰"])
    sent = [m for m in await OutboxMessage.filter(channel=Channel.CANDIDATE)
            if m.payload.get("kind") == "link"]  # fmt: skip
    assert len(sent) == 2 and all("销售代表" in m.payload["content"] for m in sent)
    redrawn = await chat.wait(lambda: _updated(stack, card["task_id"]))
    assert redrawn["updates"] >= 1

    # Screening again shows who is invited; its button skips them, nothing new is sent.
    await stack.console.post("/sandbox/say", json=say)

    async def second_card() -> dict[str, Any] | None:
        found = await _screen_card(stack)
        return found if found and found["task_id"] != card["task_id"] else None

    again = await chat.wait(second_card)
    assert (
        again["sub_title_text"].startswith("1. 孙磊 ") and "（已邀请）" in again["sub_title_text"]
    )
    await chat.click(stack, "lina", again["task_id"], again["button_list"][0]["key"])
    assert await stack.hr_told("lina", "2 人已邀请过，跳过：孙磊、李娜") == 1
    assert await Interview.filter(round_id=stack.round_id).count() == 2


async def _updated(stack: Stack, task_id: str) -> dict[str, Any] | None:
    state = chat.card_state(await stack_chat(stack, "lina"), task_id)
    return state if state.get("updates") else None
