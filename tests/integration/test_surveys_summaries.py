"""Surveys and candidate summaries on SQLite and PostgreSQL: the jobs are idempotent and
run by a clock, answers arrive by every route, summaries are drafted by the rules and
released only by a person (or the policy a person set)."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from recruiting import clock
from recruiting.domain.inbound import CardClick, SelectedItem
from recruiting.domain.roles import Role
from recruiting.domain.routing import route_key
from recruiting.errors import AccessDenied, Conflict, NotFound
from recruiting.models import (
    Application,
    AuditLog,
    CandidateSummary,
    Interview,
    OutboxMessage,
    RaterKind,
    Score,
    Staff,
    SubjectKind,
    SurveyResponse,
)
from recruiting.ports.outbound import Channel
from recruiting.services.after_interview.summaries import (
    EDIT,
    RELEASE,
    CandidateSummaries,
    SummaryReleases,
)
from recruiting.services.after_interview.survey_summary import SurveySummaries
from recruiting.services.after_interview.surveys import SUBMIT, SurveyClosed, SurveyNotOpen, Surveys
from recruiting.services.live.panel_scoring import SCORE
from recruiting.services.messaging.effects import Effects
from recruiting.services.recorded.results import ResultsService
from recruiting.services.shared.sessions import Principal
from recruiting.settings import FollowUpSettings
from tests.fakes.live import SH, FakePrompts, Live, clicked, live_world, said

SETTINGS = FollowUpSettings(
    surveys_enabled=True, survey_delay_minutes=10, survey_edit_hours=24,
    summary_delay_minutes=60, auto_release=False, lookback_days=7,
)  # fmt: skip


def _services(settings: FollowUpSettings = SETTINGS) -> tuple[Surveys, CandidateSummaries]:
    outbox = Effects(None)
    releases = SummaryReleases(outbox)
    summaries = CandidateSummaries(settings, FakePrompts(), releases, outbox, SH)
    return Surveys(settings, outbox, SH), summaries


async def _completed(world: Live, minutes_ago: int = 15) -> datetime:
    at = clock.now() - timedelta(minutes=minutes_ago)
    await Interview.filter(id=world.interview.id).update(status="completed", completed_at=at)
    return at


def _candidate(world: Live) -> Principal:
    cid = world.interview.application.candidate_id  # type: ignore[attr-defined]
    return Principal(1, SubjectKind.CANDIDATE, candidate_id=cid)


def _staff(staff: Staff) -> Principal:
    return Principal(2, SubjectKind.STAFF, staff_id=staff.id, userid=staff.wecom_userid,
                     roles=staff.role_set())  # fmt: skip


def _click(user: str, key: str, values: dict[str, str], code: str = "rc") -> CardClick:
    chosen = tuple(SelectedItem(q, (v,)) for q, v in values.items())
    return replace(clicked(user, key, {}, code), selected=chosen)


async def test_finishing_a_live_interview_records_its_completion_time(database: str) -> None:
    world = await live_world()
    await world.bot.on_text(said("wangqiang", "开始面试"))
    await world.bot.on_text(said("wangqiang", "结束面试"))
    interview = await Interview.get(id=world.interview.id)
    assert interview.status == "completed" and interview.completed_at is not None


async def test_surveys_go_out_once_after_the_delay(database: str) -> None:
    world = await live_world()
    surveys, _ = _services()
    done = await _completed(world, minutes_ago=5)
    assert await surveys.send_due_surveys() == 0  # the delay (10 min) is not over
    later = done + timedelta(minutes=11)
    assert await surveys.send_due_surveys(later) == 3  # the candidate and two interviewers
    assert await surveys.send_due_surveys(later) == 0
    assert await surveys.send_due_surveys(later + timedelta(hours=1)) == 0
    rows = await OutboxMessage.filter(idempotency_key__startswith="survey:").order_by("id")
    assert len(rows) == 3
    to_candidate = [r for r in rows if r.channel == Channel.CANDIDATE]
    assert len(to_candidate) == 1
    payload = to_candidate[0].payload
    cid = world.interview.application.candidate_id  # type: ignore[attr-defined]
    assert to_candidate[0].recipient == f"candidate:{cid}"
    assert payload["kind"] == "choices" and payload["subject"].endswith(":satisfaction")
    assert [c["key"] for c in payload["choices"]] == ["1", "2", "3", "4", "5"]
    cards = {r.recipient: r.payload["card"] for r in rows if r.channel == "wecom.message"}
    assert set(cards) == {"wangqiang", "chenjing"}
    card = cards["wangqiang"]
    assert card["card_type"] == "multiple_interaction" and len(card["select_list"]) == 3
    assert card["task_id"] and card["submit_button"]["key"] == route_key(SUBMIT, world.interview.id)
    # Too old a completion is left alone (turning surveys on does not survey last year).
    assert await surveys.send_due_surveys(later + timedelta(days=8)) == 0


async def test_surveys_can_be_turned_off(database: str) -> None:
    world = await live_world()
    surveys, _ = _services(replace(SETTINGS, surveys_enabled=False))
    await _completed(world)
    assert await surveys.send_due_surveys() == 0
    with pytest.raises(SurveyNotOpen):
        await surveys.submit_candidate(_candidate(world), world.interview.id,
                                       {"satisfaction": 5, "relevance": 5, "difficulty": "right"},
                                       "")  # fmt: skip


async def test_the_candidate_answers_one_question_at_a_time_in_chat(database: str) -> None:
    world = await live_world()
    surveys, _ = _services()
    await _completed(world)
    await surveys.send_due_surveys()
    row = await SurveyResponse.get(respondent="candidate")
    cid = world.interview.application.candidate_id  # type: ignore[attr-defined]
    # A comment before the questions are done is kept; the questions go on.
    [early] = await surveys.candidate_text(cid, "挺好的") or []
    assert "第 1 题" in early.payload["content"]
    [nxt] = await surveys.candidate_answer(cid, f"survey:{row.id}:satisfaction", "4")
    assert nxt.payload["subject"] == f"survey:{row.id}:relevance"
    assert await surveys.candidate_answer(cid, f"survey:{row.id}:satisfaction", "4") == []
    assert await surveys.candidate_answer(cid + 1, f"survey:{row.id}:relevance", "5") == []
    assert await AuditLog.filter(action="survey_answer", allowed=False).exists()
    [retry] = await surveys.candidate_answer(cid, f"survey:{row.id}:relevance", "9")
    assert "没有识别" in retry.payload["content"]
    await surveys.candidate_answer(cid, f"survey:{row.id}:relevance", "5")
    [invite] = await surveys.candidate_answer(cid, f"survey:{row.id}:difficulty", "hard")
    assert "之前留下的意见" in invite.payload["content"]
    [thanks] = await surveys.candidate_text(cid, "  希望提前告知面试形式  ") or []
    assert "感谢" in thanks.payload["content"]
    await row.refresh_from_db()
    assert row.answers == {"satisfaction": "4", "relevance": "5", "difficulty": "hard"}
    assert row.comment == "挺好的\n希望提前告知面试形式" and row.answered_at is not None
    assert await surveys.candidate_text(cid, "另一句话") is None  # the comment was taken
    assert await surveys.candidate_answer(cid, "invite:12", "ok") == []  # not a survey


async def test_the_mini_app_survey_edit_window(database: str) -> None:
    world = await live_world()
    surveys, _ = _services()
    me = _candidate(world)
    answers = {"satisfaction": 5, "relevance": 4, "difficulty": "right"}
    with pytest.raises(SurveyNotOpen):  # not completed yet
        await surveys.submit_candidate(me, world.interview.id, answers, "")
    await _completed(world)
    form = await surveys.candidate_form(me, world.interview.id)
    assert form["open"] and form["answers"] == {} and len(form["questions"]) == 3
    form = await surveys.submit_candidate(me, world.interview.id, answers, "很专业")
    assert form["answers"] == {"satisfaction": "5", "relevance": "4", "difficulty": "right"}
    assert form["editable_until"] and form["comment"] == "很专业"
    changed = await surveys.submit_candidate(me, world.interview.id,
                                             {**answers, "satisfaction": 3}, "")  # fmt: skip
    assert changed["answers"]["satisfaction"] == "3"
    assert await SurveyResponse.filter(respondent="candidate").count() == 1
    # The job sends no second survey to someone who answered in the mini-app.
    assert await surveys.send_due_surveys() == 2
    first = (await SurveyResponse.get(respondent="candidate")).first_answered_at
    assert first is not None
    await SurveyResponse.filter(respondent="candidate").update(
        first_answered_at=first - timedelta(hours=25)
    )
    with pytest.raises(SurveyClosed):
        await surveys.submit_candidate(me, world.interview.id, answers, "")
    assert not (await surveys.candidate_form(me, world.interview.id))["open"]
    stranger = replace(me, candidate_id=(me.candidate_id or 0) + 99)
    with pytest.raises(AccessDenied):
        await surveys.candidate_form(stranger, world.interview.id)


async def test_interviewer_card_submit_is_stored_and_the_card_updated(database: str) -> None:
    world = await live_world()
    surveys, _ = _services()
    await _completed(world)
    await surveys.send_due_surveys()
    key = route_key(SUBMIT, world.interview.id)
    values = {"questions_fit": "partly", "time_enough": "short", "prompts_useful": "useful"}
    [update] = await surveys.on_card_click(_click("wangqiang", key, values, code="code-1"))
    assert update.payload["kind"] == "template_card_update"
    assert update.payload["response_code"] == "code-1"
    card = update.payload["card"]
    assert card["replace_text"] == "已提交" and "已提交" in card["main_title"]["desc"]
    assert [s["selected_id"] for s in card["select_list"]] == ["partly", "short", "useful"]
    row = await SurveyResponse.get(respondent_key=f"staff:{world.lead.id}")
    assert row.answers == values and row.answered_at is not None
    # Someone not on the panel is refused, and it is audited.
    [refused] = await surveys.on_card_click(_click("lina", key, values))
    assert "不是发给您的" in refused.payload["content"]
    assert await AuditLog.filter(action="survey_answer", actor="lina", allowed=False).exists()
    [incomplete] = await surveys.on_card_click(_click("chenjing", key, {"time_enough": "tight"}))
    assert "全部问题" in incomplete.payload["content"]
    assert await surveys.on_card_click(_click("chenjing", route_key(SCORE, 1, 0), values)) == []


async def test_summary_per_round_hides_comments_from_interviewers(database: str) -> None:
    world = await live_world()
    surveys, _ = _services()
    await _completed(world)
    await surveys.send_due_surveys()
    await surveys.submit_candidate(_candidate(world), world.interview.id,
                                   {"satisfaction": 4, "relevance": 5, "difficulty": "hard"},
                                   "等待时间有点长")  # fmt: skip
    values = {"questions_fit": "fit", "time_enough": "enough", "prompts_useful": "useful"}
    await surveys.on_card_click(_click("wangqiang", route_key(SUBMIT, world.interview.id), values))
    stats = SurveySummaries(SH)
    lina = await Staff.get(wecom_userid="lina")
    job = world.interview.round.job  # type: ignore[attr-defined]
    result = await stats.summary(_staff(lina), job.code)
    [round_] = result["rounds"]
    assert round_["candidate"]["sent"] == 1 and round_["candidate"]["response_rate"] == 1.0
    assert round_["candidate"]["questions"][0]["mean"] == 4.0
    assert round_["interviewer"]["sent"] == 2 and round_["interviewer"]["answered"] == 1
    assert round_["interviewer"]["response_rate"] == 0.5
    assert result["comments"][0]["text"] == "等待时间有点长"
    audit = await AuditLog.filter(action="view_survey_summary", actor="lina").first()
    assert audit is not None and "comments=1" in audit.detail
    interviewer = await stats.summary(_staff(world.lead), str(job.id), "二面")
    assert interviewer["comments"] is None and not interviewer["comments_visible"]
    assert interviewer["rounds"][0]["candidate"]["answered"] == 1
    assert (await stats.summary(_staff(lina), job.code, "1"))["rounds"][0]["round"] == "二面"
    with pytest.raises(NotFound):
        await stats.summary(_staff(lina), job.code, "九面")
    # In chat: HR only, with a short text; interviewers are refused.
    [reply] = await stats.on_text(lina, said(lina.wecom_userid, f"问卷 {job.title}")) or []
    text = reply.payload["content"]
    assert text.startswith(f"【问卷汇总】{job.title}") and "满意度 均分 4.0" in text
    assert "等待时间有点长" in text and "1/2 份（50%）" in text
    [refused] = (
        await stats.on_text(world.lead, said(world.lead.wecom_userid, f"survey {job.code}")) or []
    )
    assert "只有 HR" in refused.payload["content"]
    [unknown] = await stats.on_text(lina, said(lina.wecom_userid, "问卷 不存在的岗位")) or []
    assert "没有找到岗位" in unknown.payload["content"]
    assert await stats.on_text(lina, said(lina.wecom_userid, "帮助")) is None


async def _score(world: Live, staff: Staff, values: dict[str, int]) -> None:
    for name, value in values.items():
        await Score.create(interview_id=world.interview.id, competency=name, rater=staff,
                           rater_kind=RaterKind.HUMAN, rater_key=f"staff:{staff.id}",
                           value=value)  # fmt: skip


async def test_summary_is_drafted_when_the_panel_has_scored_or_after_the_delay(
    database: str,
) -> None:
    world = await live_world()
    _, summaries = _services()
    done = await _completed(world, minutes_ago=5)
    assert await summaries.draft_due_summaries() == 0  # panel has not scored, delay not over
    await _score(world, world.lead, {"客户导向": 5, "沟通能力": 4, "结果导向": 2})
    assert await summaries.draft_due_summaries() == 0  # one of two has scored
    await _score(world, world.second, {"客户导向": 4, "沟通能力": 4, "结果导向": 3})
    assert await summaries.draft_due_summaries() == 1
    assert await summaries.draft_due_summaries(done + timedelta(hours=2)) == 0  # once
    summary = await CandidateSummary.get(interview_id=world.interview.id)
    assert summary.basis == "human" and summary.released_at is None
    assert summary.strengths.startswith("客户导向：") and "结果导向" in summary.improvements
    assert "王强 5、陈静 4" in summary.hr_notes
    hr = await OutboxMessage.filter(idempotency_key__startswith="summary-draft:").order_by("id")
    assert [(r.recipient, r.payload["kind"]) for r in hr] == [
        ("lina", "text"), ("lina", "template_card")]  # fmt: skip
    card = hr[1].payload["card"]
    assert [b["text"] for b in card["button_list"]] == ["发布给候选人", "如何编辑"]
    assert not await OutboxMessage.filter(channel=Channel.CANDIDATE).exists()


async def test_no_scores_means_hr_must_write_it(database: str) -> None:
    world = await live_world()
    _, summaries = _services()
    done = await _completed(world, minutes_ago=5)
    assert await summaries.draft_due_summaries(done + timedelta(minutes=61)) == 1
    summary = await CandidateSummary.get(interview_id=world.interview.id)
    assert summary.needs_writing and summary.strengths == ""
    [hr] = await OutboxMessage.filter(idempotency_key__startswith="summary-draft:")
    assert hr.payload["kind"] == "text" and "待撰写" in hr.payload["content"]
    [reply] = await summaries.on_card_click(
        _click("lina", route_key(RELEASE, world.interview.id), {}))  # fmt: skip
    assert "还是空的" in reply.payload["content"]
    assert not await OutboxMessage.filter(channel=Channel.CANDIDATE).exists()


async def test_release_by_click_is_audited_and_a_second_click_is_harmless(database: str) -> None:
    world = await live_world()
    _, summaries = _services()
    done = await _completed(world)
    await _score(world, world.lead, {"客户导向": 4, "沟通能力": 2})
    await Application.filter(id=world.interview.application_id).update(status="rejected")  # type: ignore[attr-defined]
    await summaries.draft_due_summaries(done + timedelta(hours=1))
    summary = await CandidateSummary.get(interview_id=world.interview.id)
    assert summary.for_rejection and "没有继续推进" in summary.next_step
    key = route_key(RELEASE, world.interview.id)
    [refused] = await summaries.on_card_click(_click("wangqiang", key, {}))
    assert "只有 HR" in refused.payload["content"]
    assert await AuditLog.filter(action="release_summary", allowed=False).exists()
    [update] = await summaries.on_card_click(_click("lina", key, {}, code="c1"))
    assert update.payload["card"]["replace_text"] == "已发布"
    assert "已由 李娜" in update.payload["card"]["sub_title_text"]
    # the rejection's feedback, then the talent-pool question (it ends the application)
    sent, pool = await OutboxMessage.filter(channel=Channel.CANDIDATE).order_by("id")
    assert pool.payload["kind"] == "choices" and "人才库" in pool.payload["content"]
    assert sent.payload["kind"] == "link" and "做得好的方面" in sent.payload["content"]
    assert "沟通能力" in sent.payload["content"] and "王强" not in sent.payload["content"]
    [again] = await summaries.on_card_click(_click("zhangwei", key, {}, code="c2"))
    assert "已由 李娜" in again.payload["card"]["sub_title_text"]
    assert await OutboxMessage.filter(channel=Channel.CANDIDATE).count() == 2
    assert await AuditLog.filter(action="release_summary", allowed=True).count() == 2
    [edit] = await summaries.on_card_click(_click("lina", route_key(EDIT, world.interview.id), {}))
    assert "POST /miniapp/v1/staff/interviews" in edit.payload["content"]


async def test_auto_release_policy_waits_for_the_delay_and_panel_scores(database: str) -> None:
    world = await live_world()
    _, summaries = _services(replace(SETTINGS, auto_release=True))
    done = await _completed(world, minutes_ago=5)
    await _score(world, world.lead, {"客户导向": 4})
    await _score(world, world.second, {"客户导向": 5})
    assert await summaries.draft_due_summaries() == 1  # drafted early: the panel scored
    summary = await CandidateSummary.get(interview_id=world.interview.id)
    assert summary.release_due_at is not None and summary.released_at is None
    assert not await OutboxMessage.filter(channel=Channel.CANDIDATE).exists()
    await summaries.draft_due_summaries(done + timedelta(minutes=61))
    await summary.refresh_from_db()
    assert summary.released_at is not None and summary.released_by == "policy:auto_release"
    assert await OutboxMessage.filter(channel=Channel.CANDIDATE).count() == 1


async def test_ai_only_drafts_are_never_auto_released(database: str) -> None:
    world = await live_world()
    _, summaries = _services(replace(SETTINGS, auto_release=True))
    done = await _completed(world)
    await Score.create(interview_id=world.interview.id, competency="客户导向",
                       rater_kind=RaterKind.AI, rater_key="ai:fake@1", value=4,
                       evidence=[{"quote": "他多次上门沟通"}])  # fmt: skip
    await summaries.draft_due_summaries(done + timedelta(hours=3))
    summary = await CandidateSummary.get(interview_id=world.interview.id)
    assert summary.basis == "ai" and summary.release_due_at is None
    assert "他多次上门沟通" not in summary.strengths  # live notes are not the candidate's words
    assert not await OutboxMessage.filter(channel=Channel.CANDIDATE).exists()


async def test_hr_edit_through_the_api_releases_the_new_text_once(database: str) -> None:
    world = await live_world()
    _, summaries = _services()
    results = ResultsService(media=None, explain=None,  # type: ignore[arg-type]
                             releases=SummaryReleases(Effects(None)))  # fmt: skip
    lina = _staff(await Staff.get(wecom_userid="lina"))
    await _completed(world)
    texts = ("沟通清楚", "", "HR 会在三天内联系您")
    await results.release_summary(lina, world.interview.id, *texts)
    await results.release_summary(lina, world.interview.id, *texts)
    assert await OutboxMessage.filter(channel=Channel.CANDIDATE).count() == 1
    await results.release_summary(lina, world.interview.id, "沟通清楚，准备充分", "", texts[2])
    assert await OutboxMessage.filter(channel=Channel.CANDIDATE).count() == 2
    shown = await results.released_summary(_candidate(world), world.interview.id)
    assert shown["released"] and shown["strengths"] == "沟通清楚，准备充分"
    with pytest.raises(Conflict):
        await results.release_summary(lina, world.interview.id, " ", "", "x")
    # The job does not draft over what HR wrote.
    assert await summaries.draft_due_summaries(clock.now() + timedelta(hours=2)) == 0
    assert Role.HR in lina.roles


async def test_a_draft_follows_a_later_rejection_and_waits_for_a_click(database: str) -> None:
    world = await live_world()
    _, summaries = _services(replace(SETTINGS, auto_release=True))
    done = await _completed(world)
    await _score(world, world.lead, {"客户导向": 4, "沟通能力": 2})
    await _score(world, world.second, {"客户导向": 4, "沟通能力": 2})
    await summaries.draft_due_summaries(done + timedelta(minutes=30))
    summary = await CandidateSummary.get(interview_id=world.interview.id)
    assert not summary.for_rejection and "正在综合评估" in summary.next_step
    await Application.filter(id=world.interview.application_id).update(status="rejected")  # type: ignore[attr-defined]
    await summaries.draft_due_summaries(done + timedelta(hours=3))
    await summary.refresh_from_db()
    assert summary.for_rejection and "没有继续推进" in summary.next_step
    assert "情境—任务—行动—结果" in summary.improvements
    assert summary.released_at is None and summary.release_due_at is None
    redrafts = await OutboxMessage.filter(idempotency_key__startswith="summary-redraft:")
    assert {r.recipient for r in redrafts} == {"lina"} and len(redrafts) == 2
    await summaries.draft_due_summaries(done + timedelta(hours=4))
    assert await OutboxMessage.filter(idempotency_key__startswith="summary-redraft:").count() == 2
    assert not await OutboxMessage.filter(channel=Channel.CANDIDATE).exists()


async def test_two_job_runs_at_once_send_each_survey_once(database: str) -> None:
    world = await live_world()
    surveys, summaries = _services()
    done = await _completed(world)
    later = done + timedelta(hours=2)
    sent = await asyncio.gather(*(surveys.send_due_surveys(later) for _ in range(3)))
    assert sum(sent) == 3
    assert await SurveyResponse.all().count() == 3
    assert await OutboxMessage.filter(idempotency_key__startswith="survey:").count() == 3
    drafted = await asyncio.gather(*(summaries.draft_due_summaries(later) for _ in range(3)))
    assert sum(drafted) == 1 and await CandidateSummary.all().count() == 1
    assert await OutboxMessage.filter(idempotency_key__startswith="summary-draft:").count() == 1
