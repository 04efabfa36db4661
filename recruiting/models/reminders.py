"""One row per interview reminder written to the outbox: the record that makes it once only.

The unique key (interview, recipient, offset, start) is what stops a second scheduler, a
restart or a retry from writing the same reminder again: the row and its outbox message are
inserted in one transaction, so whoever inserts second rolls back both. The start time is in
the key, so a rescheduled interview gets new reminders while the old ones match nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from recruiting.models.interviews import Interview


class ReminderDelivery(Model):
    id = fields.BigIntField(primary_key=True)
    interview: fields.ForeignKeyRelation[Interview] = fields.ForeignKeyField(
        "recruiting.Interview", related_name="reminders", on_delete=fields.CASCADE
    )
    interview_id: int
    recipient = fields.CharField(max_length=128)  # outbox recipient: candidate:<id> or userid
    audience = fields.CharField(max_length=16)  # candidate | interviewer
    offset_minutes = fields.IntField()
    start_epoch = fields.BigIntField()  # the interview start this reminder is about (seconds)
    outbox_id = fields.BigIntField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "reminder_delivery"
        unique_together = (("interview", "recipient", "offset_minutes", "start_epoch"),)
