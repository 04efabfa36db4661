"""Recorded interviews through the mini-app: links, consents, uploads, analysis, results
(``services.recorded``)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from interview_core.report.explain import candidate_explanation
from miniapp_api.context import MiniApp
from miniapp_api.login import MiniProgramLogin
from recruiting.infra.rate_limit import RateLimiter
from recruiting.services.recorded.analysis import AnswerAnalysisRunner
from recruiting.services.recorded.consents import ConsentService
from recruiting.services.recorded.device_check import DeviceCheckService
from recruiting.services.recorded.interview import RecordedInterviewService
from recruiting.services.recorded.links import RecordingLinks
from recruiting.services.recorded.results import ResultsService
from recruiting.services.recorded.uploads import UploadLimits, UploadService
from recruiting.services.shared.sessions import SessionService
from recruiting.wiring.after_interview import AfterInterview
from recruiting.wiring.shared import Shared
from wecom_bot.employee_login import WeComEmployeeLogin

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Recorded:
    analysis: AnswerAnalysisRunner
    miniapp: MiniApp  # what the mini-app routes use (``miniapp_api``)


def wire_recorded(shared: Shared, after: AfterInterview) -> Recorded:
    settings = shared.settings
    analysis = AnswerAnalysisRunner(
        shared.media,
        shared.core,
        processes=settings.analysis.processes,
        scratch=shared.scratch,
        lease_seconds=settings.analysis.lease_seconds,
        max_attempts=settings.analysis.max_attempts,
        queue=shared.queue,
    )
    return Recorded(analysis=analysis, miniapp=_miniapp(shared, after))


def _miniapp(shared: Shared, after: AfterInterview) -> MiniApp:
    settings, media, core, scratch = shared.settings, shared.media, shared.core, shared.scratch
    m = settings.miniapp
    if not m.candidate_login:
        log.warning("candidate WeChat login is off: a real WeCom corp without WECHAT_APPID")
    employees = WeComEmployeeLogin(shared.wecom.miniprogram, settings.wecom.corp_id)
    login = MiniProgramLogin(shared.http, m.api_base, m.appid, m.secret, employees)
    sessions = SessionService(login, shared.cipher, m.session_ttl)
    limits = UploadLimits(max_bytes=m.max_upload_bytes, max_chunk=m.max_chunk_bytes)
    return MiniApp(
        sessions=sessions,
        links=RecordingLinks(sessions, m.invitation_ttl),
        consents=ConsentService(media),
        recorded=RecordedInterviewService(media, shared.queue),
        uploads=UploadService(media, core, shared.queue, shared.kv, limits, scratch),
        device_check=DeviceCheckService(
            core, scratch, m.device_check_bytes, m.device_check_concurrency
        ),
        results=ResultsService(media, candidate_explanation, after.releases),
        surveys=after.surveys,
        survey_summaries=after.survey_summaries,
        limiter=RateLimiter(shared.kv, settings.rate_limits),
    )
