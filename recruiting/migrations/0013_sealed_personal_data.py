"""Personal data sealed at rest: free text, JSON documents that can hold chat text or
transcripts, names, and the identifiers looked up by value (sealed deterministically).

The columns become TEXT (tokens are longer than the old VARCHAR limits; JSON columns keep
their type and hold the token as a JSON string), then every value still in the clear is
sealed with the process's field cipher (``security.pii_keys``). Sealing skips values that
are already tokens, so running it again changes nothing.
"""

from tortoise import migrations

from recruiting.infra.sealing_migration import SealedColumn, sealing_operations
from recruiting.infra.sealed_fields import (
    JSON,
    SEARCHABLE,
    TEXT,
    SealedJSONField,
    SealedTextField,
    SearchableField,
)

# (model, field, table, kind, new field)
_COLUMNS: list[SealedColumn] = [
    ("Candidate", "name", "candidate", SEARCHABLE, SearchableField()),
    ("Candidate", "wechat_openid", "candidate", SEARCHABLE, SearchableField(null=True, unique=True)),
    ("Candidate", "wechat_unionid", "candidate", SEARCHABLE, SearchableField(null=True)),
    ("Candidate", "external_userid", "candidate", SEARCHABLE, SearchableField(null=True, unique=True)),
    ("Staff", "name", "staff", TEXT, SealedTextField()),
    ("CandidateContact", "kf_external_userid", "candidate_contact", SEARCHABLE, SearchableField(default="", db_index=True)),
    ("CandidateContact", "external_userid", "candidate_contact", SEARCHABLE, SearchableField(default="", db_index=True)),
    ("CandidateMessage", "payload", "candidate_message", JSON, SealedJSONField()),
    ("CandidateReply", "text", "candidate_reply", TEXT, SealedTextField(default="")),
    ("InterviewNote", "body", "interview_note", TEXT, SealedTextField(default="")),
    ("OutboxMessage", "payload", "outbox_message", JSON, SealedJSONField()),
    ("Offer", "estimate", "offer", JSON, SealedJSONField(null=True)),
    ("OfferEvent", "speech", "offer_event", TEXT, SealedTextField(default="")),
    ("OfferEvent", "detail", "offer_event", JSON, SealedJSONField(null=True)),
    ("AppSession", "openid", "app_session", SEARCHABLE, SearchableField(default="")),
    ("Invitation", "redeemed_by", "invitation", SEARCHABLE, SearchableField(default="")),
    ("Answer", "analysis", "answer", JSON, SealedJSONField(null=True)),
    ("CandidateSummary", "strengths", "candidate_summary", TEXT, SealedTextField(default="")),
    ("CandidateSummary", "improvements", "candidate_summary", TEXT, SealedTextField(default="")),
    ("CandidateSummary", "next_step", "candidate_summary", TEXT, SealedTextField(default="")),
    ("CandidateSummary", "hr_notes", "candidate_summary", TEXT, SealedTextField(default="")),
    ("Score", "evidence", "score", JSON, SealedJSONField(default=list)),
    ("Score", "comment", "score", TEXT, SealedTextField(default="")),
    ("SurveyResponse", "comment", "survey_response", TEXT, SealedTextField(default="")),
]  # fmt: skip


class Migration(migrations.Migration):
    dependencies = [('recruiting', '0012_interview_places_panels')]

    initial = False

    operations = sealing_operations(_COLUMNS)
