"""File exchange for companies whose EHR has no API: Excel/CSV out, Excel/CSV in.

Pushes are spooled as one JSON file per idempotency key under ``<dir>/outgoing/`` (a retried
push finds its file and is not spooled twice); ``export`` bundles the spool into one .xlsx
(sheets 候选人档案, 面试评分, 新员工) or three UTF-8 CSVs (with BOM, so Excel shows the
Chinese) and moves what it exported to ``<dir>/exported/``. Exported files hold decrypted
personal data: they are written owner-only.

``import_file`` reads job openings (one row per competency) or performance ratings, checks
every row and reports each problem with its row number; nothing is applied unless every
row is right.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from ehr_adapter.mapping import EhrMapping, Section, get
from ehr_adapter.records import job_opening, number, performance_rating, record_source
from recruiting import clock
from recruiting.domain.competency import CompetencyModel
from recruiting.errors import InvalidInput
from recruiting.infra.private_files import private_dir
from recruiting.ports.ehr import (
    CandidateArchive,
    EhrRecord,
    JobOpeningInfo,
    NewEmployee,
    PerformanceRating,
    Unsealer,
    record_from_payload,
)

FORMATS = ("xlsx", "csv")
KINDS = ("job_openings", "performance")
SHEETS = {"archive": "候选人档案", "scores": "面试评分", "employee": "新员工"}
SCORE_COLUMNS = ["申请编号", "面试编号", "轮次", "胜任力", "分数", "评分来源", "评分人", "依据"]


@dataclass(frozen=True)
class RowError:
    row: int
    message: str

    def __str__(self) -> str:
        return f"第 {self.row} 行: {self.message}"


@dataclass
class ImportReport:
    kind: str
    rows: int = 0
    openings: list[JobOpeningInfo] = field(default_factory=list)
    ratings: list[PerformanceRating] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class ExportResult:
    files: list[Path]
    archives: int
    employees: int


class FileExchange:
    name = "file"

    def __init__(self, directory: Path, mapping: EhrMapping, unseal: Unsealer) -> None:
        self._dir = directory
        self._mapping = mapping
        self._unseal = unseal

    # -- pushes: spool -------------------------------------------------------------------

    async def push_archive(
        self, archive: CandidateArchive, *, idempotency_key: str
    ) -> dict[str, Any]:
        return self._spool("archive", archive, idempotency_key)

    async def create_employee(
        self, employee: NewEmployee, *, idempotency_key: str
    ) -> dict[str, Any]:
        return self._spool("employee", employee, idempotency_key)

    def _spool(self, op: str, record: EhrRecord, key: str) -> dict[str, Any]:
        name = hashlib.sha256(key.encode()).hexdigest()[:32] + ".json"
        target = self._dir / "outgoing" / op / name
        if target.exists() or any((self._dir / "exported").glob(f"*/{op}/{name}")):
            return {"spooled": name, "duplicate": True}
        private_dir(target.parent)
        body = json.dumps({"key": key, "op": op, "record": asdict(record)}, ensure_ascii=False)
        _write_private(target, body.encode())
        return {"spooled": name}

    async def forget_candidate(self, candidate_id: int) -> int:
        """Remove the spooled copies (waiting or already exported) of one candidate's
        records, after their erasure; the count removed. Workbooks HR already took out of
        ``export/`` are the company's transfer files, outside this spool."""
        removed = 0
        spools = [self._dir / "outgoing", *sorted((self._dir / "exported").glob("*"))]
        for folder in spools:
            for path in sorted(folder.glob("*/*.json")):
                data = json.loads(path.read_text(encoding="utf-8"))
                if data.get("record", {}).get("candidate", {}).get("candidate_id") == candidate_id:
                    path.unlink(missing_ok=True)
                    removed += 1
        return removed

    def pending(self) -> dict[str, list[EhrRecord]]:
        return {op: [r for _, r in self._spooled(op)] for op in ("archive", "employee")}

    def _spooled(self, op: str) -> list[tuple[Path, EhrRecord]]:
        folder = self._dir / "outgoing" / op
        found = []
        for path in sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime_ns):
            data = json.loads(path.read_text(encoding="utf-8"))
            found.append((path, record_from_payload(data)))
        return found

    # -- export --------------------------------------------------------------------------

    def export(self, fmt: str, out_dir: Path | None = None) -> ExportResult:
        """Write everything spooled to one workbook (or CSVs) and move it to exported/."""
        if fmt not in FORMATS:
            raise InvalidInput(f"format must be one of {', '.join(FORMATS)}")
        archives, employees = self._spooled("archive"), self._spooled("employee")
        if not archives and not employees:
            return ExportResult([], 0, 0)
        stamp = clock.now().strftime("%Y%m%d-%H%M%S")
        out_dir = out_dir or self._dir / "export"
        private_dir(out_dir, ours=False)  # may be a folder HR named
        tables = self.tables([r for _, r in archives], [r for _, r in employees])
        files = _write_tables(tables, fmt, out_dir, f"ehr-{stamp}")
        for op, items in (("archive", archives), ("employee", employees)):
            done = self._dir / "exported" / stamp / op
            private_dir(done)
            for path, _ in items:
                os.replace(path, done / path.name)
        return ExportResult(files, len(archives), len(employees))

    def tables(
        self, archives: list[EhrRecord], employees: list[EhrRecord]
    ) -> dict[str, tuple[list[str], list[list[Any]]]]:
        """Sheet name → (header, rows), personal fields decrypted."""
        tables: dict[str, tuple[list[str], list[list[Any]]]] = {}
        for op, items in (("archive", archives), ("employee", employees)):
            if items:
                section = self._mapping.section(op)
                columns = section.columns()
                rows = [
                    _row(section.render(record_source(r, self._unseal)), columns) for r in items
                ]
                tables[SHEETS[op]] = (columns, rows)
        scores = [row for r in archives if isinstance(r, CandidateArchive) for row in _scores(r)]
        if scores:
            tables[SHEETS["scores"]] = (SCORE_COLUMNS, scores)
        return tables

    # -- pulls: import -------------------------------------------------------------------

    async def job_openings(self) -> list[JobOpeningInfo]:
        return self._incoming("job_openings").openings

    async def performance_ratings(self, since: date | None = None) -> list[PerformanceRating]:
        return self._incoming("performance").ratings

    def _incoming(self, kind: str) -> ImportReport:
        candidates = sorted((self._dir / "incoming").glob(f"{kind}.*"))
        if not candidates:
            raise InvalidInput(f"no {kind}.xlsx or {kind}.csv in {self._dir / 'incoming'}")
        report = self.import_file(candidates[-1], kind)
        if not report.ok:
            raise InvalidInput("; ".join(str(e) for e in report.errors[:20]))
        return report

    def import_file(self, path: Path, kind: str | None = None) -> ImportReport:
        """Read and check ``path``; ``kind`` is guessed from the header when not given."""
        header, rows = read_table(path)
        kind = kind or self._guess(header)
        section = self._mapping.section("job_opening" if kind == "job_openings" else "performance")
        columns = _column_index(section, header)
        report = ImportReport(kind, rows=len(rows))
        # keyed as the mapping names the columns, so parse() applies its enums
        spec = {ours: str(section.fields[ours]) for ours in columns}
        values = [(n, {spec[o]: row.get(c) for o, c in columns.items()}) for n, row in rows]
        if kind == "job_openings":
            _openings(section, values, report)
        else:
            _ratings(section, values, report)
        return report

    def _guess(self, header: list[str]) -> str:
        for kind, section_name, key in (
            ("job_openings", "job_opening", "code"),
            ("performance", "performance", "employee_ref"),
        ):
            section = self._mapping.sections.get(section_name)
            if section is not None and key in _column_index(section, header):
                return kind
        raise InvalidInput("cannot tell what the file holds: no 岗位编码 or 员工编号 column")


def _column_index(section: Section, header: list[str]) -> dict[str, str]:
    """Our field → the file's column (by the mapped name, or by our field name)."""
    found = {}
    for ours, theirs in section.fields.items():
        for name in (theirs, ours):
            if isinstance(name, str) and name in header:
                found[ours] = name
                break
    return found


def _openings(
    section: Section, rows: list[tuple[int, dict[str, Any]]], report: ImportReport
) -> None:
    groups: dict[str, list[tuple[int, dict[str, Any]]]] = {}
    for n, raw in rows:
        try:
            values = section.parse(raw)
            weight = number(values.get("weight"), "权重")
            if values.get("competency_code") and weight is None:
                raise InvalidInput("权重 is required with 胜任力编码")
            if not values.get("code"):
                raise InvalidInput("岗位编码 is empty")
            groups.setdefault(str(values["code"]).strip(), []).append((n, values))
        except InvalidInput as exc:
            report.errors.append(RowError(n, exc.message))
    for code, members in groups.items():
        first_row, first = members[0]
        items = [
            {
                "code": v["competency_code"],
                "name": v.get("competency_name") or v["competency_code"],
                "weight": v["weight"],
            }
            for _, v in members
            if v.get("competency_code")
        ]
        try:
            if items:
                CompetencyModel.from_json([{**i, "weight": str(i["weight"])} for i in items])
            report.openings.append(job_opening({**first, "code": code, "competencies": items}))
        except InvalidInput as exc:
            report.errors.append(RowError(first_row, f"岗位 {code}: {exc.message}"))


def _ratings(
    section: Section, rows: list[tuple[int, dict[str, Any]]], report: ImportReport
) -> None:
    for n, raw in rows:
        try:
            report.ratings.append(performance_rating(section.parse(raw)))
        except InvalidInput as exc:
            report.errors.append(RowError(n, exc.message))


def _row(rendered: dict[str, Any], columns: list[str]) -> list[Any]:
    return [_cell(get(rendered, c)) for c in columns]


def _cell(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float):
        return value
    return json.dumps(value, ensure_ascii=False)


def _scores(archive: CandidateArchive) -> Iterator[list[Any]]:
    for interview in archive.interviews:
        for s in interview.scores:
            quotes = " / ".join(e.quote for e in s.evidence)
            yield [
                archive.application_id,
                interview.interview_id,
                interview.round_name,
                s.competency,
                s.score,
                s.rater_kind,
                s.rater,
                quotes,
            ]


def read_table(path: Path) -> tuple[list[str], list[tuple[int, dict[str, Any]]]]:
    """Header and (row number, values) of the first sheet of .xlsx, or of a .csv file."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        text = path.read_text(encoding="utf-8-sig")
        lines: list[list[Any]] = list(csv.reader(io.StringIO(text)))
    elif suffix == ".xlsx":
        lines = _xlsx_rows(path)
    else:
        raise InvalidInput(f"{path.name}: only .xlsx and .csv can be imported")
    if not lines:
        raise InvalidInput(f"{path.name} is empty")
    header = [str(h or "").strip() for h in lines[0]]
    rows = []
    for n, line in enumerate(lines[1:], start=2):
        if not any(str(v or "").strip() for v in line):
            continue  # blank lines between groups are common in hand-made sheets
        rows.append((n, {h: _clean(v) for h, v in zip(header, line, strict=False) if h}))
    return header, rows


def _clean(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _xlsx_rows(path: Path) -> list[list[Any]]:
    from openpyxl import load_workbook  # type: ignore[import-untyped, unused-ignore]

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (OSError, ValueError, KeyError) as exc:
        raise InvalidInput(f"{path.name} is not a readable .xlsx file: {exc}") from exc
    try:
        return [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
    finally:
        book.close()


def _write_tables(
    tables: dict[str, tuple[list[str], list[list[Any]]]], fmt: str, out_dir: Path, stem: str
) -> list[Path]:
    if fmt == "csv":
        files = []
        for sheet, (header, rows) in tables.items():
            buffer = io.StringIO()
            writer = csv.writer(buffer)
            writer.writerow(header)
            writer.writerows(rows)
            path = out_dir / f"{stem}-{sheet}.csv"
            _write_private(path, buffer.getvalue().encode("utf-8-sig"))
            files.append(path)
        return files
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    for sheet, (header, rows) in tables.items():
        page = book.create_sheet(sheet)
        page.append(header)
        for row in rows:
            page.append(row)
    stream = io.BytesIO()
    book.save(stream)
    path = out_dir / f"{stem}.xlsx"
    _write_private(path, stream.getvalue())
    return [path]


def _write_private(path: Path, data: bytes) -> None:
    """Write atomically, readable by the owner only (personal data)."""
    tmp = path.with_suffix(path.suffix + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(tmp, path)


def write_table(path: Path, header: list[str], rows: Iterable[list[Any]]) -> None:
    """Write one sheet (.xlsx) or one .csv: the templates HR fills in, and the tests."""
    tables = {path.stem: (header, [list(r) for r in rows])}
    if path.suffix.lower() == ".csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(header)
        writer.writerows(tables[path.stem][1])
        _write_private(path, buffer.getvalue().encode("utf-8-sig"))
        return
    _write_tables(tables, "xlsx", path.parent, path.stem)
