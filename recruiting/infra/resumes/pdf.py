"""PDF résumés with a text layer → lines in reading order (pdfminer.six + our own layout).

pdfminer gives text lines with their boxes; the order is ours because résumé layouts defeat
the usual heuristics: a two-column template must be read column by column (the sidebar's
contact block, then the main column), while a table template must be read row by row so
``姓名 | 张三`` stays a pair. A page with a ruled grid is read by rows; otherwise a vertical
gutter that no line crosses, with columns whose lines do not share baselines, splits it into
columns. Measured against pypdf and pdfplumber in docs/resume-parsing.md.

Encrypted files that need a password, pages over the limit and files without any text (scans)
stop early with ``Refused`` / ``NeedsOcr``.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from recruiting.infra.resumes.limits import Deadline, NeedsOcr, ReadLimits, Refused

log = logging.getLogger(__name__)

_CORRUPT = "文件已损坏或格式不完整，无法读取，请重新导出后上传"


@dataclass(frozen=True)
class Segment:
    x0: float
    y0: float
    x1: float
    y1: float
    text: str

    @property
    def middle(self) -> float:
        return (self.y0 + self.y1) / 2

    @property
    def height(self) -> float:
        return max(self.y1 - self.y0, 1.0)


def read_pdf(data: bytes, limits: ReadLimits, deadline: Deadline) -> list[str]:
    from pdfminer.pdfexceptions import PDFException
    from pdfminer.psexceptions import PSException

    try:
        return _read(data, limits, deadline)
    except (PDFException, PSException) as exc:
        raise Refused(_CORRUPT, f"pdf: {exc!r}") from exc


def _read(data: bytes, limits: ReadLimits, deadline: Deadline) -> list[str]:
    from pdfminer.layout import (
        LAParams,
        LTCurve,
        LTFigure,
        LTImage,
        LTLine,
        LTRect,
        LTTextLineHorizontal,
    )
    from pdfminer.pdfdocument import PDFDocument, PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
    from pdfminer.pdfpage import PDFPage
    from pdfminer.pdfparser import PDFParser, PDFSyntaxError
    from pdfminer.pdftypes import resolve1

    try:
        parser = PDFParser(io.BytesIO(data))
        document = PDFDocument(parser, password="")
    except (PDFPasswordIncorrect, PDFEncryptionError) as exc:
        raise Refused("文件已加密，请去掉密码后重新上传", f"encrypted pdf: {exc!r}") from exc
    except (PDFSyntaxError, ValueError, KeyError, TypeError) as exc:
        raise Refused(_CORRUPT, f"pdf syntax: {exc!r}") from exc
    if not document.is_extractable:
        log.info("pdf marks text as not extractable; reading it anyway for the employer's HR")
    try:
        pages_node = resolve1(document.catalog.get("Pages"))
        count = int(resolve1(pages_node.get("Count", 0))) if isinstance(pages_node, dict) else 0
    except (TypeError, ValueError, AttributeError) as exc:
        raise Refused(_CORRUPT, f"pdf page tree: {exc!r}") from exc
    if count > limits.max_pages:
        raise Refused(
            f"文件有 {count} 页，超过 {limits.max_pages} 页的上限，请只上传简历本身",
            f"{count} pages",
        )

    manager = PDFResourceManager(caching=True)
    params = LAParams(char_margin=2.0, line_margin=0.3, word_margin=0.1, detect_vertical=False)
    device = _guarded_aggregator(manager, params, deadline)
    interpreter = PDFPageInterpreter(manager, device)
    lines: list[str] = []
    chars = 0
    images = 0
    pages = 0
    for page in PDFPage.create_pages(document):
        pages += 1
        if pages > limits.max_pages:
            raise Refused(
                f"文件超过 {limits.max_pages} 页的上限，请只上传简历本身", "page tree lied"
            )
        deadline.check()
        interpreter.process_page(page)
        layout = device.get_result()
        segments: list[Segment] = []
        vertical = horizontal = 0
        for item in _walk(layout):
            if isinstance(item, LTTextLineHorizontal):
                text = item.get_text().strip()
                if text:
                    segments.append(Segment(item.x0, item.y0, item.x1, item.y1, text))
                    chars += len(text)
            elif isinstance(item, LTImage | LTFigure) and not isinstance(
                item, LTTextLineHorizontal
            ):
                images += isinstance(item, LTImage)
            elif isinstance(item, LTLine | LTRect | LTCurve):
                width, height = item.x1 - item.x0, item.y1 - item.y0
                if width < 3 and height > 6:
                    vertical += 1
                elif height < 3 and width > 6:
                    horizontal += 1
                elif isinstance(item, LTRect) and width > 6 and height > 6 and height < 80:
                    vertical += 2
                    horizontal += 2
        lines.extend(order_segments(segments, grid=vertical >= 3 and horizontal >= 3))
        if len(lines) > limits.max_lines:
            raise Refused("文件文字过多，不像一份简历，请只上传简历本身", "too many lines")
    if chars < 10:
        if images:
            raise NeedsOcr(
                "这份 PDF 是扫描件或图片，没有可读取的文字，需要文字识别（OCR）后才能解析",
                f"{pages} pages, {images} images, {chars} chars",
            )
        raise Refused("文件中没有可读取的文字", f"{pages} pages, no text, no images")
    return lines


_MAX_PAGE_CHARS = 30_000  # a dense résumé page holds ~2,000; layout analysis grows faster


def _guarded_aggregator(manager: Any, params: Any, deadline: Deadline) -> Any:
    """pdfminer's aggregator, checking the time limit while a page draws its characters and
    refusing a page too dense to be a résumé before the costly layout analysis."""
    from pdfminer.converter import PDFPageAggregator

    class Guarded(PDFPageAggregator):
        chars_on_page = 0

        def begin_page(self, page: Any, ctm: Any) -> None:
            self.chars_on_page = 0
            super().begin_page(page, ctm)

        def render_char(self, *args: Any, **kwargs: Any) -> float:
            self.chars_on_page += 1
            if self.chars_on_page % 500 == 0:
                deadline.check()
                if self.chars_on_page > _MAX_PAGE_CHARS:
                    raise Refused(
                        "文件文字过多，不像一份简历，请只上传简历本身",
                        f"over {_MAX_PAGE_CHARS} characters on one page",
                    )
            return float(super().render_char(*args, **kwargs))

    return Guarded(manager, laparams=params)


def _walk(item: object) -> Iterator[object]:
    from pdfminer.layout import LTContainer, LTTextLineHorizontal

    yield item
    if isinstance(item, LTContainer) and not isinstance(item, LTTextLineHorizontal):
        for child in item:
            yield from _walk(child)


def order_segments(segments: list[Segment], *, grid: bool) -> list[str]:
    """Text lines of one page in reading order (rows for grids, else columns when found)."""
    if not segments:
        return []
    if not grid:
        split = _columns(segments)
        if split is not None:
            above, left, right, rest = split
            return _rows(above) + _rows(left) + _rows(right) + _rows(rest)
    return _rows(segments)


def _rows(segments: Iterable[Segment]) -> list[str]:
    """Group segments sharing a baseline into one line, left to right, top to bottom."""
    ordered = sorted(segments, key=lambda s: -s.y1)
    rows: list[list[Segment]] = []
    for segment in ordered:
        if rows:
            row = rows[-1]
            ref = row[0]
            if abs(segment.middle - ref.middle) < min(segment.height, ref.height) * 0.5:
                row.append(segment)
                continue
        rows.append([segment])
    return ["  ".join(s.text for s in sorted(row, key=lambda s: s.x0)) for row in rows]


def _columns(
    segments: list[Segment],
) -> tuple[list[Segment], list[Segment], list[Segment], list[Segment]] | None:
    """A vertical gutter splitting the page into two independent columns, if there is one."""
    if len(segments) < 8:
        return None
    left_edge = min(s.x0 for s in segments)
    right_edge = max(s.x1 for s in segments)
    width = right_edge - left_edge
    best: tuple[int, int, float] | None = None
    allowed = max(2, len(segments) // 8)
    for step in range(10, 91, 2):
        x = left_edge + width * step / 100
        crossings = sum(1 for s in segments if s.x0 < x < s.x1)
        if crossings > allowed:
            continue
        balance = min(sum(1 for s in segments if s.x1 <= x), sum(1 for s in segments if s.x0 >= x))
        # the cleanest gutter first (fewest lines crossing), then the most even split
        if balance >= 3 and (best is None or (crossings, -balance) < best[:2]):
            best = (crossings, -balance, x)
    if best is None:
        return None
    x = best[2]
    left = [s for s in segments if s.x1 <= x]
    right = [s for s in segments if s.x0 >= x]
    crossing = [s for s in segments if s.x0 < x < s.x1]

    # Rows of one table or one dated line ("2019.07-至今   公司   职位") share baselines;
    # two independent columns mostly do not.
    def aligned(side: list[Segment], other: list[Segment]) -> float:
        hits = sum(
            1
            for a in side
            if any(abs(a.middle - b.middle) < min(a.height, b.height) * 0.3 for b in other)
        )
        return hits / len(side)

    if max(aligned(left, right), aligned(right, left)) > 0.7:
        return None
    column_top = min(max(s.y1 for s in left), max(s.y1 for s in right))
    above = [s for s in crossing if s.y0 >= column_top - 1]
    rest = [s for s in crossing if s.y0 < column_top - 1]
    return above, left, right, rest
