"""When an application left at ``offer`` counts as decided (``domain.retention.offer_decision``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from recruiting.domain.offer_state import OfferStatus
from recruiting.domain.retention import OfferFacts, offer_decision

T = datetime(2026, 3, 1, 9, tzinfo=UTC)
DAY = timedelta(days=1)


def offer(status: OfferStatus, answer: str = "", answered: datetime | None = None,
          ended: datetime | None = None) -> OfferFacts:  # fmt: skip
    return OfferFacts(status, answer, answered, ended)


def test_an_offer_ended_unanswered_is_decided_when_it_ended() -> None:
    for status in (OfferStatus.REJECTED, OfferStatus.WITHDRAWN, OfferStatus.DELETED,
                   OfferStatus.WITHDRAWN_AFTER_APPROVAL, OfferStatus.CANCELLED):  # fmt: skip
        assert offer_decision([offer(status, ended=T)]) == (T, False), status


def test_open_offers_keep_the_application_open() -> None:
    assert offer_decision([]) is None
    for status in (OfferStatus.DRAFT, OfferStatus.SUBMITTING, OfferStatus.PENDING_APPROVAL,
                   OfferStatus.APPROVED):  # fmt: skip
        assert offer_decision([offer(status)]) is None, status
    # a new offer after a refused one: open again
    assert offer_decision([offer(OfferStatus.REJECTED, ended=T),
                           offer(OfferStatus.PENDING_APPROVAL)]) is None  # fmt: skip


def test_answers_decide() -> None:
    assert offer_decision([offer(OfferStatus.APPROVED, "accept", T)]) == (T, True)
    assert offer_decision([offer(OfferStatus.APPROVED, "decline", T)]) == (T, False)
    # accepted, then withdrawn after approval: not a hire, decided when withdrawn
    rescinded = offer(OfferStatus.WITHDRAWN_AFTER_APPROVAL, "accept", T, T + DAY)
    assert offer_decision([rescinded]) == (T + DAY, False)
    # a standing accepted offer is a hire even if a later draft was dropped
    assert offer_decision([offer(OfferStatus.APPROVED, "accept", T),
                           offer(OfferStatus.CANCELLED, ended=T + DAY)]) == (T, True)  # fmt: skip
