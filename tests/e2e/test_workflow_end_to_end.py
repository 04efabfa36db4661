"""Issue #5 end to end, over real HTTP through the WeCom sandbox, for one candidate (赵敏, who
writes to 微信客服) and a two-interviewer panel (王强, 陈静), with HR 李娜:

安排面试 in chat → a slot clicked on the card → the invitation reaches the candidate in
微信客服 → she taps 确认 → HR's card says so → the scheduler reaches 24 h and 1 h before: one
reminder each for her and each interviewer → the lead runs the interview in chat (a text
note, a real AMR voice note, live prompts) → both score on their cards → HR gets the
consolidation → the survey job asks her (she taps the menus and comments) and the panel (a
card) → the summary job drafts, HR releases it, she receives it → 发offer → 提交审批 →
approved (callback delivered twice) → one letter to her, the EHR rows and one payroll row.

Time: the scheduler's clock is replaced (an attribute of the in-process scheduler); for the
live interview itself the service's clock (``recruiting.clock.now``) is moved to the
interview's start, then put back. Both are test hooks nothing outside the process reaches.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from recruiting import clock
from recruiting.models import Interview
from tests.e2e.candidate_story import (
    Story,
    an_opening_and_a_candidate_who_wrote_to_kf,
    both_score_and_hr_gets_the_consolidation,
    hr_releases_the_summary_and_she_receives_it,
    hr_schedules_in_chat_and_clicks_a_slot,
    hr_sends_the_offer_and_it_is_approved,
    hrs_card_shows_the_confirmation,
    reminders_reach_everyone_once,
    she_accepts_the_offer_in_kf,
    the_handoffs_are_in_the_outbox_once,
    the_invitation_reaches_her_in_kf_and_she_confirms,
    the_lead_runs_the_interview_in_chat,
    the_service_clock_at,
    the_survey_job_asks_and_they_answer,
    what_each_person_received,
)
from tests.e2e.stack import Stack, running


@pytest.fixture(params=["sqlite", "postgres+redis"])
async def story(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Story]:
    env = {"RECRUITING__ANALYSIS__PROCESSES": "0", "RECRUITING__SCHEDULER__TICK_SECONDS": "1"}
    async with running(request.param, tmp_path, "story", env) as (settings, service, console):
        story = Story(Stack(settings, service, console), service.ctx.services)
        story.scheduler_at(clock.now())  # nothing is due until the test moves time
        yield story


# ---- the story --------------------------------------------------------------------------


async def test_one_candidate_from_scheduling_to_offer(story: Story, tmp_path: Path) -> None:
    await an_opening_and_a_candidate_who_wrote_to_kf(story)
    await hr_schedules_in_chat_and_clicks_a_slot(story)
    invitation = await the_invitation_reaches_her_in_kf_and_she_confirms(story)
    await hrs_card_shows_the_confirmation(story, invitation)
    start = (await Interview.get(id=story.interview_id)).starts_at
    assert start is not None
    await reminders_reach_everyone_once(story, start)

    async with the_service_clock_at(start - timedelta(minutes=5)):
        await the_lead_runs_the_interview_in_chat(story, tmp_path)
        await both_score_and_hr_gets_the_consolidation(story)

    await the_survey_job_asks_and_they_answer(story)
    await hr_releases_the_summary_and_she_receives_it(story)
    await hr_sends_the_offer_and_it_is_approved(story)
    await the_handoffs_are_in_the_outbox_once(story)
    await she_accepts_the_offer_in_kf(story)
    await what_each_person_received(story)
