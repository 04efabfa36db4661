"""The composition root: the one place that knows every adapter and wires them.

``create_app(settings)`` builds the Sanic app; resources are made in startup listeners and
closed in shutdown listeners, so importing this module has no side effects.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from sanic import Request, Sanic
from sanic.exceptions import SanicException
from sanic.response import BaseHTTPResponse, HTTPResponse, json
from sanic_ext import Extend
from sanic_ext.extensions.openapi.extension import OpenAPIExtension

from ehr_adapter.build import close_ehr, wire_ehr
from ehr_adapter.config import load_ehr_config
from interview_core.engines.choose import ScorerChoice
from interview_core.engines.llm.config import LlmConfig
from interview_core.live import CoreLivePrompts
from interview_core.report.explain import candidate_explanation
from interview_core.service import CoreAnalysis
from interview_core.speech.choose import SpeechReadiness, speech_readiness
from interview_core.voice_notes import CoreSpeechToText
from miniapp_api import limits, message_routes, scheduling_routes
from miniapp_api import routes as miniapp_routes
from miniapp_api.context import MiniApp
from miniapp_api.login import MiniProgramLogin
from payroll_bridge.adapters.csv_file import CsvPayroll
from payroll_bridge.handoff import PayrollHandOffSender
from payroll_bridge.packages import CalculatorPackages
from recruiting.db import close_database, migrate_schema, open_database
from recruiting.domain.inbound import Inbound
from recruiting.errors import RecruitingError
from recruiting.infra.media_store import LocalMediaStore
from recruiting.infra.memory_kv import MemoryKeyValueStore
from recruiting.infra.pii import FieldCipher
from recruiting.infra.private_files import private_dir, restrict_umask
from recruiting.infra.queues import InProcessQueue, RedisQueue
from recruiting.infra.rate_limit import RateLimiter
from recruiting.infra.redis_kv import RedisKeyValueStore
from recruiting.infra.scratch import prepare_scratch
from recruiting.infra.sealed_fields import install_cipher_for
from recruiting.ports.ehr import EhrSystem
from recruiting.ports.kv import KeyValueStore
from recruiting.ports.outbound import Channel
from recruiting.ports.queue import TaskQueue
from recruiting.runtime import Worker
from recruiting.services.after_interview.summaries import CandidateSummaries, SummaryReleases
from recruiting.services.after_interview.survey_answers import SurveyAnswers
from recruiting.services.after_interview.survey_summary import SurveySummaries
from recruiting.services.after_interview.surveys import Surveys
from recruiting.services.candidate_channel.answers import CandidateAnswers
from recruiting.services.candidate_channel.free_text import FreeText
from recruiting.services.demo import seed_demo_recruiting, seed_demo_staff
from recruiting.services.invitations.lifecycle import InterviewInvitations
from recruiting.services.live.interview import LiveInterviews
from recruiting.services.live.panel_scoring import PanelScoring
from recruiting.services.messaging.answer_routes import answer_routes
from recruiting.services.messaging.callbacks import CallbackProcessor, Handler
from recruiting.services.messaging.card_routes import CardClicks, card_routes
from recruiting.services.messaging.conversation import Conversation
from recruiting.services.messaging.effects import Effects
from recruiting.services.messaging.inbox import CallbackInbox
from recruiting.services.messaging.outbox import DeadLetters, OutboxRelay
from recruiting.services.offers.answers import OfferAnswers
from recruiting.services.offers.approvals import OfferApprovals
from recruiting.services.offers.ehr import EhrSync
from recruiting.services.offers.offers import Offers
from recruiting.services.offers.payroll_data_alerts import PayrollDataAlerts
from recruiting.services.recorded.analysis import AnswerAnalysisRunner
from recruiting.services.recorded.consents import ConsentService
from recruiting.services.recorded.device_check import DeviceCheckService
from recruiting.services.recorded.interview import RecordedInterviewService
from recruiting.services.recorded.links import InvitationService
from recruiting.services.recorded.results import ResultsService
from recruiting.services.recorded.uploads import UploadLimits, UploadService
from recruiting.services.scheduling.booking import InterviewBooking
from recruiting.services.scheduling.chat import ScheduleChat
from recruiting.services.scheduling.reminders import (
    ReminderService,
    gate_reminders,
    reminder_policy,
)
from recruiting.services.scheduling.slots import SchedulingRules, SchedulingService
from recruiting.services.shared.personal_data import PersonalDataService
from recruiting.services.shared.sessions import SessionService
from recruiting.services.shared.staff_directory import StaffDirectory
from recruiting.settings import Settings, is_loopback
from recruiting.web import (
    add_security_headers,
    error_response,
    http_error_body,
    unexpected_error,
)
from scheduler.jobs import JobRegistry
from scheduler.leader import LeaderGuard, Lease, MemoryLease, RedisLease
from scheduler.runner import Scheduler
from wecom_bot import routes as wecom_routes
from wecom_bot.candidate_channel import CandidateChannelSender, KfSync
from wecom_bot.client import WeComClient, build_client
from wecom_bot.crypto import WeComCrypto
from wecom_bot.employee_login import WeComEmployeeLogin
from wecom_bot.events import parse_event
from wecom_bot.gateway import CallbackGateway
from wecom_bot.offer_approval import (
    DEFAULT_MAPPING,
    WeComOfferApprovalSender,
    load_offer_template,
)
from wecom_bot.outbound import WeComMessageSender
from wecom_bot.schedule_sender import WeComMeetingSender, WeComScheduleSender
from wecom_bot.staff_card_sender import StaffCardSender
from wecom_bot.voice import WeComVoiceSource
from wecom_bot.xmlcodec import parse as parse_xml

log = logging.getLogger(__name__)

WebApp = Sanic[Any, Any]


@dataclass
class Services:
    """Everything the entry points need, built once per process."""

    settings: Settings
    kv: KeyValueStore
    queue: TaskQueue
    cipher: FieldCipher
    wecom: WeComClient
    inbox: CallbackInbox
    gateway: CallbackGateway
    processor: CallbackProcessor
    relay: OutboxRelay
    worker: Worker
    personal_data: PersonalDataService
    miniapp: MiniApp
    scheduling: SchedulingService
    invitations: InterviewInvitations
    booking: InterviewBooking
    candidate_answers: CandidateAnswers
    analysis: AnswerAnalysisRunner
    http: httpx.AsyncClient
    ehr: EhrSystem
    ehr_sync: EhrSync
    reminders: ReminderService
    scheduler: Scheduler
    surveys: Surveys
    summaries: CandidateSummaries
    # found once at start (a directory listing): /healthz must not touch the disk per probe
    speech: SpeechReadiness | None = None

    async def aclose(self) -> None:
        await self.scheduler.stop()
        await self.scheduler.guard.close()
        self.analysis.close()
        await close_ehr(self.ehr)
        await self.http.aclose()
        await self.wecom.aclose()
        await self.queue.close()
        await self.kv.close()


def decode_event(plaintext: bytes) -> Inbound:
    """The inbox stores the decrypted XML; workers turn it back into a typed event."""
    return parse_event(parse_xml(plaintext))


def _state_stores(settings: Settings) -> tuple[KeyValueStore, TaskQueue]:
    if settings.redis_url:
        return RedisKeyValueStore.from_url(settings.redis_url), RedisQueue.from_url(
            settings.redis_url
        )
    return MemoryKeyValueStore(), InProcessQueue()


def build_services(
    settings: Settings, *, wecom_transport: httpx.AsyncBaseTransport | None = None
) -> Services:
    kv, queue = _state_stores(settings)
    cipher = install_cipher_for(settings)  # the sealed model fields
    wecom = build_client(settings.wecom, kv, transport=wecom_transport)
    inbox = CallbackInbox(
        kv,
        queue,
        cipher,
        dedup_ttl=settings.wecom.dedup_ttl,
        lease_seconds=settings.inbox.lease_seconds,
        max_attempts=settings.inbox.max_attempts,
    )
    crypto = WeComCrypto(
        settings.wecom.token, settings.wecom.encoding_aes_key, settings.wecom.corp_id
    )
    gateway = CallbackGateway(crypto, inbox, max_age=settings.wecom.callback_max_age)
    live = _live_interviews(settings, wecom, queue, cipher)
    after = _after_interview(settings, queue)
    ehr_config = load_ehr_config(settings.data_dir)
    ehr = wire_ehr(ehr_config, cipher)
    ehr_sync = EhrSync(queue, ehr_config.report_url)
    approvals = OfferApprovals(ehr_sync, settings.timezone, queue)
    packages = CalculatorPackages()
    offers = Offers(packages, approvals, settings.timezone)
    payroll_alerts = PayrollDataAlerts(packages, after.effects, settings.timezone)
    scheduling = SchedulingService(SchedulingRules(settings.timezone), queue)
    invitations = InterviewInvitations(scheduling, settings.timezone, queue)
    survey_answers = SurveyAnswers(after.surveys, after.effects)
    offer_answers = OfferAnswers(queue)
    answers = CandidateAnswers(
        invitations,  # the table of answer keys: recruiting.services.messaging.answer_routes
        answer_routes(invitations, survey=survey_answers, offer=offer_answers),
        free_text=FreeText(invitations, offer_answers, survey_answers),
    )
    schedule_chat = ScheduleChat(scheduling, invitations, settings.timezone)
    conversation = Conversation(
        settings.timezone,
        live,
        first=[after.survey_summaries, schedule_chat],
        after_live=[offers],
    )
    dead_letters = DeadLetters(queue)
    handlers: dict[str, Handler] = {
        "text": conversation.on_text,
        "voice": live.on_voice,
        "card_click": CardClicks(  # the table of button keys: services.messaging.card_routes
            card_routes(
                dead_letters=dead_letters,
                live=live,
                surveys=after.surveys,
                summaries=after.summaries,
                offers=offers,
                schedule_chat=schedule_chat,
            )
        ),
        "approval": approvals.on_approval,
        "kf": KfSync(wecom.kf, answers).on_event,  # candidates writing to 微信客服
        "external_contact": answers.on_external_contact,  # contact_way state binds
        "contact": StaffDirectory().on_contact_change,  # members deleted, disabled, moved
    }
    processor = CallbackProcessor(inbox, decode_event, handlers)
    relay = OutboxRelay(
        gate_reminders(
            {
                Channel.WECOM_MESSAGE: StaffCardSender(
                    WeComMessageSender(wecom.message, settings.wecom.agent_id), wecom.message
                ),
                Channel.CANDIDATE: CandidateChannelSender(wecom.kf, wecom.externalcontact, queue),
                Channel.WECOM_SCHEDULE: WeComScheduleSender(
                    wecom.schedule, settings.wecom.schedule_calendar_id
                ),
                Channel.WECOM_MEETING: WeComMeetingSender(wecom.meeting),
                Channel.EHR: ehr.sender,
                Channel.WECOM_APPROVAL: _offer_approval_sender(settings, wecom, offers),
                Channel.PAYROLL: PayrollHandOffSender(_payroll(settings)),
            }
        ),
        lease_seconds=settings.inbox.lease_seconds,
        max_attempts=settings.inbox.max_attempts,
        queue=queue,
        channel_policies={Channel.EHR: ehr.policy},
        dead_letters=dead_letters,
    )
    http = httpx.AsyncClient(transport=wecom_transport)
    # 256 KB per appender flush: 100 concurrent uploads hold ~50 MB of buffers, not 100.
    media = LocalMediaStore(settings.miniapp.media_dir, cipher, flush_bytes=256 * 1024)
    core = CoreAnalysis(
        model_dir=settings.analysis.speech_model_dir or None,
        min_coverage=settings.analysis.min_coverage_percent / 100,
        scoring=scorer_choice(settings),
    )
    scratch = prepare_scratch(settings.data_dir / "tmp")
    analysis = AnswerAnalysisRunner(
        media,
        core,
        processes=settings.analysis.processes,
        scratch=scratch,
        lease_seconds=settings.analysis.lease_seconds,
        max_attempts=settings.analysis.max_attempts,
        queue=queue,
    )
    reminders = ReminderService(reminder_policy(settings.reminders, settings.timezone), queue)
    return Services(
        settings=settings,
        kv=kv,
        queue=queue,
        cipher=cipher,
        wecom=wecom,
        inbox=inbox,
        gateway=gateway,
        processor=processor,
        relay=relay,
        worker=Worker(queue, inbox, processor, relay, analysis, scratch_root=scratch.parent),
        personal_data=PersonalDataService(cipher),
        miniapp=_miniapp(settings, kv, queue, cipher, wecom, http, media, core, scratch, after),
        scheduling=scheduling,
        invitations=invitations,
        booking=InterviewBooking(scheduling, invitations),
        candidate_answers=answers,
        analysis=analysis,
        http=http,
        ehr=ehr.ehr,
        ehr_sync=ehr_sync,
        reminders=reminders,
        scheduler=_scheduler(settings, reminders, after, payroll_alerts),
        surveys=after.surveys,
        summaries=after.summaries,
    )


@dataclass(frozen=True)
class AfterInterview:
    """Surveys and candidate summaries (``services.after_interview.surveys`` / ``summaries``)."""

    surveys: Surveys
    survey_summaries: SurveySummaries
    releases: SummaryReleases
    summaries: CandidateSummaries
    effects: Effects


def _after_interview(settings: Settings, queue: TaskQueue) -> AfterInterview:
    effects = Effects(queue)
    releases = SummaryReleases(effects)
    zone, followup = settings.timezone, settings.followup
    return AfterInterview(
        surveys=Surveys(followup, effects, zone),
        survey_summaries=SurveySummaries(zone),
        releases=releases,
        summaries=CandidateSummaries(followup, CoreLivePrompts(), releases, effects, zone),
        effects=effects,
    )


def _scheduler(
    settings: Settings,
    reminders: ReminderService,
    after: AfterInterview,
    payroll_alerts: PayrollDataAlerts,
) -> Scheduler:
    """Time-driven jobs; other use cases register theirs here (``async (now) -> int``)."""
    registry = JobRegistry()
    registry.add("payroll.data_alerts", payroll_alerts.send_due, every=timedelta(hours=1))
    registry.add("reminders.send_due", reminders.send_due)
    registry.add("surveys.send_due", after.surveys.send_due_surveys, every=timedelta(minutes=1))
    registry.add(
        "summaries.draft_due", after.summaries.draft_due_summaries, every=timedelta(minutes=1)
    )
    lease: Lease = RedisLease.from_url(settings.redis_url) if settings.redis_url else MemoryLease()
    guard = LeaderGuard(lease, settings.scheduler.leader_ttl_seconds)
    return Scheduler(registry, guard, tick=timedelta(seconds=settings.scheduler.tick_seconds))


def _offer_approval_sender(
    settings: Settings, wecom: WeComClient, offers: Offers
) -> WeComOfferApprovalSender:
    """``oa/applyevent`` with the company's template mapping: ``<data_dir>/offer_approval.yaml``
    when present, else the packaged one (it fits the sandbox's 录用审批 template)."""
    custom = settings.data_dir / "offer_approval.yaml"
    template = load_offer_template(custom if custom.exists() else DEFAULT_MAPPING)
    return WeComOfferApprovalSender(wecom.approval, template, offers, settings.timezone)


def _payroll(settings: Settings) -> CsvPayroll:
    """New hires for payroll as a CSV that payroll imports (``payroll_bridge.adapters``)."""
    folder = private_dir(settings.data_dir / "payroll")
    return CsvPayroll(folder / "new-hires.csv")


def _live_interviews(
    settings: Settings, wecom: WeComClient, queue: TaskQueue, cipher: FieldCipher
) -> LiveInterviews:
    """Live interviews in chat: voice from WeCom, prompts and speech from the analysis core,
    voice notes kept encrypted beside the recorded answers."""
    prompts = CoreLivePrompts()
    effects = Effects(queue)
    scratch = prepare_scratch(settings.data_dir / "tmp")
    speech = CoreSpeechToText(scratch, settings.analysis.speech_model_dir or None)
    scoring = PanelScoring(prompts, effects, settings.timezone)
    media = LocalMediaStore(settings.miniapp.media_dir, cipher)
    voice = WeComVoiceSource(wecom.media)
    return LiveInterviews(settings.timezone, prompts, voice, speech, scoring, effects, media)


def _miniapp(
    settings: Settings,
    kv: KeyValueStore,
    queue: TaskQueue,
    cipher: FieldCipher,
    wecom: WeComClient,
    http: httpx.AsyncClient,
    media: LocalMediaStore,
    core: CoreAnalysis,
    scratch: Path,
    after: AfterInterview,
) -> MiniApp:
    m = settings.miniapp
    if not m.candidate_login:
        log.warning("candidate WeChat login is off: a real WeCom corp without WECHAT_APPID")
    employees = WeComEmployeeLogin(wecom.miniprogram, settings.wecom.corp_id)
    login = MiniProgramLogin(http, m.api_base, m.appid, m.secret, employees)
    sessions = SessionService(login, cipher, m.session_ttl)
    limits = UploadLimits(max_bytes=m.max_upload_bytes, max_chunk=m.max_chunk_bytes)
    return MiniApp(
        sessions=sessions,
        invitations=InvitationService(sessions, m.invitation_ttl),
        consents=ConsentService(media),
        recorded=RecordedInterviewService(media, queue),
        uploads=UploadService(media, core, queue, kv, limits, scratch),
        device_check=DeviceCheckService(
            core, scratch, m.device_check_bytes, m.device_check_concurrency
        ),
        results=ResultsService(media, candidate_explanation, after.releases),
        surveys=after.surveys,
        survey_summaries=after.survey_summaries,
        limiter=RateLimiter(kv, settings.rate_limits),
    )


def scorer_choice(settings: Settings) -> ScorerChoice:
    """The answer-scoring engine: the LLM when fully configured, else the rules; the LLM's
    verdicts are cached in Redis when the service has one."""
    llm = settings.scoring_llm
    if not llm.enabled:
        return ScorerChoice()
    config = LlmConfig(
        base_url=llm.base_url,
        model=llm.model,
        api_key=llm.api_key,
        timeout_seconds=float(llm.timeout_seconds),
        max_attempts=llm.max_attempts,
        json_mode=llm.json_mode,
        seed=llm.seed,
        max_tokens=llm.max_tokens,
        cache_size=llm.cache_size,
    )
    return ScorerChoice(llm=config, cache_url=settings.redis_url)


async def start_services(
    settings: Settings, *, wecom_transport: httpx.AsyncBaseTransport | None = None
) -> Services:
    """Open the database (migrating the embedded default) and build the services."""
    restrict_umask()  # also when embedded or tested: every file made from here is private
    private_dir(settings.data_dir)
    install_cipher_for(settings)  # migrations seal
    if settings.embedded:
        await migrate_schema(settings.database_url)
    await open_database(settings.database_url)
    services = build_services(settings, wecom_transport=wecom_transport)
    speech = services.speech = speech_readiness(settings.analysis.speech_model_dir or None)
    log.info("answer scoring: %s", scorer_choice(settings).describe())
    if speech.code:  # users are told in Chinese; the operator reads how to fix it here
        log.warning("speech recognition unavailable (%s): %s", speech.code, speech.detail)
    if settings.wecom.uses_sandbox:
        await seed_demo_staff()
        await seed_demo_recruiting()
    return services


async def stop_services(services: Services) -> None:
    services.worker.stop()
    await services.inbox.drain()
    await services.worker.drain()
    await services.aclose()
    await close_database()


def create_app(
    settings: Settings,
    *,
    name: str = "recruiting",
    run_workers: bool = True,
    wecom_transport: httpx.AsyncBaseTransport | None = None,
) -> WebApp:
    """The web app: WeCom callback gateway, health check, and (optionally) the workers."""
    app = Sanic(name, configure_logging=False)
    # Only WeCom callbacks are posted so far; routes that take uploads will stream.
    app.config.REQUEST_MAX_SIZE = settings.server.callback_body_limit
    app.config.KEEP_ALIVE_TIMEOUT = 30
    app.config.REQUEST_TIMEOUT = settings.server.request_timeout
    app.config.FALLBACK_ERROR_FORMAT = "json"
    # Rate limits on the mini-app routes only: the WeCom callback must never be refused.
    limits.install(miniapp_routes.bp, scheduling_routes.bp, message_routes.bp)
    app.blueprint(wecom_routes.bp)
    app.blueprint(miniapp_routes.bp)
    app.blueprint(scheduling_routes.bp)
    app.blueprint(message_routes.bp)
    app.add_route(_health, "/healthz", methods=["GET"])
    app.error_handler.add(RecruitingError, _recruiting_error)
    app.error_handler.add(SanicException, _http_error)
    app.error_handler.add(Exception, _unexpected_error)
    hsts = not is_loopback(settings.server.host)

    async def _headers(request: Request, response: BaseHTTPResponse) -> None:
        add_security_headers(request, response, hsts=hsts)

    app.register_middleware(_headers, "response")

    _openapi(app)

    @app.before_server_start
    async def _open(app: WebApp) -> None:
        app.ctx.services = await start_services(settings, wecom_transport=wecom_transport)

    @app.after_server_start
    async def _workers(app: WebApp) -> None:
        app.ctx.worker_task = None
        if run_workers:
            app.ctx.worker_task = asyncio.create_task(app.ctx.services.worker.run())
            if settings.scheduler.in_web:
                await app.ctx.services.scheduler.start()

    @app.before_server_stop
    async def _close(app: WebApp) -> None:
        services: Services = app.ctx.services
        await services.scheduler.stop()
        services.worker.stop()
        if app.ctx.worker_task is not None:
            await asyncio.wait([app.ctx.worker_task], timeout=5)
        await stop_services(services)

    return app


def _openapi(app: WebApp) -> None:
    """The OpenAPI document at /docs/openapi.json (only sanic-ext's OpenAPI extension: the
    others would add per-request work to the callback path)."""
    app.config.update(
        {
            "OAS_AUTODOC": True,
            # ReDoc from this service, not a CDN: on-premise deployments are often offline.
            "OAS_PATH_TO_REDOC_HTML": str(STATIC_DIR / "redoc.html"),
            "OAS_UI_REDOC_CDN_URL": "/docs/redoc.standalone.js",
            "OAS_UI_REDOC_HTML_TITLE": "招聘服务 API 文档",
            "OAS_UI_SWAGGER": False,
        }
    )
    Extend(app, extensions=[OpenAPIExtension], built_in_extensions=False)
    app.static(
        "/docs/redoc.standalone.js",
        STATIC_DIR / "vendor" / "redoc" / "redoc.standalone.js",
        name="redoc_script",
        content_type="application/javascript; charset=utf-8",
    )
    oas = app.ext.openapi
    oas.describe("Recruiting service API", version="1", description=API_DESCRIPTION)
    oas.add_security_scheme("bearer", "http", scheme="bearer",
                            description="the token from /miniapp/v1/login/*")  # fmt: skip


STATIC_DIR = Path(__file__).resolve().parent / "static"
API_DESCRIPTION = (
    "The mini-app API for candidates (recorded interviews) and employees, and the WeCom "
    "callback. Errors are JSON {error, message} with a stable error code."
)


async def _recruiting_error(request: Request, exc: Exception) -> HTTPResponse:
    assert isinstance(exc, RecruitingError)
    return error_response(exc, request)


async def _http_error(request: Request, exc: Exception) -> HTTPResponse:
    """Sanic's own refusals (unknown route, wrong method, body too large, bad request) in
    the same shape as ours: ``{"error": code, "message": text}``."""
    assert isinstance(exc, SanicException)
    if exc.status_code >= 500:
        return unexpected_error(exc, request)
    response = http_error_body(exc.status_code, str(exc), request)
    response.headers.update(dict(getattr(exc, "headers", None) or {}))
    return response


async def _unexpected_error(request: Request, exc: Exception) -> HTTPResponse:
    return unexpected_error(exc, request)


async def _health(request: Request) -> HTTPResponse:
    services: Services = request.app.ctx.services
    return json(
        {
            "status": "ok",
            "wecom": "sandbox" if services.settings.wecom.uses_sandbox else "corp",
            "embedded": services.settings.embedded,
            "speech_model": services.speech.to_json() if services.speech else None,
            "scoring": scorer_choice(services.settings).describe(),
        }
    )
