"""Payroll by file: each hand-off appends one row to a CSV that payroll imports.

Many payroll packages import new hires from a spreadsheet, so this adapter is enough to go
live without an API. The file is locked while it is read and appended (``flock``), so two
workers cannot write the same hire twice; a repeated hand-off finds its row and returns it.
Text cells that a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``) get a
leading apostrophe.
"""

from __future__ import annotations

import asyncio
import csv
import fcntl
import io
import os
from pathlib import Path
from typing import IO

from payroll_bridge.port import HandOffReceipt, NewHire
from recruiting.errors import Conflict, ExternalServiceError
from recruiting.infra.private_files import open_private

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_TEXT_COLUMNS = ("employee_id", "name")


class CsvPayroll:
    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)

    def __repr__(self) -> str:
        return f"CsvPayroll({str(self.path)!r})"

    async def hand_off(self, new_hire: NewHire) -> HandOffReceipt:
        return await asyncio.to_thread(self._append, new_hire)

    def _append(self, new_hire: NewHire) -> HandOffReceipt:
        row = _safe(new_hire.record())
        try:
            with open_private(self.path, "a+", newline="", encoding="utf-8") as file:
                fcntl.flock(file, fcntl.LOCK_EX)  # released when the file closes
                return self._append_locked(file, row, new_hire.employee_id)
        except OSError as exc:
            raise ExternalServiceError(
                f"cannot write the payroll file {self.path}: {exc.strerror}", code="payroll_file"
            ) from exc

    def _append_locked(self, file: IO[str], row: dict[str, str], employee: str) -> HandOffReceipt:
        file.seek(0)
        reader = csv.DictReader(file)
        if reader.fieldnames is not None and list(reader.fieldnames) != list(row):
            raise ExternalServiceError(
                f"{self.path} has other columns than a new-hire record", code="payroll_file"
            )
        count = 0
        for count, existing in enumerate(reader, start=1):
            if existing["idempotency_key"] == row["idempotency_key"]:
                if existing != row:
                    raise Conflict(f"{self.path} holds a different record for {employee}")
                return HandOffReceipt(employee, self._reference(count), duplicate=True)
        file.seek(0, os.SEEK_END)
        writer = csv.DictWriter(file, fieldnames=list(row))
        if reader.fieldnames is None:
            writer.writeheader()
        writer.writerow(row)
        file.flush()
        os.fsync(file.fileno())
        return HandOffReceipt(employee, self._reference(count + 1))

    async def forget(self, employee_id: str) -> int:
        """Remove an erased candidate's rows (payroll imported them long since); the count."""
        return await asyncio.to_thread(self._remove, employee_id)

    def _remove(self, employee_id: str) -> int:
        if not self.path.exists():
            return 0
        with open_private(self.path, "r+", newline="", encoding="utf-8") as file:
            fcntl.flock(file, fcntl.LOCK_EX)
            reader = csv.DictReader(file)
            rows = list(reader)
            kept = [r for r in rows if r.get("employee_id") != employee_id]
            if len(kept) == len(rows) or reader.fieldnames is None:
                return 0
            out = io.StringIO(newline="")
            writer = csv.DictWriter(out, fieldnames=list(reader.fieldnames))
            writer.writeheader()
            writer.writerows(kept)
            # Rewritten in place under the lock (an appender waiting on it keeps the inode).
            file.seek(0)
            file.truncate()
            file.write(out.getvalue())
            file.flush()
            os.fsync(file.fileno())
        return len(rows) - len(kept)

    def _reference(self, row_number: int) -> str:
        return f"{self.path.name}#{row_number}"


def _safe(record: dict[str, str]) -> dict[str, str]:
    return {
        key: "'" + value if key in _TEXT_COLUMNS and value.startswith(_FORMULA_STARTS) else value
        for key, value in record.items()
    }
