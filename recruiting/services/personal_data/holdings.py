"""What the service holds about one candidate, read through the inventory: every personal
column of every row that belongs to them, decrypted by the ORM.

The candidate's access request (export, PIPL Art. 45) and the tests that prove an erasure
complete both read through this, so neither can miss a column the inventory lists: a table
with a candidate's personal column must say here how its rows lead to the candidate
(``LINKS``; ``test_personal_data_inventory`` fails otherwise). The caller checks who may
read and audits it.
"""

from __future__ import annotations

from typing import Any

from tortoise import Tortoise
from tortoise.models import Model

from recruiting.domain.retention import DataClass
from recruiting.models import Application, Interview, Offer
from recruiting.services.personal_data.inventory import MODELS, Personal

# table → which key leads to the candidate: the candidate id itself, or one of their
# applications, interviews or offers.
LINKS: dict[str, tuple[str, str]] = {
    "candidate": ("id", "candidate"),
    "application": ("candidate_id", "candidate"),
    "candidate_contact": ("candidate_id", "candidate"),
    "candidate_message": ("candidate_id", "candidate"),
    "candidate_reply": ("candidate_id", "candidate"),
    "app_session": ("candidate_id", "candidate"),
    "resume_file": ("candidate_id", "candidate"),
    "interview_note": ("interview_id", "interview"),
    "survey_response": ("interview_id", "interview"),
    "answer": ("interview_id", "interview"),
    "score": ("interview_id", "interview"),
    "candidate_summary": ("interview_id", "interview"),
    "integrity_event": ("interview_id", "interview"),
    "recording_link": ("interview_id", "interview"),
    "offer": ("application_id", "application"),
    "offer_event": ("offer_id", "offer"),
}
CANDIDATE_CLASSES = frozenset(c.value for c in DataClass)


def candidate_columns(table: str) -> list[str]:
    """The personal columns of ``table`` that belong to a candidate's retention classes."""
    return [
        name
        for name, entry in MODELS.get(table, {}).items()
        if isinstance(entry, Personal) and entry.retention in CANDIDATE_CLASSES
    ]


async def held_about(candidate_id: int) -> dict[str, list[dict[str, Any]]]:
    """table → one dict per row of theirs: ``id`` and the personal columns (plaintext)."""
    apps = _ids(await Application.filter(candidate_id=candidate_id).values_list("id", flat=True))
    interviews = Interview.filter(application_id__in=apps or [-1])
    offers = Offer.filter(application_id__in=apps or [-1])
    keys: dict[str, list[int]] = {
        "candidate": [candidate_id],
        "application": apps,
        "interview": _ids(await interviews.values_list("id", flat=True)),
        "offer": _ids(await offers.values_list("id", flat=True)),
    }
    models: dict[str, type[Model]] = {
        m._meta.db_table: m for m in Tortoise.apps["recruiting"].values()
    }
    held: dict[str, list[dict[str, Any]]] = {}
    for table, (column, key) in LINKS.items():
        columns = candidate_columns(table)
        if not columns or not keys[key]:
            continue
        rows = await models[table].filter(**{f"{column}__in": keys[key]}).order_by("id")
        found = [{"id": row.pk, **{c: getattr(row, c) for c in columns}} for row in rows]
        if found:
            held[table] = found
    return held


def _ids(values: Any) -> list[int]:
    return [int(v) for v in values]
