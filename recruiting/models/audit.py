"""Append-only audit log: who read or changed what, why, and whether it was allowed."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class AuditLog(Model):
    id = fields.BigIntField(primary_key=True)
    at = fields.DatetimeField(auto_now_add=True, db_index=True)
    actor = fields.CharField(max_length=64)  # WeCom userid, "candidate:<id>" or "system"
    actor_roles = fields.CharField(max_length=128, default="")
    action = fields.CharField(max_length=64)
    subject_type = fields.CharField(max_length=32)
    subject_id = fields.CharField(max_length=64)
    allowed = fields.BooleanField()
    detail = fields.CharField(max_length=256, default="")

    class Meta:
        table = "audit_log"
        indexes = (("subject_type", "subject_id"),)  # a subject's timeline
