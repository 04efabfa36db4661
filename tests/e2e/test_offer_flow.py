"""Offer approval over real HTTP through the WeCom sandbox: HR types 发offer, gets the
package card from the payroll port, overrides figures, clicks 提交审批; the sandbox holds the
approval with the configured controls; approving it (callback delivered twice, then again
and out of order) writes the candidate letter, the EHR and payroll hand-offs exactly once; a
withdrawal after approval only tells HR. Second test: a 301055 refusal keeps the offer a
draft and tells HR, then a rejection with the approver's words closes it. Third: with the
微信客服 window used up the letter's buttons go to the mini-app inbox, and she accepts by
typing 接受offer in 微信客服 (callback delivered twice); her question goes to HR."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from recruiting.models import (
    Application,
    ApplicationStatus,
    Candidate,
    CandidateContact,
    CandidateMessage,
    InboxEvent,
    JobOpening,
    KfCursor,
    Offer,
    OfferEvent,
    OutboxMessage,
)
from tests.e2e import chat
from tests.e2e.stack import Stack
from wecom_bot.sandbox.kf import DEFAULT_ACCOUNTS
from wecom_bot.sandbox.pusher import CallbackPusher

SH = ZoneInfo("Asia/Shanghai")


def _cards(timeline: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [m["content"] for m in chat.cards(timeline)]


async def _click(stack: Stack, userid: str, card: dict[str, Any], button: int) -> None:
    await chat.click(stack, userid, card["task_id"], card["button_list"][button]["key"])


async def _approvals(stack: Stack) -> list[dict[str, Any]]:
    return list((await stack.console.get("/sandbox/approvals")).json()["approvals"])


async def _decide(stack: Stack, sp_no: str, status: int, speech: str = "") -> None:
    body = {"sp_no": sp_no, "status": status, "speech": speech}
    response = await stack.console.post("/sandbox/approval", json=body)
    assert response.status_code == 200, response.text
    assert response.json()["status"] == 200


async def _applicant(name: str, code: str, title: str) -> Application:
    job = await JobOpening.create(code=code, title=title, city="上海", department="销售部")
    candidate = await Candidate.create(name=name)
    return await Application.create(candidate=candidate, job=job, status="interviewing")


async def _rows(channel: str) -> list[OutboxMessage]:
    return list(await OutboxMessage.filter(channel=channel).order_by("id"))


async def test_offer_is_approved_and_handed_off_once(stack: Stack) -> None:
    application = await _applicant("张三", "sales", "销售代表")
    await stack.say("wangqiang", "发offer 张三")  # an interviewer may not
    await chat.until(stack, "wangqiang", lambda t: any("需要 HR 权限" in x for x in chat.texts(t)))

    await stack.say("lina", "发offer 张三 入职2030-03-02")
    first = _cards(await chat.until(stack, "lina", lambda t: len(_cards(t)) == 1))[0]
    values = {h["keyname"]: h["value"] for h in first["horizontal_content_list"]}
    assert values["月薪（税前）"] == "12,000.00 元"  # the payroll port's standard package
    assert values["年终奖"] == "2 个月（24,000.00 元）" and values["入职"] == "2030-03-02 · 上海"
    assert values["预计税后/月"].startswith("约 ") and values["公司成本/月"].startswith("约 ")
    assert "薪酬系统建议" in first["main_title"]["desc"]

    await stack.say("lina", "发offer 张三 月薪2.5万 年终2个月 补贴1500 入职2030-03-16")
    cards = _cards(await chat.until(stack, "lina", lambda t: len(_cards(t)) == 2))
    second = cards[1]
    values = {h["keyname"]: h["value"] for h in second["horizontal_content_list"]}
    assert values["月薪（税前）"] == "25,000.00 元" and values["每月补贴"] == "1,500.00 元"

    await _click(stack, "lina", first, 0)  # the stale card submits nothing
    await chat.until(stack, "lina", lambda t: any("已被修改" in x for x in chat.texts(t)))
    assert await _approvals(stack) == []

    await _click(stack, "lina", second, 0)
    settled = await chat.until(
        stack, "lina", lambda t: chat.card_state(t, second["task_id"])["updates"] == 1
    )
    card = chat.card_state(settled, second["task_id"])["card"]
    assert card["main_title"]["desc"] == "已提交审批"
    await _click(stack, "lina", card, 0)  # clicking again is harmless
    await chat.until(stack, "lina", lambda t: any("无需再操作" in x for x in chat.texts(t)))
    approvals = await chat.wait(lambda: _approvals(stack))
    assert len(approvals) == 1
    approval = approvals[0]
    assert approval["applyer"]["userid"] == "lina"
    contents = {c["id"]: c for c in approval["apply_data"]["contents"]}
    assert contents["Text-candidate"]["value"] == {"text": "张三"}
    assert contents["Text-position"]["value"] == {"text": "销售代表"}
    assert contents["Money-salary"] == {"control": "Money", "id": "Money-salary",
                                        "value": {"new_money": "25000.00"}}  # fmt: skip
    assert contents["Money-allowance"]["value"] == {"new_money": "1500.00"}
    assert contents["Number-bonus-months"]["value"] == {"new_number": "2"}
    start = int(datetime(2030, 3, 16, tzinfo=SH).timestamp())
    assert contents["Date-start"]["value"] == {"date": {"type": "day", "s_timestamp": str(start)}}
    sp_no = approval["sp_no"]
    offer = await chat.wait(lambda: Offer.get_or_none(sp_no=sp_no, status="pending_approval"))
    await chat.until(
        stack, "lina", lambda t: any(sp_no in x and "审批中" in x for x in chat.texts(t))
    )

    # WeCom delivers the approval twice (its answer "got lost").
    await stack.console.post("/sandbox/faults", json={"callback_repeats": 2})
    await _decide(stack, sp_no, 2, "同意")
    await chat.wait(lambda: Offer.get_or_none(id=offer.id, status="approved"))
    told = await chat.until(
        stack, "lina", lambda t: any("offer 已通过" in x for x in chat.texts(t))
    )
    assert sum("offer 已通过" in x for x in chat.texts(told)) == 1
    assert (await Application.get(id=application.id)).status == ApplicationStatus.OFFER

    # The same approval again, then a stale 审批中: nothing new.
    pusher_http = httpx.AsyncClient(timeout=10)
    pusher = _pusher(stack, pusher_http)
    info = _callback(sp_no, 2, 2, approval)
    try:
        assert (await pusher.push(pusher.approval_change(info))) == 200
        assert (await pusher.push(pusher.approval_change(_callback(sp_no, 1, 1, approval)))) == 200
        await chat.wait(lambda: _events(offer.id, 3))
    finally:
        await pusher_http.aclose()
    letters = await _rows("candidate.message")
    to_her = f"candidate:{application.candidate_id}"  # type: ignore[attr-defined]
    assert [r.recipient for r in letters] == [to_her, to_her]  # the letter, then its buttons
    assert [c["label"] for c in letters[1].payload["choices"]] == ["接受offer", "婉拒"]
    letter = letters[0].payload["content"]
    assert "销售代表" in letter and "2030年3月16日" in letter and "25,000.00" in letter
    assert "接受offer" in letter and "李娜" in letter
    ehr = await _rows("ehr")
    assert sorted(r.payload["op"] for r in ehr) == ["archive", "employee"]
    employee = next(r.payload["record"] for r in ehr if r.payload["op"] == "employee")
    assert employee["start_date"] == "2030-03-16"
    payroll = await _rows("payroll")
    assert len(payroll) == 1 and payroll[0].payload["base"] == "25000.00"
    assert payroll[0].payload["city"] == "shanghai"
    await chat.wait(lambda: _sent(payroll[0].id))  # the CSV payroll adapter took it

    # Withdrawn after approval: HR is told and decides; nothing more to the candidate.
    await _decide(stack, sp_no, 6)
    await chat.wait(lambda: Offer.get_or_none(id=offer.id, status="withdrawn_after_approval"))
    timeline = await chat.until(
        stack, "lina", lambda t: any("通过后撤销" in x for x in chat.texts(t))
    )
    text = next(x for x in chat.texts(timeline) if "通过后撤销" in x)
    assert "候选人此前已收到" in text and "不会再自动联系候选人" in text
    assert "同意" not in text  # the approver's earlier words are not the withdrawal's reason
    assert len(await _rows("candidate.message")) == 2
    assert len(await _rows("payroll")) == 1 and len(await _rows("ehr")) == 2


async def test_refused_submit_stays_draft_then_rejection_tells_hr(stack: Stack) -> None:
    await _applicant("李四", "li-sales", "大客户经理")
    faults = {"fail_next": {"path": "/cgi-bin/oa/applyevent", "errcode": 301055, "count": 1}}
    assert (await stack.console.post("/sandbox/faults", json=faults)).status_code == 200
    figures = f"月薪18000 年终1个月 入职{(date.today() + timedelta(days=60)).isoformat()}"
    await stack.say("zhangwei", f"给李四发offer {figures}")  # no standard package: figures typed
    card = _cards(await chat.until(stack, "zhangwei", lambda t: len(_cards(t)) == 1))[0]
    assert "HR 填写" in card["main_title"]["desc"]
    await _click(stack, "zhangwei", card, 0)
    timeline = await chat.until(
        stack, "zhangwei", lambda t: any("301055" in x for x in chat.texts(t))
    )
    assert any("仍是草稿" in x for x in chat.texts(timeline))
    offer = await chat.wait(lambda: Offer.get_or_none(status="draft", error__contains="301055"))
    assert offer.sp_no is None and await _approvals(stack) == []

    await stack.say("zhangwei", "发offer 李四")  # the draft's figures, a fresh card
    card = _cards(await chat.until(stack, "zhangwei", lambda t: len(_cards(t)) == 2))[1]
    await _click(stack, "zhangwei", card, 0)
    approval = (await chat.wait(lambda: _approvals(stack)))[0]
    sp_no = approval["sp_no"]
    await chat.wait(lambda: Offer.get_or_none(id=offer.id, sp_no=sp_no, status="pending_approval"))
    await _decide(stack, sp_no, 3, "薪资超出预算")
    await chat.wait(lambda: Offer.get_or_none(id=offer.id, status="rejected"))
    timeline = await chat.until(
        stack, "zhangwei", lambda t: any("被驳回" in x for x in chat.texts(t))
    )
    text = next(x for x in chat.texts(timeline) if "被驳回" in x)
    assert "薪资超出预算" in text and "张伟" in text
    for channel in ("candidate.message", "ehr", "payroll"):
        assert await _rows(channel) == []


async def test_offer_accepted_by_typing_in_kf_after_the_window_is_used_up(stack: Stack) -> None:
    application = await _applicant("张三", "sales", "销售代表")
    cid = application.candidate_id  # type: ignore[attr-defined]
    # She is a 微信客服 customer bound to her record (as by an invitation code earlier).
    first = await stack.console.post("/sandbox/kf", json={"name": "张三", "text": "在吗"})
    assert first.status_code == 200, first.text
    await chat.wait(lambda: InboxEvent.filter(kind="kf", status="done").exists())
    customers = (await stack.console.get("/sandbox/members")).json()["customers"]
    kf_user = next(c["external_userid"] for c in customers if c["name"] == "张三")
    await CandidateContact.create(candidate_id=cid, kf_open_kfid=next(iter(DEFAULT_ACCOUNTS)),
                                  kf_external_userid=kf_user)  # fmt: skip

    async def says(text: str) -> None:
        body = {"external_userid": kf_user, "text": text}
        said = await stack.console.post("/sandbox/kf", json=body)
        assert said.status_code == 200 and said.json()["status"] == 200, said.text

    async def kf_texts() -> list[str]:
        found = await stack.console.get("/sandbox/messages", params={"external_userid": kf_user})
        return [str(m["msgmenu"]["head_content"] if m["msgtype"] == "msgmenu"
                    else m["text"]["content"]) for m in found.json()["kf"] if m["origin"] == 5]  # fmt: skip

    async def kf_has(needle: str) -> list[str] | None:
        out = await kf_texts()
        return out if any(needle in t for t in out) else None

    # Nothing is open yet: her question goes to the HR manager, and she is told so.
    await says("你好，请问 offer 什么时候发？")
    await chat.wait(lambda: kf_has("已转给负责您的 HR（张伟）"))
    await chat.until(stack, "zhangwei", lambda t: any(
        "【候选人留言】张三" in x and "offer 什么时候发" in x for x in chat.texts(t)))  # fmt: skip

    await stack.say("lina", "发offer 张三 入职2030-03-16")
    card = _cards(await chat.until(stack, "lina", lambda t: len(_cards(t)) == 1))[0]
    await _click(stack, "lina", card, 0)
    sp_no = (await chat.wait(lambda: _approvals(stack)))[0]["sp_no"]
    offer = await chat.wait(lambda: Offer.get_or_none(sp_no=sp_no, status="pending_approval"))
    # WeCom refuses the next 微信客服 reply: her 5-reply window is used up.
    fault = {"fail_next": {"path": "kf/send_msg", "errcode": 95001, "count": 1}}
    assert (await stack.console.post("/sandbox/faults", json=fault)).status_code == 200
    await _decide(stack, sp_no, 2)

    async def buttons_in_inbox() -> CandidateMessage | None:
        return await CandidateMessage.get_or_none(subject=f"offer:{offer.id}", route="miniapp")

    await chat.wait(buttons_in_inbox)
    assert not await kf_has("录用邀请")  # the letter and its buttons are in the mini-app
    assert (await CandidateContact.get(candidate_id=cid)).kf_window_sent == 5

    # She types her answer in 微信客服; WeCom delivers the callback twice.
    repeats = {"callback_repeats": 2}
    assert (await stack.console.post("/sandbox/faults", json=repeats)).status_code == 200
    await says("接受offer")
    await chat.until(stack, "lina", lambda t: any(
        "张三接受了「销售代表」的 offer" in x for x in chat.texts(t)))  # fmt: skip
    await chat.wait(lambda: kf_has("欢迎加入"))
    stored = await Offer.get(id=offer.id)
    assert stored.candidate_answer == "accept" and stored.answered_at is not None

    # A later sync re-reads the page (cursor lost): her answer is not taken again; her new
    # question reaches the HR who made the offer.
    assert (await stack.console.post("/sandbox/faults", json={"clear": True})).status_code == 200
    await KfCursor.all().delete()
    await says("入职体检在哪里做？")
    timeline = await chat.until(stack, "lina", lambda t: any(
        "【候选人留言】张三" in x and "入职体检在哪里做？" in x for x in chat.texts(t)))  # fmt: skip
    await chat.wait(lambda: kf_has("已转给负责您的 HR（李娜）"))
    assert sum("接受了「销售代表」的 offer" in x for x in chat.texts(timeline)) == 1
    to_hr = [str(r.payload.get("content")) for r in await _rows("wecom.message")]
    assert sum("offer 什么时候发" in t for t in to_hr) == 1  # re-read, not forwarded again
    out = await kf_texts()
    assert sum("欢迎加入" in t for t in out) == 1
    assert not any("已取消或结束" in t or "没有待回复" in t for t in out), out


def _pusher(stack: Stack, http: httpx.AsyncClient) -> CallbackPusher:
    w = stack.settings.wecom
    return CallbackPusher(stack.settings.sandbox.callback_url, w.token, w.encoding_aes_key,
                          w.corp_id, w.agent_id, http, retries=0)  # fmt: skip


def _callback(sp_no: str, status: int, event: int, approval: dict[str, Any]) -> dict[str, Any]:
    return {
        "SpNo": sp_no, "SpName": "录用审批", "SpStatus": status,
        "TemplateId": approval["template_id"], "ApplyTime": approval["apply_time"],
        "Applyer": {"UserId": "lina", "Party": "2"},
        "SpRecord": {"SpStatus": status, "ApproverAttr": 1,
                     "Details": {"Approver": {"UserId": "zhangwei"}, "Speech": "",
                                 "SpStatus": status, "SpTime": approval["apply_time"] + 60}},
        "StatuChangeEvent": event,
    }  # fmt: skip


async def _events(offer_id: int, count: int) -> bool:
    return await OfferEvent.filter(offer_id=offer_id, source="wecom").count() >= count


async def _sent(outbox_id: int) -> bool:
    return (await OutboxMessage.get(id=outbox_id)).status == "done"
