"""Claim one inbox or outbox row in a single statement.

The row is taken only if it is due, nobody holds a live lease on it, and no earlier row of
the same conversation is unfinished — checked and taken atomically by the database, so two
workers can never both take it and a conversation is never processed out of order.
"""

from __future__ import annotations

from datetime import datetime

from tortoise import connections

from recruiting.infra.inbox_writer import db_time


async def claim_row(
    table: str,
    row_id: int,
    *,
    now: datetime,
    lease_until: datetime,
    conversation: tuple[str, ...],
    unordered: tuple[str, ...] = (),
    due_column: str | None = None,
) -> bool:
    """True when this call took the row. ``conversation`` names the columns that group rows
    that must stay in order; rows whose first such column is in ``unordered`` need none."""
    conn = connections.get("default")
    postgres = conn.capabilities.dialect == "postgres"
    params: list[object] = []

    def p(value: object) -> str:
        params.append(value)
        return f"${len(params)}" if postgres else "?"

    # Placeholders are numbered in the order p() is called: build the text left to right.
    # Only identifiers from this module and placeholders are interpolated.
    t = f'"{table}"'
    sql = f'UPDATE {t} SET "status" = \'processing\', "attempts" = "attempts" + 1, '  # noqa: S608
    sql += f'"lease_until" = {p(db_time(lease_until, postgres))} WHERE "id" = {p(row_id)} '
    sql += "AND ((\"status\" = 'pending'"
    if due_column:
        col = f'{t}."{due_column}"'
        sql += f" AND ({col} IS NULL OR {col} <= {p(db_time(now, postgres))})"
    sql += (
        f') OR ("status" = \'processing\' AND "lease_until" < {p(db_time(now, postgres))})) AND ('
    )
    if unordered:
        sql += f'{t}."{conversation[0]}" IN ({", ".join(p(u) for u in unordered)}) OR '
    same = " AND ".join(f'e."{c}" = {t}."{c}"' for c in conversation)
    sql += f'NOT EXISTS (SELECT 1 FROM {t} AS e WHERE {same} AND e."id" < {t}."id" '  # noqa: S608
    sql += "AND e.\"status\" IN ('pending', 'processing'))) RETURNING \"id\""
    rows = await conn.execute_query_dict(sql, params)
    return bool(rows)
