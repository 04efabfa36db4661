"""Feedback after an interview: one survey response per interview and respondent.

The candidate answers satisfaction, question relevance and difficulty (and may add a
comment) in the mini-app or one question at a time through the candidate channel; each
interviewer answers on a WeCom card. A row exists from the moment the survey is sent (or
first answered in the mini-app), so the response rate is answered rows over all rows.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.models import Model

from recruiting.infra.sealed_fields import SealedTextField

if TYPE_CHECKING:
    from recruiting.models.interviews import Interview
    from recruiting.models.staff import Staff


class Respondent(StrEnum):
    CANDIDATE = "candidate"
    INTERVIEWER = "interviewer"


class SurveyResponse(Model):
    id = fields.IntField(primary_key=True)
    interview: fields.ForeignKeyRelation[Interview] = fields.ForeignKeyField(
        "recruiting.Interview", related_name="survey_responses", on_delete=fields.CASCADE
    )
    interview_id: int
    respondent = fields.CharEnumField(Respondent, max_length=16)
    # "candidate:<id>" or "staff:<id>": unique per interview, so a survey is sent once.
    respondent_key = fields.CharField(max_length=64)
    staff: fields.ForeignKeyNullableRelation[Staff] = fields.ForeignKeyField(
        "recruiting.Staff", related_name="survey_responses", null=True, on_delete=fields.SET_NULL
    )
    staff_id: int | None
    channel = fields.CharField(max_length=32, default="")  # how it was sent, "" if not
    sent_at = fields.DatetimeField(null=True)
    step = fields.CharField(max_length=24, default="")  # the chat question awaited next
    answers: Any = fields.JSONField(default=dict)  # question key → option key
    comment = SealedTextField(default="")  # the candidate's own words: HR roles only
    first_answered_at = fields.DatetimeField(null=True)  # starts the edit window
    answered_at = fields.DatetimeField(null=True)  # every question answered
    task_id = fields.CharField(max_length=128, default="")  # the interviewer's card
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "survey_response"
        unique_together = (("interview", "respondent_key"),)
        indexes = (("respondent", "answered_at"),)
