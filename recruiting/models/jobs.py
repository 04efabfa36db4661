"""Job openings with their competency model, and the interview rounds of each."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.models import Model


class JobStatus(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    ON_HOLD = "on_hold"
    CLOSED = "closed"


class RoundKind(StrEnum):
    LIVE = "live"
    RECORDED = "recorded"


class JobOpening(Model):
    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=32, unique=True)
    title = fields.CharField(max_length=128)
    department = fields.CharField(max_length=128, default="")
    city = fields.CharField(max_length=64, default="")
    status = fields.CharEnumField(JobStatus, max_length=16, default=JobStatus.DRAFT)
    # [{"code", "name", "weight"}] validated by recruiting.domain.competency.CompetencyModel
    competency_model: Any = fields.JSONField(default=list)
    # where on-site interviews of this opening take place unless the round says otherwise
    interview_location = fields.CharField(max_length=256, default="", db_default="")
    # {"must": [{"kind", "value"}], "nice": [...], "flagged": [...]} validated by
    # recruiting.domain.job_requirements.JobRequirements (résumé screening); {} = none yet
    requirements: Any = fields.JSONField(default=dict, db_default={})
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "job_opening"


class InterviewRound(Model):
    id = fields.IntField(primary_key=True)
    job: fields.ForeignKeyRelation[JobOpening] = fields.ForeignKeyField(
        "recruiting.JobOpening", related_name="rounds", on_delete=fields.CASCADE
    )
    job_id: int
    name = fields.CharField(max_length=64)
    sequence = fields.SmallIntField(default=1)
    kind = fields.CharEnumField(RoundKind, max_length=16, default=RoundKind.LIVE)
    duration_minutes = fields.SmallIntField(default=60)
    panel_size = fields.SmallIntField(default=1)
    competencies: Any = fields.JSONField(default=list)  # expected skill set: competency codes
    questions: Any = fields.JSONField(default=list)  # [{"text", "competencies": [codes]}]
    preparation = fields.TextField(default="")  # what the candidate should prepare
    location = fields.CharField(max_length=256, default="", db_default="")  # on-site place

    class Meta:
        table = "interview_round"
        unique_together = (("job", "sequence"),)
