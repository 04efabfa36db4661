"""A candidate's chosen answer (a tapped 微信客服 menu item, an answer in the mini-app inbox):
which handler owns its key.

A choices message names what it asks (``subject``) and lists short choices; the key that
comes back is ``answer_key(subject, choice)`` (``recruiting.domain.routing``), routed here:

==================  ==================================  =====================================
prefix              arguments                           handler
==================  ==================================  =====================================
invite.confirm      invitation id                       ``InterviewInvitations.answer``
invite.reschedule   invitation id                       ``InterviewInvitations.answer``
invite.decline      invitation id                       ``InterviewInvitations.answer``
invite.slot         invitation id, slot (0-based)       ``InterviewInvitations.answer``
survey.answer       response id, question, option       ``SurveyAnswers``
offer.accept        offer id                            ``OfferAnswers``
offer.decline       offer id                            ``OfferAnswers``
pool.grant          candidate id                        ``TalentPool`` (人才库)
pool.decline        candidate id                        ``TalentPool``
==================  ==================================  =====================================

Legacy keys: 微信客服 menus sent before 2026-12 carry ``<subject>|<choice>``
(``invite:12|confirm``, ``slots:12|slot:0``, ``survey:5:satisfaction|4``,
``offer:42|accept``), read as the key above. Typed text is not a key: ``FreeText`` finds
what it answers. A key nobody owns is logged and answered politely (``CandidateAnswers``).
"""

from __future__ import annotations

from typing import Protocol

from recruiting.domain.invitation_answers import CONFIRM, DECLINE, RESCHEDULE, Answer
from recruiting.domain.routing import (
    INVITE_SLOT,
    SURVEY_ANSWER,
    RouteKey,
    RouteTable,
    legacy_choice,
)
from recruiting.services.invitations.lifecycle import InterviewInvitations, Outcome
from recruiting.services.offers.texts import OFFER_CHOICES


class ChoiceHandler(Protocol):
    async def __call__(
        self, candidate_id: int, subject: str, key: str, *, source_id: str, text: str
    ) -> Outcome:
        """Apply the candidate's choice ``key`` for ``subject`` (once per ``source_id``)."""


class AnswerHandler(Protocol):
    async def __call__(
        self, candidate_id: int, key: RouteKey, *, source_id: str, text: str
    ) -> Outcome:
        """Apply the answer ``key`` of the candidate (once per ``source_id``)."""


def answer_routes(
    invitations: InterviewInvitations,
    *,
    survey: ChoiceHandler | None = None,
    offer: ChoiceHandler | None = None,
    pool: ChoiceHandler | None = None,
) -> RouteTable[AnswerHandler]:
    """The table; a prefix claimed twice raises ``RouteCollision`` (at start-up)."""
    table = RouteTable[AnswerHandler]("candidate answer")
    invitation = _invitation(invitations)
    for choice in (CONFIRM, RESCHEDULE, DECLINE):
        table.route(f"invite.{choice}", invitation)
    table.route(INVITE_SLOT, invitation)
    if survey is not None:
        table.route(SURVEY_ANSWER, _survey(survey))
    if offer is not None:
        offer_answer = _offer(offer)
        for choice in OFFER_CHOICES:
            table.route(f"offer.{choice}", offer_answer)
    if pool is not None:
        pool_answer = _subject_of("pool", pool)
        for choice in ("grant", "decline"):
            table.route(f"pool.{choice}", pool_answer)
    # legacy: <subject>|<choice>
    for kind in ("invite", "slots", "survey", "offer"):
        table.legacy(f"{kind}:", legacy_choice(kind))
    return table


def _invitation(invitations: InterviewInvitations) -> AnswerHandler:
    async def answer(candidate_id: int, key: RouteKey, *, source_id: str, text: str) -> Outcome:
        ref = key.args[0]
        if key.prefix == INVITE_SLOT:
            choice, subject = f"slot:{':'.join(key.args[1:])}", f"slots:{ref}"
        else:
            choice, subject = key.action, f"invite:{ref}"
        return await invitations.answer(
            candidate_id, Answer(choice), subject=subject, source_id=source_id, text=text
        )

    return answer


def _survey(handler: ChoiceHandler) -> AnswerHandler:
    async def answer(candidate_id: int, key: RouteKey, *, source_id: str, text: str) -> Outcome:
        subject = f"survey:{':'.join(key.args[:-1])}"
        return await handler(candidate_id, subject, key.args[-1], source_id=source_id, text=text)

    return answer


def _offer(handler: ChoiceHandler) -> AnswerHandler:
    return _subject_of("offer", handler)


def _subject_of(kind: str, handler: ChoiceHandler) -> AnswerHandler:
    """``kind.<choice>:<ref>`` → ``handler(subject=f"{kind}:{ref}", key=<choice>)``."""

    async def answer(candidate_id: int, key: RouteKey, *, source_id: str, text: str) -> Outcome:
        subject = f"{kind}:{key.args[0]}"
        return await handler(candidate_id, subject, key.action, source_id=source_id, text=text)

    return answer
