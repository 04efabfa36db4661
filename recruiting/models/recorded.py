"""Recorded (asynchronous) interviews taken in the mini-app: sessions, recording links, answers,
their resumable uploads, client-reported integrity events and the released summary.

Tokens are stored only as SHA-256 hashes: a database leak does not hand out sessions.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.models import Model

from recruiting.infra.sealed_fields import SealedJSONField, SealedTextField, SearchableField

if TYPE_CHECKING:
    from recruiting.models.candidates import Candidate
    from recruiting.models.interviews import Interview
    from recruiting.models.staff import Staff


class SubjectKind(StrEnum):
    CANDIDATE = "candidate"
    STAFF = "staff"
    VISITOR = "visitor"  # a WeChat user who has not yet redeemed a recording link
    WORKBENCH = "workbench"  # a staff member signed in to the HR workbench (web cookie)


class AppSession(Model):
    """A short-lived, revocable session of the mini-app (the service's own token)."""

    id = fields.IntField(primary_key=True)
    token_hash = fields.CharField(max_length=64, unique=True)
    kind = fields.CharEnumField(SubjectKind, max_length=16)
    candidate: fields.ForeignKeyNullableRelation[Candidate] = fields.ForeignKeyField(
        "recruiting.Candidate", related_name="sessions", null=True, on_delete=fields.CASCADE
    )
    candidate_id: int | None
    staff: fields.ForeignKeyNullableRelation[Staff] = fields.ForeignKeyField(
        "recruiting.Staff", related_name="sessions", null=True, on_delete=fields.CASCADE
    )
    staff_id: int | None
    openid = SearchableField(default="")
    # WeChat/WeCom session_key, encrypted: it never leaves the server.
    session_key_enc = fields.TextField(default="")
    expires_at = fields.DatetimeField()
    revoked_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "app_session"


class RecordingLink(Model):
    """A one-time link or QR code that binds a WeChat user to a recorded interview.

    Not an ``InterviewInvitation``: that one asks a candidate to a booked live interview."""

    id = fields.IntField(primary_key=True)
    token_hash = fields.CharField(max_length=64, unique=True)
    interview: fields.ForeignKeyRelation[Interview] = fields.ForeignKeyField(
        "recruiting.Interview", related_name="recording_links", on_delete=fields.CASCADE
    )
    interview_id: int
    created_by = fields.CharField(max_length=64)
    expires_at = fields.DatetimeField()
    redeemed_at = fields.DatetimeField(null=True)
    redeemed_by = SearchableField(default="")  # openid
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "recording_link"
        indexes = (("interview_id",),)


class AnswerStatus(StrEnum):
    REVEALED = "revealed"  # the question is shown, the clock runs
    SUBMITTED = "submitted"
    SKIPPED = "skipped"


class AnalysisStatus(StrEnum):
    NONE = "none"  # nothing submitted yet
    QUEUED = "queued"
    PROCESSING = "processing"
    DONE = "done"
    FAILED = "failed"
    SKIPPED = "skipped"  # the candidate chose human review only


class Answer(Model):
    """One question of one recorded interview: when it was shown, what came back."""

    id = fields.IntField(primary_key=True)
    interview: fields.ForeignKeyRelation[Interview] = fields.ForeignKeyField(
        "recruiting.Interview", related_name="answers", on_delete=fields.CASCADE
    )
    interview_id: int
    question_index = fields.SmallIntField()
    status = fields.CharEnumField(AnswerStatus, max_length=16, default=AnswerStatus.REVEALED)
    revealed_at = fields.DatetimeField()
    submitted_at = fields.DatetimeField(null=True)
    retakes_used = fields.SmallIntField(default=0)
    media_key = fields.CharField(max_length=256, default="")
    media_sha256 = fields.CharField(max_length=64, default="")
    media_bytes = fields.BigIntField(default=0)
    media_seconds = fields.FloatField(null=True)
    media_type = fields.CharField(max_length=64, default="")
    analysis_status = fields.CharEnumField(
        AnalysisStatus, max_length=16, default=AnalysisStatus.NONE
    )
    analysis_reason = fields.CharField(max_length=512, default="")
    analysis: Any = SealedJSONField(null=True)  # transcript and quotes
    analysis_attempts = fields.SmallIntField(default=0)
    # The gaming flags the analysis raised, counted outside the sealed analysis so the
    # pipeline board can filter on them in SQL.
    flag_count = fields.SmallIntField(default=0, db_default=0)
    lease_until = fields.DatetimeField(null=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "answer"
        unique_together = (("interview", "question_index"),)


class UploadStatus(StrEnum):
    OPEN = "open"
    COMPLETE = "complete"
    REJECTED = "rejected"  # finished but refused (checksum, not media, too long)
    DISCARDED = "discarded"  # replaced by a retake or withdrawn consent


class Upload(Model):
    """A resumable upload: ``received`` is the last acknowledged byte, advanced atomically."""

    id = fields.CharField(max_length=32, primary_key=True)
    answer: fields.ForeignKeyRelation[Answer] = fields.ForeignKeyField(
        "recruiting.Answer", related_name="uploads", on_delete=fields.CASCADE
    )
    answer_id: int
    attempt = fields.SmallIntField(default=0)  # answer.retakes_used when it started
    size = fields.BigIntField()
    sha256 = fields.CharField(max_length=64)
    media_type = fields.CharField(max_length=64)
    received = fields.BigIntField(default=0)
    status = fields.CharEnumField(UploadStatus, max_length=16, default=UploadStatus.OPEN)
    error = fields.CharField(max_length=512, default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "upload"


class IntegrityEvent(Model):
    """What the client reported during a recorded interview (app backgrounded, network switch,
    retake); shown to HR next to the answers, never scored."""

    id = fields.IntField(primary_key=True)
    interview: fields.ForeignKeyRelation[Interview] = fields.ForeignKeyField(
        "recruiting.Interview", related_name="integrity_events", on_delete=fields.CASCADE
    )
    interview_id: int
    kind = fields.CharField(max_length=32)
    question_index = fields.SmallIntField(null=True)
    client_at = fields.DatetimeField(null=True)
    # what the mini-app sent: any text a client chooses, about a candidate's recording
    detail = SealedTextField(default="")
    received_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "integrity_event"
        indexes = (("interview_id",),)


class CandidateSummary(Model):
    """What the candidate may read about their interview, once a person released it."""

    # Until released (by a person, or by the auto_release policy a person set) it is a draft.

    id = fields.IntField(primary_key=True)
    interview: fields.OneToOneRelation[Interview] = fields.OneToOneField(
        "recruiting.Interview", related_name="summary", on_delete=fields.CASCADE
    )
    interview_id: int
    strengths = SealedTextField(default="")
    improvements = SealedTextField(default="")
    next_step = SealedTextField(default="")
    released_at = fields.DatetimeField(null=True)
    released_by = fields.CharField(max_length=64, default="")
    # The draft (services.after_interview.summaries): when, on what, and what HR alone may read.
    drafted_at = fields.DatetimeField(null=True)
    basis = fields.CharField(max_length=16, default="")  # human | ai | none | "" (HR wrote it)
    needs_writing = fields.BooleanField(default=False)  # no scores: HR must write it
    for_rejection = fields.BooleanField(default=False)
    hr_notes = SealedTextField(default="")  # the evidence behind the draft, never released
    release_due_at = fields.DatetimeField(null=True)  # auto_release policy: when
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "candidate_summary"
