"""The recorded interview's one-time link is ``RecordingLink`` in table ``recording_link``
(it was ``Invitation`` in table ``invitation``, a name it shared with the live interview's
``InterviewInvitation``). The rows stay: the table is renamed, not copied. The sealed
``redeemed_by`` is bound to its ``<table>.<column>`` (``sealed_fields``), so each value is
opened under the old name and sealed again under the new one.

Tortoise's ``RenameModel`` cannot be used as it is: it names the new table after the class
(``recordinglink``), and it rebuilds only the renamed model, so ``Interview`` keeps the old
model's backward relation and the new one's fails as a duplicate. The operation below sets
the table, rebuilds the models the renamed one points at, and renames the indexes whose
generated names contain the table name (a later ``RemoveIndex`` computes them that way).
"""

from copy import deepcopy
from typing import Any

from tortoise import migrations
from tortoise.indexes import Index
from tortoise.migrations import operations as ops
from tortoise.migrations.exceptions import IncompatibleStateError
from tortoise.migrations.schema_editor.base import BaseSchemaEditor
from tortoise.migrations.schema_generator.state import State

from recruiting.infra.pii import UndecryptableData
from recruiting.infra.sealed_fields import installed_cipher

OLD_TABLE, NEW_TABLE = "invitation", "recording_link"


class RenameModelAndTable(ops.RenameModel):
    """``RenameModel`` onto an explicitly named table, taking the table's indexes along."""

    def __init__(self, old_name: str, new_name: str, table: str) -> None:
        super().__init__(old_name, new_name)
        self.table = table

    def describe(self) -> str:
        return f"{super().describe()} in table {self.table}"

    def state_forward(self, app_label: str, state: State) -> None:
        old_key, new_key = (app_label, self.old_name), (app_label, self.new_name)
        model_state = state.models.pop(old_key, None)
        if model_state is None:
            raise IncompatibleStateError(f"{app_label}.{self.old_name} is unknown")
        related = state._find_related_models(*old_key) - {old_key}
        state.apps.unregister_model(*old_key)
        model_state.name = self.new_name
        model_state.table = self.table
        model_state.options["table"] = self.table
        state.models[new_key] = model_state
        old_ref, new_ref = f"{app_label}.{self.old_name}", f"{app_label}.{self.new_name}"
        for other in state.models.values():
            for name, field in other.fields.items():
                if isinstance(field, ops.DIRECT_RELATION_FIELDS) and field.model_name == old_ref:
                    moved = deepcopy(field)
                    moved.model_name = new_ref
                    other.fields[name] = moved
                    related.add((other.app, other.name))
        state.reload_models(related | {new_key})

    async def database_forward(
        self,
        app_label: str,
        old_state: State,
        new_state: State,
        state_editor: BaseSchemaEditor | None = None,
    ) -> None:
        await super().database_forward(app_label, old_state, new_state, state_editor)
        if state_editor:
            await self._move_indexes(state_editor, app_label, old_state, new_state, forward=True)

    async def database_backward(
        self,
        app_label: str,
        old_state: State,
        new_state: State,
        state_editor: BaseSchemaEditor | None = None,
    ) -> None:
        await super().database_backward(app_label, old_state, new_state, state_editor)
        if state_editor:
            await self._move_indexes(state_editor, app_label, old_state, new_state, forward=False)

    async def _move_indexes(
        self,
        editor: BaseSchemaEditor,
        app_label: str,
        old_state: State,
        new_state: State,
        *,
        forward: bool,
    ) -> None:
        """The indexes' names follow the model from ``old_state`` to ``new_state`` (from the
        old name to the new one forward, the other way backward)."""
        before, after = (
            (self.old_name, self.new_name) if forward else (self.new_name, self.old_name)
        )
        await _rename_indexes(
            editor,
            old_state.apps.get_model(f"{app_label}.{before}"),
            new_state.apps.get_model(f"{app_label}.{after}"),
            new_state.models[(app_label, after)].options.get("indexes", ()),
        )


async def _rename_indexes(editor: BaseSchemaEditor, old: Any, new: Any, indexes: Any) -> None:
    """Unnamed indexes are named after their table: give them the name the new table gives.
    SQLite cannot rename an index, so there it is dropped and made again."""
    for entry in indexes:
        index = entry if isinstance(entry, Index) else Index(fields=tuple(entry))
        before = editor._index_name_for_model(old, index)
        after = editor._index_name_for_model(new, index)
        if before == after:
            continue
        if editor.RENAME_INDEX_TEMPLATE:
            table = editor._qualify_table_name(new._meta.db_table, new._meta.schema)
            sql = editor.RENAME_INDEX_TEMPLATE.format(table=table, old_name=before, new_name=after)
            await editor._run_sql(sql)
        else:
            await editor._run_sql(editor._drop_index_sql(new, before))
            await editor.add_index(new, index)


async def _reseal(client: Any, table: str, before: str, after: str) -> None:
    """Seal every ``redeemed_by`` of ``table`` that opens under context ``before`` for
    context ``after``. Others are left: plaintext (the field reads it as it is and seals it
    on the next write), a value already sealed for ``after`` (running it again changes
    nothing), one whose key was rotated out (unreadable before and after)."""
    postgres = client.capabilities.dialect == "postgres"
    mark = ("$1", "$2") if postgres else ("?", "?")
    rows = await client.execute_query_dict(
        f'SELECT "id", "redeemed_by" FROM "{table}" WHERE "redeemed_by" <> \'\''
    )
    if not rows:
        return
    cipher = installed_cipher()
    for row in rows:
        stored = str(row["redeemed_by"])
        if not cipher.is_token(stored):
            continue
        try:
            plain = cipher.decrypt(stored, f"{before}.redeemed_by")
        except UndecryptableData:
            continue
        await client.execute_query_dict(
            f'UPDATE "{table}" SET "redeemed_by" = {mark[0]} WHERE "id" = {mark[1]}',
            [cipher.encrypt_searchable(plain, f"{after}.redeemed_by"), row["id"]],
        )


async def reseal_forward(apps: object, schema_editor: Any) -> None:
    await _reseal(schema_editor.client, NEW_TABLE, OLD_TABLE, NEW_TABLE)


async def reseal_backward(apps: object, schema_editor: Any) -> None:
    await _reseal(schema_editor.client, NEW_TABLE, NEW_TABLE, OLD_TABLE)


class Migration(migrations.Migration):
    dependencies = [("recruiting", "0023_workbench_indexes")]

    initial = False

    operations = [
        RenameModelAndTable(old_name="Invitation", new_name="RecordingLink", table=NEW_TABLE),
        ops.RunPython(reseal_forward, reseal_backward),
    ]
