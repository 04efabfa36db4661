"""Résumé files HR uploaded: the bytes in the private media store (encrypted), the rest here.

The original file name and the parsed facts are personal data and sealed; the object key,
type, size and digest say nothing about the person and stay plain for housekeeping.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.models import Model

from recruiting.infra.sealed_fields import SealedJSONField, SealedTextField

if TYPE_CHECKING:
    from recruiting.models.candidates import Application, Candidate


class ResumeParse(StrEnum):
    """``ParseStatus`` plus the state of a file no reader has looked at."""

    UNPARSED = "unparsed"  # no résumé reader is configured (未解析)
    PARSED = "parsed"
    NEEDS_OCR = "needs_ocr"
    REFUSED = "refused"


class ResumeFile(Model):
    id = fields.IntField(primary_key=True)
    candidate: fields.ForeignKeyRelation[Candidate] = fields.ForeignKeyField(
        "recruiting.Candidate", related_name="resume_files", on_delete=fields.CASCADE
    )
    candidate_id: int
    application: fields.ForeignKeyNullableRelation[Application] = fields.ForeignKeyField(
        "recruiting.Application", related_name="resume_files", null=True, on_delete=fields.SET_NULL
    )
    application_id: int | None
    object_key = fields.CharField(max_length=128, unique=True)
    filename = SealedTextField(default="")
    content_type = fields.CharField(max_length=100, default="")
    size = fields.IntField()
    sha256 = fields.CharField(max_length=64, db_index=True)
    parse_status = fields.CharEnumField(ResumeParse, max_length=16, default=ResumeParse.UNPARSED)
    parse_reason = fields.CharField(max_length=200, default="")  # Chinese, for HR
    parsed: Any = SealedJSONField(null=True)  # the ParsedResume as a document
    uploaded_by = fields.CharField(max_length=64)  # WeCom userid
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "resume_file"
