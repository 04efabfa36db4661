"""The use cases the mini-app routes call, built once per process by the bootstrap."""

from __future__ import annotations

from dataclasses import dataclass

from sanic import Request

from recruiting.infra.rate_limit import RateLimiter
from recruiting.services.consents import ConsentService
from recruiting.services.device_check import DeviceCheckService
from recruiting.services.invitations import InvitationService
from recruiting.services.recorded_interview import RecordedInterviewService
from recruiting.services.results import ResultsService
from recruiting.services.sessions import SessionService
from recruiting.services.survey_summary import SurveySummaries
from recruiting.services.surveys import Surveys
from recruiting.services.uploads import UploadService


@dataclass(frozen=True)
class MiniApp:
    sessions: SessionService
    invitations: InvitationService
    consents: ConsentService
    recorded: RecordedInterviewService
    uploads: UploadService
    device_check: DeviceCheckService
    results: ResultsService
    surveys: Surveys
    survey_summaries: SurveySummaries
    limiter: RateLimiter


def miniapp(request: Request) -> MiniApp:
    services: MiniApp = request.app.ctx.services.miniapp
    return services
