"""Interview invitations over HTTP through the WeCom sandbox: a booking invites the
candidate; the invitation reaches them through the mini-app inbox (with a contact-way QR),
through 微信客服 once they wrote there (msgmenu choices, falling back when WeCom says the
window is closed), or through the recruiter's external contact once they added the
recruiter (a group send awaiting the recruiter's confirmation). 确认 / 改期 / 拒绝 change the
interview and HR's card; 安排面试 in chat books from a card and invites.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from recruiting.domain.reminders import Audience
from recruiting.domain.routing import answer_key, route_key
from recruiting.models import (
    Candidate,
    CandidateContact,
    CandidateMessage,
    ContactWay,
    Interview,
    InterviewInvitation,
    InterviewRound,
    InvitationStatus,
    Staff,
)
from recruiting.services.invitations.messages import REFRESH
from recruiting.services.scheduling.reminders import reminder_text
from tests.e2e import chat, miniapp
from tests.e2e.miniapp import Stack, monday

SH = ZoneInfo("Asia/Shanghai")
stack = miniapp.stack  # service + sandbox with a sales job (SQLite, PG + Redis)
OPENID = "o-zhaomin"


async def _live_round(stack: Stack) -> InterviewRound:
    job_id = (await InterviewRound.get(id=stack.round_id)).job_id  # type: ignore[attr-defined]
    return await InterviewRound.create(
        job_id=job_id, name="业务面", sequence=2, duration_minutes=60, panel_size=1,
        preparation="近一年的销售业绩材料",
    )  # fmt: skip


async def _book(stack: Stack, hr: str, round_: InterviewRound) -> int:
    wang = await Staff.get(wecom_userid="wangqiang")
    day = monday()
    body = {"round_id": round_.id, "interviewers": [wang.id],
            "windows": [{"start": day.isoformat(), "end": (day + timedelta(days=1)).isoformat()}]}  # fmt: skip
    options = (await stack.call("POST", "/staff/proposals", hr, json=body)).json()
    booking = {"application_id": stack.application_id, "round_id": round_.id,
               "start": options[0]["start"], "interviewers": options[0]["interviewers"],
               "location": "深圳南山科技园 A 座 12 楼"}  # fmt: skip
    booked = await stack.call("POST", "/staff/bookings", hr, json=booking)
    assert booked.status_code == 200, booked.text
    return int(booked.json()["interview_id"])


async def _candidate_session(stack: Stack) -> str:
    await Candidate.filter(name="赵敏").update(wechat_openid=OPENID)
    return await stack.candidate_token(OPENID)


async def _inbox(stack: Stack, token: str, subject_prefix: str, n: int = 1) -> list[dict[str, Any]]:
    async def probe() -> list[dict[str, Any]] | None:
        response = await stack.call("GET", "/messages", token)
        assert response.status_code == 200, response.text
        found = [m for m in response.json() if m["subject"].startswith(subject_prefix)]
        return found if len(found) >= n else None

    found: list[dict[str, Any]] = await chat.wait(probe)
    return found


async def _card(stack: Stack, userid: str, task_id: str, updates: int = 0) -> dict[str, Any]:
    """HR's copy of a card, once it was redrawn at least ``updates`` times."""

    async def probe() -> dict[str, Any] | None:
        chat = (await stack.console.get("/sandbox/messages", params={"userid": userid})).json()
        for m in chat["messages"]:
            state = m.get("card_state")
            if state and state["task_id"] == task_id and state["updates"] >= updates:
                return dict(state)
        return None

    found: dict[str, Any] = await chat.wait(probe)
    return found


def _status_of(card_state: dict[str, Any]) -> str:
    rows = card_state["card"]["horizontal_content_list"]
    return str(next(r["value"] for r in rows if r["keyname"] == "状态"))


async def _status(interview_id: int, status: str) -> bool | None:
    return True if (await Interview.get(id=interview_id)).status == status else None


async def test_inbox_invitation_confirmed_in_the_mini_app(stack: Stack) -> None:
    hr = await stack.staff_token("lina")
    interview_id = await _book(stack, hr, await _live_round(stack))
    token = await _candidate_session(stack)
    [message] = await _inbox(stack, token, "invite:")
    assert message["route"] == "miniapp"
    for fact in ("销售代表", "业务面", "北京时间", "60 分钟", "深圳南山科技园", "王强",
                 "近一年的销售业绩材料", "「设备检测」页", "https://wework.qpic.cn"):  # fmt: skip
        assert fact in message["content"], fact
    assert "pages/" not in message["content"]  # the page's path is for the mini-app, not her
    assert [c["key"] for c in message["choices"]] == ["confirm", "reschedule", "decline"]
    invitation = await InterviewInvitation.get(interview_id=interview_id)
    assert (await _status(interview_id, "invited")) is True
    assert _status_of(await _card(stack, "lina", invitation.task_id)) == "待候选人回复"

    path = f"/messages/{message['id']}/answer"
    first = await stack.call("POST", path, token, json={"key": "confirm"})
    assert first.status_code == 200 and first.json()["result"] == "confirmed", first.text
    again = await stack.call("POST", path, token, json={"key": "confirm"})
    assert again.status_code == 200 and again.json()["result"] == "duplicate", again.text
    wrong = await stack.call("POST", path, token, json={"key": "maybe"})
    assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_choice"
    assert (await _status(interview_id, "confirmed")) is True
    card = await _card(stack, "lina", invitation.task_id, updates=1)
    assert _status_of(card) == "候选人已确认参加"
    replies = await _inbox(stack, token, "", 2)
    assert any("已确认" in m["content"] for m in replies)


async def test_kf_route_reschedule_then_window_closed_falls_back(stack: Stack) -> None:
    hr = await stack.staff_token("lina")
    interview_id = await _book(stack, hr, await _live_round(stack))
    invitation = await chat.wait(lambda: InterviewInvitation.get_or_none(interview_id=interview_id))
    # The candidate writes to 微信客服 with the invitation's code: kf is bound, window open.
    said = await stack.console.post("/sandbox/kf", json={"name": "赵敏",
                                                          "text": f"你好 {invitation.reference}"})  # fmt: skip
    assert said.status_code == 200 and said.json()["status"] == 200, said.text
    contact = await chat.wait(lambda: CandidateContact.get_or_none(kf_external_userid__not=""))
    kf_user = contact.kf_external_userid

    async def kf_out(n: int) -> list[dict[str, Any]] | None:
        chat = (await stack.console.get("/sandbox/messages",
                                        params={"external_userid": kf_user})).json()  # fmt: skip
        out = [m for m in chat["kf"] if m["origin"] == 5]
        return out if len(out) >= n else None

    await chat.wait(lambda: kf_out(1))
    # 改期 from the msgmenu: three new slots come back as a msgmenu.
    menu_id = answer_key(f"invite:{invitation.id}", "reschedule")
    await stack.console.post("/sandbox/kf", json={
        "external_userid": kf_user, "text": "改期", "menu_id": menu_id})  # fmt: skip
    assert await chat.wait(lambda: _status(interview_id, "reschedule_requested"))
    out = await chat.wait(lambda: kf_out(2))
    menu = out[-1]
    assert menu["msgtype"] == "msgmenu"
    items = menu["msgmenu"]["list"]
    assert len([i for i in items if "slot:" in i["click"]["id"]]) == 3
    first_slot = items[0]["click"]
    old_start = (await Interview.get(id=interview_id)).starts_at
    await stack.console.post("/sandbox/kf", json={
        "external_userid": kf_user, "text": first_slot["content"], "menu_id": first_slot["id"]})  # fmt: skip

    async def superseded() -> InterviewInvitation | None:
        old = await InterviewInvitation.get(id=invitation.id)
        return old if old.status == InvitationStatus.SUPERSEDED else None

    old = await chat.wait(superseded)
    new = await InterviewInvitation.get(id=old.superseded_by)
    moved = await Interview.get(id=interview_id)
    assert moved.status == "invited" and moved.starts_at != old_start
    assert new.starts_at == moved.starts_at and new.status == InvitationStatus.SENT
    # The card's one send code went on 申请改期; the move itself reaches HR as text until a
    # click on 刷新状态 gives a fresh code.
    card = await _card(stack, "lina", invitation.task_id, updates=1)
    assert _status_of(card) == "候选人申请改期，已发去新的可选时间"
    assert await stack.hr_told("lina", "已改期至") == 1
    refresh = {
        "userid": "lina",
        "task_id": invitation.task_id,
        "key": route_key(REFRESH, invitation.id),
    }
    assert (await stack.console.post("/sandbox/click", json=refresh)).status_code == 200
    card = await _card(stack, "lina", invitation.task_id, updates=2)
    assert "已改期" in card["card"]["sub_title_text"]
    await _card(stack, "lina", new.task_id)
    out = await chat.wait(lambda: kf_out(3))
    assert new.reference in out[-1]["msgmenu"]["head_content"]

    # WeCom now says the window is closed: the reply falls back to the mini-app inbox.
    fault = {"fail_next": {"path": "kf/send_msg", "errcode": 95001, "count": 1}}
    assert (await stack.console.post("/sandbox/faults", json=fault)).status_code == 200
    await stack.console.post(
        "/sandbox/kf", json={"external_userid": kf_user, "text": "好的，确认参加"}
    )
    assert await chat.wait(lambda: _status(interview_id, "confirmed"))

    async def fallback() -> CandidateMessage | None:
        rows = await CandidateMessage.filter(route="miniapp").order_by("-id")
        return next((m for m in rows if "已确认" in m.payload["content"]), None)

    await chat.wait(fallback)
    assert (await CandidateContact.get(id=contact.id)).kf_window_sent == 5
    assert _status_of(await _card(stack, "lina", new.task_id, updates=1)) == "候选人已确认参加"
    # The old invitation, answered in the mini-app, says it was replaced.
    token = await _candidate_session(stack)
    [old_message] = [m for m in await _inbox(stack, token, f"invite:{invitation.id}")]
    late = await stack.call("POST", f"/messages/{old_message['id']}/answer", token,
                            json={"key": "confirm"})  # fmt: skip
    assert late.json()["result"] == "superseded" and new.reference in late.json()["message"]


async def test_external_contact_route_and_decline(stack: Stack) -> None:
    hr = await stack.staff_token("lina")
    interview_id = await _book(stack, hr, await _live_round(stack))
    invitation = await chat.wait(lambda: InterviewInvitation.get_or_none(interview_id=interview_id))
    way = await chat.wait(lambda: ContactWay.get_or_none(state=invitation.reference))
    added = await stack.console.post("/sandbox/contact",
                                     json={"name": "赵敏", "config_id": way.config_id})  # fmt: skip
    assert added.status_code == 200 and added.json()["status"] == 200, added.text
    external = added.json()
    contact = await chat.wait(lambda: CandidateContact.get_or_none(external_userid__not=""))
    assert contact.recruiter_userid == "lina"

    async def template() -> dict[str, Any] | None:
        chat = (await stack.console.get("/sandbox/messages",
                                        params={"external_userid": contact.external_userid})).json()  # fmt: skip
        sends = chat["msg_templates"]
        return sends[0] if sends else None

    send = await chat.wait(template)
    assert send["sender"] == "lina" and send["status"] == "waiting_confirmation"
    assert invitation.reference in send["text"]["content"]
    assert external["reply"] is None
    assert await stack.hr_told("lina", "等待您确认") == 1
    sent = await CandidateMessage.filter(route="external").first()
    assert sent is not None and sent.delivery == "awaiting_confirmation"

    token = await _candidate_session(stack)
    message, first = await _inbox(stack, token, f"invite:{invitation.id}", 2)
    assert (message["route"], first["route"]) == ("external", "miniapp")
    declined = await stack.call("POST", f"/messages/{message['id']}/answer", token,
                                json={"key": "decline"})  # fmt: skip
    assert declined.json()["result"] == "declined", declined.text
    assert await chat.wait(lambda: _status(interview_id, "cancelled"))
    assert await stack.hr_told("lina", "拒绝了") == 1
    card = await _card(stack, "lina", invitation.task_id, updates=1)
    assert _status_of(card) == "候选人已拒绝，面试已取消"


async def test_hr_schedules_in_chat_and_the_invitation_goes_out(stack: Stack) -> None:
    await _live_round(stack)
    refused = await stack.console.post("/sandbox/say",
                                       json={"userid": "wangqiang", "text": "安排面试 赵敏 销售代表"})  # fmt: skip
    assert refused.status_code == 200
    assert await stack.hr_told("wangqiang", "只有 HR 可以安排面试") == 1
    await stack.console.post(
        "/sandbox/say", json={"userid": "lina", "text": "安排面试 赵敏 销售代表"}
    )

    async def booking_card() -> dict[str, Any] | None:
        chat = (await stack.console.get("/sandbox/messages", params={"userid": "lina"})).json()
        cards = [m for m in chat["messages"] if m.get("msgtype") == "template_card"
                 and m["content"]["task_id"].startswith("book-")]  # fmt: skip
        return cards[-1]["content"] if cards else None

    card = await chat.wait(booking_card)
    buttons = card["button_list"]
    assert len(buttons) == 3
    # Someone takes the first slot's interviewer at that time meanwhile.
    key = buttons[0]["key"]
    _, _, round_id, start, ids = key.split(":")
    taken_at = datetime.fromtimestamp(int(start), SH)
    other = await Candidate.create(name="周芷若")
    from recruiting.models import Application

    rival = await Application.create(candidate=other, job_id=(await InterviewRound.get(
        id=int(round_id))).job_id)  # type: ignore[attr-defined]  # fmt: skip
    hr = await stack.staff_token("zhangwei")
    booking = {"application_id": rival.id, "round_id": int(round_id), "start": taken_at.isoformat(),
               "interviewers": [int(i) for i in ids.split("-")]}  # fmt: skip
    assert (await stack.call("POST", "/staff/bookings", hr, json=booking)).status_code == 200
    clicked = await stack.console.post("/sandbox/click", json={"userid": "lina",
                                       "task_id": card["task_id"], "key": key})  # fmt: skip
    assert clicked.status_code == 200, clicked.text

    async def fresh_card() -> dict[str, Any] | None:
        found = await booking_card()
        return found if found and found["task_id"] != card["task_id"] else None

    fresh = await chat.wait(fresh_card)
    assert "刚被别人预约" in fresh["sub_title_text"]
    await stack.console.post("/sandbox/click", json={"userid": "lina", "task_id": fresh["task_id"],
                                                     "key": fresh["button_list"][0]["key"]})  # fmt: skip
    assert await stack.hr_told("lina", "已预约") == 1
    interview = await Interview.get(application_id=stack.application_id)
    assert interview.status == "invited"
    invitation = await InterviewInvitation.get(interview_id=interview.id)
    assert invitation.hr_userid == "lina"
    help_text = await stack.console.post("/sandbox/say", json={"userid": "lina", "text": "帮助"})
    assert help_text.status_code == 200
    assert await stack.hr_told("lina", "安排面试 候选人 岗位") == 1


async def _booking_card(stack: Stack, seen: int = 0) -> dict[str, Any]:
    """The newest booking card HR (lina) got, once more than ``seen`` came."""

    async def probe() -> dict[str, Any] | None:
        chat = (await stack.console.get("/sandbox/messages", params={"userid": "lina"})).json()
        cards = [m["content"] for m in chat["messages"] if m.get("msgtype") == "template_card"
                 and m["content"]["task_id"].startswith("book-")]  # fmt: skip
        return cards[-1] if len(cards) > seen else None

    found: dict[str, Any] = await chat.wait(probe)
    return found


async def _booked(stack: Stack) -> Interview | None:
    return await Interview.get_or_none(application_id=stack.application_id).prefetch_related(
        "round__job"
    )


async def test_the_place_given_in_chat_reaches_invitation_and_reminders(stack: Stack) -> None:
    """安排面试 … 地点 …: the card, the booking, the candidate's invitation and both 1-hour
    reminders carry the place; the panel of this sales role is the sales director."""
    await _live_round(stack)
    text = "安排面试 赵敏 销售代表 地点：北京总部 3 楼 301 会议室"
    await stack.console.post("/sandbox/say", json={"userid": "lina", "text": text})
    card = await _booking_card(stack)
    rows = {r["keyname"]: r["value"] for r in card["horizontal_content_list"]}
    assert rows == {"方式": "现场", "地点": "北京总部 3 楼 301 会议室"}
    assert all("陈静" in b["text"] and "王强" not in b["text"] for b in card["button_list"])
    await stack.console.post("/sandbox/click", json={"userid": "lina", "task_id": card["task_id"],
                                                     "key": card["button_list"][0]["key"]})  # fmt: skip
    assert await stack.hr_told("lina", "地点：北京总部 3 楼 301 会议室") == 1
    interview = await chat.wait(lambda: _booked(stack))
    assert interview.location == "北京总部 3 楼 301 会议室"
    token = await _candidate_session(stack)
    [message] = await _inbox(stack, token, "invite:")
    assert "现场面试，地点：北京总部 3 楼 301 会议室" in message["content"]
    assert "另行通知" not in message["content"]
    hour_before = interview.starts_at - timedelta(hours=1)  # type: ignore[operator]
    for audience in (Audience.CANDIDATE, Audience.INTERVIEWER):
        reminder = reminder_text(interview, audience, hour_before, SH)
        assert "地点：北京总部 3 楼 301 会议室" in reminder and "待通知" not in reminder


async def test_chat_booking_defaults_the_place_and_books_remote_with_a_link(stack: Stack) -> None:
    """Without a place the round's configured one is used; 线上 books a WeCom meeting whose
    link reaches the candidate's invitation."""
    round_ = await _live_round(stack)
    await InterviewRound.filter(id=round_.id).update(location="上海漕河泾 B 座 5 楼")
    await stack.console.post(
        "/sandbox/say", json={"userid": "lina", "text": "安排面试 赵敏 销售代表"}
    )
    card = await _booking_card(stack)
    assert {"keyname": "地点", "value": "上海漕河泾 B 座 5 楼"} in card["horizontal_content_list"]

    await stack.console.post(
        "/sandbox/say", json={"userid": "lina", "text": "安排面试 赵敏 销售代表 线上"}
    )
    remote = await _booking_card(stack, seen=1)
    assert {"keyname": "方式", "value": "线上（自动创建企业微信会议）"} in remote[
        "horizontal_content_list"
    ]
    await stack.console.post("/sandbox/click", json={"userid": "lina", "task_id": remote["task_id"],
                                                     "key": remote["button_list"][0]["key"]})  # fmt: skip
    assert await stack.hr_told("lina", "线上面试") == 1
    interview = await chat.wait(lambda: _booked(stack))
    assert interview.mode == "remote" and interview.location == ""
    token = await _candidate_session(stack)
    [message] = await _inbox(stack, token, "invite:")
    assert "线上面试，会议链接：https://meeting.tencent.com/" in message["content"]
