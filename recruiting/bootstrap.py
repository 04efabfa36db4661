"""The composition root: the one place that knows every adapter and wires them.

``build_services`` reads as the list of capabilities: each ``wire_<capability>()`` in
``recruiting/wiring/`` takes the shared objects (built once) and what it needs from the
others, and ``Services`` keeps each one's frozen dataclass as a field named after its package,
so an entry point reaches an object through the capability that owns it.
``create_app(settings)`` builds the Sanic app with the setup functions of ``recruiting.web``;
resources are made in startup listeners and closed in shutdown listeners, so importing this
module has no side effects.
"""

from __future__ import annotations

import asyncio
import gc
import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
from sanic import Request, Sanic

from ehr_adapter.build import close_ehr
from interview_core.speech.choose import SpeechReadiness, speech_readiness
from miniapp_api import routes as miniapp_routes
from recruiting.db import close_database, migrate_schema, open_database
from recruiting.domain.roles import Role
from recruiting.infra.private_files import private_dir, restrict_umask
from recruiting.infra.sealed_fields import install_cipher_for
from recruiting.runtime import Worker
from recruiting.services.demo import seed_demo_recruiting, seed_demo_staff
from recruiting.services.shared.audit import Actor
from recruiting.settings import Settings, is_loopback
from recruiting.web import (
    install_error_handlers,
    install_health,
    install_openapi,
    install_security_headers,
)
from recruiting.wiring.after_interview import AfterInterview, wire_after_interview
from recruiting.wiring.candidate_channel import CandidateChannel, wire_candidate_channel
from recruiting.wiring.intake import Intake, wire_intake
from recruiting.wiring.invitations import Invitations, wire_invitations
from recruiting.wiring.live import Live, wire_live
from recruiting.wiring.messaging import Messaging, decode_event, wire_messaging
from recruiting.wiring.offers import OffersWiring, wire_offers
from recruiting.wiring.openings import Openings, wire_openings
from recruiting.wiring.personal_data import (
    DataRights,
    PersonalDataWiring,
    wire_data_rights,
    wire_personal_data,
)
from recruiting.wiring.pipeline import Pipeline, wire_pipeline
from recruiting.wiring.recorded import Recorded, wire_recorded
from recruiting.wiring.scheduling import Scheduling, wire_scheduling
from recruiting.wiring.screening import ScreeningWiring, wire_screening
from recruiting.wiring.shared import Shared, scorer_choice, wire_shared
from recruiting.wiring.workbench import Workbench, wire_workbench
from recruiting.workbench import install_workbench
from scheduler.jobs import JobRegistry
from scheduler.leader import LeaderGuard, Lease, MemoryLease, RedisLease
from scheduler.runner import Scheduler
from wecom_bot import routes as wecom_routes

__all__ = ["Services", "WebApp", "build_services", "create_app", "decode_event", "scorer_choice"]

log = logging.getLogger(__name__)

WebApp = Sanic[Any, Any]


@dataclass
class Services:
    """Everything the entry points need, built once per process: one field per capability,
    each the frozen dataclass its ``wire_<capability>()`` returns, and what the process runs
    (the worker, the scheduler)."""

    shared: Shared  # settings, key-value store, queue, cipher, media store, WeCom, http
    messaging: Messaging  # callback inbox and gateway, the processor, the outbox relay
    scheduling: Scheduling
    invitations: Invitations  # invitations to a booked interview, booking, the schedule chat
    candidate_channel: CandidateChannel
    recorded: Recorded  # the mini-app's use cases, answer analysis
    live: Live
    after_interview: AfterInterview
    offers: OffersWiring  # offers, approvals, the EHR and payroll hand-off
    personal_data: PersonalDataWiring  # contact data, erasure, legal holds, the purge
    data_rights: DataRights  # the candidate's requests about their data, the talent pool
    screening: ScreeningWiring
    pipeline: Pipeline  # the HR workbench's board, review and decisions
    intake: Intake
    openings: Openings  # openings, rounds, question bank (the workbench's 岗位 pages)
    workbench: Workbench  # the workbench's sign-in
    worker: Worker
    scheduler: Scheduler
    # found once at start (a directory listing): /healthz must not touch the disk per probe
    speech: SpeechReadiness | None = None

    async def aclose(self) -> None:
        await self.scheduler.stop()
        await self.scheduler.guard.close()
        self.recorded.analysis.close()
        await close_ehr(self.offers.ehr.ehr)
        await self.shared.aclose()


def build_services(
    settings: Settings, *, wecom_transport: httpx.AsyncBaseTransport | None = None
) -> Services:
    shared = wire_shared(settings, wecom_transport=wecom_transport)
    after = wire_after_interview(shared)
    live = wire_live(shared)
    offers = wire_offers(shared)
    scheduling = wire_scheduling(shared)
    invitations = wire_invitations(shared, scheduling)
    personal_data = wire_personal_data(shared)
    rights = wire_data_rights(shared, personal_data)
    candidates = wire_candidate_channel(invitations, after, offers, rights.talent_pool)
    recorded = wire_recorded(shared, after)
    screening = wire_screening(shared, recorded)
    pipeline = wire_pipeline(shared, invitations, offers, recorded)
    intake = wire_intake(shared, invitations, recorded, pipeline, screening)
    messaging = wire_messaging(
        shared, live=live, after=after, offers=offers, invitations=invitations,
        candidates=candidates, intake=intake, screening=screening,
        data_requests=rights.requests,
    )  # fmt: skip
    worker = Worker(
        shared.queue,
        messaging.inbox,
        messaging.processor,
        messaging.relay,
        recorded.analysis,
        scratch_root=shared.scratch.parent,
    )
    return Services(
        shared=shared, messaging=messaging, scheduling=scheduling, invitations=invitations,
        candidate_channel=candidates, recorded=recorded, live=live, after_interview=after,
        offers=offers, personal_data=personal_data, data_rights=rights, screening=screening,
        pipeline=pipeline, intake=intake, openings=wire_openings(),
        workbench=wire_workbench(shared), worker=worker,
        scheduler=_scheduler(settings, scheduling, after, offers, personal_data, rights),
    )  # fmt: skip


def _scheduler(
    settings: Settings,
    scheduling: Scheduling,
    after: AfterInterview,
    offers: OffersWiring,
    personal_data: PersonalDataWiring,
    rights: DataRights,
) -> Scheduler:
    """Time-driven jobs; other use cases register theirs here (``async (now) -> int``)."""
    registry = JobRegistry()
    registry.add("payroll.data_alerts", offers.payroll_alerts.send_due, every=timedelta(hours=1))
    registry.add("reminders.send_due", scheduling.reminders.send_due)
    registry.add("surveys.send_due", after.surveys.send_due_surveys, every=timedelta(minutes=1))
    registry.add(
        "summaries.draft_due", after.summaries.draft_due_summaries, every=timedelta(minutes=1)
    )
    purge = personal_data.purge
    registry.add("personal_data.purge", purge.run_due, every=timedelta(hours=1))
    registry.add("personal_data.monthly_summary", purge.monthly_summary, every=timedelta(hours=6))
    # deletions the candidates asked for, by their due date (and once a legal hold is lifted)
    registry.add(
        "data_requests.execute_due", rights.requests.execute_due, every=timedelta(minutes=5)
    )
    lease: Lease = RedisLease.from_url(settings.redis_url) if settings.redis_url else MemoryLease()
    guard = LeaderGuard(lease, settings.scheduler.leader_ttl_seconds)
    return Scheduler(registry, guard, tick=timedelta(seconds=settings.scheduler.tick_seconds))


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
    if settings.workbench.insecure_default(settings.server.host):
        log.warning(WORKBENCH_COOKIE_WARNING, settings.workbench.public_url)
    if settings.wecom.uses_sandbox:
        await seed_demo_staff()
        await seed_demo_recruiting()
        # the demo's question bank starts with the built-in job models' sample questions
        await services.openings.bank.seed_from_library(DEMO_SEEDER)
    return services


async def stop_services(services: Services) -> None:
    services.worker.stop()
    await services.messaging.inbox.drain()
    await services.worker.drain()
    await services.aclose()
    await close_database()


DEMO_SEEDER = Actor("system", frozenset({Role.HR}))


def create_app(
    settings: Settings,
    *,
    name: str = "recruiting",
    run_workers: bool = True,
    wecom_transport: httpx.AsyncBaseTransport | None = None,
) -> WebApp:
    """The web app: WeCom callback gateway, mini-app API, health check, and (optionally) the
    workers."""
    app = Sanic(name, configure_logging=False)
    # Only WeCom callbacks are posted so far; routes that take uploads will stream.
    app.config.REQUEST_MAX_SIZE = settings.server.callback_body_limit
    app.config.KEEP_ALIVE_TIMEOUT = 30
    app.config.REQUEST_TIMEOUT = settings.server.request_timeout
    app.config.FALLBACK_ERROR_FORMAT = "json"
    app.blueprint(wecom_routes.bp)
    app.blueprint(miniapp_routes.bp)
    install_health(app, _health)
    install_error_handlers(app)
    install_security_headers(app, hsts=not is_loopback(settings.server.host))
    install_openapi(app)
    install_workbench(app)

    @app.before_server_start
    async def _open(app: WebApp) -> None:
        app.ctx.services = await start_services(settings, wecom_transport=wecom_transport)

    @app.after_server_start
    async def _workers(app: WebApp) -> None:
        # What start-up made (modules, settings, catalogues, dictionaries: ~150,000 objects)
        # lives as long as the process: moved out of the collector's reach, a full
        # collection no longer walks it (it took 100-150 ms, a stall of whichever request
        # triggered it).
        gc.collect()
        gc.freeze()
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


def _health(request: Request) -> dict[str, object]:
    services: Services = request.app.ctx.services
    settings = services.shared.settings
    return {
        "status": "ok",
        "wecom": "sandbox" if settings.wecom.uses_sandbox else "corp",
        "embedded": settings.embedded,
        "speech_model": services.speech.to_json() if services.speech else None,
        "scoring": scorer_choice(settings).describe(),
        "workbench": _workbench_health(settings),
    }


WORKBENCH_COOKIE_WARNING = (
    "PUBLIC_URL is empty and the service listens beyond loopback: the workbench assumes %s, "
    "but its session cookie is Secure there, so browsers over plain http drop it and nobody "
    "can sign in; set PUBLIC_URL to the https origin people use"
)


def _workbench_health(settings: Settings) -> dict[str, object]:
    """The workbench's origin, and a warning when sign-in would silently fail."""
    wb = settings.workbench
    warning = ""
    if wb.insecure_default(settings.server.host):
        warning = "public_url_unset: " + WORKBENCH_COOKIE_WARNING % wb.public_url
    return {"public_url": wb.public_url, "warning": warning}
