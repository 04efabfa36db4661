"""Compare PDF text extractors on a generated résumé corpus: field accuracy and speed.

    python scripts/measure_pdf_readers.py CORPUS

Each extractor's text goes through the same extractor (``domain.resume_extract``), so
the figures say how well its reading order serves résumés (two-column and table layouts
above all) and how fast it is. pdfplumber is optional (it needs the pypdfium2 binary wheel,
which the service does not install); the figures in docs/resume-parsing.md came from a
scratch environment that had it.
"""

from __future__ import annotations

import io
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

from recruiting.domain.resume_extract import extract
from recruiting.infra.resumes.limits import Deadline, ReadLimits
from recruiting.infra.resumes.pdf import read_pdf
from recruiting.services.resumes.evaluate import FIELDS, Tally, _score, output_json


def ours(data: bytes) -> list[str]:
    return read_pdf(data, ReadLimits(), Deadline(30))


def pdfminer_text(data: bytes) -> list[str]:
    from pdfminer.high_level import extract_text

    return extract_text(io.BytesIO(data)).splitlines()


def pypdf_plain(data: bytes) -> list[str]:
    from pypdf import PdfReader

    return [ln for p in PdfReader(io.BytesIO(data)).pages for ln in p.extract_text().splitlines()]


def pypdf_layout(data: bytes) -> list[str]:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    return [
        ln for p in reader.pages for ln in p.extract_text(extraction_mode="layout").splitlines()
    ]


def pdfplumber_text(data: bytes) -> list[str]:
    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return [ln for p in pdf.pages for ln in (p.extract_text() or "").splitlines()]


READERS: dict[str, Callable[[bytes], list[str]]] = {
    "ours (pdfminer lines + own order)": ours,
    "pdfminer extract_text": pdfminer_text,
    "pypdf extract_text": pypdf_plain,
    "pypdf layout mode": pypdf_layout,
    "pdfplumber extract_text": pdfplumber_text,
}
KEY = ("name", "email", "city", "education", "work", "skills")


def main() -> None:
    corpus = Path(sys.argv[1])
    files = []
    for truth_path in sorted(corpus.glob("*.pdf.truth.json")):
        truth = json.loads(truth_path.read_text(encoding="utf-8"))
        if truth.get("expect_status") == "parsed":
            files.append((truth_path.with_name(truth_path.name.removesuffix(".truth.json")), truth))
    print(f"{len(files)} PDFs")
    header = f"{'reader':<34}{'subset':<9}" + "".join(f"{k:>11}" for k in KEY) + f"{'ms/file':>9}"
    print(header)
    for label, reader in READERS.items():
        try:
            reader(files[0][0].read_bytes())
        except ImportError:
            print(f"{label:<34}(not installed)")
            continue
        subsets: dict[str, dict[str, Tally]] = {}
        spent = 0.0
        for path, truth in files:
            data = path.read_bytes()
            started = time.perf_counter()
            lines = reader(data)
            spent += time.perf_counter() - started
            out = output_json(extract(lines, as_of=truth["as_of"]))
            for subset in (
                "all",
                truth["layout"] if truth["layout"] in ("twocol", "table") else None,
            ):
                if subset is None:
                    continue
                tallies = subsets.setdefault(subset, {f: Tally() for f in FIELDS})
                for name in FIELDS:
                    _score(tallies[name], name, truth.get(name), out.get(name))
        for subset, tallies in subsets.items():
            cells = "".join(
                f"{2 * t.precision * t.recall / ((t.precision + t.recall) or 1):>11.1%}"
                for t in (tallies[k] for k in KEY)
            )
            ms = f"{spent / len(files) * 1000:>9.1f}" if subset == "all" else ""
            print(f"{label:<34}{subset:<9}{cells}{ms}")


if __name__ == "__main__":
    main()
