"""Screening in bulk on SQLite and PostgreSQL: requirements saved on the opening (gender
refused, age flagged), stored parsed résumés ranked with filters, inviting the top N to the
recorded interview (invitation + candidate message in the outbox), those already invited
skipped — also when two HR people click at once — and roles checked and audited."""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import asdict
from typing import Any, cast

import pytest

from recruiting.domain.interview_state import InterviewStatus
from recruiting.domain.resume import Education, ParsedResume, ParseStatus, Work
from recruiting.domain.roles import Role
from recruiting.domain.skill_synonyms import SynonymTable
from recruiting.errors import AccessDenied, Conflict, InvalidInput, NotFound
from recruiting.models import (
    Application,
    ApplicationStatus,
    AuditLog,
    Candidate,
    Interview,
    InterviewRound,
    JobOpening,
    OutboxMessage,
    RecordingLink,
    ResumeFile,
    ResumeParse,
    RoundKind,
    SubjectKind,
)
from recruiting.ports.outbound import Channel
from recruiting.services.messaging.effects import Effects
from recruiting.services.recorded.links import RecordingLinks
from recruiting.services.screening.ranking import Outcome, Screening
from recruiting.services.screening.requirements import OpeningRequirements
from recruiting.services.screening.sources import StoredResumes
from recruiting.services.shared.sessions import Principal, SessionService

HR = Principal(0, SubjectKind.STAFF, staff_id=1, userid="lina", roles=frozenset({Role.HR}))
INTERVIEWER = Principal(0, SubjectKind.STAFF, staff_id=2, userid="wq",
                        roles=frozenset({Role.INTERVIEWER}))  # fmt: skip
REQUIREMENTS = {
    "must": [{"years": 3}, {"degree": "本科"}],
    "nice": [{"skill": "数据分析"}, {"location": "上海"}, "35岁以下"],
}


def parsed(
    months: int | None, degree: str | None, skills: tuple[str, ...], city: str | None
) -> ParsedResume:
    return ParsedResume(
        ParseStatus.PARSED,
        city=city,
        education=(Education("某大学", degree, evidence=f"2010.09-2014.06 某大学 {degree}"),)
        if degree
        else (),
        work=(Work("某公司", "分析师", "2014-07", None, True, "2014.07-至今 某公司 分析师"),),
        months_experience=months,
        skills=skills,
    )


PEOPLE = [  # name, résumé — expected order: 周 (100), 吴 (92: city unknown), 郑 (83), 王 (out)
    ("王一", parsed(12, "本科", ("SQL",), "上海")),  # knocked out: 1 year < 3
    ("郑二", parsed(60, "本科", ("Java",), "上海")),  # no 数据分析: 2+2+0+1 = 5/6 → 83
    ("周三", parsed(60, "硕士", ("MySQL",), "上海")),  # everything: 100
    ("吴四", parsed(48, "本科", ("Excel 透视表",), None)),  # city unknown: 5.5/6 → 92
]


def screening() -> Screening:
    links = RecordingLinks(cast(SessionService, None), ttl=14 * 86400)
    import zoneinfo

    zone = zoneinfo.ZoneInfo("Asia/Shanghai")
    return Screening(StoredResumes(), SynonymTable.load(), links, Effects(None), zone)


async def opening_with_applicants() -> tuple[JobOpening, InterviewRound, dict[str, int]]:
    job = await JobOpening.create(code="da", title="数据分析师")
    round_ = await InterviewRound.create(
        job=job, name="AI 面试", kind=RoundKind.RECORDED, sequence=1,
        questions=[{"text": "请介绍一次数据分析项目", "competencies": []}],
    )  # fmt: skip
    ids = {}
    for n, (name, resume) in enumerate(PEOPLE):
        candidate = await Candidate.create(name=name)
        application = await Application.create(candidate=candidate, job=job)
        await ResumeFile.create(
            candidate_id=candidate.id, application_id=application.id, object_key=f"k{n}",
            size=10, sha256=hashlib.sha256(name.encode()).hexdigest(),
            parse_status=ResumeParse.PARSED, parsed=asdict(resume), uploaded_by="lina",
        )  # fmt: skip
        ids[name] = application.id
    # not screened: a rejected application, and one whose file needed OCR
    rejected = await Candidate.create(name="钱五")
    gone = await Application.create(candidate=rejected, job=job, status=ApplicationStatus.REJECTED)
    await ResumeFile.create(candidate_id=rejected.id, application_id=gone.id, object_key="k8",
                            size=1, sha256="0" * 64, parse_status=ResumeParse.PARSED,
                            parsed=asdict(PEOPLE[2][1]), uploaded_by="lina")  # fmt: skip
    scan = await Candidate.create(name="孙六")
    pending = await Application.create(candidate=scan, job=job)
    await ResumeFile.create(candidate_id=scan.id, application_id=pending.id, object_key="k9",
                            size=1, sha256="1" * 64, parse_status=ResumeParse.NEEDS_OCR,
                            uploaded_by="lina")  # fmt: skip
    # a stored document no reader wrote is left out (logged), not a 500
    odd = await Candidate.create(name="赵七")
    odd_application = await Application.create(candidate=odd, job=job)
    await ResumeFile.create(candidate_id=odd.id, application_id=odd_application.id,
                            object_key="k10", size=1, sha256="2" * 64,
                            parse_status=ResumeParse.PARSED, parsed={"status": "unheard-of"},
                            uploaded_by="lina")  # fmt: skip
    return job, round_, ids


async def test_requirements_are_validated_and_stored(database: str) -> None:
    job = await JobOpening.create(code="x", title="销售")
    use = OpeningRequirements()
    saved = await use.save(HR, job.id, REQUIREMENTS)
    assert [f.text for f in saved.flagged] == ["35岁以下"]
    again = await use.read(HR, job.id)
    assert again == saved
    with pytest.raises(InvalidInput, match="性别"):
        await use.save(HR, job.id, {"must": ["男性优先"]})
    assert (await use.read(HR, job.id)) == saved  # the refused save changed nothing
    with pytest.raises(AccessDenied):
        await use.save(INTERVIEWER, job.id, REQUIREMENTS)
    assert await AuditLog.filter(action="save_requirements", allowed=False).count() == 1
    # an opening made before the requirements column (db_default) reads as none
    await JobOpening.filter(id=job.id).update(requirements={})
    assert (await use.read(HR, job.id)).empty


async def test_ranked_with_filters_and_invite_top_n(database: str) -> None:
    job, round_, ids = await opening_with_applicants()
    await OpeningRequirements().save(HR, job.id, REQUIREMENTS)
    use = screening()
    listed = await use.shortlist(HR, job.id)
    assert listed.screened == 4
    assert [(r.applicant.name, r.result.score, r.result.knocked_out) for r in listed.ranked] == [
        ("周三", 100, False), ("吴四", 92, False), ("郑二", 83, False), ("王一", 67, True),
    ]  # fmt: skip
    assert [
        r.applicant.name for r in (await use.shortlist(HR, job.id, knocked_out=True)).ranked
    ] == ["王一"]
    assert [r.applicant.name for r in (await use.shortlist(HR, job.id, min_score=90)).ranked] == [
        "周三",
        "吴四",
    ]
    with pytest.raises(InvalidInput):
        await use.shortlist(HR, job.id, min_score=101)
    with pytest.raises(AccessDenied):
        await use.shortlist(INTERVIEWER, job.id)

    first = await use.invite_top(HR, job.id, 2)
    assert [(r.name, r.outcome) for r in first] == [
        ("周三", Outcome.INVITED),
        ("吴四", Outcome.INVITED),
    ]
    interviews = await Interview.filter(round_id=round_.id).order_by("id")
    assert [i.application_id for i in interviews] == [ids["周三"], ids["吴四"]]
    assert all(i.status == InterviewStatus.INVITED for i in interviews)
    assert await RecordingLink.filter(interview_id__in=[i.id for i in interviews]).count() == 2
    messages = await OutboxMessage.filter(channel=Channel.CANDIDATE).order_by("id")
    assert len(messages) == 2
    payload: dict[str, Any] = messages[0].payload
    assert payload["kind"] == "link" and payload["path"].startswith("pages/interview/index?invite=")
    assert "数据分析师" in payload["content"] and "AI 面试" in payload["content"]

    # Top 3 now: the first two are skipped, the third invited; the knocked-out never is.
    second = await use.invite_top(HR, job.id, 3)
    assert [(r.name, r.outcome) for r in second] == [
        ("周三", Outcome.ALREADY_INVITED), ("吴四", Outcome.ALREADY_INVITED), ("郑二", Outcome.INVITED),
    ]  # fmt: skip
    assert await Interview.filter(round_id=round_.id).count() == 3
    assert await OutboxMessage.filter(channel=Channel.CANDIDATE).count() == 3


async def test_two_hr_clicks_at_once_invite_each_candidate_once(database: str) -> None:
    job, _, ids = await opening_with_applicants()
    await OpeningRequirements().save(HR, job.id, REQUIREMENTS)
    use = screening()
    chosen = [ids["周三"], ids["吴四"], ids["郑二"]]
    both = await asyncio.gather(
        use.invite_top(HR, job.id, 3, application_ids=chosen),
        use.invite_top(HR, job.id, 3, application_ids=chosen),
    )
    outcomes = [r.outcome for results in both for r in results]
    assert outcomes.count(Outcome.INVITED) == 3, outcomes
    assert outcomes.count(Outcome.ALREADY_INVITED) == 3, outcomes
    for application_id in chosen:
        assert await Interview.filter(application_id=application_id).count() == 1


async def test_screening_needs_requirements_and_a_recorded_round(database: str) -> None:
    job = await JobOpening.create(code="y", title="客服")
    use = screening()
    with pytest.raises(InvalidInput, match="还没有设置招聘要求"):
        await use.shortlist(HR, job.id)
    await OpeningRequirements().save(HR, job.id, {"must": [{"years": 1}]})
    with pytest.raises(Conflict, match="录播面试"):
        await use.invite_top(HR, job.id, 3)
    with pytest.raises(InvalidInput):
        await use.invite_top(HR, job.id, 0)
    for unknown in (job.id + 1000, 2**40, -1):
        with pytest.raises(NotFound):
            await use.shortlist(HR, unknown)
        with pytest.raises(NotFound):
            await OpeningRequirements().save(HR, unknown, {"must": [{"years": 1}]})


async def test_invite_top_checks_the_role_before_looking_anything_up(database: str) -> None:
    """A non-HR caller is refused the same way for a real opening and for an id that names
    nothing: the refusal says nothing about what exists."""
    job, round_, ids = await opening_with_applicants()
    use = screening()
    for job_id in (job.id, job.id + 1000, 2**40):
        with pytest.raises(AccessDenied):
            await use.invite_top(INTERVIEWER, job_id, 3)
        with pytest.raises(AccessDenied):
            await use.invite_top(INTERVIEWER, job_id, 3, application_ids=list(ids.values()))
    refused = await AuditLog.filter(action="invite_from_screening", allowed=False).count()
    assert refused == 6
    assert not await Interview.filter(round_id=round_.id).exists()


async def test_one_instance_sees_rewritten_facts_new_files_and_new_requirements(
    database: str,
) -> None:
    """The opened résumés and matches kept between views never hide a change: rewritten
    facts, a newer file (the attached one wins), a rejected application, new requirements."""
    job, _, ids = await opening_with_applicants()
    await OpeningRequirements().save(HR, job.id, REQUIREMENTS)
    use = screening()

    async def ranked() -> list[tuple[str, int, bool]]:
        listed = await use.shortlist(HR, job.id)
        return [(r.applicant.name, r.result.score, r.result.knocked_out) for r in listed.ranked]

    assert await ranked() == [("周三", 100, False), ("吴四", 92, False), ("郑二", 83, False),
                              ("王一", 67, True)]  # fmt: skip
    assert await ranked() == await ranked()  # served again from what was kept
    # 王一's file re-parsed with five years: no longer knocked out
    wang = await Application.get(id=ids["王一"])
    await ResumeFile.filter(application_id=wang.id).update(
        parsed=asdict(parsed(60, "本科", ("SQL",), "上海"))
    )
    assert ("王一", 100, False) in await ranked()
    # a newer file of 郑二 (not attached to the application) is ignored: the attached one wins;
    # a newer attached one is read
    zheng = await Application.get(id=ids["郑二"])
    for n, attached in enumerate((None, zheng.id)):
        await ResumeFile.create(
            candidate_id=zheng.candidate_id, application_id=attached, object_key=f"z{n}",
            size=10, sha256=f"{n}" * 64, parse_status=ResumeParse.PARSED,
            parsed=asdict(parsed(60, "硕士", ("数据分析",), "上海")), uploaded_by="lina",
        )  # fmt: skip
        expected = 83 if attached is None else 100  # the newer file meets everything
        assert ("郑二", expected, False) in await ranked()
    await Application.filter(id=ids["周三"]).update(status=ApplicationStatus.REJECTED)
    assert sorted(name for name, _, _ in await ranked()) == sorted(["吴四", "郑二", "王一"])
    await OpeningRequirements().save(HR, job.id, {"must": [{"years": 10}]})
    assert all(out for _, _, out in await ranked())


async def test_matches_kept_between_views_are_stored_only_on_the_event_loop(
    database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Many fresh résumés are matched in a worker thread; the kept matches (one dict shared
    by every view) are written only on the event loop, so two views at once never mutate
    it from two threads."""
    import threading
    from collections import OrderedDict

    from recruiting.services.screening import ranking

    writers: set[int] = set()

    class Watched(OrderedDict[Any, Any]):
        def __setitem__(self, key: Any, value: Any) -> None:
            writers.add(threading.get_ident())
            super().__setitem__(key, value)

    job, _, _ = await opening_with_applicants()
    await OpeningRequirements().save(HR, job.id, REQUIREMENTS)
    monkeypatch.setattr(ranking, "THREAD_FROM", 1)  # four fresh résumés go to a thread
    use = screening()
    watched = Watched()
    use._matched = watched
    first = await use.shortlist(HR, job.id)
    assert [r.applicant.name for r in first.ranked] == ["周三", "吴四", "郑二", "王一"]
    assert len(watched) == 4 and writers == {threading.get_ident()}
    again = await use.shortlist(HR, job.id)  # served from what was kept, same order
    assert [r.result for r in again.ranked] == [r.result for r in first.ranked]
