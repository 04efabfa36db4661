"""What a migration that seals columns in place needs (0013, 0025): the column type change,
made on PostgreSQL only, and the step that seals the values still in the clear."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tortoise.fields import Field
from tortoise.migrations import operations as ops

from recruiting.infra.sealed_fields import seal_plaintext_rows

# (model, field, table, kind, new field): kind is ``sealed_fields``' TEXT, SEARCHABLE or JSON
SealedColumn = tuple[str, str, str, str, Field[Any]]


class AlterColumnType(ops.AlterField):
    """PostgreSQL only. SQLite does not enforce VARCHAR lengths (all of these are TEXT to it)
    and keeps text in a DECIMAL column as text, while Tortoise would rebuild the table: its
    DROP TABLE cascades deletes through the foreign keys of every table that references it
    (candidate, staff, …)."""

    async def database_forward(self, app_label, old_state, new_state, state_editor=None):  # type: ignore[no-untyped-def]
        if state_editor is not None and state_editor.client.capabilities.dialect == "sqlite":
            return
        await super().database_forward(app_label, old_state, new_state, state_editor)

    async def database_backward(self, app_label, old_state, new_state, state_editor=None):  # type: ignore[no-untyped-def]
        if state_editor is not None and state_editor.client.capabilities.dialect == "sqlite":
            return
        await super().database_backward(app_label, old_state, new_state, state_editor)


def sealing_operations(columns: Sequence[SealedColumn]) -> list[ops.Operation]:
    """A sealing migration's operations for ``(model, field, table, kind, new field)``
    columns: each column's type change, then one step sealing the values still in the clear
    (values that are already tokens are skipped, so a second run changes nothing)."""
    in_place = [(table, name, kind) for _, name, table, kind, _ in columns]

    async def seal_existing_rows(apps: object, schema_editor: Any) -> None:
        await seal_plaintext_rows(schema_editor.client, in_place)

    return [
        *[AlterColumnType(model_name=m, name=n, field=f) for m, n, _, _, f in columns],
        ops.RunPython(seal_existing_rows),
    ]
