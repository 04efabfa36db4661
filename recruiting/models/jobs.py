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
    # recorded rounds: days the candidate has to answer, counted from the invitation
    deadline_days = fields.SmallIntField(default=7, db_default=7)
    meeting_link = fields.CharField(max_length=512, default="", db_default="")  # online rounds
    closed_at = fields.DatetimeField(null=True)  # closed: kept for its interviews, no new ones

    class Meta:
        table = "interview_round"
        unique_together = (("job", "sequence"),)


class RoundVersion(Model):
    """An immutable snapshot of a round (``recruiting.domain.round_version.RoundContent``).
    Interviews point at the one they were taken with, so editing a round never changes how
    they are run, analysed or reported."""

    id = fields.IntField(primary_key=True)
    round: fields.ForeignKeyRelation[InterviewRound] = fields.ForeignKeyField(
        "recruiting.InterviewRound", related_name="versions", on_delete=fields.RESTRICT
    )
    round_id: int
    number = fields.SmallIntField()
    content: Any = fields.JSONField()
    digest = fields.CharField(max_length=64)
    created_by = fields.CharField(max_length=64, default="system")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "interview_round_version"
        unique_together = (("round", "number"),)


class BankQuestion(Model):
    """A question of the bank, filed under the competencies it targets. Picked into recorded
    rounds as a copy, so a later edit of the bank question does not touch the rounds."""

    id = fields.IntField(primary_key=True)
    text = fields.CharField(max_length=500)
    competencies: Any = fields.JSONField(default=list)  # library codes, the first is its home
    tags: Any = fields.JSONField(default=list)
    prep_seconds = fields.SmallIntField(default=30)
    answer_seconds = fields.SmallIntField(default=180)
    retakes = fields.SmallIntField(default=1)
    retired_at = fields.DatetimeField(null=True)
    created_by = fields.CharField(max_length=64, default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "bank_question"
