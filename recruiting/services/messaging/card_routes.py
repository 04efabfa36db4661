"""Card clicks (``template_card_event``): which handler owns a button's key.

The whole table is ``card_routes`` below; a key is ``feature.action:args``
(``recruiting.domain.routing``), built with ``route_key`` from the constants named here:

==================  ========================================  ===============================
prefix              arguments                                 handler
==================  ========================================  ===============================
outbox.retry        outbox id                                 ``DeadLetters`` (重新投递)
live.score          interview id, card part                   ``LiveInterviews`` (scoring)
survey.submit       interview id                              ``Surveys`` (interviewer survey)
summary.release     interview id                              ``CandidateSummaries``
summary.edit        interview id                              ``CandidateSummaries``
offer.submit        offer id, version                         ``Offers``
offer.cancel        offer id, version                         ``Offers``
offer.done          offer id                                  ``Offers`` (a settled card)
schedule.book       application, round, start, interviewers   ``ScheduleChat`` (安排面试)
schedule.booked     application id                            nothing (the booked card)
invite.refresh      invitation id                             ``ScheduleChat`` (刷新状态)
intake.invite       application id                            ``IntakeCards`` (邀请AI面试)
intake.schedule     application id                            ``IntakeCards`` (安排面试)
intake.reject       application id                            ``IntakeCards`` (不合适: reasons)
intake.reason       application id, reason code               ``IntakeCards`` (rejects)
intake.back         application id                            ``IntakeCards`` (返回)
intake.none         candidate id                              nothing (card without opening)
screening.invite    job id, application ids (a-b-c)           ``ScreeningChat`` (邀请前N名)
screening.invited   job id                                    nothing (the answered card)
datareq.<action>    data request id                           ``DataRequests`` (个人信息申请:
                                                              confirm, refuse, erase, noted,
                                                              answered)
==================  ========================================  ===============================

Legacy keys (cards sent before 2026-12, still clickable): ``live-score:``, ``survey-card:``,
``summary-release:``, ``summary-edit:``, ``book:``, ``booked:`` and ``invite-card:`` are the
same arguments under an old prefix. A click on any other key is logged and answered with
nothing, as WeCom expects of a card nobody owns.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from recruiting.domain.inbound import CardClick, Inbound
from recruiting.domain.routing import RouteTable
from recruiting.ports.outbound import OutboundDraft
from recruiting.services.after_interview.summaries import EDIT, RELEASE, CandidateSummaries
from recruiting.services.after_interview.surveys import SUBMIT, Surveys
from recruiting.services.intake import cards as intake_cards
from recruiting.services.intake.cards import IntakeCards
from recruiting.services.invitations.messages import REFRESH
from recruiting.services.live.interview import LiveInterviews
from recruiting.services.live.panel_scoring import SCORE
from recruiting.services.messaging.callbacks import Handler
from recruiting.services.messaging.outbox import RETRY, DeadLetters
from recruiting.services.offers import texts as offer_texts
from recruiting.services.offers.offers import Offers
from recruiting.services.personal_data.requests import PREFIXES as DATA_REQUEST_KEYS
from recruiting.services.personal_data.requests import DataRequests
from recruiting.services.scheduling.chat import BOOK, BOOKED, ScheduleChat
from recruiting.services.screening.chat import INVITE as SCREEN_INVITE
from recruiting.services.screening.chat import INVITED as SCREEN_INVITED
from recruiting.services.screening.chat import ScreeningChat

log = logging.getLogger(__name__)


def card_routes(
    *,
    dead_letters: DeadLetters,
    live: LiveInterviews,
    surveys: Surveys,
    summaries: CandidateSummaries,
    offers: Offers,
    schedule_chat: ScheduleChat,
    intake: IntakeCards,
    screening_chat: ScreeningChat,
    data_requests: DataRequests | None = None,
) -> RouteTable[Handler]:
    """The table; a prefix claimed twice raises ``RouteCollision`` (at start-up)."""
    table = RouteTable[Handler]("card click")
    if data_requests is not None:
        for prefix in DATA_REQUEST_KEYS:
            table.route(prefix, data_requests.on_card_click)
    return (
        table.route(RETRY, dead_letters.on_card_click)
        .route(SCORE, live.on_card_click)
        .route(SUBMIT, surveys.on_card_click)
        .route(RELEASE, summaries.on_card_click)
        .route(EDIT, summaries.on_card_click)
        .route(offer_texts.SUBMIT_KEY, offers.on_card_click)
        .route(offer_texts.CANCEL_KEY, offers.on_card_click)
        .route(offer_texts.DONE_KEY, offers.on_card_click)
        .route(BOOK, schedule_chat.on_card_click)
        .route(BOOKED, inert)
        .route(REFRESH, schedule_chat.on_card_click)
        .route(intake_cards.INVITE, intake.on_card_click)
        .route(intake_cards.SCHEDULE, intake.on_card_click)
        .route(intake_cards.REJECT, intake.on_card_click)
        .route(intake_cards.REASON, intake.on_card_click)
        .route(intake_cards.BACK, intake.on_card_click)
        .route(intake_cards.NO_OPENING, inert)
        .route(SCREEN_INVITE, screening_chat.on_card_click)
        .route(SCREEN_INVITED, inert)
        # legacy key styles → their prefix today
        .rename("live-score:", SCORE)
        .rename("survey-card:", SUBMIT)
        .rename("summary-release:", RELEASE)
        .rename("summary-edit:", EDIT)
        .rename("book:", BOOK)
        .rename("booked:", BOOKED)
        .rename("invite-card:", REFRESH)
    )


class CardClicks:
    """The ``card_click`` callback handler: the key's route, with the key in today's style."""

    def __init__(self, table: RouteTable[Handler]) -> None:
        self._table = table

    async def __call__(self, event: Inbound) -> list[OutboundDraft]:
        if not isinstance(event, CardClick):
            return []
        route = self._table.resolve(event.event_key)
        if route is None:
            log.warning(
                "card click with an unrouted key %r (task %s, from %s): nothing done",
                event.event_key, event.task_id, event.from_user,
            )  # fmt: skip
            return []
        if route.legacy:
            log.info("card click with a legacy key %r read as %s", event.event_key, route.key)
        return await route.handler(replace(event, event_key=str(route.key)))


async def inert(event: Inbound) -> list[OutboundDraft]:
    """A button that only shows a state (e.g. 已预约): clicking it changes nothing."""
    return []
