"""Surveys and candidate summaries (``services.after_interview``)."""

from __future__ import annotations

from dataclasses import dataclass

from recruiting.services.after_interview.summaries import CandidateSummaries, SummaryReleases
from recruiting.services.after_interview.survey_answers import SurveyAnswers
from recruiting.services.after_interview.survey_summary import SurveySummaries
from recruiting.services.after_interview.surveys import Surveys
from recruiting.wiring.shared import Shared


@dataclass(frozen=True)
class AfterInterview:
    surveys: Surveys
    survey_summaries: SurveySummaries
    survey_answers: SurveyAnswers
    releases: SummaryReleases
    summaries: CandidateSummaries


def wire_after_interview(shared: Shared) -> AfterInterview:
    effects, zone, followup = shared.effects, shared.settings.timezone, shared.settings.followup
    releases = SummaryReleases(effects)
    surveys = Surveys(followup, effects, zone)
    return AfterInterview(
        surveys=surveys,
        survey_summaries=SurveySummaries(zone),
        survey_answers=SurveyAnswers(surveys, effects),
        releases=releases,
        summaries=CandidateSummaries(followup, shared.prompts, releases, effects, zone),
    )
