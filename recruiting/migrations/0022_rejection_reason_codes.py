"""``application.rejection_reason`` holds a reason code only (``domain.pipeline.RejectReason``):
every rejection goes through ``pipeline.Rejections``, HR's own words go to the sealed
``rejection_note``. Rows from before, when the intake's 不合适 stored HR's free text in the
reason (in the clear), have that text moved into the sealed note (before any note already
there) and the reason set to ``other``. Codes are left alone, so running it again changes
nothing. Data only: no column changes.
"""

from tortoise import migrations
from tortoise.migrations import operations as ops

from recruiting.domain.pipeline import RejectReason
from recruiting.infra.sealed_fields import installed_cipher

CONTEXT = "application.rejection_note"


async def seal_free_text_reasons(apps: object, schema_editor: object) -> None:
    client = schema_editor.client  # type: ignore[attr-defined]
    postgres = client.capabilities.dialect == "postgres"
    mark = ("$1", "$2") if postgres else ("?", "?")
    codes = {r.value for r in RejectReason}
    rows = await client.execute_query_dict(
        'SELECT "id", "rejection_reason", "rejection_note" FROM "application" '
        "WHERE \"rejection_reason\" <> ''"
    )
    cipher = installed_cipher()
    for row in rows:
        reason = str(row["rejection_reason"])
        if reason in codes:
            continue
        earlier = str(row["rejection_note"] or "")
        note = cipher.decrypt(earlier, CONTEXT) if earlier else ""
        text = "\n".join(part for part in (reason.strip(), note) if part)
        await client.execute_query_dict(
            f'UPDATE "application" SET "rejection_note" = {mark[0]}, '
            f"\"rejection_reason\" = 'other' WHERE \"id\" = {mark[1]}",
            [cipher.encrypt(text, CONTEXT), row["id"]],
        )


class Migration(migrations.Migration):
    dependencies = [('recruiting', '0021_data_requests')]

    initial = False

    operations = [ops.RunPython(seal_free_text_reasons)]
