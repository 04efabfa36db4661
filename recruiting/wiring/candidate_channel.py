"""What candidates answer through 微信客服 / external contacts (``services.candidate_channel``)."""

from __future__ import annotations

from dataclasses import dataclass

from recruiting.services.candidate_channel.answers import CandidateAnswers
from recruiting.services.candidate_channel.free_text import FreeText
from recruiting.services.messaging.answer_routes import answer_routes
from recruiting.services.personal_data.talent_pool import TalentPool
from recruiting.wiring.after_interview import AfterInterview
from recruiting.wiring.invitations import Invitations
from recruiting.wiring.offers import OffersWiring


@dataclass(frozen=True)
class CandidateChannel:
    answers: CandidateAnswers


def wire_candidate_channel(
    invitations: Invitations,
    after: AfterInterview,
    offers: OffersWiring,
    pool: TalentPool | None = None,
) -> CandidateChannel:
    lifecycle, survey, offer = invitations.lifecycle, after.survey_answers, offers.answers
    pool_answer = pool.answer if pool else None
    typed = FreeText(lifecycle, offer, survey, pool_answer)
    answers = CandidateAnswers(
        lifecycle,  # who handles what: the table in recruiting.services.messaging.answer_routes
        answer_routes(lifecycle, survey=survey, offer=offer, pool=pool_answer, text=typed),
    )
    return CandidateChannel(answers=answers)
