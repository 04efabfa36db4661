"""Money spent on an interview besides the interviewers' time: venues, candidates' travel.

Interviewers' time is not stored here: it is priced from the interview and the staff rates
when a cost report is made (``payroll_bridge.costs``).
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from recruiting.models.interviews import Interview


class CostKind(StrEnum):
    VENUE = "venue"  # a booked room or hotel meeting space
    TRAVEL = "travel"  # a candidate's reimbursed travel
    OTHER = "other"


class InterviewCost(Model):
    """One expense of one interview, as finance paid it (amount in ``currency``).

    Kept even when the interview is cancelled (a booked venue is still paid), and an
    interview with recorded costs cannot be deleted: spending stays on the books.
    """

    id = fields.IntField(primary_key=True)
    interview: fields.ForeignKeyRelation[Interview] = fields.ForeignKeyField(
        "recruiting.Interview", related_name="costs", on_delete=fields.RESTRICT
    )
    interview_id: int
    kind = fields.CharEnumField(CostKind, max_length=8)
    amount = fields.DecimalField(max_digits=12, decimal_places=2)
    currency = fields.CharField(max_length=3, default="CNY")  # ISO 4217
    note = fields.CharField(max_length=256, default="")
    recorded_by = fields.CharField(max_length=64)  # WeCom userid or "system"
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "interview_cost"
