"""Every way a candidate's answer is handled, in one table: a chosen answer (a tapped 微信客服
menu item, an answer in the mini-app inbox) by its key, and typed text by the two ``text``
entries at the bottom.

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
invite.code         invitation code (``iv…``)           typed text with the code that bound
                                                        微信客服 to her: a 确认/改期/拒绝 in it
                                                        → ``InterviewInvitations.answer``,
                                                        else she is told the channel is bound
text.typed          none (the text is the answer)       ``FreeText``: what she has open, most
                                                        recently asked first (``free_text``):
                                                        offer → ``OfferAnswers``, survey →
                                                        ``SurveyAnswers``, invitation →
                                                        ``InterviewInvitations.answer``, pool
                                                        → ``TalentPool``; else her survey
                                                        comment, else HR (``hr_forward``)
==================  ==================================  =====================================

``CandidateAnswers`` picks the entry: a tapped item by its key; typed text by
``invite.code:<code>`` when it carries an invitation code, else ``text.typed:`` (these two
keys are made for typed text only, never put on a choice). A 微信客服 item whose key nobody
owns is read as typed text; a mini-app answer whose key nobody owns is logged and answered
politely (``InterviewInvitations.not_understood``). Each answer is one unit of work there:
its arrival, the handler's change and effects, and the claim of its delivery commit together.

Legacy keys: 微信客服 menus sent before 2026-12 carry ``<subject>|<choice>``
(``invite:12|confirm``, ``slots:12|slot:0``, ``survey:5:satisfaction|4``,
``offer:42|accept``), read as the key above.
"""

from __future__ import annotations

from typing import Protocol

from recruiting.domain.invitation_answers import (
    CONFIRM,
    DECLINE,
    REFERENCE,
    RESCHEDULE,
    Answer,
    read_answer,
)
from recruiting.domain.routing import (
    INVITE_SLOT,
    SURVEY_ANSWER,
    RouteKey,
    RouteTable,
    legacy_choice,
)
from recruiting.services.invitations import messages as msg
from recruiting.services.invitations.lifecycle import InterviewInvitations, Outcome
from recruiting.services.offers.texts import OFFER_CHOICES

INVITE_CODE = "invite.code"  # typed text with an invitation code: invite.code:<code>
TYPED = "text.typed"  # any other typed text: text.typed: (the text is the answer)


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


class TextHandler(Protocol):
    async def __call__(self, candidate_id: int, text: str, *, source_id: str) -> Outcome:
        """Find what the typed ``text`` answers and apply it (``FreeText``)."""


def answer_routes(
    invitations: InterviewInvitations,
    *,
    survey: ChoiceHandler | None = None,
    offer: ChoiceHandler | None = None,
    pool: ChoiceHandler | None = None,
    text: TextHandler | None = None,
) -> RouteTable[AnswerHandler]:
    """The table; a prefix claimed twice raises ``RouteCollision`` (at start-up). Without
    ``text`` the table has no ``text.typed`` entry yet (``CandidateAnswers`` adds one)."""
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
    table.route(INVITE_CODE, _invitation_code(invitations))
    if text is not None:
        table.route(TYPED, typed_text(text))
    # legacy: <subject>|<choice>
    for kind in ("invite", "slots", "survey", "offer"):
        table.legacy(f"{kind}:", legacy_choice(kind))
    return table


def typed_text(handler: TextHandler) -> AnswerHandler:
    """The ``text.typed`` entry: the text itself goes to ``handler``."""

    async def answer(candidate_id: int, key: RouteKey, *, source_id: str, text: str) -> Outcome:
        return await handler(candidate_id, text, source_id=source_id)

    return answer


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


def _invitation_code(invitations: InterviewInvitations) -> AnswerHandler:
    """Text with an invitation code: an answer in it goes to her latest invitation (as when
    typed without the code); otherwise she is told that this channel now reaches her."""

    async def answer(candidate_id: int, key: RouteKey, *, source_id: str, text: str) -> Outcome:
        said = read_answer(REFERENCE.sub("", text))
        if said is not None:
            return await invitations.answer(candidate_id, said, source_id=source_id, text=text)
        async with invitations.effects.unit() as unit:
            drafts = [msg.candidate_text(candidate_id, msg.BOUND_TEXT, "bound")]
            await unit.add(drafts, cause=f"kf-bound:{source_id.removeprefix('kf:')}")
        return Outcome("bound", msg.BOUND_TEXT)

    return answer
