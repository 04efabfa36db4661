"""What the lifecycle of personal data needs to remember (``services.personal_data``).

``LegalHold``: a candidate or an opening whose data must not be purged (litigation, a
labour dispute, an authority's request) until HR lifts it. ``PendingObjectDeletion``: a
media object an erasure has removed from the database but not yet from the store; it is
written in the erasure's transaction and deleted after the object is, so a crash between
the two leaves a row the next run retries, never an orphan. ``ErasureRecord``: one per
erasure of a candidate, what classes went and how many rows, never the content; the
monthly summary counts these.
"""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model

from recruiting.infra.sealed_fields import SealedTextField


class LegalHold(Model):
    id = fields.IntField(primary_key=True)
    # Exactly one of the two is set; plain ids, so a hold outlives nothing it covers.
    candidate_id = fields.IntField(null=True, db_index=True)
    job_id = fields.IntField(null=True, db_index=True)
    reason = SealedTextField(default="")  # HR's words may name people: sealed
    placed_by = fields.CharField(max_length=64)
    placed_at = fields.DatetimeField(auto_now_add=True)
    lifted_by = fields.CharField(max_length=64, default="")
    lifted_at = fields.DatetimeField(null=True)
    lift_reason = SealedTextField(default="")

    class Meta:
        table = "legal_hold"


class PendingObjectDeletion(Model):
    id = fields.BigIntField(primary_key=True)
    store = fields.CharField(max_length=16, default="media")
    key = fields.CharField(max_length=512)
    candidate_id = fields.IntField(db_index=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    attempts = fields.SmallIntField(default=0)

    class Meta:
        table = "pending_object_deletion"


class ErasureRecord(Model):
    id = fields.BigIntField(primary_key=True)
    candidate_id = fields.IntField(db_index=True)
    at = fields.DatetimeField(db_index=True)
    trigger = fields.CharField(max_length=16)  # purge | request:<data request id>
    classes: Any = fields.JSONField(default=list)  # data classes removed
    counts: Any = fields.JSONField(default=dict)  # data class -> rows/objects removed
    actor = fields.CharField(max_length=64)

    class Meta:
        table = "erasure_record"
