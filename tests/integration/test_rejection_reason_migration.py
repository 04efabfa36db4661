"""Migration 0022: a rejection reason stored as HR's free text (the intake's 不合适 before every
rejection went through ``pipeline.Rejections``) is moved into the sealed note; codes stay."""

from __future__ import annotations

from pathlib import Path

from tortoise import Tortoise, connections
from tortoise.migrations.api import migrate

from recruiting.db import tortoise_config
from recruiting.models import Application, Candidate, JobOpening
from tests.conftest import TEST_CIPHER


async def test_free_text_reasons_are_sealed_and_codes_kept(tmp_path: Path) -> None:
    config = tortoise_config(f"sqlite://{tmp_path}/old.sqlite3")
    await migrate(config=config, target="recruiting.0021_data_requests")
    await Tortoise.init(config=config)
    job = await JobOpening.create(code="S1", title="销售")
    legacy = await Application.create(
        candidate=await Candidate.create(name="赵敏"), job=job, status="rejected"
    )
    coded = await Application.create(candidate=await Candidate.create(name="孙丽"), job=job,
                                     status="rejected", rejection_note="表达好，经验不足")  # fmt: skip
    both = await Application.create(candidate=await Candidate.create(name="周芷若"), job=job,
                                    status="rejected", rejection_note="已电话沟通")  # fmt: skip
    conn = connections.get("default")
    for app_id, reason in ((legacy.id, "沟通能力差，不适合大客户"), (coded.id, "experience"),
                           (both.id, "薪资要求太高")):  # fmt: skip
        await conn.execute_query(
            'UPDATE "application" SET "rejection_reason" = ? WHERE "id" = ?', [reason, app_id]
        )
    await Tortoise.close_connections()
    await migrate(config=config)
    await Tortoise.init(config=config)
    try:
        rows = {a.id: a for a in await Application.all()}
        assert (rows[legacy.id].rejection_reason, rows[legacy.id].rejection_note) == (
            "other", "沟通能力差，不适合大客户")  # fmt: skip
        assert (rows[coded.id].rejection_reason, rows[coded.id].rejection_note) == (
            "experience", "表达好，经验不足")  # fmt: skip
        assert rows[both.id].rejection_note == "薪资要求太高\n已电话沟通"
        raw = await conn_rows()
        assert not [r for r in raw if "不适合" in str(r) or "薪资" in str(r)]  # sealed at rest
        assert TEST_CIPHER.decrypt(str(raw[0]["rejection_note"]), "application.rejection_note")
    finally:
        await Tortoise.close_connections()


async def conn_rows() -> list[dict[str, object]]:
    return [
        dict(r)
        for r in (
            await connections.get("default").execute_query(
                'SELECT "rejection_reason", "rejection_note" FROM "application" ORDER BY "id"'
            )
        )[1]
    ]
