"""The keyed hashes that recognise a candidate arriving twice (same phone or e-mail).

Values are normalised first (``recruiting.domain.intake``), so ``+86 138-0013-8000`` and
``13800138000`` hash alike; a value that does not normalise (an old landline, a typo) is
hashed as trimmed, so it still matches itself. ``fill_contact_hashes`` computes them for
rows written before the columns existed (migration 0017) or after a key rotation.
"""

from __future__ import annotations

import logging
from typing import Any

from recruiting.domain.intake import normalise_email, normalise_phone
from recruiting.infra.pii import FieldCipher, UndecryptableData

log = logging.getLogger(__name__)

PHONE = "candidate.phone"
EMAIL = "candidate.email"


def phone_hash(cipher: FieldCipher, phone: str | None) -> str | None:
    if not phone or not phone.strip():
        return None
    return cipher.lookup_hash(normalise_phone(phone) or phone.strip(), PHONE)


def email_hash(cipher: FieldCipher, email: str | None) -> str | None:
    if not email or not email.strip():
        return None
    return cipher.lookup_hash(normalise_email(email) or email.strip().lower(), EMAIL)


async def fill_contact_hashes(client: Any, cipher: FieldCipher, *, everything: bool = False) -> int:
    """Hash the sealed phone and e-mail of every candidate that has no hash yet (all of them
    with ``everything``, after rotating keys); returns how many rows changed."""
    postgres = client.capabilities.dialect == "postgres"
    marks = ("$1", "$2", "$3") if postgres else ("?", "?", "?")
    where = "" if everything else ' AND "phone_hash" IS NULL AND "email_hash" IS NULL'
    rows = await client.execute_query_dict(
        'SELECT "id", "phone_enc", "email_enc" FROM "candidate" '  # noqa: S608 - fixed text
        f'WHERE ("phone_enc" IS NOT NULL OR "email_enc" IS NOT NULL){where}'
    )
    changed = 0
    for row in rows:
        try:
            phone = cipher.decrypt(row["phone_enc"], PHONE) if row["phone_enc"] else None
            email = cipher.decrypt(row["email_enc"], EMAIL) if row["email_enc"] else None
        except UndecryptableData:
            log.warning(
                "candidate %s: contact details do not decrypt; left without hashes", row["id"]
            )
            continue
        await client.execute_query_dict(
            f'UPDATE "candidate" SET "phone_hash" = {marks[0]}, "email_hash" = {marks[1]} '  # noqa: S608
            f'WHERE "id" = {marks[2]}',
            [phone_hash(cipher, phone), email_hash(cipher, email), row["id"]],
        )
        changed += 1
    return changed
