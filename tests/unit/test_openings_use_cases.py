"""Openings, rounds and the question bank as HR uses them, with a small fake catalog on a
SQLite file: roles (HR edits, interviewers read), Chinese refusals, audit, versions."""

from __future__ import annotations

from typing import Any

import pytest

from recruiting.domain.roles import Role
from recruiting.errors import AccessDenied, Conflict, InvalidInput, NotFound
from recruiting.models import (
    Application,
    AuditLog,
    Candidate,
    Interview,
    InterviewRound,
    JobOpening,
    RoundVersion,
)
from recruiting.services.openings.bank import QuestionBankService
from recruiting.services.openings.openings import OpeningService
from recruiting.services.openings.rounds import RoundInUse, RoundService
from recruiting.services.shared.audit import Actor
from recruiting.services.shared.round_versions import version_for_new_interview
from tests.fakes.catalog import FakeCatalog

pytestmark = pytest.mark.usefixtures("sqlite_db")

HR = Actor("hr-li", frozenset({Role.HR}))
MANAGER = Actor("hr-boss", frozenset({Role.HR_MANAGER}))
INTERVIEWER = Actor("iv-wang", frozenset({Role.INTERVIEWER}))
FINANCE = Actor("fin-zhao", frozenset({Role.FINANCE}))

Q1 = {"text": "讲一次你说服客户的经历。", "competencies": ["沟通能力"], "answer_seconds": 120}
Q2 = {"text": "讲一次你超额完成目标的经历。", "competencies": ["results"], "retakes": 0}


@pytest.fixture
def services() -> tuple[OpeningService, RoundService, QuestionBankService]:
    catalog = FakeCatalog()
    return OpeningService(catalog), RoundService(catalog), QuestionBankService(catalog)


async def _opening(openings: OpeningService, code: str = "S-1") -> JobOpening:
    job = await openings.create(HR, {"code": code, "title": "销售代表", "city": "上海"})
    await openings.model_from_library(HR, job.id, "sales")
    return job


async def test_opening_life_and_roles(services: Any) -> None:
    openings, _, _ = services
    with pytest.raises(InvalidInput, match="能力模型"):
        await openings.create(HR, {"code": "S-1", "title": "销售", "status": "open"})
    with pytest.raises(InvalidInput, match="内置岗位模型"):
        await openings.create(HR, {"code": "S-1", "title": "销售", "library_job": "nope"})
    assert not await JobOpening.filter(code="S-1").exists()  # refused before the row exists
    job = await _opening(openings)
    with pytest.raises(Conflict, match="已被使用"):
        await openings.create(MANAGER, {"code": "S-1", "title": "另一个"})
    await openings.update(MANAGER, job.id, {"status": "open", "department": "华东销售部"})
    detail = await openings.get(INTERVIEWER, job.id)  # interviewers read
    assert detail.summary.status_name == "招聘中"
    assert [(m.code, m.weight, m.percent) for m in detail.model] == [
        ("communication", "0.5", "50"), ("results", "0.5", "50"),
    ]  # fmt: skip
    for who in (INTERVIEWER, FINANCE):
        with pytest.raises(AccessDenied, match="招聘专员"):
            await openings.update(who, job.id, {"title": "改名"})
    with pytest.raises(AccessDenied):
        await openings.get(FINANCE, job.id)
    with pytest.raises(InvalidInput, match="合计"):
        await openings.set_model(HR, job.id, [{"code": "teamwork", "weight": "0.9"}])
    with pytest.raises(NotFound):
        await openings.update(HR, 999_999, {"title": "x"})
    listed = await openings.list_openings(HR, status="open", search="销售")
    assert [(o.code, o.rounds, o.candidates) for o in listed] == [("S-1", 0, 0)]
    with pytest.raises(InvalidInput):
        await openings.list_openings(HR, limit=10**9)
    log = (
        await AuditLog.filter(subject_type="job_opening")
        .order_by("id")
        .values_list("actor", "action", "allowed")
    )
    assert ("hr-li", "create_opening", True) in log
    assert ("iv-wang", "edit_opening", False) in log  # refusals are audited too
    assert ("hr-boss", "edit_opening", True) in log
    assert all("销售" not in d for d in await AuditLog.all().values_list("detail", flat=True))


async def test_refusals_go_through_the_shared_check_with_openings_texts(services: Any) -> None:
    """Openings refuse through ``shared.access.require_permission``: their own Chinese text
    per permission, one audit row per refusal naming the permission, nothing for a read."""
    openings, _, _ = services
    job = await _opening(openings)
    before = await AuditLog.filter(allowed=False).count()
    with pytest.raises(AccessDenied) as viewing:
        await openings.get(FINANCE, job.id)
    with pytest.raises(AccessDenied) as editing:
        await openings.update(INTERVIEWER, job.id, {"title": "改名"})
    await openings.get(INTERVIEWER, job.id)
    assert (viewing.value.code, viewing.value.message) == (
        "access_denied", "您的角色不能查看岗位和面试轮次",
    )  # fmt: skip
    assert editing.value.message == "只有招聘专员和招聘经理可以修改岗位、面试轮次和题库"
    refused = await (
        AuditLog.filter(allowed=False)
        .order_by("id")
        .values_list("actor", "actor_roles", "action", "subject_type", "subject_id", "detail")
    )
    assert before == 0 and refused == [
        ("fin-zhao", "finance", "view_opening", "job_opening", str(job.id),
         "permission=view_openings"),
        ("iv-wang", "interviewer", "edit_opening", "job_opening", str(job.id),
         "permission=manage_openings"),
    ]  # fmt: skip
    assert not await AuditLog.filter(actor="iv-wang", allowed=True).exists()


async def test_rounds_recorded_and_live(services: Any) -> None:
    openings, rounds, _ = services
    job = await _opening(openings)
    recorded = await rounds.add(HR, job.id, {"kind": "recorded", "name": "录制面试",
                                             "questions": [Q1, Q2], "deadline_days": 5})  # fmt: skip
    live = await rounds.add(HR, job.id, {"kind": "live", "name": "业务面", "duration_minutes": 45,
                                         "panel_size": 2, "location": "上海市静安区某路 1 号",
                                         "competencies": ["results"]})  # fmt: skip
    detail = await rounds.get(INTERVIEWER, recorded.id)
    assert detail.deadline_days == 5 and [q.retakes for q in detail.questions] == [1, 0]
    first = detail.questions[0]
    assert first.competencies[0].name == "沟通能力" and len(first.competencies[0].anchors) == 5
    stored = await InterviewRound.get(id=recorded.id)
    assert stored.questions[0]["competencies"] == ["沟通能力"]  # names, as the analysis reads
    assert stored.competencies == ["communication", "results"]
    with pytest.raises(InvalidInput, match="不在这个岗位的能力模型"):
        await rounds.update(HR, recorded.id, {"questions": [{**Q1, "competencies": ["teamwork"]}]})
    with pytest.raises(InvalidInput, match="最多 20 道题"):
        await rounds.update(HR, recorded.id, {"questions": [
            {**Q1, "text": f"题{i}"} for i in range(21)]})  # fmt: skip
    with pytest.raises(InvalidInput, match="重复"):
        await rounds.update(HR, recorded.id, {"questions": [Q1, Q1]})
    with pytest.raises(InvalidInput, match="至少需要一道题"):
        await rounds.update(HR, recorded.id, {"questions": []})
    with pytest.raises(InvalidInput, match="面试形式"):
        await rounds.add(HR, job.id, {"kind": "phone", "name": "x"})
    with pytest.raises(AccessDenied):
        await rounds.update(INTERVIEWER, live.id, {"duration_minutes": 30})

    await rounds.reorder(HR, job.id, [live.id, recorded.id])
    assert [r.id for r in await InterviewRound.filter(job_id=job.id).order_by("sequence")] == [
        live.id, recorded.id,
    ]  # fmt: skip
    with pytest.raises(InvalidInput, match="每一轮"):
        await rounds.reorder(HR, job.id, [live.id])

    # a round with interviews is closed, not deleted; one without is deleted
    candidate = await Candidate.create(name="候选人")
    application = await Application.create(candidate=candidate, job=job)
    await Interview.create(application=application, round=recorded)
    with pytest.raises(RoundInUse, match="可以关闭"):
        await rounds.delete(HR, recorded.id)
    await rounds.close(HR, recorded.id)
    assert (await rounds.get(HR, recorded.id)).closed
    await rounds.delete(MANAGER, live.id)
    assert [r.sequence for r in await InterviewRound.filter(job_id=job.id)] == [1]


async def test_moving_a_round_up_or_down_swaps_it_with_its_neighbour(services: Any) -> None:
    """What the opening page's arrows do, as one use case: a swap, nothing at either end, a
    refusal for a round of another opening and for a role that may not edit."""
    openings, rounds, _ = services
    job = await _opening(openings)
    first = await rounds.add(HR, job.id, {"kind": "live", "name": "一面"})
    second = await rounds.add(HR, job.id, {"kind": "live", "name": "二面"})
    third = await rounds.add(HR, job.id, {"kind": "live", "name": "三面"})

    async def order() -> list[int]:
        return [r.id for r in await InterviewRound.filter(job_id=job.id).order_by("sequence")]

    await rounds.move(HR, job.id, third.id, up=True)
    assert await order() == [first.id, third.id, second.id]
    await rounds.move(MANAGER, job.id, first.id, up=False)
    assert await order() == [third.id, first.id, second.id]
    await rounds.move(HR, job.id, third.id, up=True)  # already first
    await rounds.move(HR, job.id, second.id, up=False)  # already last
    assert await order() == [third.id, first.id, second.id]
    moves = await AuditLog.filter(action="reorder_rounds", allowed=True).count()
    assert moves == 2  # the moves at either end changed nothing and are not recorded
    other = await _opening(openings, "S-2")
    elsewhere = await rounds.add(HR, other.id, {"kind": "live", "name": "一面"})
    with pytest.raises(NotFound):
        await rounds.move(HR, job.id, elsewhere.id, up=True)
    with pytest.raises(NotFound):
        await rounds.move(HR, 2**40, first.id, up=True)
    with pytest.raises(AccessDenied):
        await rounds.move(INTERVIEWER, job.id, first.id, up=True)
    assert await order() == [third.id, first.id, second.id]


async def test_editing_a_round_pins_earlier_interviews_first(services: Any) -> None:
    openings, rounds, _ = services
    job = await _opening(openings)
    round_ = await rounds.add(HR, job.id, {"kind": "recorded", "name": "录制", "questions": [Q1]})
    candidate = await Candidate.create(name="候选人")
    application = await Application.create(candidate=candidate, job=job)
    legacy = await Interview.create(application=application, round=round_)  # no version
    same = await version_for_new_interview(round_.id)
    assert same.number == 1 and (await version_for_new_interview(round_.id)).id == same.id
    await rounds.update(HR, round_.id, {"questions": [Q1, Q2]})
    legacy = await Interview.get(id=legacy.id)
    assert legacy.round_version_id == same.id  # frozen before the edit
    assert len((await RoundVersion.get(id=same.id)).content["questions"]) == 1
    newer = await version_for_new_interview(round_.id)
    assert newer.number == 2 and len(newer.content["questions"]) == 2
    await openings.set_model(HR, job.id, [{"code": "communication", "weight": "0.7"},
                                          {"code": "results", "weight": "0.3"}])  # fmt: skip
    third = await version_for_new_interview(round_.id)
    assert third.number == 3 and third.content["competency_model"][0]["weight"] == "0.7"
    detail = await rounds.get(HR, round_.id)
    assert [(v.number, v.interviews) for v in detail.versions] == [(1, 1), (2, 0), (3, 0)]
    assert (await rounds.version(HR, round_.id, 1)).questions[0]["text"] == Q1["text"]


async def test_question_bank_with_anchors_and_picking(services: Any) -> None:
    openings, rounds, bank = services
    assert await bank.seed_from_library(HR) == 1
    assert await bank.seed_from_library(HR) == 0  # idempotent
    added = await bank.add(HR, {"text": "讲一次你帮同事补位的经历。", "competencies": "团队协作，沟通能力",
                                "tags": "校招"})  # fmt: skip
    with pytest.raises(Conflict, match="已有"):
        await bank.add(MANAGER, {"text": added.text, "competencies": ["teamwork"]})
    with pytest.raises(AccessDenied):
        await bank.add(INTERVIEWER, {"text": "新题", "competencies": ["teamwork"]})
    shelves = {s.competency.code: s for s in await bank.shelves(INTERVIEWER)}
    assert [q.id for q in shelves["teamwork"].questions] == [added.id]
    assert added.id in [q.id for q in shelves["communication"].questions]
    assert shelves["teamwork"].competency.anchors[4].startswith("协作5级")
    assert [q.id for q in (await bank.shelves(HR, tag="校招"))[1].questions] == [added.id]
    edited = await bank.edit(HR, added.id, {"answer_seconds": 240, "tags": []})
    assert (edited.answer_seconds, edited.tags) == (240, ())

    job = await _opening(openings)
    round_ = await rounds.add(HR, job.id, {"kind": "recorded", "name": "录制", "questions": [Q1]})
    seeded = next(q for q in shelves["results"].questions)
    detail = await rounds.add_bank_questions(HR, round_.id, [seeded.id])
    assert [q.bank_question_id for q in detail.questions] == [None, seeded.id]
    with pytest.raises(InvalidInput, match="不在这个岗位的能力模型"):
        await rounds.add_bank_questions(HR, round_.id, [added.id])  # teamwork is not weighed
    await bank.retire(HR, seeded.id)
    with pytest.raises(NotFound, match="已停用"):
        await rounds.add_bank_questions(HR, round_.id, [seeded.id])
    assert seeded.id not in [q.id for s in await bank.shelves(HR) for q in s.questions]
    await bank.edit(HR, seeded.id, {"text": "改过的题"})  # the round keeps its copy
    assert (await rounds.get(HR, round_.id)).questions[1].text == "讲一次成交的经历。"
