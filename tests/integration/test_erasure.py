"""The erasure use case (``services.personal_data.erasure``) on both databases: rows of the
classes asked for go in one transaction, media objects after it, the audit keeps what went
and never the content, a legal hold refuses, a repeat finds nothing."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from recruiting import clock
from recruiting.domain.retention import DataClass
from recruiting.domain.roles import Role
from recruiting.errors import AccessDenied, Conflict, InvalidInput, NotFound
from recruiting.infra.media_store import LocalMediaStore
from recruiting.models import (
    Answer,
    Application,
    AuditLog,
    Candidate,
    CandidateContact,
    CandidateMessage,
    ErasureRecord,
    InboxEvent,
    Interview,
    InterviewNote,
    JobOpening,
    LegalHold,
    Offer,
    OfferEvent,
    OutboxMessage,
    PendingObjectDeletion,
    ProcessingStatus,
    RaterKind,
    ResumeFile,
    Score,
    SurveyResponse,
    Upload,
)
from recruiting.services.messaging.effects import Effects
from recruiting.services.messaging.inbox import PAYLOAD_CONTEXT
from recruiting.services.personal_data.erasure import CandidateErasure, LegalHoldApplies
from recruiting.services.personal_data.holdings import held_about
from recruiting.services.personal_data.holds import LegalHolds
from recruiting.services.shared.audit import SYSTEM, Actor
from tests.conftest import TEST_CIPHER
from tests.integration.candidate_data import plant

MANAGER = Actor("zhangwei", frozenset({Role.HR_MANAGER}))
HR = Actor("lina", frozenset({Role.HR}))


@pytest.fixture
def media(tmp_path: Path) -> LocalMediaStore:
    return LocalMediaStore(tmp_path / "media", TEST_CIPHER)


async def test_everything_goes_but_the_aggregates(database: str, media: LocalMediaStore) -> None:
    candidate_id, key = await plant(media)
    erasure = CandidateErasure(media, Effects(None))
    before = await held_about(candidate_id)
    assert {"candidate", "answer", "score", "interview_note", "survey_response",
            "candidate_message", "resume_file"} <= set(before)  # fmt: skip
    report = await erasure.erase(candidate_id, actor=SYSTEM, trigger="purge")
    left = {t: [{k: v for k, v in row.items() if k != "id" and v not in ("", None, [], {}, 0)}
                for row in rows] for t, rows in (await held_about(candidate_id)).items()}  # fmt: skip
    assert all(row == {} for rows in left.values() for row in rows), left
    assert report.objects_deleted == 2 and await media.size(key) == 0
    assert await ResumeFile.all().count() == 0 and await media.size("resumes/rx") == 0
    assert report.counts["recordings"] == 1 and report.counts["notes"] == 3
    candidate = await Candidate.get(id=candidate_id)
    assert candidate.erased_at is not None and candidate.name == ""
    assert candidate.phone_enc is None and not candidate.wechat_openid
    assert await InterviewNote.all().count() == 0 and await Upload.all().count() == 0
    assert await CandidateMessage.all().count() == 0
    answer = await Answer.get()
    assert (answer.media_key, answer.analysis) == ("", None)
    human = await Score.get(rater_kind=RaterKind.HUMAN)
    assert human.value == 3 and human.comment == ""  # the number stays, the words go
    assert answer.flag_count == 0
    decided = await Application.get(candidate_id=candidate_id)
    assert (decided.rejection_reason, decided.rejection_note) == ("", None)
    assert not await Score.exists(rater_kind=RaterKind.AI)
    survey = await SurveyResponse.get()
    assert (survey.answers, survey.comment) == ({"satisfaction": "5"}, "")
    assert await Application.all().count() == 1 and await Interview.all().count() == 1
    # the EHR and payroll hear of it as effects; the audit says which classes, no content
    assert await OutboxMessage.filter(channel="ehr").count() == 1
    entry = await AuditLog.get(action="erase")
    assert "recordings=1" in entry.detail and "门店" not in entry.detail
    assert (await ErasureRecord.get()).classes == [c.value for c in DataClass]
    assert await PendingObjectDeletion.all().count() == 0
    again = await erasure.erase(candidate_id, actor=SYSTEM, trigger="purge")
    assert sum(again.counts.values()) == 0 and again.effects == 0
    assert await OutboxMessage.filter(channel="ehr").count() == 1  # not sent twice


async def test_a_typed_source_that_may_name_someone_goes(
    database: str, media: LocalMediaStore
) -> None:
    """Channel statistics keep a code or a known channel; text HR typed becomes 其他."""
    candidate_id, _ = await plant(media)
    await Candidate.filter(id=candidate_id).update(source="朋友推荐（李雷）")
    first = await Application.get(candidate_id=candidate_id)
    await Application.filter(id=first.id).update(channel="朋友推荐（李雷）")
    other = await JobOpening.create(code="store", title="店长", competency_model=[])
    known = await Application.create(candidate_id=candidate_id, job=other, channel="BOSS直聘")
    await CandidateErasure(media, Effects(None)).erase(candidate_id, actor=SYSTEM)
    assert (await Candidate.get(id=candidate_id)).source == "其他"
    assert (await Application.get(id=first.id)).channel == "其他"
    assert (await Application.get(id=known.id)).channel == "BOSS直聘"
    assert await Candidate.filter(source="其他").count() == 1  # still found by value


async def test_one_class_only(database: str, media: LocalMediaStore) -> None:
    candidate_id, key = await plant(media)
    erasure = CandidateErasure(media, Effects(None))
    await erasure.erase(candidate_id, [DataClass.RECORDINGS], actor=SYSTEM)
    assert await media.size(key) == 0
    assert (await Answer.get()).analysis == {"transcript": "我负责七个门店"}
    assert (await Candidate.get(id=candidate_id)).name == "赵敏"
    assert await InterviewNote.all().count() == 1


async def test_a_crash_after_the_commit_leaves_objects_to_retry(
    database: str, media: LocalMediaStore
) -> None:
    candidate_id, key = await plant(media)

    class Broken(LocalMediaStore):
        async def delete(self, key: str) -> bool:
            raise OSError("disk gone")

    broken = CandidateErasure(Broken(media._root, TEST_CIPHER), Effects(None))
    await broken.erase(candidate_id, [DataClass.RECORDINGS], actor=SYSTEM)
    assert await media.size(key) > 0
    assert await PendingObjectDeletion.filter(key=key).count() == 1
    assert await CandidateErasure(media, Effects(None)).finish_pending() == 1
    assert await media.size(key) == 0 and await PendingObjectDeletion.all().count() == 0


async def test_a_legal_hold_refuses_and_only_managers_hold(
    database: str, media: LocalMediaStore
) -> None:
    candidate_id, key = await plant(media)
    holds, erasure = LegalHolds(), CandidateErasure(media, Effects(None))
    with pytest.raises(AccessDenied):
        await holds.place(HR, candidate_id=candidate_id, reason="劳动仲裁")
    with pytest.raises(InvalidInput):
        await holds.place(MANAGER, candidate_id=candidate_id, reason="  ")
    with pytest.raises(InvalidInput):
        await holds.place(MANAGER, reason="x")
    with pytest.raises(NotFound):
        await holds.place(MANAGER, candidate_id=candidate_id + 99, reason="x")
    job = (await Application.get(candidate_id=candidate_id)).job_id
    hold = await holds.place(MANAGER, job_id=job, reason="劳动仲裁 2026-118")
    with pytest.raises(Conflict):
        await holds.place(MANAGER, job_id=job, reason="again")
    with pytest.raises(LegalHoldApplies):
        await erasure.erase(candidate_id, actor=SYSTEM)
    assert await media.size(key) > 0 and (await Candidate.get(id=candidate_id)).name == "赵敏"
    await holds.lift(MANAGER, hold.id, "仲裁结束")
    await erasure.erase(candidate_id, actor=SYSTEM)
    assert await media.size(key) == 0
    details = [a.detail for a in await AuditLog.filter(action__contains="legal_hold")]
    assert details and not any("仲裁" in d for d in details)


async def test_two_managers_lifting_one_hold_keep_the_first_lift(
    database: str, media: LocalMediaStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second of two lifts at once read the hold while it still stood; before, its save
    overwrote who lifted it, when and why. Now it is told the hold was lifted already."""
    candidate_id, _ = await plant(media)
    holds = LegalHolds()
    hold = await holds.place(MANAGER, candidate_id=candidate_id, reason="劳动仲裁")
    stale = await LegalHold.get(id=hold.id)  # read before the first lift committed
    await holds.lift(MANAGER, hold.id, "仲裁结束")

    async def as_read_before(*args: object, **kwargs: object) -> LegalHold:
        return stale

    monkeypatch.setattr(LegalHold, "get_or_none", as_read_before)
    other = Actor("wangfang", frozenset({Role.HR_MANAGER}))
    with pytest.raises(Conflict):
        await holds.lift(other, hold.id, "另一位经理的理由")
    kept = await LegalHold.filter(id=hold.id).first()
    assert kept is not None and (kept.lifted_by, kept.lift_reason) == ("zhangwei", "仲裁结束")
    lifts = await AuditLog.filter(action="lift_legal_hold", allowed=True).count()
    assert lifts == 1


def _xml(**fields: str) -> str:
    body = "".join(f"<{k}><![CDATA[{v}]]></{k}>" for k, v in fields.items())
    return f"<xml>{body}</xml>"


async def _callback(key: str, kind: str, from_user: str, xml: str,
                    status: ProcessingStatus = ProcessingStatus.DONE) -> InboxEvent:  # fmt: skip
    return await InboxEvent.create(
        dedup_key=key, kind=kind, from_user=from_user, status=status,
        payload_enc=TEST_CIPHER.encrypt(xml, PAYLOAD_CONTEXT), processed_at=clock.now(),
    )  # fmt: skip


async def test_callbacks_tied_to_her_go_at_once(database: str, media: LocalMediaStore) -> None:
    """An erasure removes the finished callbacks tied to her without waiting for the
    transport retention; what only names her in free text (and what is in flight) stays."""
    candidate_id, _ = await plant(media)
    await Candidate.filter(id=candidate_id).update(external_userid="wmZM-external-0001")
    await CandidateContact.create(candidate_id=candidate_id, kf_open_kfid="wk1",
                                  kf_external_userid="wmZM-kf-0001")  # fmt: skip
    interview = await Interview.get(application__candidate_id=candidate_id)
    await InterviewNote.filter(interview_id=interview.id).update(source_msg_id="7001")
    app = await Application.get(candidate_id=candidate_id)
    offer = await Offer.create(application=app, created_by="lina", city="310000",
                               base_salary=12000, start_date=clock.now().date(),
                               sp_no="202601010001", status="rejected")  # fmt: skip
    await OfferEvent.create(offer=offer, source="wecom", action="approval",
                            dedup_key="wecom:evt:approval-of-hers", to_status="rejected")  # fmt: skip
    added = _xml(MsgType="event", Event="change_external_contact", FromUserName="sys",
                 ChangeType="add_external_contact", UserID="lina",
                 ExternalUserID="wmZM-external-0001", State="c1")  # fmt: skip
    tied = [
        await _callback("evt:added", "external_contact", "sys", added),
        await _callback("msg:7001", "text", "lead", _xml(Content="她说负责七个门店")),
        await _callback(
            "evt:approval-of-hers",
            "approval",
            "sys",
            _xml(SpNo="202601010001", Speech="赵敏的薪资偏高"),
        ),
        await _callback("evt:from-her", "text", "wmZM-kf-0001", _xml(Content="你好")),
        await _callback("evt:failed", "external_contact", "sys", added, ProcessingStatus.FAILED),
    ]
    someone_else = _xml(Event="change_external_contact", ExternalUserID="wmZM-external-00012")
    stays = [
        await _callback("msg:7002", "text", "lina", _xml(Content="安排面试 赵敏")),  # untied
        await _callback("evt:other", "external_contact", "sys", someone_else),
        await _callback(
            "evt:pending", "external_contact", "sys", added, ProcessingStatus.PENDING
        ),  # in flight: finishes, then retention
    ]
    report = await CandidateErasure(media, Effects(None)).erase(candidate_id, actor=SYSTEM)
    left = {row.id for row in await InboxEvent.all()}
    assert left == {row.id for row in stays}, [r.dedup_key for r in tied if r.id in left]
    assert report.counts["messages"] >= len(tied) + 1  # and her mini-app inbox message
    # a class erased alone (the purge's per-class clocks) leaves the callbacks to messages
    again, _ = await plant(media, "-2")
    await _callback("evt:from-2", "text", "o-zm-2", _xml(Content="你好"))
    await CandidateErasure(media, Effects(None)).erase(again, [DataClass.NOTES], actor=SYSTEM)
    assert await InboxEvent.exists(dedup_key="evt:from-2")
    await CandidateErasure(media, Effects(None)).erase(again, [DataClass.MESSAGES], actor=SYSTEM)
    assert not await InboxEvent.exists(dedup_key="evt:from-2")


async def test_unknown_candidate(database: str, media: LocalMediaStore) -> None:
    with pytest.raises(NotFound):
        await CandidateErasure(media, Effects(None)).erase(404, actor=SYSTEM)
    _ = timedelta
