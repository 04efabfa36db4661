"""A candidate's request about their personal data (PIPL Art. 45-47, 50): to see it, to
correct it, to delete it. The request outlives what it asked to delete: it names the
candidate by id only (no foreign key, so an erasure leaves the record that it was honoured).
A correction's new value and HR's note are sealed and cleared once it is handled; the
outcome stays, sealed, as it gives HR's reason when a correction is refused.
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from recruiting.domain.data_requests import DataRequestKind, DataRequestStatus
from recruiting.infra.sealed_fields import SealedTextField

__all__ = ["DataRequest", "DataRequestKind", "DataRequestStatus"]  # the enums: the domain's


class DataRequest(Model):
    id = fields.IntField(primary_key=True)
    candidate_id = fields.IntField(db_index=True)
    kind = fields.CharEnumField(DataRequestKind, max_length=16)
    status = fields.CharEnumField(
        DataRequestStatus, max_length=16, default=DataRequestStatus.RECEIVED
    )
    via = fields.CharField(max_length=32, default="miniapp")  # miniapp, phone, email, letter…
    recorded_by = fields.CharField(max_length=64, default="")  # the candidate or HR's userid
    field = fields.CharField(max_length=16, default="")  # correction: phone | email
    new_value = SealedTextField(default="")  # correction: cleared once handled
    note = SealedTextField(default="")  # HR's note on a request received by other means
    due_at = fields.DatetimeField()
    created_at = fields.DatetimeField()  # the service's clock (the demo clock moves it)
    handled_at = fields.DatetimeField(null=True)
    handled_by = fields.CharField(max_length=64, default="")
    # what was done; a refused correction adds HR's reason (told to the candidate): sealed
    outcome = SealedTextField(default="")
    hold_told_at = fields.DatetimeField(null=True)  # the candidate was told of a legal hold

    class Meta:
        table = "data_request"
        indexes = (("status", "kind", "due_at"),)
