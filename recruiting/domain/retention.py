"""How long each class of a candidate's personal data is kept (PIPL Art. 19: no longer than
the purpose needs), as pure rules: given what is known about one candidate, which classes
are due for erasure now.

Every clock starts at the candidate's decision: the moment the last of their applications
was closed (hired, rejected, withdrawn, or, for one at ``offer``, its offer answered or
ended unanswered: ``offer_decision``). Nothing is purged while an application is open, nor
while a legal hold covers the candidate or one of their openings. A candidate who agreed to
stay in the talent pool keeps their profile until the consent is withdrawn or expires; the
per-class clocks (recordings, transcripts, …) run regardless. A hire's data is removed only
once every hand-off to the EHR and payroll was delivered.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from recruiting.domain.offer_state import OfferStatus


class DataClass(StrEnum):
    """What is erased together. The inventory (``services.personal_data.inventory``) puts
    every personal field and file in exactly one class."""

    RECORDINGS = "recordings"  # recorded answers (media objects), client integrity events
    ASSESSMENTS = "assessments"  # transcripts, AI scores, summary drafts and texts
    NOTES = "notes"  # interview notes, interviewers' comments and evidence quotes
    RESUMES = "resumes"  # résumé files and what was parsed from them
    SURVEY_COMMENTS = "survey_comments"  # the candidate's own words in the survey
    MESSAGES = "messages"  # mini-app inbox, chat replies, delivered outbox copies
    PROFILE = "profile"  # name, contact data, WeChat ids, sessions, offer details


# Erased in this order: the profile last, so a crash part-way leaves a findable candidate.
ORDER: tuple[DataClass, ...] = tuple(DataClass)
EVERYTHING = frozenset(DataClass)

# Classes with a clock of their own; the others go with the whole candidate.
PER_CLASS = (
    DataClass.RECORDINGS,
    DataClass.ASSESSMENTS,
    DataClass.NOTES,
    DataClass.RESUMES,
    DataClass.SURVEY_COMMENTS,
)


@dataclass(frozen=True)
class RetentionPolicy:
    """Days after the decision (``settings.retention``; config.yaml says why each)."""

    recordings_days: int = 30
    assessments_days: int = 180
    notes_days: int = 180
    resumes_days: int = 180
    survey_comments_days: int = 90
    not_hired_days: int = 180
    talent_pool_days: int = 730
    hired_days: int = 30
    audit_days: int = 1095
    transport_days: int = 30
    batch_size: int = 50

    def class_days(self, data_class: DataClass) -> int:
        return {
            DataClass.RECORDINGS: self.recordings_days,
            DataClass.ASSESSMENTS: self.assessments_days,
            DataClass.NOTES: self.notes_days,
            DataClass.RESUMES: self.resumes_days,
            DataClass.SURVEY_COMMENTS: self.survey_comments_days,
        }[data_class]


@dataclass(frozen=True)
class CandidateFacts:
    """What the purge knows of one candidate when it asks what is due."""

    candidate_id: int
    decided_at: datetime | None  # None: an application is still open (or undated)
    hired: bool
    handed_over: bool  # no EHR / payroll hand-off still waiting to be delivered
    held: bool
    talent_pool_since: datetime | None = None  # standing talent-pool consent
    talent_pool_ended_at: datetime | None = None  # withdrawn (the clock restarts here)
    done: frozenset[DataClass] = frozenset()  # already erased


def due_classes(
    facts: CandidateFacts, policy: RetentionPolicy, now: datetime
) -> frozenset[DataClass]:
    """The classes of ``facts``' candidate to erase at ``now`` (empty: nothing yet)."""
    if facts.held or facts.decided_at is None:
        return frozenset()
    age = now - facts.decided_at
    due = {c for c in PER_CLASS if age >= timedelta(days=policy.class_days(c))}
    if whole_candidate_due(facts, policy, now):
        due = set(EVERYTHING)
    return frozenset(due) - facts.done


def whole_candidate_due(facts: CandidateFacts, policy: RetentionPolicy, now: datetime) -> bool:
    if facts.held or facts.decided_at is None:
        return False
    if facts.hired:
        return facts.handed_over and now - facts.decided_at >= timedelta(days=policy.hired_days)
    if facts.talent_pool_since is not None:
        return now - facts.talent_pool_since >= timedelta(days=policy.talent_pool_days)
    start = max(facts.decided_at, facts.talent_pool_ended_at or facts.decided_at)
    return now - start >= timedelta(days=policy.not_hired_days)


# An offer in one of these will never be answered: refused or withdrawn in approval, deleted,
# or a draft HR dropped.
OFFER_ENDED = frozenset(
    {
        OfferStatus.REJECTED,
        OfferStatus.WITHDRAWN,
        OfferStatus.WITHDRAWN_AFTER_APPROVAL,
        OfferStatus.DELETED,
        OfferStatus.CANCELLED,
    }
)


@dataclass(frozen=True)
class OfferFacts:
    """One offer of an application at ``offer``, as the retention clock reads it."""

    status: OfferStatus
    answer: str  # the candidate's "accept" / "decline", "" unanswered
    answered_at: datetime | None
    ended_at: datetime | None  # when it reached an ``OFFER_ENDED`` status


def offer_decision(offers: Sequence[OfferFacts]) -> tuple[datetime, bool] | None:
    """(decided at, hired) of an application at ``offer`` with ``offers`` (oldest first), or
    None while it is still open. A standing accepted offer is a hire, decided when accepted.
    Otherwise the newest offer decides: declined, at the answer; ended unanswered (refused
    or withdrawn in approval, deleted, dropped), at its end, since no answer can come and
    nothing else would ever close the application; anything else (a draft, an approval
    under way, an approved offer awaiting the answer) keeps it open, as do no offers."""
    for offer in offers:
        if (
            offer.status is OfferStatus.APPROVED
            and offer.answer == "accept"
            and offer.answered_at is not None
        ):
            return offer.answered_at, True
    if not offers:
        return None
    newest = offers[-1]
    if newest.status in OFFER_ENDED and newest.ended_at is not None:
        return max(newest.ended_at, newest.answered_at or newest.ended_at), False
    if newest.answer == "decline" and newest.answered_at is not None:
        return newest.answered_at, False
    return None
