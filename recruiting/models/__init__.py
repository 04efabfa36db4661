"""Persisted entities (Tortoise ORM). One module per concept; all registered as app ``recruiting``.

Personal fields are stored only as ciphertext (``*_enc``); see ``recruiting.infra.pii``.
"""

from recruiting.domain.consent import ConsentPurpose
from recruiting.domain.interview_state import InterviewMode
from recruiting.models.audit import AuditLog
from recruiting.models.candidates import (
    Application,
    ApplicationStatus,
    Candidate,
    Consent,
)
from recruiting.models.costs import CostKind, InterviewCost
from recruiting.models.data_requests import DataRequest, DataRequestKind, DataRequestStatus
from recruiting.models.interviews import (
    Interview,
    InterviewAssignment,
    InterviewNote,
    InterviewSlot,
)
from recruiting.models.invitations import (
    OPEN_INVITATION,
    CandidateContact,
    CandidateMessage,
    CandidateReply,
    CardCode,
    ContactWay,
    InterviewInvitation,
    InvitationStatus,
    KfCursor,
)
from recruiting.models.jobs import (
    BankQuestion,
    InterviewRound,
    JobOpening,
    JobStatus,
    RoundKind,
    RoundVersion,
)
from recruiting.models.messaging import InboxEvent, OutboxMessage, ProcessingStatus, SendAttempt
from recruiting.models.offers import Offer, OfferEvent
from recruiting.models.recorded import (
    AnalysisStatus,
    Answer,
    AnswerStatus,
    AppSession,
    CandidateSummary,
    IntegrityEvent,
    RecordingLink,
    SubjectKind,
    Upload,
    UploadStatus,
)
from recruiting.models.reminders import ReminderDelivery
from recruiting.models.resumes import ResumeFile, ResumeParse
from recruiting.models.retention import ErasureRecord, LegalHold, PendingObjectDeletion
from recruiting.models.scores import RaterKind, Score
from recruiting.models.staff import Staff
from recruiting.models.surveys import Respondent, SurveyResponse

__all__ = [
    "OPEN_INVITATION",
    "AnalysisStatus",
    "Answer",
    "AnswerStatus",
    "AppSession",
    "Application",
    "ApplicationStatus",
    "AuditLog",
    "BankQuestion",
    "Candidate",
    "CandidateContact",
    "CandidateMessage",
    "CandidateReply",
    "CandidateSummary",
    "CardCode",
    "Consent",
    "ConsentPurpose",
    "ContactWay",
    "CostKind",
    "DataRequest",
    "DataRequestKind",
    "DataRequestStatus",
    "ErasureRecord",
    "InboxEvent",
    "IntegrityEvent",
    "Interview",
    "InterviewAssignment",
    "InterviewCost",
    "InterviewInvitation",
    "InterviewMode",
    "InterviewNote",
    "InterviewRound",
    "InterviewSlot",
    "InvitationStatus",
    "JobOpening",
    "JobStatus",
    "KfCursor",
    "LegalHold",
    "Offer",
    "OfferEvent",
    "OutboxMessage",
    "PendingObjectDeletion",
    "ProcessingStatus",
    "RaterKind",
    "RecordingLink",
    "ReminderDelivery",
    "Respondent",
    "ResumeFile",
    "ResumeParse",
    "RoundKind",
    "RoundVersion",
    "Score",
    "SendAttempt",
    "Staff",
    "SubjectKind",
    "SurveyResponse",
    "Upload",
    "UploadStatus",
]
