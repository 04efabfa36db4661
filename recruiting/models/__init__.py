"""Persisted entities (Tortoise ORM). One module per concept; all registered as app ``recruiting``.

Personal fields are stored only as ciphertext (``*_enc``); see ``recruiting.infra.pii``.
"""

from recruiting.models.audit import AuditLog
from recruiting.models.candidates import Application, ApplicationStatus, Candidate, Consent
from recruiting.models.interviews import (
    Interview,
    InterviewAssignment,
    InterviewNote,
    InterviewSlot,
)
from recruiting.models.jobs import InterviewRound, JobOpening, JobStatus
from recruiting.models.messaging import InboxEvent, OutboxMessage, ProcessingStatus
from recruiting.models.scores import RaterKind, Score
from recruiting.models.staff import Staff

__all__ = [
    "Application",
    "ApplicationStatus",
    "AuditLog",
    "Candidate",
    "Consent",
    "InboxEvent",
    "Interview",
    "InterviewAssignment",
    "InterviewNote",
    "InterviewRound",
    "InterviewSlot",
    "JobOpening",
    "JobStatus",
    "OutboxMessage",
    "ProcessingStatus",
    "RaterKind",
    "Score",
    "Staff",
]
