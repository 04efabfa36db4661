"""The use cases the mini-app routes call, built once per process by the bootstrap."""

from __future__ import annotations

from dataclasses import dataclass

from sanic import Request

from recruiting.infra.rate_limit import RateLimiter
from recruiting.services.after_interview.survey_summary import SurveySummaries
from recruiting.services.after_interview.surveys import Surveys
from recruiting.services.recorded.consents import ConsentService
from recruiting.services.recorded.device_check import DeviceCheckService
from recruiting.services.recorded.interview import RecordedInterviewService
from recruiting.services.recorded.links import RecordingLinks
from recruiting.services.recorded.results import ResultsService
from recruiting.services.recorded.uploads import UploadService
from recruiting.services.shared.sessions import SessionService
from recruiting.web import services_of


@dataclass(frozen=True)
class MiniApp:
    sessions: SessionService
    links: RecordingLinks
    consents: ConsentService
    recorded: RecordedInterviewService
    uploads: UploadService
    device_check: DeviceCheckService
    results: ResultsService
    surveys: Surveys
    survey_summaries: SurveySummaries
    limiter: RateLimiter


def miniapp(request: Request) -> MiniApp:
    return services_of(request).recorded.miniapp
