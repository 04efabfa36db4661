"""Reading an uploaded spreadsheet (.xlsx or .csv) into text rows, within limits.

An ``.xlsx`` is a zip: its directory is checked (``infra.zip_limits``) before openpyxl sees
it, so a zip bomb (a few kilobytes that inflate to gigabytes) or a file that is no workbook
is refused with a clear message instead of filling the memory. CSV files from recruiting
sites come in UTF-8 (with or without a BOM) or GBK/GB18030 (Excel on Chinese Windows); the
encoding is found by trying them in that order, since valid UTF-8 is almost never
valid-looking GB18030 text by accident and the reverse fails fast; Big5 (Taiwan, Hong Kong),
which GB18030 also reads, is told from it (``filetypes.decode_chinese``).

Blocking (zip inflation, XML parsing): callers run it in a worker thread.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

from openpyxl import load_workbook

from recruiting.errors import InvalidInput, PayloadTooLarge
from recruiting.infra.filetypes import OLE_MAGIC, ZIP_MAGIC, decode_chinese
from recruiting.infra.zip_limits import (
    ZipLimits,
    ZipProblem,
    ZipRefused,
    check_entries,
    open_archive,
)


@dataclass(frozen=True)
class TableLimits:
    max_bytes: int = 5 * 1024 * 1024
    max_rows: int = 5000  # data rows, header not counted
    max_columns: int = 60
    max_cell_chars: int = 500  # longer cells are kept one character over, for the report
    max_inflated: int = 100 * 1024 * 1024  # an xlsx's parts, uncompressed
    max_ratio: int = 200  # compression ratio of any one part above 1 MB
    max_parts: int = 2000

    def zip_limits(self) -> ZipLimits:
        return ZipLimits(
            max_entries=self.max_parts, max_inflated=self.max_inflated, max_ratio=self.max_ratio
        )


@dataclass(frozen=True)
class Table:
    header: list[str]
    rows: list[tuple[int, list[str]]]  # (row number as the sheet shows it, cells)


def read_table(data: bytes, filename: str, limits: TableLimits = TableLimits()) -> Table:
    """The first sheet's rows as text; InvalidInput (Chinese) for anything unreadable."""
    if len(data) > limits.max_bytes:
        raise PayloadTooLarge(f"文件过大（最大 {limits.max_bytes // (1024 * 1024)} MB）")
    if not data:
        raise InvalidInput("文件是空的")
    name = filename.lower()
    if data.startswith(ZIP_MAGIC) or name.endswith(".xlsx"):
        rows = _xlsx_rows(data, limits)
    elif data.startswith(OLE_MAGIC) or name.endswith(".xls"):
        raise InvalidInput(
            "不支持旧版 Excel（.xls）文件，请在 Excel 中另存为 .xlsx 或 .csv 后再上传"
        )
    elif name.endswith((".csv", ".txt")) or not name.rpartition(".")[1]:
        rows = _csv_rows(data, limits)
    else:
        raise InvalidInput("只支持 .xlsx 和 .csv 文件")
    return _table(rows, limits)


def _table(rows: list[tuple[int, list[str]]], limits: TableLimits) -> Table:
    filled = [(number, cells) for number, cells in rows if any(c.strip() for c in cells)]
    if not filled:
        raise InvalidInput("表格里没有内容")
    (_, header), data = filled[0], filled[1:]
    if not data:
        raise InvalidInput("表格只有表头，没有候选人")
    if len(data) > limits.max_rows:
        raise PayloadTooLarge(f"一次最多导入 {limits.max_rows} 行，请拆分后分批导入")
    return Table([h.strip() for h in header], data)


def _csv_rows(data: bytes, limits: TableLimits) -> list[tuple[int, list[str]]]:
    text = _decode(data)
    rows: list[tuple[int, list[str]]] = []
    try:
        reader = csv.reader(io.StringIO(text, newline=""))
        for number, cells in enumerate(reader, start=1):
            if len(rows) > limits.max_rows + 1:
                raise PayloadTooLarge(f"一次最多导入 {limits.max_rows} 行，请拆分后分批导入")
            rows.append((number, [_cell(c, limits) for c in cells[: limits.max_columns]]))
    except csv.Error as exc:
        raise InvalidInput("CSV 文件格式有误（引号不成对？），请用 Excel 重新导出") from exc
    return rows


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8", errors="strict")
        except UnicodeDecodeError:
            pass  # a UTF-8 mark on a file that is not UTF-8: refused below, not a 500
    try:
        text: str | None = decode_chinese(data)
    except UnicodeDecodeError:
        text = None
    if text is not None and "\x00" not in text:
        return text
    raise InvalidInput("无法识别文件编码，请用 Excel 另存为「CSV UTF-8」或 .xlsx 后再上传")


def _xlsx_rows(data: bytes, limits: TableLimits) -> list[tuple[int, list[str]]]:
    _check_zip(data, limits)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise InvalidInput("无法读取该 Excel 文件，文件可能已损坏，请重新导出后上传") from exc
    try:
        sheet = book.worksheets[0] if book.worksheets else None
        if sheet is None:
            raise InvalidInput("Excel 文件里没有工作表")
        rows: list[tuple[int, list[str]]] = []
        for number, values in enumerate(
            sheet.iter_rows(max_col=limits.max_columns, values_only=True), start=1
        ):
            if len(rows) > limits.max_rows + 1:
                raise PayloadTooLarge(f"一次最多导入 {limits.max_rows} 行，请拆分后分批导入")
            cells = [_cell(_text(v), limits) for v in values]
            while cells and not cells[-1]:
                cells.pop()  # read-only sheets pad rows to max_col
            rows.append((number, cells))
        return rows
    except (InvalidInput, PayloadTooLarge):
        raise
    except Exception as exc:
        raise InvalidInput("无法读取该 Excel 文件，文件可能已损坏，请重新导出后上传") from exc
    finally:
        book.close()


def _check_zip(data: bytes, limits: TableLimits) -> None:
    try:
        with open_archive(data) as archive:
            parts = archive.infolist()
    except ZipRefused as exc:
        raise InvalidInput("无法读取该 Excel 文件，文件可能已损坏，请重新导出后上传") from exc
    names = {p.filename for p in parts}
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
        raise InvalidInput("这不是 Excel 工作簿（.xlsx），请重新导出后上传")
    try:
        check_entries(parts, limits.zip_limits())
    except ZipRefused as exc:
        if exc.problem is ZipProblem.TOO_MANY:
            raise InvalidInput("Excel 文件结构异常（部件过多），已拒绝") from exc
        raise InvalidInput(
            "Excel 文件解压后异常庞大（疑似压缩炸弹），已拒绝"
        ) from exc  # ratio, size


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a phone typed as a number comes back as 13800138000.0
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    return str(value)


def _cell(text: str, limits: TableLimits) -> str:
    return text[: limits.max_cell_chars + 1]
