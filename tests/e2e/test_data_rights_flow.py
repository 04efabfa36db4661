"""The candidate's rights through the mini-app HTTP API, with the service and the WeCom
sandbox on real sockets (SQLite, and PostgreSQL + Redis): the export holds every personal
field the candidate has and nothing of another candidate; a correction is applied when the
HR manager taps 确认更正 on the card the sandbox shows; a deletion is carried out by the
scheduler after its due date and the candidate is told — in 微信客服 in the sandbox when she
is bound to it, else in the mini-app inbox —; a legal hold is explained to her; HR records a
request made by phone; the talent pool is answered from the inbox."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from recruiting import clock
from recruiting.domain.roles import Role
from recruiting.infra.media_store import LocalMediaStore
from recruiting.models import (
    Answer,
    AnswerStatus,
    AppSession,
    Candidate,
    CandidateContact,
    CandidateMessage,
    DataRequest,
    InboxEvent,
    Interview,
    InterviewNote,
    RaterKind,
    ResumeFile,
    Score,
    Staff,
)
from recruiting.services.personal_data.holds import LegalHolds
from recruiting.services.shared.audit import Actor
from tests.e2e import chat
from tests.security.api_stack import (
    Candidacy,
    Population,
    _wechat_token,
    assert_error_shape,
    population,
)
from wecom_bot.sandbox.kf import DEFAULT_ACCOUNTS

B = "/miniapp/v1"


@pytest.fixture(params=["sqlite", "postgres+redis"])
async def people(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Population]:
    async with population(request.param, tmp_path) as built:
        yield built


class Sandbox:
    """The sandbox's record of members' chats, as ``tests.e2e.chat`` reads it."""

    def __init__(self, console: httpx.AsyncClient) -> None:
        self.console = console

    async def chat(self, userid: str) -> list[dict[str, Any]]:
        response = await self.console.get("/sandbox/messages", params={"userid": userid})
        return list(response.json()["messages"])


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def plant(people: Population, who: Candidacy, phone: str, quote: str) -> str:
    """What the flows would have stored: a phone, a submitted recording with its AI
    assessment and evidence, an interviewer's note. Returns the media key."""
    services = people.app.ctx.services
    candidate = await Candidate.get(id=who.candidate_id)
    candidate.phone_enc = services.shared.cipher.encrypt(phone, "candidate.phone")
    await candidate.save()
    media = LocalMediaStore(people.settings.miniapp.media_dir, services.shared.cipher)
    key = f"answers/{who.interview_id}/0/planted-{who.candidate_id}"
    writer = await media.appender(key, 0)
    await writer.write(f"video of {who.candidate_id}".encode())
    await writer.close()
    score = {"overall": 75, "competencies": {"沟通能力": {"score": 4, "evidence": [
        {"quote": quote, "why": "具体行动"}]}}}  # fmt: skip
    await Answer.filter(interview_id=who.interview_id, question_index=0).update(
        status=AnswerStatus.SUBMITTED, media_key=key, media_bytes=len(f"video of {who.candidate_id}"),
        media_type="video/mp4", submitted_at=clock.now(),
        analysis={"transcript": {"text": quote}, "score": score},
    )  # fmt: skip
    resume_key = f"resumes/planted-{who.candidate_id}"
    writer = await media.appender(resume_key, 0)
    await writer.write(f"resume of {who.candidate_id}".encode())
    await writer.close()
    application = (await Interview.get(id=who.interview_id)).application_id
    await ResumeFile.create(candidate_id=who.candidate_id, application_id=application,
                            object_key=resume_key, filename="简历 (终版).pdf",
                            content_type="application/pdf", sha256="0" * 64, uploaded_by="lina",
                            size=len(f"resume of {who.candidate_id}"))  # fmt: skip
    lead = await Staff.get(wecom_userid="wangqiang")
    await Score.create(interview_id=who.interview_id, competency="沟通能力",
                       rater_kind=RaterKind.AI, rater_key="ai:rules", value=4,
                       evidence=[{"quote": quote}])  # fmt: skip
    await InterviewNote.create(interview_id=who.interview_id, author=lead, body=f"笔记：{quote}",
                               taken_at=clock.now())  # fmt: skip
    return key


async def card_for(people: Population, userid: str, request_id: int) -> dict[str, Any]:
    timeline = await chat.until(
        Sandbox(people.console), userid, lambda t: bool(chat.cards(t, f"datareq-{request_id}-"))
    )
    return chat.cards(timeline, f"datareq-{request_id}-")[0]["content"]


async def inbox(people: Population, who: Candidacy) -> list[str]:
    """Her mini-app inbox as stored (her session may have expired with the moved clock)."""
    rows = await CandidateMessage.filter(candidate_id=who.candidate_id).order_by("id")
    return [str(m.payload.get("content")) for m in rows]


async def tick(people: Population) -> None:
    await people.app.ctx.services.scheduler.run_once()


async def test_export_correction_and_deletion_through_the_api(people: Population) -> None:
    api, a, b = people.api, people.a, people.b
    assert a is not None and b is not None
    await plant(people, a, "13800138000", "我带着店员重新设计了陈列")
    await plant(people, b, "13700137000", "乙的回答原话")

    # -- see: the export has every personal field of a, nothing of b ----------------------
    export = await api.get(f"{B}/me/data/export", headers=auth(a.token))
    assert export.status_code == 200 and export.headers["cache-control"] == "no-store"
    data = export.json()
    person = data["candidate"]
    assert (person["name"], person["phone"]) == ("候选人甲", "13800138000")
    assert person["wechat_openid"] == f"o-sec-{a.candidate_id}"
    answer = data["interviews"][0]["answers"][0]
    assert answer["assessment"]["competencies"]["沟通能力"]["evidence"][0]["quote"] == (
        "我带着店员重新设计了陈列")  # fmt: skip
    assert {c["purpose"] for c in data["consents"]} >= {"data_processing", "recording"}
    assert data["notes"][0]["text"] == "笔记：我带着店员重新设计了陈列"
    text = export.text
    assert "候选人乙" not in text and "13700137000" not in text and "乙的回答原话" not in text
    assert f"o-sec-{b.candidate_id}" not in text
    video = await api.get(answer["recording"]["download"], headers=auth(a.token))
    assert video.status_code == 200 and video.content == f"video of {a.candidate_id}".encode()
    assert video.headers["content-disposition"].startswith("attachment")
    stranger = await api.get(answer["recording"]["download"], headers=auth(b.token))
    assert stranger.status_code == 403
    [resume] = data["resumes"]
    pdf = await api.get(resume["download"], headers=auth(a.token))
    assert pdf.status_code == 200 and pdf.content == f"resume of {a.candidate_id}".encode()
    assert "filename*=UTF-8''" in pdf.headers["content-disposition"]
    assert (await api.get(resume["download"], headers=auth(b.token))).status_code == 404
    readable = (await api.get(f"{B}/me/data", headers=auth(a.token))).json()
    assert readable["contact"]["phone"] == "138****8000" and "13800138000" not in str(readable)
    assert readable["ai_assessments"][0]["assessment"]["competencies"][0]["evidence"]
    visitor = await api.get(f"{B}/me/data", headers=auth(people.tokens["visitor"]))
    assert visitor.status_code == 400 and "登录" in assert_error_shape(visitor)["message"]

    # -- correct: validated, carded to the HR manager, applied when he confirms ------------
    bad = await api.post(f"{B}/me/requests/correction", headers=auth(a.token),
                         json={"field": "phone", "value": "12345"})  # fmt: skip
    assert bad.status_code == 400 and "手机号" in assert_error_shape(bad)["message"]
    huge = await api.post(f"{B}/me/requests/correction", headers=auth(a.token),
                          json={"field": "email", "value": "x" * 5000})  # fmt: skip
    assert huge.status_code == 400
    long = await api.post(f"{B}/me/requests/correction", headers=auth(a.token),
                          json={"field": "email", "value": "x" * 400})  # fmt: skip
    # the field is named for the candidate, not by its API name
    said = assert_error_shape(long)["message"]
    assert long.status_code == 400 and "新的联系方式" in said and "value" not in said
    asked = await api.post(f"{B}/me/requests/correction", headers=auth(a.token),
                           json={"field": "phone", "value": "139-0013-9000"})  # fmt: skip
    assert asked.status_code == 201, asked.text
    request_id = asked.json()["request"]["id"]
    card = await card_for(people, "zhangwei", request_id)
    assert "139****9000" in str(card) and "13900139000" not in str(card)
    await chat.click(
        Sandbox(people.console), "zhangwei", card["task_id"], f"datareq.confirm:{request_id}"
    )
    await chat.wait(lambda: DataRequest.filter(id=request_id, status="completed").exists())
    again = (await api.get(f"{B}/me/data/export", headers=auth(a.token))).json()
    assert again["candidate"]["phone"] == "13900139000"
    assert any("已按申请更正为 139****9000" in m for m in await chat.wait(
        lambda: _has(people, a, "已按申请更正")))  # fmt: skip

    # -- delete: carded, carried out by the job after the due date, a told ----------------
    unconfirmed = await api.post(f"{B}/me/requests/deletion", headers=auth(a.token),
                                 json={"confirm": False})  # fmt: skip
    assert unconfirmed.status_code == 400
    deletion = await api.post(f"{B}/me/requests/deletion", headers=auth(a.token),
                              json={"confirm": True})  # fmt: skip
    assert deletion.status_code == 201
    deletion_id = deletion.json()["request"]["id"]
    twice = await api.post(
        f"{B}/me/requests/deletion", headers=auth(a.token), json={"confirm": True}
    )
    assert twice.status_code == 200 and twice.json()["request"]["id"] == deletion_id
    card = await card_for(people, "zhangwei", deletion_id)
    assert [btn["text"] for btn in card["button_list"]] == ["立即删除", "到期自动删除"]
    mine = (await api.get(f"{B}/me/requests", headers=auth(a.token))).json()
    assert {r["kind"] for r in mine} == {"access", "correction", "deletion"}
    await tick(people)
    assert (await Candidate.get(id=a.candidate_id)).name == "候选人甲"  # not due yet
    clock.advance(timedelta(days=15))
    await tick(people)
    told = await chat.wait(lambda: _has(people, a, "删除个人信息已完成"))
    assert told and not (await Answer.get(interview_id=a.interview_id, question_index=0)).media_key
    await chat.wait(lambda: _delivered_notice(deletion_id))
    await tick(people)
    assert (await DataRequest.get(id=deletion_id)).status == "completed"
    gone = await Candidate.get(id=a.candidate_id)
    assert gone.erased_at is not None and gone.name == "" and gone.phone_enc is None
    assert not await AppSession.filter(candidate_id=a.candidate_id).exists()
    assert not await CandidateMessage.filter(candidate_id=a.candidate_id).exists()
    # b untouched (logging in again: the moved clock expired her session)
    fresh = await _wechat_token(api, people.console, f"o-sec-{b.candidate_id}")
    theirs = (await api.get(f"{B}/me/data/export", headers=auth(fresh))).json()
    assert theirs["candidate"]["phone"] == "13700137000"
    assert theirs["interviews"][0]["answers"][0]["recording"]["held"]


async def _has(people: Population, who: Candidacy, needle: str) -> list[str] | None:
    found = await inbox(people, who)
    return found if any(needle in m for m in found) else None


async def _delivered_notice(request_id: int) -> bool:
    from recruiting.models import OutboxMessage

    rows = await OutboxMessage.filter(idempotency_key__startswith=f"datareq:{request_id}:done:")
    return bool(rows) and all(r.status == "done" for r in rows)


async def test_legal_hold_staff_requests_and_the_talent_pool(people: Population) -> None:
    api, a, b = people.api, people.a, people.b
    assert a is not None and b is not None
    hr, interviewer = people.tokens["hr"], people.tokens["interviewer"]
    holder = Actor("zhangwei", frozenset({Role.HR_MANAGER}))
    # HR records a request made by phone; an interviewer may not
    body = {"candidate_id": b.candidate_id, "kind": "access", "via": "phone", "note": "来电"}
    refused = await api.post(f"{B}/staff/data-requests", headers=auth(interviewer), json=body)
    assert refused.status_code == 403
    wrong = await api.post(f"{B}/staff/data-requests", headers=auth(hr),
                           json={**body, "via": "pigeon"})  # fmt: skip
    assert wrong.status_code == 400 and "电话" in assert_error_shape(wrong)["message"]
    missing = await api.post(f"{B}/staff/data-requests", headers=auth(hr),
                             json={**body, "candidate_id": 2_000_000_000})  # fmt: skip
    assert missing.status_code == 404
    recorded = await api.post(f"{B}/staff/data-requests", headers=auth(hr), json=body)
    assert recorded.status_code == 201, recorded.text
    rid = recorded.json()["request"]["id"]
    assert recorded.json()["request"]["via"] == "phone"
    listed = (await api.get(f"{B}/staff/data-requests?status=received", headers=auth(hr))).json()
    assert [r["id"] for r in listed] == [rid] and listed[0]["candidate"] == "候选人乙"
    assert (await api.get(f"{B}/staff/data-requests", headers=auth(interviewer))).status_code == 403
    answered = await api.post(f"{B}/staff/data-requests/{rid}/act", headers=auth(hr),
                              json={"action": "answered"})  # fmt: skip
    assert answered.status_code == 200 and answered.json()["status"] == "completed"
    assert await chat.wait(lambda: _has(people, b, "查阅个人信息的申请已处理完毕"))

    # the talent pool: offered when HR records the rejection, answered from the inbox
    ehr = people.app.ctx.services.offers.ehr_sync
    application = (await Interview.get(id=a.interview_id)).application_id
    await ehr.record_decision(application, "rejected", holder)
    offered = await chat.wait(lambda: _pool_message(people, a))
    answer = await api.post(f"{B}/messages/{offered['id']}/answer", headers=auth(a.token),
                            json={"key": "grant"})  # fmt: skip
    assert answer.status_code == 200 and answer.json()["result"] == "pool_grant"
    state = (await api.get(f"{B}/me/talent-pool", headers=auth(a.token))).json()
    assert state["granted"] and state["decided"]
    left = await api.post(f"{B}/me/talent-pool", headers=auth(a.token),
                          json={"granted": False, "version": state["version"]})  # fmt: skip
    assert left.status_code == 200 and not left.json()["granted"]
    stale = await api.post(f"{B}/me/talent-pool", headers=auth(a.token),
                           json={"granted": True, "version": "1999-01-01"})  # fmt: skip
    assert stale.status_code == 400
    # the interview's consent texts do not ask it (it is asked at the decision)
    texts = (await api.get(f"{B}/consents/texts")).json()
    assert "talent_pool" not in {t["purpose"] for t in texts}

    # b asks for deletion; a legal hold covers her: the manager's 立即删除 explains it to her
    await LegalHolds().place(holder, candidate_id=b.candidate_id, reason="劳动仲裁 2026-77")
    asked = await api.post(
        f"{B}/me/requests/deletion", headers=auth(b.token), json={"confirm": True}
    )
    did = asked.json()["request"]["id"]
    card = await card_for(people, "zhangwei", did)
    hr_erase = await api.post(f"{B}/staff/data-requests/{did}/act", headers=auth(hr),
                              json={"action": "erase"})  # fmt: skip
    assert hr_erase.status_code == 403  # lina is HR, not an HR manager
    await chat.click(Sandbox(people.console), "zhangwei", card["task_id"], f"datareq.erase:{did}")
    why = await chat.wait(lambda: _has(people, b, "暂时不能删除"))
    assert any("法律程序" in m and "仲裁" not in m for m in why)
    clock.advance(timedelta(days=15))
    await tick(people)
    assert (await DataRequest.get(id=did)).status == "on_hold"
    assert (await Candidate.get(id=b.candidate_id)).name == "候选人乙"
    assert len([m for m in await inbox(people, b) if "暂时不能删除" in m]) == 1


async def _pool_message(people: Population, who: Candidacy) -> dict[str, Any] | None:
    response = await people.api.get(f"{B}/messages", headers=auth(who.token))
    for m in response.json():
        if m["subject"] == f"pool:{who.candidate_id}":
            return dict(m)
    return None


async def test_deletion_end_to_end_through_the_sandbox(people: Population) -> None:
    """She is bound to 微信客服 in the sandbox: her request's receipt and the notice that it
    is done reach her there, the HR manager's card and click go through WeCom's callback,
    and afterwards nothing of hers is left in the database or the media store."""
    api, a = people.api, people.a
    assert a is not None
    key = await plant(people, a, "13800138000", "甲的原话")
    first = await people.console.post("/sandbox/kf", json={"name": "候选人甲", "text": "在吗"})
    assert first.status_code == 200, first.text
    await chat.wait(lambda: InboxEvent.filter(kind="kf", status="done").exists())
    customers = (await people.console.get("/sandbox/members")).json()["customers"]
    kf_user = next(c["external_userid"] for c in customers if c["name"] == "候选人甲")
    await CandidateContact.create(candidate_id=a.candidate_id, kf_external_userid=kf_user,
                                  kf_open_kfid=next(iter(DEFAULT_ACCOUNTS)))  # fmt: skip
    said = await people.console.post("/sandbox/kf", json={"external_userid": kf_user,
                                                          "text": "我想删除我的信息"})  # fmt: skip
    assert said.status_code == 200
    await chat.wait(lambda: _window_open(a.candidate_id))

    async def kf_has(needle: str) -> list[str] | None:
        found = await people.console.get("/sandbox/messages", params={"external_userid": kf_user})
        out = [str(m["text"]["content"]) for m in found.json()["kf"]
               if m["origin"] == 5 and m["msgtype"] == "text"]  # fmt: skip
        return out if any(needle in t for t in out) else None

    asked = await api.post(
        f"{B}/me/requests/deletion", headers=auth(a.token), json={"confirm": True}
    )
    did = asked.json()["request"]["id"]
    await chat.wait(lambda: kf_has("删除个人信息」申请"))
    card = await card_for(people, "zhangwei", did)
    await chat.click(Sandbox(people.console), "zhangwei", card["task_id"], f"datareq.erase:{did}")
    await chat.wait(lambda: kf_has("删除个人信息已完成"))
    await chat.until(Sandbox(people.console), "zhangwei", lambda t: any(
        c.get("card_state", {}).get("updates", 0) > 0 for c in chat.cards(t, f"datareq-{did}-")))  # fmt: skip
    await chat.wait(lambda: _delivered_notice(did))
    await tick(people)
    assert (await DataRequest.get(id=did)).status == "completed"
    media = LocalMediaStore(
        people.settings.miniapp.media_dir, people.app.ctx.services.shared.cipher
    )
    assert await media.size(key) == 0
    assert not await CandidateContact.exists(candidate_id=a.candidate_id)
    candidate = await Candidate.get(id=a.candidate_id)
    assert candidate.erased_at is not None and candidate.wechat_openid is None
    assert not await AppSession.filter(candidate_id=a.candidate_id).exists()
    export = await api.get(f"{B}/me/data/export", headers=auth(a.token))
    assert export.status_code == 401  # her session went with her profile


async def _window_open(candidate_id: int) -> bool:
    contact = await CandidateContact.get_or_none(candidate_id=candidate_id)
    return bool(contact and contact.kf_window_start)
