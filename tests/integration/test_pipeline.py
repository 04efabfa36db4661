"""The pipeline use cases on SQLite and PostgreSQL: the board's stages and counts (the SQL
against the pure rule), filters and paging, who may look (audited), bulk actions reported per
candidate, rejection with a reason that reaches the candidate and the summary draft, the
review's evidence marks and timeline, and the comparison."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, cast

import pytest

from recruiting import clock
from recruiting.domain.interview_state import InterviewStatus
from recruiting.domain.pipeline import (
    REJECT_FOR_CANDIDATE,
    REJECT_NAMES,
    RULES_ENGINE_NAME,
    RejectReason,
    Stage,
    stage_of,
)
from recruiting.domain.roles import Role
from recruiting.errors import AccessDenied, InvalidInput, NotFound
from recruiting.models import (
    AnalysisStatus,
    Answer,
    AnswerStatus,
    Application,
    ApplicationStatus,
    AuditLog,
    Candidate,
    CandidateSummary,
    IntegrityEvent,
    Interview,
    InterviewAssignment,
    InterviewInvitation,
    InterviewMode,
    InterviewRound,
    JobOpening,
    Offer,
    OutboxMessage,
    RaterKind,
    RecordingLink,
    ReminderDelivery,
    RoundKind,
    Score,
    Staff,
    SubjectKind,
)
from recruiting.ports.outbound import Channel
from recruiting.services.after_interview.summaries import CandidateSummaries, SummaryReleases
from recruiting.services.invitations.lifecycle import InterviewInvitations
from recruiting.services.messaging.effects import Effects
from recruiting.services.offers.approvals import OfferApprovals
from recruiting.services.offers.ehr import EhrSync
from recruiting.services.offers.offers import Offers
from recruiting.services.pipeline.board import BoardFilters, PipelineBoard, stages_of
from recruiting.services.pipeline.bulk import BulkActions
from recruiting.services.pipeline.compare import Comparison
from recruiting.services.pipeline.decisions import Decisions
from recruiting.services.pipeline.pending import PendingReview
from recruiting.services.pipeline.reject import Rejections
from recruiting.services.pipeline.review import ReviewService
from recruiting.services.recorded.links import RecordingLinks
from recruiting.services.scheduling.booking import InterviewBooking
from recruiting.services.scheduling.slots import SchedulingRules, SchedulingService
from recruiting.services.shared.sessions import Principal
from recruiting.settings import FollowUpSettings
from tests.fakes.live import SH, FakePrompts
from tests.fakes.payroll import FakePackages
from tests.people_text import problems

MODEL = [{"code": "comm", "name": "沟通能力", "weight": "0.6"},
         {"code": "res", "name": "抗压能力", "weight": "0.4"}]  # fmt: skip
QUESTIONS = [{"text": "讲一次处理客户投诉的经历", "competencies": ["沟通能力"]},
             {"text": "讲一次压力很大的时候", "competencies": ["抗压能力"]}]  # fmt: skip
SEGMENTS = [{"start": 0.0, "end": 4.0, "text": "我负责过一个大客户项目，"},
            {"start": 4.5, "end": 9.0, "text": "当时客户 投诉很多，我先安抚再复盘。"}]  # fmt: skip
HR = Principal(1, SubjectKind.STAFF, staff_id=1, userid="lina", roles=frozenset({Role.HR}))


@dataclass
class World:
    job: JobOpening
    other_job: JobOpening
    recorded: InterviewRound
    live: InterviewRound
    apps: dict[str, Application]
    interviewer: Staff
    outsider: Staff
    bulk: BulkActions
    rejections: Rejections
    board: PipelineBoard

    def principal(self, staff: Staff) -> Principal:
        return Principal(2, SubjectKind.STAFF, staff_id=staff.id, userid=staff.wecom_userid,
                         roles=frozenset({Role.INTERVIEWER}))  # fmt: skip


async def _app(
    job: JobOpening, name: str, status: str = "applied", channel: str = "boss"
) -> Application:
    candidate = await Candidate.create(name=name)
    return await Application.create(candidate=candidate, job=job, status=status, channel=channel)


async def _interview(app: Application, round_: InterviewRound, mode: InterviewMode,
                     status: InterviewStatus, **kw: Any) -> Interview:  # fmt: skip
    return await Interview.create(application=app, round=round_, mode=mode, status=status, **kw)


@pytest.fixture
async def world(database: str) -> World:
    hr = await Staff.create(wecom_userid="lina", name="李娜", roles=["hr"])
    assert hr.id == 1
    interviewer = await Staff.create(wecom_userid="iv0", name="王强", roles=["interviewer"])
    outsider = await Staff.create(wecom_userid="iv1", name="赵六", roles=["interviewer"])
    job = await JobOpening.create(code="sales", title="销售代表", competency_model=MODEL)
    other_job = await JobOpening.create(code="ops", title="运营专员", competency_model=MODEL)
    recorded = await InterviewRound.create(job=job, name="录制初面", sequence=1,
                                           kind=RoundKind.RECORDED, questions=QUESTIONS)  # fmt: skip
    live = await InterviewRound.create(job=job, name="业务面", sequence=2, kind=RoundKind.LIVE,
                                       duration_minutes=45)  # fmt: skip
    apps = {
        "new": await _app(job, "新人", channel="site"),
        "screened": await _app(job, "筛过", "screening"),
        "recorded": await _app(job, "录过", "interviewing"),
        "live": await _app(job, "面过", "interviewing"),
        "offer": await _app(job, "发了", "interviewing"),
        "hired": await _app(job, "入职", "hired"),
        "rejected": await _app(job, "没过", "rejected"),
        "withdrawn": await _app(job, "撤了", "withdrawn"),
        "cancelled": await _app(job, "取消", "applied"),
        "dead_offer": await _app(job, "撤offer", "interviewing"),
        "elsewhere": await _app(other_job, "别岗"),
    }
    await _recorded_interview(apps["recorded"], recorded, interviewer)
    await _interview(apps["live"], recorded, InterviewMode.RECORDED, InterviewStatus.COMPLETED)
    await _interview(apps["live"], live, InterviewMode.ONSITE, InterviewStatus.CONFIRMED,
                     starts_at=clock.now() + timedelta(days=3))  # fmt: skip
    await Offer.create(application=apps["offer"], created_by="lina", city="310000",
                       base_salary=Decimal(20000), start_date=date(2027, 1, 4))  # fmt: skip
    await _interview(apps["cancelled"], recorded, InterviewMode.RECORDED, InterviewStatus.CANCELLED)
    await _interview(apps["dead_offer"], live, InterviewMode.ONSITE, InterviewStatus.COMPLETED)
    await Offer.create(application=apps["dead_offer"], created_by="lina", city="310000",
                       base_salary=Decimal(20000), start_date=date(2027, 1, 4),
                       status="cancelled")  # fmt: skip
    effects = Effects(None)
    scheduling = SchedulingService(SchedulingRules(SH), None)
    booking = InterviewBooking(scheduling, InterviewInvitations(scheduling, SH, None))
    rejections = Rejections(EhrSync(None), booking, effects)
    links = RecordingLinks(cast(Any, None), 7 * 86400)
    bulk = BulkActions(links, booking, rejections)
    return World(job, other_job, recorded, live, apps, interviewer, outsider, bulk, rejections,
                 PipelineBoard())  # fmt: skip


async def _recorded_interview(app: Application, round_: InterviewRound, rater: Staff) -> Interview:
    t0 = clock.now()  # everything after the application was made
    interview = await _interview(app, round_, InterviewMode.RECORDED, InterviewStatus.COMPLETED,
                                 completed_at=t0 + timedelta(hours=1))  # fmt: skip
    await RecordingLink.create(token_hash="h" * 64, interview=interview, created_by="lina",
                               expires_at=t0 + timedelta(days=7), redeemed_at=t0 + timedelta(minutes=5))  # fmt: skip
    analysis = {
        "transcript": {"available": True, "engine": "paddle", "segments": SEGMENTS},
        "score": {"overall": 72.0, "coverage": 0.6, "competencies": {},
                  "flags": [{"code": "keyword_list", "label": "关键词堆砌", "reason": "只列关键词"}]},
    }  # fmt: skip
    await Answer.create(interview=interview, question_index=0, status=AnswerStatus.SUBMITTED,
                        revealed_at=t0 + timedelta(minutes=10), submitted_at=t0 + timedelta(minutes=14),
                        media_key="answers/x/0/u", media_type="video/mp4", media_seconds=9.0,
                        analysis_status=AnalysisStatus.DONE, analysis=analysis, flag_count=1)  # fmt: skip
    await IntegrityEvent.create(interview=interview, kind="app_backgrounded", question_index=0)
    evidence = [{"quote": "客户投诉很多", "why": "具体情境", "question": 0},
                {"quote": "从没说过的话", "why": "改写", "question": 0}]  # fmt: skip
    await Score.create(interview=interview, competency="沟通能力", rater_kind=RaterKind.AI,
                       rater_key="rules-v2 (jieba)", value=Decimal("4.0"),
                       confidence=Decimal("0.7"), evidence=evidence)  # fmt: skip
    await Score.create(interview=interview, competency="抗压能力", rater_kind=RaterKind.AI,
                       rater_key="rules-v2 (jieba)", value=None, evidence=[])  # fmt: skip
    await InterviewAssignment.create(interview=interview, interviewer=rater)
    await Score.create(interview=interview, competency="沟通能力", rater_kind=RaterKind.HUMAN,
                       rater_key=f"staff:{rater.id}", rater=rater, value=Decimal("3.5"))  # fmt: skip
    await ReminderDelivery.create(interview=interview, recipient=f"candidate:{app.candidate_id}",
                                  audience="candidate", offset_minutes=60, start_epoch=1,
                                  outbox_id=1)  # fmt: skip
    return interview


# -- the board ---------------------------------------------------------------------------------


async def test_the_board_counts_every_stage_by_the_same_rule_as_the_domain(world: World) -> None:
    board = await world.board.board(HR, world.job.id, BoardFilters())
    expected = {Stage.NEW: 2, Stage.SCREENED: 1, Stage.RECORDED: 1, Stage.LIVE: 2,
                Stage.OFFER: 1, Stage.HIRED: 1, Stage.REJECTED: 1, Stage.WITHDRAWN: 1}  # fmt: skip
    assert board.counts == expected
    assert board.total == 10 and len(board.cards) == 10  # the other opening's is not here
    stages = await stages_of([a.id for a in world.apps.values()])
    for app in world.apps.values():
        interviews = await Interview.filter(application_id=app.id).exclude(status="cancelled")
        offers = await Offer.filter(application_id=app.id).exclude(status="cancelled")
        rule = stage_of(app.status, recorded=any(i.mode == "recorded" for i in interviews),
                        live=any(i.mode != "recorded" for i in interviews), offer=bool(offers))  # fmt: skip
        assert stages[app.id] is rule, app.candidate_id


async def test_cards_carry_name_ai_score_flags_and_the_furthest_round(world: World) -> None:
    board = await world.board.board(HR, world.job.id, BoardFilters(stage=Stage.RECORDED))
    [card] = board.cards
    assert (card.name, card.ai_score, card.flagged, card.round_name) == (
        "录过",
        4.0,
        True,
        "录制初面",
    )
    live = await world.board.board(HR, world.job.id, BoardFilters(stage=Stage.LIVE))
    assert {c.round_name for c in live.cards} == {"业务面"}
    assert board.rounds == [(world.recorded.id, "录制初面"), (world.live.id, "业务面")]


async def test_filters_narrow_the_cards_and_the_counts(world: World) -> None:
    async def names(**kw: Any) -> set[str]:
        return {
            c.name for c in (await world.board.board(HR, world.job.id, BoardFilters(**kw))).cards
        }

    assert await names(channel="site") == {"新人"}
    assert await names(ai_min=3.5, ai_max=5) == {"录过"}
    assert await names(ai_min=4.5) == set()
    assert await names(flagged=True) == {"录过"}
    assert "录过" not in await names(flagged=False)
    assert await names(round_id=world.live.id) == {"面过", "撤offer"}
    narrowed = await world.board.board(HR, world.job.id, BoardFilters(channel="site"))
    assert sum(narrowed.counts.values()) == 1 and narrowed.counts[Stage.NEW] == 1
    # the channel is sealed at rest: the filter, the cards and the choices read it in clear
    assert [c.channel for c in narrowed.cards] == ["site"]
    assert narrowed.channels == ["boss", "site"]
    first = await world.board.board(HR, world.job.id, BoardFilters(per_page=4))
    third = await world.board.board(HR, world.job.id, BoardFilters(per_page=4, page=3))
    assert len(first.cards) == 4 and len(third.cards) == 2 and third.total == 10
    assert {c.application_id for c in first.cards}.isdisjoint(c.application_id for c in third.cards)


@pytest.mark.parametrize("bad", [{"ai_min": 6}, {"ai_min": 4, "ai_max": 3}, {"per_page": 0},
                                 {"page": 0}, {"per_page": 10_000}])  # fmt: skip
async def test_impossible_filters_are_refused_in_chinese(world: World, bad: dict[str, Any]) -> None:
    with pytest.raises(InvalidInput) as refused:
        await world.board.board(HR, world.job.id, BoardFilters(**bad))
    assert refused.value.code == "bad_filter" and "。" in refused.value.message


async def test_only_hr_sees_the_board_and_every_look_is_audited(world: World) -> None:
    with pytest.raises(AccessDenied):
        await world.board.board(world.principal(world.interviewer), world.job.id, BoardFilters())
    await world.board.board(HR, world.job.id, BoardFilters())
    looks = await AuditLog.filter(action="view_pipeline").order_by("id")
    assert [(a.actor, a.allowed) for a in looks] == [("iv0", False), ("lina", True)]


# -- bulk actions ------------------------------------------------------------------------------


async def test_bulk_invite_reports_each_candidate_and_invites_only_the_right_ones(
    world: World,
) -> None:
    a = world.apps
    deadline = clock.now() + timedelta(days=5)
    ids = [a["new"].id, a["screened"].id, a["recorded"].id, a["rejected"].id,
           a["elsewhere"].id, 987654]  # fmt: skip
    result = await world.bulk.invite_recorded(HR, ids, world.recorded.id, deadline)
    by = {i.application_id: i for i in result.items}
    assert [i.application_id for i in result.items] == ids
    assert by[a["new"].id].ok and by[a["screened"].id].ok
    assert by[a["new"].id].link.startswith("pages/interview/index?invite=")
    assert "已邀请过" in by[a["recorded"].id].message
    assert "申请已结束" in by[a["rejected"].id].message
    assert "不属于" in by[a["elsewhere"].id].message
    assert "没有找到" in by[987654].message
    assert (result.done, result.failed) == (2, 4)
    invited = await Interview.filter(round_id=world.recorded.id, status="invited")
    assert {i.application_id for i in invited} == {a["new"].id, a["screened"].id}
    stages = await stages_of([a["new"].id])
    assert stages[a["new"].id] is Stage.RECORDED


async def test_bulk_actions_need_hr_and_a_selection(world: World) -> None:
    deadline = clock.now() + timedelta(days=5)
    with pytest.raises(AccessDenied):
        await world.bulk.invite_recorded(
            world.principal(world.interviewer), [1], world.recorded.id, deadline
        )
    with pytest.raises(InvalidInput):
        await world.bulk.invite_recorded(HR, [], world.recorded.id, deadline)
    with pytest.raises(InvalidInput):  # a live round is not a recorded one
        await world.bulk.invite_recorded(HR, [world.apps["new"].id], world.live.id, deadline)


async def test_bulk_actions_refuse_a_round_of_another_opening_than_the_board(
    world: World,
) -> None:
    """The form of one opening's board names the round: one of another opening (a tampered
    or stale form) is refused before anyone is invited or booked."""
    deadline = clock.now() + timedelta(days=5)
    new = world.apps["new"].id
    with pytest.raises(InvalidInput) as refused:
        await world.bulk.invite_recorded(
            HR, [new], world.recorded.id, deadline, job_id=world.other_job.id
        )
    assert "这个岗位" in refused.value.message
    start = datetime.now(SH) + timedelta(days=14)
    with pytest.raises(InvalidInput):
        await world.bulk.schedule_live(
            HR, [new], world.live.id, start, [world.interviewer.id], job_id=world.other_job.id
        )
    assert not await Interview.filter(application_id=new).exists()
    done = await world.bulk.invite_recorded(
        HR, [new], world.recorded.id, deadline, job_id=world.job.id
    )
    assert done.done == 1


async def test_bulk_scheduling_books_one_after_another_and_invites(world: World) -> None:
    a = world.apps
    monday = datetime.now(SH) + timedelta(days=14 - datetime.now(SH).weekday())
    start = monday.replace(hour=10, minute=0, second=0, microsecond=0)
    result = await world.bulk.schedule_live(
        HR, [a["new"].id, a["screened"].id, a["withdrawn"].id], world.live.id, start,
        [world.interviewer.id], gap_minutes=15, location="A 座 3 楼",
    )  # fmt: skip
    assert [i.ok for i in result.items] == [True, True, False]
    booked = await Interview.filter(round_id=world.live.id, status="invited").order_by("starts_at")
    assert [b.starts_at for b in booked] == [start, start + timedelta(minutes=60)]
    assert await InterviewInvitation.filter(interview_id__in=[b.id for b in booked]).count() == 2


# -- rejection ---------------------------------------------------------------------------------


async def test_rejecting_stores_the_reason_cancels_what_is_ahead_and_tells_the_candidate_once(
    world: World,
) -> None:
    app = world.apps["live"]
    done = await world.rejections.reject(HR, app.id, RejectReason.EXPERIENCE, "需要 B2B 经验")
    assert done.now and done.cancelled == 1
    await app.refresh_from_db()
    assert app.status == ApplicationStatus.REJECTED
    assert (app.rejection_reason, app.rejection_note, app.rejected_by) == (
        "experience",
        "需要 B2B 经验",
        "lina",
    )
    live = await Interview.get(application_id=app.id, round_id=world.live.id)
    assert live.status == InterviewStatus.CANCELLED
    to_candidate = await OutboxMessage.filter(channel=Channel.CANDIDATE,
                                              recipient=f"candidate:{app.candidate_id}")  # fmt: skip
    texts = [str(m.payload.get("content")) for m in to_candidate]
    [rejection] = [t for t in texts if "未能继续推进" in t]
    assert REJECT_FOR_CANDIDATE[RejectReason.EXPERIENCE] in rejection
    assert "B2B" not in rejection and "AI" not in rejection  # HR's note stays with HR
    assert await OutboxMessage.filter(channel=Channel.EHR).exists()
    again = await world.rejections.reject(HR, app.id, RejectReason.OTHER)
    assert not again.now
    assert await OutboxMessage.filter(channel=Channel.CANDIDATE).count() == len(to_candidate)
    await app.refresh_from_db()
    assert app.rejection_reason == "experience"


async def test_bulk_reject_reports_a_hired_candidate_without_stopping_the_others(
    world: World,
) -> None:
    a = world.apps
    result = await world.bulk.reject(
        HR, [a["hired"].id, a["new"].id], RejectReason.POSITION_FILLED, job_id=world.job.id
    )
    assert [i.ok for i in result.items] == [False, True]
    assert "已入职" in result.items[0].message
    assert (await Application.get(id=a["new"].id)).status == ApplicationStatus.REJECTED
    assert (await Application.get(id=a["hired"].id)).status == ApplicationStatus.HIRED


async def test_bulk_reject_refuses_an_application_of_another_opening(world: World) -> None:
    """The board's form names its opening: a crafted id of another opening's application is
    refused for that line (in Chinese), the others are done."""
    a = world.apps
    ids = [a["elsewhere"].id, a["new"].id]
    result = await world.bulk.reject(HR, ids, RejectReason.OTHER, job_id=world.job.id)
    assert [i.ok for i in result.items] == [False, True]
    assert "不是这个岗位" in result.items[0].message
    assert (await Application.get(id=a["elsewhere"].id)).status == ApplicationStatus.APPLIED
    assert (await Application.get(id=a["new"].id)).status == ApplicationStatus.REJECTED
    assert not await OutboxMessage.filter(
        channel=Channel.CANDIDATE, recipient=f"candidate:{a['elsewhere'].candidate_id}"
    ).exists()


async def test_the_reject_reason_reaches_the_candidate_summary_draft(world: World) -> None:
    app = world.apps["recorded"]
    await world.rejections.reject(HR, app.id, RejectReason.BETTER_MATCH, "比另一位弱")
    settings = FollowUpSettings(surveys_enabled=True, survey_delay_minutes=10,
                                survey_edit_hours=24, summary_delay_minutes=60,
                                auto_release=False, lookback_days=7)  # fmt: skip
    effects = Effects(None)
    summaries = CandidateSummaries(settings, FakePrompts(), SummaryReleases(effects), effects, SH)
    interview = await Interview.get(application_id=app.id).prefetch_related(
        "application__candidate", "round__job"
    )
    assert await summaries.draft(interview, clock.now()) == 1
    summary = await CandidateSummary.get(interview_id=interview.id)
    assert summary.for_rejection
    assert REJECT_FOR_CANDIDATE[RejectReason.BETTER_MATCH] in summary.next_step
    assert "比另一位弱" not in summary.next_step + summary.strengths + summary.improvements
    assert REJECT_NAMES[RejectReason.BETTER_MATCH] in summary.hr_notes
    assert "比另一位弱" in summary.hr_notes


# -- review and comparison ---------------------------------------------------------------------


async def test_the_review_marks_evidence_in_the_transcript_and_keeps_the_panel_apart(
    world: World,
) -> None:
    data = await ReviewService(SH).review(HR, world.apps["recorded"].id)
    assert data["application"]["stage"] == "recorded" and data["can_decide"]
    [interview] = data["interviews"]
    [answer] = interview["answers"]
    assert answer["question"] == QUESTIONS[0]["text"] and answer["has_media"]
    assert answer["flags"][0]["label"] == "关键词堆砌"
    comm = next(s for s in interview["ai"] if s["competency"] == "沟通能力")
    found, missing = comm["evidence"]
    assert missing["mark"] is None
    mark = found["mark"]
    assert (mark["segment"], mark["at"]) == (1, 4.5)
    text = SEGMENTS[1]["text"]
    assert text[mark["start"] : mark["end"]] == "客户 投诉很多"
    assert answer["segments"][1]["marks"] == [
        {"start": mark["start"], "end": mark["end"], "competency": "沟通能力"}
    ]
    assert (comm["value"], comm["confidence"], interview["engine"]) == (
        4.0,
        0.7,
        RULES_ENGINE_NAME,
    )
    assert interview["panel"] == [
        {"rater": "王强", "competency": "沟通能力", "value": 3.5, "comment": ""}
    ]
    assert interview["integrity"][0]["label"] == "作答时切换到了后台"
    assert "仅供参考" in data["advisory"]


async def test_the_timeline_gathers_what_happened_in_time_order(world: World) -> None:
    app = world.apps["recorded"]
    await world.rejections.reject(HR, app.id, RejectReason.SKILLS)
    data = await ReviewService(SH).review(HR, app.id)
    kinds = [h["kind"] for h in data["timeline"]]
    for kind in (
        "applied",
        "interview",
        "invitation",
        "answer",
        "reminder",
        "completed",
        "decision",
    ):
        assert kind in kinds, kind
    times = [h["at"] for h in data["timeline"]]
    assert times == sorted(times)
    assert kinds[0] == "applied"
    assert kinds.index("invitation") < kinds.index("answer") < kinds.index("completed")


async def test_the_review_names_people_and_sources_in_chinese(world: World) -> None:
    """Who decided is a name, not a WeCom userid; the source a Chinese word, not a code; a
    panel score whose interviewer's account is gone says so instead of a rater key."""
    app = world.apps["recorded"]
    await Application.filter(id=app.id).update(channel="manual")
    await world.rejections.reject(HR, app.id, RejectReason.SKILLS)
    await Score.filter(rater_kind=RaterKind.HUMAN).update(rater_id=None)
    data = await ReviewService(SH).review(HR, app.id)
    [interview] = data["interviews"]
    assert interview["panel"][0]["rater"] == "面试官（账号已删除）"
    texts = [h["text"] for h in data["timeline"]]
    assert texts[0] == "投递申请（来源：HR 录入）"
    assert "记录决定（李娜）" in texts
    for text in texts:
        assert "lina" not in text and "staff:" not in text and problems(text) == [], text


async def test_interviewers_review_only_applications_on_their_panels(world: World) -> None:
    mine = await ReviewService(SH).review(
        world.principal(world.interviewer), world.apps["recorded"].id
    )
    assert not mine["can_decide"]
    with pytest.raises(AccessDenied):
        await ReviewService(SH).review(world.principal(world.outsider), world.apps["recorded"].id)
    denied = await AuditLog.get(action="view_review", allowed=False)
    assert denied.actor == "iv1"


async def test_who_may_review_is_settled_before_the_application_is_looked_up(
    world: World,
) -> None:
    """Off the panel, an interviewer (or a candidate) is refused alike for an application
    that exists and for ids that name nothing (403, never 404), each refusal audited; HR
    still learns that a missing one is missing."""
    candidate = Principal(5, SubjectKind.CANDIDATE, candidate_id=world.apps["new"].candidate_id)
    for who in (world.principal(world.outsider), candidate):
        for application_id in (world.apps["recorded"].id, 987654, 2**40):
            with pytest.raises(AccessDenied):
                await ReviewService(SH).review(who, application_id)
    with pytest.raises(AccessDenied):  # on some panel, but not on this one's
        await ReviewService(SH).review(world.principal(world.interviewer), 987654)
    refused = await AuditLog.filter(action="view_review", allowed=False).count()
    assert refused == 7
    with pytest.raises(NotFound):
        await ReviewService(SH).review(HR, 987654)


async def test_advancing_checks_the_role_before_the_round_is_looked_up(world: World) -> None:
    packages = FakePackages()
    offers = Offers(packages, OfferApprovals(EhrSync(), SH), SH)
    decisions = Decisions(world.bulk, world.rejections, offers, Effects(None), SH)
    deadline = clock.now() + timedelta(days=2)
    for round_id in (world.recorded.id, 987654):
        with pytest.raises(AccessDenied):
            await decisions.advance(world.principal(world.interviewer), world.apps["new"].id,
                                    round_id, deadline=deadline)  # fmt: skip
    assert await AuditLog.filter(action="advance", allowed=False).count() == 2
    with pytest.raises(NotFound):
        await decisions.advance(HR, world.apps["new"].id, 987654, deadline=deadline)
    assert not await Interview.filter(application_id=world.apps["new"].id).exists()


async def test_the_comparison_sets_competencies_side_by_side(world: World) -> None:
    a = world.apps
    data = await Comparison().compare(HR, world.job.id)
    assert data["competencies"] == ["沟通能力", "抗压能力"]
    names = [c["name"] for c in data["candidates"]]
    assert names[0] == "录过" and "入职" not in names and "没过" not in names
    top = data["candidates"][0]
    assert top["cells"]["沟通能力"] == {"ai": 4.0, "confidence": 0.7, "evidence": 2, "panel": 3.5}
    assert top["flags"] == 2  # one integrity event, one gaming flag
    chosen = await Comparison().compare(HR, world.job.id, [a["new"].id, a["recorded"].id])
    assert [c["name"] for c in chosen["candidates"]] == ["新人", "录过"]
    with pytest.raises(InvalidInput):
        await Comparison().compare(HR, world.job.id, [a["elsewhere"].id])


async def test_pending_review_lists_analysed_recordings_nobody_acted_on_yet(world: World) -> None:
    pending = PendingReview(SH)
    [waiting] = await pending.waiting(HR)
    assert (waiting.name, waiting.round, waiting.ai_score) == ("录过", "录制初面", 4.0)
    assert await pending.waiting(HR, world.other_job.id) == []
    answer = await Answer.get(interview_id=waiting.interview_id)
    await Answer.filter(id=answer.id).update(analysis_status=AnalysisStatus.QUEUED)
    assert await pending.waiting(HR) == []  # still being analysed
    await Answer.filter(id=answer.id).update(analysis_status=AnalysisStatus.DONE)
    await world.rejections.reject(HR, world.apps["recorded"].id, RejectReason.OTHER)
    assert await pending.waiting(HR) == []  # decided
    with pytest.raises(AccessDenied):
        await pending.waiting(world.principal(world.interviewer))


async def test_decisions_advance_and_propose_an_offer_through_the_chat_use_case(
    world: World,
) -> None:
    packages = FakePackages()
    offers = Offers(packages, OfferApprovals(EhrSync(), SH), SH)
    decisions = Decisions(world.bulk, world.rejections, offers, Effects(None), SH)
    a = world.apps
    app = a["recorded"]
    done = await decisions.propose_offer(HR, app.id, "月薪2万 入职2030-03-18")
    assert done.ok and "企业微信" in done.message
    [offer] = await Offer.filter(application_id=app.id)
    assert (offer.status, offer.base_salary, offer.start_date) == (
        "draft",
        20000,
        date(2030, 3, 18),
    )
    card = await OutboxMessage.get(channel=Channel.WECOM_MESSAGE, recipient="lina")
    assert card.payload["kind"] == "template_card"
    assert (await stages_of([app.id]))[app.id] is Stage.OFFER
    with pytest.raises(AccessDenied):
        await decisions.propose_offer(world.principal(world.interviewer), app.id)

    deadline = clock.now() + timedelta(days=2)
    moved = await decisions.advance(HR, a["screened"].id, world.recorded.id, deadline=deadline)
    assert moved.ok and moved.link.startswith("pages/interview/index?invite=")
    with pytest.raises(InvalidInput):
        await decisions.advance(HR, a["screened"].id, world.live.id)  # no time given
    refused = await decisions.advance(HR, a["hired"].id, world.recorded.id, deadline=deadline)
    assert not refused.ok and "申请已结束" in refused.message


async def test_a_reason_typed_in_intake_is_shown_to_hr_and_kept_from_the_candidate(
    world: World,
) -> None:
    app = world.apps["recorded"]
    await Application.filter(id=app.id).update(status="rejected", rejection_reason="薪资期望过高")
    data = await ReviewService(SH).review(HR, app.id)
    assert data["application"]["rejection"]["reason_name"] == "薪资期望过高"
    settings = FollowUpSettings(surveys_enabled=True, survey_delay_minutes=10,
                                survey_edit_hours=24, summary_delay_minutes=60,
                                auto_release=False, lookback_days=7)  # fmt: skip
    effects = Effects(None)
    summaries = CandidateSummaries(settings, FakePrompts(), SummaryReleases(effects), effects, SH)
    interview = await Interview.get(application_id=app.id).prefetch_related(
        "application__candidate", "round__job"
    )
    await summaries.draft(interview, clock.now())
    summary = await CandidateSummary.get(interview_id=interview.id)
    assert "薪资期望过高" in summary.hr_notes
    assert "薪资" not in summary.next_step + summary.strengths + summary.improvements


async def test_an_id_beyond_the_tables_keys_is_not_found_not_a_database_error(
    world: World,
) -> None:
    """A typed-in ``/workbench/review/99999999999`` or a board/reject of such an id names
    nothing: PostgreSQL would refuse to compare it with an ``integer`` key (a 500)."""
    huge = 2**40
    with pytest.raises(NotFound):
        await ReviewService(SH).review(HR, huge)
    with pytest.raises(NotFound):
        await world.board.board(HR, huge, BoardFilters())
    with pytest.raises(NotFound):
        await world.rejections.reject(HR, huge, RejectReason.SKILLS)
    with pytest.raises(NotFound):
        await Comparison().compare(HR, huge)


async def test_hrs_rejection_note_is_kept_from_the_interviewers_on_the_panel(world: World) -> None:
    recorded = world.apps["recorded"].id
    await world.rejections.reject(HR, recorded, RejectReason.SKILLS, "薪资期望过高，内部备注")
    hr_view = await ReviewService(SH).review(HR, recorded)
    assert hr_view["application"]["rejection"]["note"] == "薪资期望过高，内部备注"
    panel = await ReviewService(SH).review(world.principal(world.interviewer), recorded)
    assert panel["application"]["rejection"]["reason"] == "skills"
    assert panel["application"]["rejection"]["note"] == ""
