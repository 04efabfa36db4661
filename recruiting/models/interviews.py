"""Interviews, who sits on them, bookable interviewer slots, and notes taken during them."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

from recruiting.domain.interview_state import InterviewMode, InterviewStatus
from recruiting.infra.sealed_fields import SealedTextField

if TYPE_CHECKING:
    from recruiting.models.candidates import Application
    from recruiting.models.jobs import InterviewRound, RoundVersion
    from recruiting.models.recorded import Answer
    from recruiting.models.staff import Staff


class Interview(Model):
    id = fields.IntField(primary_key=True)
    application: fields.ForeignKeyRelation[Application] = fields.ForeignKeyField(
        "recruiting.Application", related_name="interviews", on_delete=fields.CASCADE
    )
    application_id: int
    round: fields.ForeignKeyRelation[InterviewRound] = fields.ForeignKeyField(
        "recruiting.InterviewRound", related_name="interviews", on_delete=fields.RESTRICT
    )
    round_id: int
    # what it was taken with; null only for rows older than versioning until first frozen
    round_version: fields.ForeignKeyNullableRelation[RoundVersion] = fields.ForeignKeyField(
        "recruiting.RoundVersion", related_name="interviews", null=True,
        on_delete=fields.RESTRICT,
    )  # fmt: skip
    round_version_id: int | None
    status = fields.CharEnumField(InterviewStatus, max_length=24, default="scheduled")
    mode = fields.CharEnumField(InterviewMode, max_length=16, default=InterviewMode.ONSITE)
    starts_at = fields.DatetimeField(null=True)
    ends_at = fields.DatetimeField(null=True)
    completed_at = fields.DatetimeField(null=True)  # set by the finish transition
    location = fields.CharField(max_length=256, default="")
    meeting_link = fields.CharField(max_length=512, default="")
    wecom_schedule_id = fields.CharField(max_length=128, default="")
    version = fields.IntField(default=0)  # optimistic concurrency for status changes
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    # Reverse sides of the foreign keys pointing here, declared for the type checker only.
    assignments: fields.ReverseRelation[InterviewAssignment]
    answers: fields.ReverseRelation[Answer]

    class Meta:
        table = "interview"
        indexes = (
            ("application_id", "mode", "status", "round_id"),  # stages, review, timeline
            ("mode", "status", "completed_at"),  # 待评审, oldest first
            ("round_id", "round_version_id"),  # a round's interviews, per version (editor)
        )


class InterviewAssignment(Model):
    id = fields.IntField(primary_key=True)
    interview: fields.ForeignKeyRelation[Interview] = fields.ForeignKeyField(
        "recruiting.Interview", related_name="assignments", on_delete=fields.CASCADE
    )
    interview_id: int
    interviewer: fields.ForeignKeyRelation[Staff] = fields.ForeignKeyField(
        "recruiting.Staff", related_name="assignments", on_delete=fields.RESTRICT
    )
    interviewer_id: int
    lead = fields.BooleanField(default=False)

    class Meta:
        table = "interview_assignment"
        unique_together = (("interview", "interviewer"),)


class InterviewSlot(Model):
    """A bookable block of time of one interviewer, the unique key makes booking atomic."""

    id = fields.IntField(primary_key=True)
    interviewer: fields.ForeignKeyRelation[Staff] = fields.ForeignKeyField(
        "recruiting.Staff", related_name="slots", on_delete=fields.CASCADE
    )
    interviewer_id: int
    starts_at = fields.DatetimeField()
    ends_at = fields.DatetimeField()
    interview: fields.ForeignKeyNullableRelation[Interview] = fields.ForeignKeyField(
        "recruiting.Interview", related_name="slots", null=True, on_delete=fields.SET_NULL
    )
    interview_id: int | None

    class Meta:
        table = "interview_slot"
        unique_together = (("interviewer", "starts_at"),)


class NoteKind(StrEnum):
    TEXT = "text"
    VOICE = "voice"


class InterviewNote(Model):
    id = fields.IntField(primary_key=True)
    interview: fields.ForeignKeyRelation[Interview] = fields.ForeignKeyField(
        "recruiting.Interview", related_name="notes", on_delete=fields.CASCADE
    )
    interview_id: int
    author: fields.ForeignKeyRelation[Staff] = fields.ForeignKeyField(
        "recruiting.Staff", related_name="notes", on_delete=fields.RESTRICT
    )
    author_id: int
    kind = fields.CharEnumField(NoteKind, max_length=8, default=NoteKind.TEXT)
    body = SealedTextField(default="")
    media_ref = fields.CharField(max_length=256, default="")
    source_msg_id = fields.CharField(max_length=64, null=True, unique=True)
    taken_at = fields.DatetimeField()

    class Meta:
        table = "interview_note"
        indexes = (("interview_id", "taken_at"),)
