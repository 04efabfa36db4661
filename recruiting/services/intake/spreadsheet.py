"""Importing candidates from a spreadsheet that a recruiting site exported (or HR made).

``check`` reads the file and reports every bad row (row number, column, Chinese reason)
without writing anything; ``apply`` does the same checks again inside one transaction and
writes every row or none. A row whose phone or e-mail belongs to a candidate already here,
or to an earlier row of the same file, is a bad row that names the other record: nothing is
merged or duplicated behind HR's back. After an import HR gets a card in chat.

Between the check and 「导入」 the file is held (``hold``/``held``/``release``) in the
key-value store for an hour, sealed with the field cipher under a context that names the
uploader: 「导入」 applies exactly the file that was checked, only its uploader can, and an
abandoned file expires by itself.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import secrets
from dataclasses import dataclass, field
from typing import cast

from recruiting.domain.intake import CandidateEntry, Problem, check_entry, read_header
from recruiting.errors import NotFound, PayloadTooLarge
from recruiting.infra.filetypes import ZIP_MAGIC
from recruiting.infra.pii import FieldCipher, UndecryptableData
from recruiting.infra.spreadsheets import TableLimits, read_table
from recruiting.models import Application, JobOpening
from recruiting.ports.kv import KeyValueStore
from recruiting.services.intake.candidates import (
    CHANNEL_CHARS,
    NOT_HR,
    Added,
    CandidateIntake,
    Openings,
    hold_intake,
)
from recruiting.services.intake.cards import IntakeCards
from recruiting.services.messaging.effects import Effects
from recruiting.services.shared.access import require_hr
from recruiting.services.shared.audit import record
from recruiting.services.shared.sessions import Principal

MAX_REPORTED = 500  # errors listed; the count says how many more
HOLD_SECONDS = 3600  # a checked file waits this long for 「导入」


@dataclass(frozen=True)
class RowError:
    row: int  # as the sheet shows it (the header is row 1 in most exports)
    column: str
    reason: str
    duplicate_of: int | None = None  # the existing candidate this row is


@dataclass(frozen=True)
class ImportReport:
    rows: int  # data rows read
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    applied: bool = False
    added: list[Added] = field(default_factory=list)
    job: JobOpening | None = None  # the opening chosen for every row (when one was)

    @property
    def ok(self) -> bool:
        return self.error_count == 0


@dataclass(frozen=True)
class _Checked:
    rows: int
    errors: list[RowError]
    entries: list[tuple[int, CandidateEntry, JobOpening | None]]
    job: JobOpening | None = None


class SpreadsheetImport:
    def __init__(
        self,
        intake: CandidateIntake,
        effects: Effects,
        cards: IntakeCards,
        kv: KeyValueStore,
        cipher: FieldCipher,
        limits: TableLimits | None = None,
    ) -> None:
        self._kv = kv
        self._cipher = cipher
        self._intake = intake
        self._effects = effects
        self._cards = cards
        self._limits = limits or TableLimits()

    async def hold(self, principal: Principal, data: bytes, filename: str) -> str:
        """Keep an uploaded file for its check and 「导入」; returns its reference."""
        await require_hr(principal, "import_hold", "candidate", "-", refusal=NOT_HR)
        if len(data) > self._limits.max_bytes:
            raise PayloadTooLarge(f"文件过大（最大 {self._limits.max_bytes // (1024 * 1024)} MB）")
        xlsx = filename.lower().endswith(".xlsx") or data.startswith(ZIP_MAGIC)
        ref = f"{secrets.token_hex(16)}-{'xlsx' if xlsx else 'csv'}"
        sealed = self._cipher.encrypt(base64.b64encode(data).decode("ascii"), _context(principal))
        await self._kv.set(_hold_key(principal, ref), sealed, ttl=HOLD_SECONDS)
        return ref

    async def held(self, principal: Principal, ref: str) -> tuple[bytes, str]:
        """(the bytes, a file name for the reader) of a held file of this uploader."""
        await require_hr(principal, "import_hold", "candidate", "-", refusal=NOT_HR)
        token, _, kind = ref.partition("-")
        valid = len(token) == 32 and all(c in "0123456789abcdef" for c in token)
        sealed = (
            await self._kv.get(_hold_key(principal, ref))
            if valid and kind in ("xlsx", "csv")
            else None
        )
        if sealed is None:
            raise NotFound("这份表格已导入或已超过 1 小时，请重新上传", code="import_gone")
        try:
            data = base64.b64decode(self._cipher.decrypt(sealed, _context(principal)))
        except (UndecryptableData, binascii.Error) as exc:
            raise NotFound("这份表格已失效，请重新上传", code="import_gone") from exc
        return data, f"import.{kind}"

    async def release(self, principal: Principal, ref: str) -> None:
        await self._kv.delete(_hold_key(principal, ref))

    async def check(
        self, principal: Principal, data: bytes, filename: str, *, job_id: int | None = None
    ) -> ImportReport:
        """The dry run (「检查」): what ``apply`` would refuse, nothing written."""
        await require_hr(principal, "import_check", "candidate", "-", refusal=NOT_HR)
        checked = await self._check(data, filename, job_id)
        await record(
            principal.actor, "import_check", "candidate", "-", allowed=True,
            detail=f"file={_digest(data)} rows={checked.rows} errors={len(checked.errors)}",
        )  # fmt: skip
        return _report(checked, applied=False)

    async def apply(
        self, principal: Principal, data: bytes, filename: str, *, job_id: int | None = None
    ) -> ImportReport:
        """Every row or none: re-checked inside the transaction that writes them."""
        await require_hr(principal, "import_apply", "candidate", "-", refusal=NOT_HR)
        async with self._effects.unit() as unit:
            await hold_intake()  # the duplicate check below sees any import just committed
            checked = await self._check(data, filename, job_id)
            if checked.errors:
                report = _report(checked, applied=False)
            else:
                added = await self._write(checked.entries)
                drafts = await self._cards.after_intake(principal.userid, added, how="表格导入")
                await unit.add(
                    drafts, cause=f"intake:import:{_digest(data)}:{added[0].candidate_id}"
                )
                report = ImportReport(checked.rows, applied=True, added=added, job=checked.job)
        await record(
            principal.actor, "import_apply", "candidate", "-", allowed=report.applied,
            detail=f"file={_digest(data)} rows={report.rows} errors={report.error_count} "
            f"added={len(report.added)}",
        )  # fmt: skip
        return report

    async def _write(
        self, entries: list[tuple[int, CandidateEntry, JobOpening | None]]
    ) -> list[Added]:
        """Candidates one by one (their ids are needed), applications in bulk: half the
        round trips of creating both one by one (5,000 rows in a few seconds)."""
        people = [(await self._intake.create(entry, None), entry, job) for _, entry, job in entries]
        await Application.bulk_create(
            [
                Application(candidate_id=added.candidate_id, job_id=job.id,
                            channel=(entry.source or "import")[:CHANNEL_CHARS])
                for added, entry, job in people
                if job is not None
            ],
            batch_size=500,
        )  # fmt: skip
        ids = [added.candidate_id for added, _, _ in people]
        made: dict[int, int] = {}
        for at in range(0, len(ids), 1000):
            rows = await Application.filter(candidate_id__in=ids[at : at + 1000]).values_list(
                "candidate_id", "id"
            )
            made |= {int(cast(int, c)): int(cast(int, a)) for c, a in rows}
        return [
            Added(added.candidate_id, made.get(added.candidate_id), job.title if job else "")
            for added, _, job in people
        ]

    async def _check(self, data: bytes, filename: str, job_id: int | None) -> _Checked:
        table = await asyncio.to_thread(read_table, data, filename, self._limits)
        header = read_header(table.header)
        header_row = table.rows[0][0] - 1 if table.rows else 1
        default_job = await JobOpening.get_or_none(id=job_id) if job_id is not None else None
        if isinstance(header, list):
            return _Checked(
                len(table.rows),
                [RowError(header_row, p.column, p.reason) for p in header],
                [],
                default_job,
            )
        if job_id is not None and default_job is None:
            return _Checked(
                len(table.rows), [RowError(header_row, "应聘岗位", "所选岗位不存在")], []
            )
        has_job_column = "job" in header.values()
        openings = await Openings.load()
        errors: list[RowError] = []
        good: list[tuple[int, CandidateEntry, JobOpening | None]] = []
        for number, cells in table.rows:
            values = {key: cells[i] if i < len(cells) else "" for i, key in header.items()}
            checked = check_entry(values, job_required=default_job is None)
            if isinstance(checked, list):
                errors += [RowError(number, p.column, p.reason) for p in checked]
                job_text = (values.get("job") or "").strip()
                if job_text and not any(p.column == "应聘岗位" for p in checked):
                    found_job = openings.find(job_text)  # every bad cell of the row is told
                    if isinstance(found_job, Problem):
                        errors.append(RowError(number, found_job.column, found_job.reason))
                continue
            job: JobOpening | None = default_job
            if has_job_column and checked.job:
                found = openings.find(checked.job)
                if isinstance(found, Problem):
                    errors.append(RowError(number, found.column, found.reason))
                    continue
                job = found
            good.append((number, checked, job))
        errors += self._same_file(good)
        errors += await self._already_here(good)
        errors.sort(key=lambda e: e.row)
        return _Checked(len(table.rows), errors, good, default_job)

    def _same_file(
        self, rows: list[tuple[int, CandidateEntry, JobOpening | None]]
    ) -> list[RowError]:
        errors = []
        first: dict[tuple[str, str], int] = {}
        for number, entry, _ in rows:
            for column, value in (("手机", entry.phone), ("邮箱", entry.email)):
                if not value:
                    continue
                earlier = first.setdefault((column, value), number)
                if earlier != number:
                    errors.append(
                        RowError(
                            number, column, f"与第 {earlier} 行的{column}相同，同一人请只保留一行"
                        )
                    )
        return errors

    async def _already_here(
        self, rows: list[tuple[int, CandidateEntry, JobOpening | None]]
    ) -> list[RowError]:
        pairs = [self._intake.hashes(entry.phone, entry.email) for _, entry, _ in rows]
        found = await self._intake.duplicates_by_hash(pairs)
        errors = []
        for index, duplicates in found.items():
            number = rows[index][0]
            d = duplicates[0]
            column = "邮箱" if d.by == "邮箱" else "手机"
            errors.append(
                RowError(
                    number,
                    column,
                    f"候选人已存在：{d.name}（{d.by}相同）",  # the page links to them
                    d.candidate_id,
                )
            )
        return errors


def _report(checked: _Checked, *, applied: bool) -> ImportReport:
    return ImportReport(
        checked.rows, checked.errors[:MAX_REPORTED], len(checked.errors), applied=applied,
        job=checked.job,
    )  # fmt: skip


def _context(principal: Principal) -> str:
    return f"intake.import.{principal.userid}"


def _hold_key(principal: Principal, ref: str) -> str:
    owner = hashlib.sha256(principal.userid.encode()).hexdigest()[:16]
    return f"intake:import:{owner}:{ref}"


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]
