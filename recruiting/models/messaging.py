"""Durable inbox (callbacks received) and outbox (effects to send): nothing lost, nothing twice.

Both are claimed with a lease: a worker that dies mid-way leaves a row whose lease expires,
and the next sweep takes it over.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.models import Model

from recruiting.infra.sealed_fields import SealedJSONField


class ProcessingStatus(StrEnum):
    PENDING = "pending"
    PROCESSING = "processing"
    DONE = "done"
    FAILED = "failed"


class InboxEvent(Model):
    id = fields.BigIntField(primary_key=True)
    source = fields.CharField(max_length=16, default="wecom")
    dedup_key = fields.CharField(max_length=128)
    kind = fields.CharField(max_length=32)
    from_user = fields.CharField(max_length=64, default="")
    payload_enc = fields.TextField()  # decrypted callback XML, re-encrypted at rest
    status = fields.CharEnumField(ProcessingStatus, max_length=16, default="pending")
    attempts = fields.SmallIntField(default=0)
    lease_until = fields.DatetimeField(null=True)
    received_at = fields.DatetimeField(auto_now_add=True)
    processed_at = fields.DatetimeField(null=True)
    error = fields.CharField(max_length=512, default="")

    class Meta:
        table = "inbox_event"
        unique_together = (("source", "dedup_key"),)
        indexes = (("status", "lease_until"), ("from_user", "status"))


class OutboxMessage(Model):
    id = fields.BigIntField(primary_key=True)
    idempotency_key = fields.CharField(max_length=160, unique=True)
    channel = fields.CharField(max_length=32)  # e.g. "wecom.message"
    recipient = fields.CharField(max_length=128, default="")
    payload: Any = SealedJSONField()  # may echo chat text: sealed at rest
    status = fields.CharEnumField(ProcessingStatus, max_length=16, default="pending")
    attempts = fields.SmallIntField(default=0)
    lease_until = fields.DatetimeField(null=True)
    next_attempt_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    sent_at = fields.DatetimeField(null=True)
    result: Any = fields.JSONField(null=True)
    error = fields.CharField(max_length=512, default="")

    class Meta:
        table = "outbox_message"
        indexes = (("status", "next_attempt_at"), ("recipient", "status"))


class SendAttempt(Model):
    """A send to an outside system that has no idempotency key, recorded (and committed)
    before the call: after a crash between the answer and the local commit, a redelivery
    finds this row and looks for ``marker`` on the outside system instead of sending again.
    ``outcome`` is the id the system answered (sp_no, schedule_id, msgid) once known."""

    id = fields.BigIntField(primary_key=True)
    key = fields.CharField(max_length=200, unique=True)  # "<channel>:<what is sent>"
    marker = fields.CharField(max_length=64)
    outcome = fields.CharField(max_length=128, default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "send_attempt"
