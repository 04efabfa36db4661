"""The candidate's data requests and the talent-pool consent as use cases, on SQLite and
PostgreSQL: each request logged, audited and carded to HR managers; a correction applied
only when HR confirms; a deletion carried out through the personal-data eraser by the job
in two parts (everything, then the channel once the notice went out), held by a legal hold
with the candidate told why once; the talent pool asked at a rejection and read by
retention. A fake eraser only where its failure is the point."""

from __future__ import annotations

import zoneinfo
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from tortoise import connections

from recruiting import clock
from recruiting.domain.inbound import CardClick
from recruiting.domain.roles import Role
from recruiting.domain.routing import route_key
from recruiting.errors import AccessDenied, Conflict, InvalidInput, NotFound
from recruiting.infra.contact_hashes import phone_hash
from recruiting.infra.media_store import LocalMediaStore
from recruiting.models import (
    Answer,
    AnswerStatus,
    Application,
    ApplicationStatus,
    AuditLog,
    Candidate,
    CandidateContact,
    Consent,
    DataRequest,
    DataRequestKind,
    DataRequestStatus,
    Interview,
    InterviewMode,
    InterviewNote,
    InterviewRound,
    JobOpening,
    OutboxMessage,
    ProcessingStatus,
    RaterKind,
    RoundKind,
    Score,
    Staff,
    SubjectKind,
)
from recruiting.services.messaging.effects import Effects
from recruiting.services.offers.ehr import EhrSync
from recruiting.services.personal_data import requests as req
from recruiting.services.personal_data import talent_pool as tp
from recruiting.services.personal_data.erasure import CandidateErasure, holds_on
from recruiting.services.personal_data.holds import LegalHolds
from recruiting.services.personal_data.requests import DataRequests
from recruiting.services.personal_data.rights import CandidateRights
from recruiting.services.shared.audit import Actor
from recruiting.services.shared.sessions import Principal
from tests.conftest import TEST_CIPHER

ZONE = zoneinfo.ZoneInfo("Asia/Shanghai")
MANAGER = Actor("zhangwei", frozenset({Role.HR_MANAGER}))
QUESTIONS = [{"text": "讲一次你说服客户的经历。", "competencies": ["沟通能力"]}]


async def held(candidate_id: int) -> bool:
    return bool(await holds_on(candidate_id))


def service(media: LocalMediaStore, erasure: Any = None) -> DataRequests:
    return DataRequests(Effects(None), TEST_CIPHER, erasure or CandidateErasure(media, Effects(None)),
                        held, due_days=15, zone=ZONE)  # fmt: skip


def me(candidate_id: int) -> Principal:
    return Principal(1, SubjectKind.CANDIDATE, openid="o", candidate_id=candidate_id)


def staff(userid: str, *roles: Role) -> Principal:
    return Principal(2, SubjectKind.STAFF, staff_id=1, userid=userid, roles=frozenset(roles))


async def plant(media: LocalMediaStore, name: str = "赵敏", openid: str = "o-zm") -> int:
    """A candidate with a phone, a recording with its AI assessment and evidence, a note,
    and the HR staff who are told of requests."""
    for userid, person, roles in (("zhangwei", "张伟", ["hr_manager"]), ("lina", "李娜", ["hr"]),
                                  ("wangqiang", "王强", ["interviewer"])):  # fmt: skip
        await Staff.get_or_create(wecom_userid=userid, defaults={"name": person, "roles": roles})
    lead = await Staff.get(wecom_userid="wangqiang")
    job, _ = await JobOpening.get_or_create(code="S1", defaults={"title": "销售代表"})
    round_, _ = await InterviewRound.get_or_create(
        job=job, name="录制面试", defaults={"kind": RoundKind.RECORDED, "questions": QUESTIONS}
    )
    candidate = await Candidate.create(name=name, wechat_openid=openid)
    candidate.phone_enc = TEST_CIPHER.encrypt("13800138000", "candidate.phone")
    await candidate.save()
    app = await Application.create(candidate=candidate, job=job, status="interviewing")
    interview = await Interview.create(application=app, round=round_, mode=InterviewMode.RECORDED)
    key = f"answers/{interview.id}/0/up-{candidate.id}"
    writer = await media.appender(key, 0)
    await writer.write(b"recording of " + name.encode())
    await writer.close()
    score = {"overall": 80, "competencies": {"沟通能力": {"score": 4, "evidence": [
        {"quote": f"{name}说服了客户", "why": "行动"}]}}}  # fmt: skip
    await Answer.create(interview=interview, question_index=0, revealed_at=clock.now(),
                        status=AnswerStatus.SUBMITTED, media_key=key, media_bytes=20,
                        media_type="video/mp4",
                        analysis={"transcript": {"text": f"{name}说服了客户"}, "score": score})  # fmt: skip
    await Score.create(interview=interview, competency="沟通能力", rater_kind=RaterKind.AI,
                       rater_key="ai:rules", value=4, evidence=[{"quote": f"{name}说服了客户"}])  # fmt: skip
    await InterviewNote.create(interview=interview, author=lead, body=f"{name}准备充分",
                               taken_at=clock.now())  # fmt: skip
    return candidate.id


@pytest.fixture
def media(tmp_path: Path) -> LocalMediaStore:
    return LocalMediaStore(tmp_path / "media", TEST_CIPHER)


def click(userid: str, key: str) -> CardClick:
    return CardClick("card_click", userid, "corp", "1000002", 0, "event", "template_card_event",
                     f"click:{key}:{userid}", event_key=key, task_id="t",
                     response_code="rc")  # fmt: skip


async def outbox(recipient: str) -> list[dict[str, Any]]:
    return [r.payload for r in await OutboxMessage.filter(recipient=recipient).order_by("id")]


async def test_correction_is_applied_when_hr_confirms(
    database: str, media: LocalMediaStore
) -> None:
    cid = await plant(media)
    requests = service(media)
    rights = CandidateRights(requests, tp.TalentPool(Effects(None)), TEST_CIPHER, media)
    with pytest.raises(InvalidInput):
        await rights.ask_correction(me(cid), "phone", "1380013800")
    opened = await rights.ask_correction(me(cid), "phone", "139 0013 9000")
    assert opened.created and opened.request.status == DataRequestStatus.RECEIVED
    assert opened.request.due_at - opened.request.created_at == timedelta(days=15)
    again = await rights.ask_correction(me(cid), "phone", "13900139000")
    assert not again.created and again.request.id == opened.request.id
    with pytest.raises(Conflict):
        await rights.ask_correction(me(cid), "phone", "13700137000")
    # HR managers get a card with the masked new number; the candidate a receipt
    card = next(p["card"] for p in await outbox("zhangwei") if p.get("kind") == "template_card")
    keys = [b["key"] for b in card["button_list"]]
    assert keys == [
        route_key(req.CONFIRM, opened.request.id),
        route_key(req.REFUSE, opened.request.id),
    ]
    assert "139****9000" in str(card) and "13900139000" not in str(card)
    assert not await outbox("lina")  # HR managers only, while there is one
    receipt = (await outbox(f"candidate:{cid}"))[0]["content"]
    assert "更正联系方式" in receipt and "前处理完毕" in receipt
    assert (await Candidate.get(id=cid)).phone_enc is not None
    phone = TEST_CIPHER.decrypt((await Candidate.get(id=cid)).phone_enc or "", "candidate.phone")
    assert phone == "13800138000"  # not applied before HR confirms
    # an interviewer cannot act; HR (not a manager) may confirm, by the card's button
    drafts = await requests.on_card_click(
        click("wangqiang", route_key(req.CONFIRM, opened.request.id))
    )
    assert "只有 HR" in drafts[0].payload["content"]
    drafts = await requests.on_card_click(click("lina", route_key(req.CONFIRM, opened.request.id)))
    assert drafts[0].payload["kind"] == "template_card_update"
    assert drafts[0].payload["card"]["replace_text"] == "已完成"
    fresh = await Candidate.get(id=cid)
    assert TEST_CIPHER.decrypt(fresh.phone_enc or "", "candidate.phone") == "13900139000"
    assert fresh.phone_hash == phone_hash(TEST_CIPHER, "13900139000")  # found again by it
    done = await DataRequest.get(id=opened.request.id)
    assert (done.status, done.new_value, done.handled_by) == ("completed", "", "lina")
    told = (await outbox(f"candidate:{cid}"))[-1]["content"]
    assert "已按申请更正为 139****9000" in told
    # a second click changes nothing and tells nobody again
    before = await OutboxMessage.all().count()
    await requests.on_card_click(click("lina", route_key(req.CONFIRM, opened.request.id)))
    assert await OutboxMessage.all().count() == before
    audit = {a.action for a in await AuditLog.filter(subject_id__in=[str(cid), str(done.id)])}
    assert {"data_request", "correct_pii", "data_request_done"} <= audit
    assert not await AuditLog.filter(detail__contains="13900139000").exists()


async def test_a_button_the_request_does_not_have_is_answered_in_chinese(
    database: str, media: LocalMediaStore
) -> None:
    """A click on an action of another kind of request (a stale or forged card) is told so;
    before, its InvalidInput failed the callback, retried until dead, and HR heard nothing."""
    cid = await plant(media)
    requests = service(media)
    rights = CandidateRights(requests, tp.TalentPool(Effects(None)), TEST_CIPHER, media)
    opened = await rights.ask_correction(me(cid), "phone", "139 0013 9000")
    drafts = await requests.on_card_click(click("lina", route_key(req.ERASE, opened.request.id)))
    assert drafts[0].payload["content"] == "这项申请不能这样处理。"
    assert (await DataRequest.get(id=opened.request.id)).status == DataRequestStatus.RECEIVED


async def test_refusal_of_punctuation_alone_gives_the_default_reason(
    database: str, media: LocalMediaStore
) -> None:
    cid = await plant(media)
    requests = service(media)
    opened = await requests.open(cid, DataRequestKind.CORRECTION, Actor(f"candidate:{cid}"),
                                 field="email", value="zm@example.com")  # fmt: skip
    await requests.act(staff("lina", Role.HR), opened.request.id, "refuse", "。")
    told = (await outbox(f"candidate:{cid}"))[-1]["content"]
    assert f"未能完成：{req.REFUSE_DEFAULT}。如有疑问" in told and "：。" not in told


async def test_refused_correction_says_why(database: str, media: LocalMediaStore) -> None:
    cid = await plant(media)
    requests = service(media)
    opened = await requests.open(cid, DataRequestKind.CORRECTION, Actor(f"candidate:{cid}"),
                                 field="email", value="zm@example.com")  # fmt: skip
    with pytest.raises(AccessDenied):
        await requests.act(me(cid), opened.request.id, "refuse", "x")
    view = await requests.act(staff("lina", Role.HR), opened.request.id, "refuse", "邮箱无法收信。")
    # the reason HR wrote may name the address: the candidate is told it; the plain outcome
    # (listed, audited) says only what was done
    assert view["status"] == "refused" and view["outcome"] == "未更正电子邮箱，原因已告知"
    told = (await outbox(f"candidate:{cid}"))[-1]["content"]
    assert "未能完成：邮箱无法收信。如有疑问" in told and "。。" not in told
    assert (await DataRequest.get(id=opened.request.id)).note == ""  # cleared once handled
    _, rows = await connections.get("default").execute_query(
        "SELECT outcome, note FROM data_request"
    )
    assert rows and all(
        "邮箱无法收信" not in str(value) for r in rows for value in dict(r).values()
    )
    assert not await AuditLog.filter(detail__contains="邮箱无法收信").exists()
    assert (await Candidate.get(id=cid)).email_enc is None
    with pytest.raises(InvalidInput):
        await requests.act(staff("lina", Role.HR), opened.request.id, "erase")


async def test_deletion_by_the_job_in_two_parts(database: str, media: LocalMediaStore) -> None:
    cid = await plant(media)
    other = await plant(media, "钱多多", "o-qdd")
    requests = service(media)
    opened = await requests.open(cid, DataRequestKind.DELETION, Actor(f"candidate:{cid}"))
    card = next(p["card"] for p in await outbox("zhangwei") if p.get("kind") == "template_card")
    assert [b["text"] for b in card["button_list"]] == ["立即删除", "到期自动删除"]
    await CandidateContact.create(candidate_id=cid, kf_open_kfid="wk1", kf_external_userid="wm1")
    assert await requests.execute_due(clock.now() + timedelta(days=13)) == 0  # not yet due
    assert (await Candidate.get(id=cid)).name == "赵敏"
    assert await requests.execute_due(clock.now() + timedelta(days=14, hours=1)) == 1
    request = await DataRequest.get(id=opened.request.id)
    assert request.status == DataRequestStatus.FINISHING
    key = f"answers/{(await Interview.get(application__candidate_id=cid)).id}/0/up-{cid}"
    assert await media.size(key) == 0
    assert not await InterviewNote.filter(interview__application__candidate_id=cid).exists()
    assert not await Score.filter(interview__application__candidate_id=cid).exists()
    # the channel stays until the notice is out (with the receipt, the messages left to her)
    assert await CandidateContact.exists(candidate_id=cid)
    receipt, *notices = await OutboxMessage.filter(recipient=f"candidate:{cid}").order_by("id")
    assert "删除个人信息」申请" in receipt.payload["content"]
    assert len(notices) == 1 and "删除个人信息已完成" in notices[0].payload["content"]
    assert await requests.execute_due(clock.now()) == 0  # the notice is not delivered yet
    await OutboxMessage.filter(id=notices[0].id).update(status=ProcessingStatus.DONE)
    assert await requests.execute_due(clock.now()) == 1
    request = await DataRequest.get(id=opened.request.id)
    assert request.status == DataRequestStatus.COMPLETED and request.handled_by == "system"
    gone = await Candidate.get(id=cid)
    assert gone.erased_at is not None and gone.name == "" and gone.phone_enc is None
    assert not await CandidateContact.exists(candidate_id=cid)
    left = await OutboxMessage.filter(recipient=f"candidate:{cid}").values_list(
        "channel", flat=True
    )
    assert left == ["ehr"]  # only the eraser's "drop your copy" to the EHR
    # the other candidate is untouched; the request row and the audit remain, without content
    assert (await Candidate.get(id=other)).name == "钱多多"
    assert await Answer.filter(interview__application__candidate_id=other).exclude(
        media_key="").exists()  # fmt: skip
    assert await AuditLog.filter(action="erase", subject_id=str(cid)).count() == 2
    assert not await AuditLog.filter(detail__contains="赵敏").exists()
    assert await requests.execute_due(clock.now() + timedelta(days=30)) == 0  # idempotent
    with pytest.raises(NotFound):  # nothing more can be asked about an erased candidate
        await requests.open(cid, DataRequestKind.DELETION, Actor(f"candidate:{cid}"))
    # a notice that cannot be delivered keeps the profile two days at most
    theirs = await requests.open(other, DataRequestKind.DELETION, Actor(f"candidate:{other}"))
    await requests.act(staff("zhangwei", Role.HR_MANAGER), theirs.request.id, "erase")
    assert await requests.execute_due(clock.now() + timedelta(days=1)) == 0
    assert await requests.execute_due(clock.now() + timedelta(days=2, minutes=1)) == 1
    assert (await Candidate.get(id=other)).erased_at is not None


async def test_legal_hold_tells_the_candidate_once(database: str, media: LocalMediaStore) -> None:
    cid = await plant(media)
    requests = service(media)
    opened = await requests.open(cid, DataRequestKind.DELETION, Actor(f"candidate:{cid}"))
    hold = await LegalHolds().place(MANAGER, candidate_id=cid, reason="劳动仲裁 2026-118 张三")
    # HR (not a manager) may not erase at once; the manager may, but the hold stops it
    drafts = await requests.on_card_click(click("lina", route_key(req.ERASE, opened.request.id)))
    assert "HR 负责人" in drafts[0].payload["content"]
    await requests.on_card_click(click("zhangwei", route_key(req.ERASE, opened.request.id)))
    assert (await DataRequest.get(id=opened.request.id)).status == DataRequestStatus.ON_HOLD
    await requests.execute_due(clock.now() + timedelta(days=15))
    told = [
        p["content"] for p in await outbox(f"candidate:{cid}") if "暂时不能删除" in p["content"]
    ]
    assert len(told) == 1 and "法律程序" in told[0] and "劳动仲裁" not in told[0]
    assert (await Candidate.get(id=cid)).name == "赵敏"
    [hr] = [p["content"] for p in await outbox("zhangwei") if "法律保留" in p.get("content", "")]
    assert hr.startswith("赵敏申请删除个人信息") and "#" not in hr  # a name, not a request id
    await LegalHolds().lift(MANAGER, hold.id, "仲裁结束")
    assert await requests.execute_due(clock.now() + timedelta(days=15)) == 1
    assert (await DataRequest.get(id=opened.request.id)).status == DataRequestStatus.FINISHING


async def test_an_eraser_failure_leaves_the_request_open(
    database: str, media: LocalMediaStore
) -> None:
    first = await plant(media)
    second = await plant(media, "钱多多", "o-qdd")

    class Flaky:
        async def erase(self, candidate_id: int, classes: Any = (), *, actor: Actor,
                        trigger: str = "") -> None:  # fmt: skip
            if candidate_id == first:
                raise OSError("disk gone")

    requests = service(media, Flaky())
    for cid in (first, second):
        await requests.open(cid, DataRequestKind.DELETION, Actor(f"candidate:{cid}"))
    assert await requests.execute_due(clock.now() + timedelta(days=15)) == 1
    statuses = {r.candidate_id: r.status for r in await DataRequest.all()}
    assert statuses == {first: DataRequestStatus.RECEIVED, second: DataRequestStatus.FINISHING}


async def test_staff_recorded_requests(database: str, media: LocalMediaStore) -> None:
    cid = await plant(media)
    requests = service(media)
    with pytest.raises(AccessDenied):
        await requests.record_for(staff("wangqiang", Role.INTERVIEWER), cid,
                                  DataRequestKind.ACCESS, "phone")  # fmt: skip
    with pytest.raises(InvalidInput):
        await requests.record_for(staff("lina", Role.HR), cid, DataRequestKind.ACCESS, "fax")
    with pytest.raises(NotFound):
        await requests.record_for(staff("lina", Role.HR), 999_999, DataRequestKind.ACCESS, "phone")
    opened = await requests.record_for(staff("lina", Role.HR), cid, DataRequestKind.ACCESS,
                                       "phone", note="候选人来电要求一份资料")  # fmt: skip
    assert opened.request.via == "phone" and opened.request.recorded_by == "lina"
    assert "通过电话" in (await outbox(f"candidate:{cid}"))[0]["content"]
    listed = await requests.listing(staff("zhangwei", Role.HR_MANAGER), "received")
    assert [r["id"] for r in listed] == [opened.request.id] and listed[0]["candidate"] == "赵敏"
    with pytest.raises(InvalidInput):
        await requests.listing(staff("zhangwei", Role.HR_MANAGER), "whatever")
    view = await requests.act(staff("lina", Role.HR), opened.request.id, "answered")
    assert view["status"] == "completed"
    done = await DataRequest.get(id=opened.request.id)
    assert done.note == ""  # HR's note goes once it is handled


async def test_export_is_complete_and_only_mine(database: str, media: LocalMediaStore) -> None:
    cid = await plant(media)
    other = await plant(media, "钱多多", "o-qdd")
    rights = CandidateRights(service(media), tp.TalentPool(Effects(None)), TEST_CIPHER, media)
    data = await rights.export(me(cid))
    text = str(data)
    assert data["candidate"]["phone"] == "13800138000" and data["candidate"]["name"] == "赵敏"
    answer = data["interviews"][0]["answers"][0]
    assert answer["recording"]["download"].endswith(f"/{data['interviews'][0]['id']}/0")
    assert (
        answer["assessment"]["competencies"]["沟通能力"]["evidence"][0]["quote"] == "赵敏说服了客户"
    )
    assert data["notes"][0]["text"] == "赵敏准备充分" and data["scores"][0]["by"].startswith("AI")
    assert "钱多多" not in text and "wangqiang" not in text and "王强" not in text
    summary = await rights.summary(me(cid))
    assert summary["contact"]["phone"] == "138****8000" and "13800138000" not in str(summary)
    assert summary["ai_assessments"][0]["assessment"]["competencies"][0]["evidence"]
    assert summary["recordings"][0]["download"] == answer["recording"]["download"]
    # access is logged once a day, audited each time
    assert await DataRequest.filter(kind=DataRequestKind.ACCESS).count() == 1
    assert await AuditLog.filter(action__in=["export_personal_data", "view_personal_data"],
                                 subject_id=str(cid)).count() == 2  # fmt: skip
    stream = await rights.recording(me(cid), data["interviews"][0]["id"], 0)
    assert b"".join([c async for c in stream.chunks]) == "recording of 赵敏".encode()
    with pytest.raises(AccessDenied):
        theirs = (await Interview.get(application__candidate_id=other)).id
        await rights.recording(me(cid), theirs, 0)
    with pytest.raises(InvalidInput):
        await rights.export(Principal(3, SubjectKind.VISITOR, openid="o-x"))


async def test_talent_pool_is_asked_at_rejection_and_read_by_retention(
    database: str, media: LocalMediaStore
) -> None:
    cid = await plant(media)
    application = await Application.get(candidate_id=cid)
    await EhrSync().record_decision(application.id, ApplicationStatus.REJECTED, MANAGER)
    asked = [p for p in await outbox(f"candidate:{cid}") if p.get("subject") == f"pool:{cid}"]
    assert len(asked) == 1 and "加入人才库" in asked[0]["content"]
    assert [c["key"] for c in asked[0]["choices"]] == ["grant", "decline"]
    assert await tp.talent_pool_periods([cid]) == {}
    pool = tp.TalentPool(Effects(None))
    wrong = await pool.answer(cid, f"pool:{cid + 1}", "grant", source_id="kf:1", text="")
    assert wrong.result == "not_understood" and not await tp.in_talent_pool(cid)
    done = await pool.answer(cid, f"pool:{cid}", "grant", source_id="kf:2", text="")
    assert done.result == "pool_grant" and await tp.in_talent_pool(cid)
    assert await tp.talent_pool_ids([cid, cid + 1]) == {cid}
    since = (await tp.talent_pool_periods([cid]))[cid]
    assert since.since is not None and since.ended_at is None
    # asked once per text: another decision does not ask again
    other = await Application.create(
        candidate_id=cid, job=await JobOpening.create(code="S2", title="店长")
    )
    await EhrSync().record_decision(other.id, ApplicationStatus.WITHDRAWN, MANAGER)
    assert len([p for p in await outbox(f"candidate:{cid}") if p.get("subject")]) == 1
    # withdrawing later: the clock restarts
    with pytest.raises(InvalidInput):
        await pool.decide(cid, False, "2020-01-01", Actor(f"candidate:{cid}"), "miniapp")
    state = await pool.decide(
        cid, False, tp.current_version(), Actor(f"candidate:{cid}"), "miniapp"
    )
    assert state["decided"] and not state["granted"]
    period = (await tp.talent_pool_periods([cid]))[cid]
    assert period.since is None and period.ended_at is not None
    assert await Consent.filter(candidate_id=cid, purpose="talent_pool").count() == 2
    decisions = AuditLog.filter(action="consent", detail__contains="talent_pool", allowed=True)
    assert await decisions.count() == 2


async def test_ids_beyond_the_keys_are_unknown_not_a_server_error(
    database: str, media: LocalMediaStore
) -> None:
    """A number no 32-bit key can hold names nothing: the same Chinese NotFound as a missing
    row (PostgreSQL refused to compare it with the column, a 500)."""
    cid = await plant(media)
    huge = 2**40
    with pytest.raises(NotFound, match="找不到这项申请"):
        await service(media).act(staff("lina", Role.HR), huge, "refuse", "")
    with pytest.raises(NotFound, match="找不到这位候选人"):
        await service(media).record_for(staff("lina", Role.HR), huge, DataRequestKind.ACCESS,
                                        "phone")  # fmt: skip
    rights = CandidateRights(service(media), tp.TalentPool(Effects(None)), TEST_CIPHER, media)
    with pytest.raises(NotFound, match="没有找到这份简历"):
        await rights.resume(me(cid), huge)
    interview = await Interview.get(application__candidate_id=cid)
    with pytest.raises(NotFound, match="这道题没有保存录像"):
        await rights.recording(me(cid), interview.id, 40000)  # past the smallint column
    holds = LegalHolds()
    with pytest.raises(NotFound, match="没有找到这项法律保全"):
        await holds.lift(MANAGER, huge, "误设")
    with pytest.raises(NotFound, match="没有找到这位候选人"):
        await holds.place(MANAGER, candidate_id=huge, reason="劳动争议")
    with pytest.raises(NotFound, match="没有找到这个岗位"):
        await holds.place(MANAGER, job_id=huge, reason="劳动争议")
