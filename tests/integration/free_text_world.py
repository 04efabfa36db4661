"""The candidate-text world the free-text and answer-unit tests share: 张三 bound to 微信客服,
every answer route wired as in production, and the steps that give him something to answer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import count
from typing import Any

import pytest

from recruiting import clock
from recruiting.domain.availability import Interval
from recruiting.domain.roles import Role
from recruiting.models import (
    Application,
    ApplicationStatus,
    Candidate,
    CandidateContact,
    CandidateMessage,
    InterviewInvitation,
    InterviewRound,
    JobOpening,
    OutboxMessage,
    Staff,
    SubjectKind,
)
from recruiting.ports.outbound import Channel
from recruiting.services.after_interview.survey_answers import SurveyAnswers
from recruiting.services.after_interview.surveys import Surveys
from recruiting.services.candidate_channel import contacts
from recruiting.services.candidate_channel.answers import CandidateAnswers
from recruiting.services.candidate_channel.free_text import FreeText
from recruiting.services.demo import seed_demo_staff
from recruiting.services.invitations.lifecycle import InterviewInvitations
from recruiting.services.messaging.answer_routes import answer_routes
from recruiting.services.messaging.effects import Effects
from recruiting.services.offers.answers import OfferAnswers
from recruiting.services.offers.approvals import OfferApprovals
from recruiting.services.offers.ehr import EhrSync
from recruiting.services.offers.offers import Offers
from recruiting.services.personal_data.talent_pool import TalentPool
from recruiting.services.scheduling.slots import SchedulingRules, SchedulingService
from recruiting.services.shared.sessions import Principal
from recruiting.settings import FollowUpSettings
from tests.fakes.payroll import FakePackages
from tests.integration.offer_world import TZ, OfferWorld

HR = Principal(1, SubjectKind.STAFF, userid="lina", roles=frozenset({Role.HR}))
SETTINGS = FollowUpSettings(
    surveys_enabled=True, survey_delay_minutes=10, survey_edit_hours=24,
    summary_delay_minutes=60, auto_release=False, lookback_days=7,
)  # fmt: skip
_msgids = count(1)


@dataclass(frozen=True)
class FreeTextWorld(OfferWorld):
    cid: int  # 张三's candidate id
    scheduling: SchedulingService
    invitations: InterviewInvitations
    surveys: SurveyAnswers
    answers: CandidateAnswers


async def free_text_world() -> FreeTextWorld:
    """张三 (applying for 销售代表, HR 李娜), bound to 微信客服 with the 5-reply window used
    up; the services wired as in production."""
    await seed_demo_staff()
    job = await JobOpening.create(code="sales", title="销售代表", city="上海")
    candidate = await Candidate.create(name="张三")
    application = await Application.create(candidate=candidate, job=job, status="interviewing")
    approvals = OfferApprovals(EhrSync(), TZ)
    offer_service = Offers(FakePackages(), approvals, TZ)
    cid = candidate.id
    await CandidateContact.create(candidate_id=cid, kf_open_kfid="wk1",
                                  kf_external_userid="wm-zs", kf_window_start=clock.now(),
                                  kf_window_sent=5)  # fmt: skip
    scheduling = SchedulingService(SchedulingRules(TZ))
    invitations = InterviewInvitations(scheduling, TZ)
    outbox = Effects(None)
    surveys = SurveyAnswers(Surveys(SETTINGS, outbox, TZ), outbox)
    offers = OfferAnswers()
    pool = TalentPool(outbox).answer
    routes = answer_routes(invitations, survey=surveys, offer=offers, pool=pool)
    answers = CandidateAnswers(invitations, routes, FreeText(invitations, offers, surveys, pool))
    return FreeTextWorld(job=job, application=application, approvals=approvals, offers=offer_service,
                         cid=cid, scheduling=scheduling, invitations=invitations,
                         surveys=surveys, answers=answers)  # fmt: skip


@pytest.fixture
async def world(database: str) -> FreeTextWorld:
    """The world above on the test's database (import it as a fixture)."""
    return await free_text_world()


def candidate(cid: int) -> Principal:
    """The candidate's mini-app session."""
    return Principal(2, SubjectKind.CANDIDATE, candidate_id=cid)


async def in_inbox(cid: int, subject: str) -> CandidateMessage:
    """The message asking ``subject``, kept in the mini-app inbox as the sender keeps it."""
    rows = await OutboxMessage.filter(channel=Channel.CANDIDATE, recipient=f"candidate:{cid}")
    [row] = [r for r in rows if r.payload.get("subject") == subject]
    message = await contacts.keep(cid, row.idempotency_key, dict(row.payload))
    await contacts.delivered(message, "miniapp", "inbox", {})
    return message


async def typed(world: FreeTextWorld, text: str, msgid: str = "") -> Any:
    msgid = msgid or f"m{next(_msgids)}"
    return await world.answers.kf_message("wk1", "wm-zs", msgid, text, "", clock.now())


async def invited(world: FreeTextWorld) -> InterviewInvitation:
    round_ = await InterviewRound.create(
        job=world.job, name="复试", sequence=2, duration_minutes=60
    )
    chenjing = await Staff.get(wecom_userid="chenjing")
    now = datetime.now(TZ)
    day = (now + timedelta(days=14 - now.weekday())).replace(
        hour=0, minute=0, second=0, microsecond=0
    )  # a Monday
    scheduling = world.scheduling
    [proposal, *_] = await scheduling.propose(HR, round_.id, [Interval(day, day + timedelta(1))],
                                              [chenjing.id])  # fmt: skip
    interview = await scheduling.book(HR, world.application.id, round_.id, proposal)
    return await world.invitations.invite(HR, interview.id)


async def rejected_and_asked_about_the_pool(world: FreeTextWorld) -> None:
    await EhrSync().record_decision(world.application.id, ApplicationStatus.REJECTED, HR.actor)
    asked = await OutboxMessage.filter(recipient=f"candidate:{world.cid}")
    assert [r for r in asked if r.payload.get("subject") == f"pool:{world.cid}"]
