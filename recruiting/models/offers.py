"""Offers (a package for one application, approved through WeCom 审批) and their history.

``OfferEvent`` is the offer's history: every HR action and every approval callback, in
order. A callback whose approval number matches no offer (yet) is kept with no offer and
applied when the number is recorded, so a decision that overtakes the submit's answer is
not lost. ``dedup_key`` makes a redelivered callback one row.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.models import Model

from recruiting.domain.offer_state import OfferStatus
from recruiting.infra.sealed_fields import SealedDecimalField, SealedJSONField, SealedTextField

if TYPE_CHECKING:
    from recruiting.models.candidates import Application


class Offer(Model):
    id = fields.IntField(primary_key=True)
    application: fields.ForeignKeyRelation[Application] = fields.ForeignKeyField(
        "recruiting.Application", related_name="offers", on_delete=fields.CASCADE
    )
    application_id: int
    created_by = fields.CharField(max_length=64)  # WeCom userid of the HR person
    status = fields.CharEnumField(OfferStatus, max_length=32, default=OfferStatus.DRAFT)
    city = fields.CharField(max_length=32)  # payroll city code
    # The pay is personal: sealed (no query filters, sorts or sums on it; code computes).
    base_salary = SealedDecimalField(max_digits=12, decimal_places=2)  # yuan per month
    bonus_months = SealedDecimalField(max_digits=5, decimal_places=2, default=0)
    allowances = SealedDecimalField(max_digits=12, decimal_places=2, default=0)
    start_date = fields.DateField()
    estimate: Any = SealedJSONField(null=True)  # the payroll estimate shown to HR
    version = fields.IntField(default=1)  # bumped on each change of figures (card keys)
    sp_no = fields.CharField(max_length=64, null=True, unique=True)
    error = fields.CharField(max_length=512, default="")
    # The candidate's answer to the approved offer: "accept" / "decline" (set once).
    candidate_answer = fields.CharField(max_length=16, default="")
    answered_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "offer"
        indexes = (("application_id", "status"),)


class OfferEvent(Model):
    id = fields.BigIntField(primary_key=True)
    offer: fields.ForeignKeyNullableRelation[Offer] = fields.ForeignKeyField(
        "recruiting.Offer", related_name="events", null=True, on_delete=fields.CASCADE
    )
    offer_id: int | None
    sp_no = fields.CharField(max_length=64, default="", db_index=True)
    dedup_key = fields.CharField(max_length=160, null=True, unique=True)
    source = fields.CharField(max_length=16)  # hr, wecom, system
    actor = fields.CharField(max_length=64, default="")
    action = fields.CharField(max_length=32)
    from_status = fields.CharField(max_length=32, default="")
    to_status = fields.CharField(max_length=32, default="")
    sp_status = fields.SmallIntField(null=True)
    change_event = fields.SmallIntField(null=True)
    speech = SealedTextField(default="")  # the approver's comment
    detail: Any = SealedJSONField(null=True)
    applied = fields.BooleanField(default=True)  # False: kept for an sp_no not yet known
    at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "offer_event"
        indexes = (("offer_id", "at"),)
