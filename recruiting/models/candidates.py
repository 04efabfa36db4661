"""Candidates (personal data encrypted), their applications and their consents."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

from recruiting.domain.consent import ConsentPurpose
from recruiting.infra.sealed_fields import SealedTextField, SearchableField

if TYPE_CHECKING:
    from recruiting.models.jobs import JobOpening


class Candidate(Model):
    id = fields.IntField(primary_key=True)
    name = SearchableField()  # HR finds candidates by exact name ("安排面试 赵敏")
    # Ciphertext only ("kid:base64"); decrypted solely by the audited personal-data use case.
    phone_enc = fields.TextField(null=True)
    email_enc = fields.TextField(null=True)
    id_number_enc = fields.TextField(null=True)
    # Identifiers are sealed deterministically: looked up by value, never stored plain.
    wechat_openid = SearchableField(null=True, unique=True)
    wechat_unionid = SearchableField(null=True)
    external_userid = SearchableField(null=True, unique=True)
    # Keyed hashes of the normalised phone and e-mail (``FieldCipher.lookup_hash``): how the
    # same person arriving twice is recognised without storing either in the clear.
    phone_hash = fields.CharField(max_length=64, null=True, db_index=True)
    email_hash = fields.CharField(max_length=64, null=True, db_index=True)
    # What HR enters or a recruiting site exports (``recruiting.domain.intake``).
    education = fields.CharField(max_length=16, default="", db_default="")
    years_experience = fields.SmallIntField(null=True)
    # Where they came from as HR or a spreadsheet wrote it (≤32 characters, BOSS直聘, 内推…):
    # typed by people, so sealed; deterministically, as HR filters candidates by it.
    source = SearchableField(default="", db_default="")
    # Set when HR merged this record into another: everything moved there, this one is kept
    # (emptied of personal data) so audit entries that name it still resolve.
    merged_into = fields.IntField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    erased_at = fields.DatetimeField(null=True)

    class Meta:
        table = "candidate"


class ApplicationStatus(StrEnum):
    APPLIED = "applied"
    SCREENING = "screening"
    INTERVIEWING = "interviewing"
    OFFER = "offer"
    HIRED = "hired"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class Application(Model):
    id = fields.IntField(primary_key=True)
    candidate: fields.ForeignKeyRelation[Candidate] = fields.ForeignKeyField(
        "recruiting.Candidate", related_name="applications", on_delete=fields.CASCADE
    )
    candidate_id: int
    job: fields.ForeignKeyRelation[JobOpening] = fields.ForeignKeyField(
        "recruiting.JobOpening", related_name="applications", on_delete=fields.RESTRICT
    )
    job_id: int
    status = fields.CharEnumField(ApplicationStatus, max_length=16, default="applied")
    # how it came in: a code (``domain.intake.CHANNEL_NAMES``) or the candidate's source as
    # written (≤32 characters); sealed deterministically, the board filters on it
    channel = SearchableField(default="direct")
    # why HR turned the application down (``pipeline.reject``: a ``RejectReason`` code; older
    # rows hold HR's words); the candidate summary uses it
    rejection_reason = fields.CharField(max_length=200, default="", db_default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    # When it was closed (hired, rejected, withdrawn): the retention clocks start here.
    decided_at = fields.DatetimeField(null=True)
    # With ``rejection_reason`` (a ``recruiting.domain.pipeline.RejectReason`` code when set by
    # ``pipeline.reject``): HR's own note (never shown to the candidate), who and when.
    rejection_note = SealedTextField(null=True)
    rejected_at = fields.DatetimeField(null=True)
    rejected_by = fields.CharField(max_length=64, default="", db_default="")

    class Meta:
        table = "application"
        unique_together = (("candidate", "job"),)
        indexes = (("job_id", "status"),)  # the pipeline board of one opening


class Consent(Model):
    """One decision per purpose and text version (PIPL: separate, explicit, withdrawable)."""

    id = fields.IntField(primary_key=True)
    candidate: fields.ForeignKeyRelation[Candidate] = fields.ForeignKeyField(
        "recruiting.Candidate", related_name="consents", on_delete=fields.CASCADE
    )
    candidate_id: int
    purpose = fields.CharEnumField(ConsentPurpose, max_length=32)
    text_version = fields.CharField(max_length=32)
    granted = fields.BooleanField()
    decided_at = fields.DatetimeField(auto_now_add=True)
    withdrawn_at = fields.DatetimeField(null=True)

    class Meta:
        table = "consent"
