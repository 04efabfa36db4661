"""Migration 0017 gives candidates who were there before it their phone/e-mail hashes, so a
duplicate of an old record is recognised too."""

from __future__ import annotations

from pathlib import Path

from tortoise import Tortoise, connections
from tortoise.migrations.api import migrate

from recruiting.db import tortoise_config
from recruiting.infra.contact_hashes import email_hash, phone_hash
from tests.conftest import TEST_CIPHER


async def test_migration_hashes_existing_contacts(tmp_path: Path) -> None:
    config = tortoise_config(f"sqlite://{tmp_path}/old.sqlite3")
    await migrate(config=config, target="recruiting.0014_send_attempts")
    await Tortoise.init(config=config)
    phone = TEST_CIPHER.encrypt("+86 138-0013-8000", "candidate.phone")
    email = TEST_CIPHER.encrypt("ZM@X.CN", "candidate.email")
    name = TEST_CIPHER.encrypt_searchable("赵敏", "candidate.name")
    await connections.get("default").execute_query(
        'INSERT INTO "candidate" ("name", "phone_enc", "email_enc", "created_at") '
        "VALUES (?, ?, ?, '2026-01-01T00:00:00+00:00'), (?, NULL, NULL, '2026-01-01T00:00:00+00:00')",
        [name, phone, email, name],
    )
    await Tortoise.close_connections()
    await migrate(config=config)
    await Tortoise.init(config=config)
    try:
        rows = (
            await connections.get("default").execute_query(
                'SELECT "phone_hash", "email_hash" FROM "candidate" ORDER BY "id"'
            )
        )[1]
        assert dict(rows[0]) == {
            "phone_hash": phone_hash(TEST_CIPHER, "13800138000"),
            "email_hash": email_hash(TEST_CIPHER, "zm@x.cn"),
        }
        assert dict(rows[1]) == {"phone_hash": None, "email_hash": None}
    finally:
        await Tortoise.close_connections()
