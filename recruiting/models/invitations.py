"""Interview invitations sent to candidates, how each candidate can be reached, the
candidate's mini-app inbox, their answers, and the WeCom card codes that update staff cards.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.models import Model

from recruiting.infra.sealed_fields import SealedJSONField, SealedTextField, SearchableField

if TYPE_CHECKING:
    from recruiting.models.candidates import Candidate
    from recruiting.models.interviews import Interview


class InvitationStatus(StrEnum):
    SENT = "sent"  # waiting for the candidate's answer
    CONFIRMED = "confirmed"
    RESCHEDULE_OFFERED = "reschedule_offered"  # new slots were offered, none chosen yet
    DECLINED = "declined"
    SUPERSEDED = "superseded"  # rescheduled: a newer invitation replaces this one
    WITHDRAWN = "withdrawn"  # HR cancelled the interview; the candidate was told


OPEN_INVITATION = (InvitationStatus.SENT, InvitationStatus.RESCHEDULE_OFFERED)


class InterviewInvitation(Model):
    """One invitation to one interview time (a reschedule makes a new one)."""

    id = fields.IntField(primary_key=True)
    reference = fields.CharField(max_length=30, unique=True)  # contact_way state, ≤30 chars
    interview: fields.ForeignKeyRelation[Interview] = fields.ForeignKeyField(
        "recruiting.Interview", related_name="candidate_invitations", on_delete=fields.CASCADE
    )
    interview_id: int
    candidate: fields.ForeignKeyRelation[Candidate] = fields.ForeignKeyField(
        "recruiting.Candidate", related_name="interview_invitations", on_delete=fields.CASCADE
    )
    candidate_id: int
    status = fields.CharEnumField(InvitationStatus, max_length=24, default=InvitationStatus.SENT)
    hr_userid = fields.CharField(max_length=64)  # who booked: gets the staff card
    task_id = fields.CharField(max_length=128, unique=True)  # the staff card
    starts_at = fields.DatetimeField()
    offered: Any = fields.JSONField(default=list)  # slots offered after 改期
    superseded_by = fields.IntField(null=True)
    version = fields.IntField(default=0)
    created_at = fields.DatetimeField(auto_now_add=True)
    answered_at = fields.DatetimeField(null=True)

    class Meta:
        table = "interview_invitation"
        indexes = (("candidate_id", "status"), ("interview_id", "status"))


class CandidateContact(Model):
    """How one candidate can be reached: 微信客服 (with its reply window) and the
    recruiter's external contact. Absent routes are empty strings."""

    id = fields.IntField(primary_key=True)
    candidate: fields.OneToOneRelation[Candidate] = fields.OneToOneField(
        "recruiting.Candidate", related_name="contact", on_delete=fields.CASCADE
    )
    candidate_id: int
    kf_open_kfid = fields.CharField(max_length=64, default="")
    kf_external_userid = SearchableField(default="", db_index=True)
    kf_window_start = fields.DatetimeField(null=True)  # the candidate's last kf message
    kf_window_sent = fields.SmallIntField(default=0)  # replies since then (WeCom allows 5)
    external_userid = SearchableField(default="", db_index=True)
    recruiter_userid = fields.CharField(max_length=64, default="")
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "candidate_contact"


class CandidateMessage(Model):
    """The mini-app inbox: every message to a candidate, whatever route carried it."""

    id = fields.IntField(primary_key=True)
    outbox_key = fields.CharField(max_length=160, unique=True)
    candidate: fields.ForeignKeyRelation[Candidate] = fields.ForeignKeyField(
        "recruiting.Candidate", related_name="inbox_messages", on_delete=fields.CASCADE
    )
    candidate_id: int
    payload: Any = SealedJSONField()
    subject = fields.CharField(max_length=64, default="")
    route = fields.CharField(max_length=16, default="")  # kf, external, miniapp
    delivery = fields.CharField(max_length=32, default="")  # sent, awaiting_confirmation, inbox
    result: Any = fields.JSONField(null=True)
    answer_key = fields.CharField(max_length=64, default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "candidate_message"
        indexes = (("candidate_id", "id"),)


REPLY_TEXT_CHARS = 4000  # what a candidate typed, kept whole (a 微信客服 text is ≤ 2048 B)


class CandidateReply(Model):
    """An answer received once (kf msgid or mini-app answer): repeats are recognised."""

    id = fields.IntField(primary_key=True)
    source_id = fields.CharField(max_length=128, unique=True)
    candidate_id = fields.IntField()
    invitation_id = fields.IntField(null=True)
    text = SealedTextField(default="")
    outcome = fields.CharField(max_length=32, default="")
    received_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "candidate_reply"


class ContactWay(Model):
    """A 联系我 way made for one invitation (state = the invitation's reference)."""

    id = fields.IntField(primary_key=True)
    state = fields.CharField(max_length=30, unique=True)
    userid = fields.CharField(max_length=64)
    config_id = fields.CharField(max_length=64)
    qr_code = fields.CharField(max_length=512, default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "contact_way"


class KfCursor(Model):
    """Where ``kf/sync_msg`` stopped, per 微信客服 account (so nothing is read twice)."""

    id = fields.IntField(primary_key=True)
    open_kfid = fields.CharField(max_length=64, unique=True)
    cursor = fields.CharField(max_length=128, default="")
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "kf_cursor"


class CardCode(Model):
    """A ``response_code`` WeCom gave for a staff card (sent or clicked), each works once,
    the newest unused one is taken for the next update."""

    id = fields.IntField(primary_key=True)
    task_id = fields.CharField(max_length=128)
    userid = fields.CharField(max_length=64)
    response_code = fields.CharField(max_length=256)
    used_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "card_code"
        indexes = (("task_id", "userid"),)
