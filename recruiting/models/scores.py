"""Competency scores: one per (interview, competency, rater), human or AI, always with evidence."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.models import Model

from recruiting.infra.sealed_fields import SealedJSONField, SealedTextField

if TYPE_CHECKING:
    from recruiting.models.interviews import Interview
    from recruiting.models.staff import Staff


class RaterKind(StrEnum):
    HUMAN = "human"
    AI = "ai"


class Score(Model):
    id = fields.IntField(primary_key=True)
    interview: fields.ForeignKeyRelation[Interview] = fields.ForeignKeyField(
        "recruiting.Interview", related_name="scores", on_delete=fields.CASCADE
    )
    interview_id: int
    competency = fields.CharField(max_length=32)
    rater_kind = fields.CharEnumField(RaterKind, max_length=8)
    # "staff:<id>" for people, "ai:<engine>@<version>" for the advisory engine.
    rater_key = fields.CharField(max_length=64)
    rater: fields.ForeignKeyNullableRelation[Staff] = fields.ForeignKeyField(
        "recruiting.Staff", related_name="scores", null=True, on_delete=fields.SET_NULL
    )
    rater_id: int | None
    # 1..5; None means "not assessed" (no evidence), never zero.
    value = fields.DecimalField(max_digits=3, decimal_places=1, null=True)
    evidence: Any = SealedJSONField(default=list)  # [{"quote", "source", "at"}]
    confidence = fields.DecimalField(max_digits=4, decimal_places=3, null=True)
    comment = SealedTextField(default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "score"
        unique_together = (("interview", "competency", "rater_key"),)
