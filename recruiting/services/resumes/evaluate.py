"""Field-level precision and recall of a résumé reader over a corpus with ground truth.

A corpus is a folder of files, each with ``<file>.truth.json`` beside it (see
``tests/resumes/generate.py``): the expected status, and for readable résumés every field.
Scalars count as right when equal after normalising (full-width → ASCII, case); education and
work entries only when every part matches (school, degree, major, start, end / company,
title, start, end), paired one to one; skills and certificates as sets. Protected values
listed in the truth must not appear anywhere in the output, evidence included.
"""

from __future__ import annotations

import json
import re
import time
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from recruiting.domain.resume import ParsedResume

FIELDS = ("name", "phone", "email", "city", "education", "work", "months_experience",
          "skills", "certificates")  # fmt: skip
Read = Callable[[bytes, str, str], ParsedResume]  # (data, filename, as_of)


@dataclass
class Tally:
    truth: int = 0
    predicted: int = 0
    correct: int = 0

    @property
    def precision(self) -> float:
        return self.correct / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.correct / self.truth if self.truth else 1.0


@dataclass
class Report:
    files: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    fields: dict[str, Tally] = field(default_factory=lambda: {f: Tally() for f in FIELDS})
    failures: list[dict[str, str]] = field(default_factory=list)  # wrong status
    leaks: list[dict[str, str]] = field(default_factory=list)  # protected values in output
    seconds: float = 0.0
    by_layout: dict[str, dict[str, Tally]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        def tallies(t: dict[str, Tally]) -> dict[str, Any]:
            return {
                name: {
                    **asdict(x),
                    "precision": round(x.precision, 4),
                    "recall": round(x.recall, 4),
                }
                for name, x in t.items()
            }

        return {
            "files": self.files,
            "statuses": self.statuses,
            "fields": tallies(self.fields),
            "failures": self.failures,
            "protected_leaks": self.leaks,
            "seconds": round(self.seconds, 3),
            "files_per_minute": round(self.files / self.seconds * 60, 1) if self.seconds else None,
            "by_layout": {k: tallies(v) for k, v in sorted(self.by_layout.items())},
        }


def _norm(value: Any) -> str:
    text = unicodedata.normalize("NFKC", str(value)).casefold()
    return re.sub(r"\s+", "", text).removesuffix("专业") if text else ""


def _entry_key(entry: dict[str, Any], keys: Iterable[str]) -> tuple[str, ...]:
    return tuple(_norm(entry.get(k)) if entry.get(k) is not None else "" for k in keys)


def output_json(parsed: ParsedResume) -> dict[str, Any]:
    """The public JSON shape of a parse (the CLI prints exactly this)."""
    return {
        "status": parsed.status.value,
        "reason": parsed.reason or None,
        "name": parsed.name,
        "phone": parsed.phone,
        "email": parsed.email,
        "city": parsed.city,
        "education": [
            {
                "school": e.school,
                "degree": e.degree,
                "major": e.major,
                "start": e.start,
                "end": e.end,
            }
            for e in parsed.education
        ],
        "work": [
            {"company": w.company, "title": w.title, "start": w.start, "end": w.end}
            for w in parsed.work
        ],
        "months_experience": parsed.months_experience,
        "skills": list(parsed.skills),
        "certificates": list(parsed.certificates),
    }


def evaluate(corpus: Path, read: Read) -> Report:
    report = Report()
    started = time.perf_counter()
    for truth_path in sorted(corpus.glob("*.truth.json")):
        path = truth_path.with_name(truth_path.name.removesuffix(".truth.json"))
        if not path.exists():
            continue
        truth = json.loads(truth_path.read_text(encoding="utf-8"))
        parsed = read(path.read_bytes(), path.name, truth.get("as_of") or "2025-06")
        report.files += 1
        status = parsed.status.value
        report.statuses[status] = report.statuses.get(status, 0) + 1
        expected = truth.get("expect_status", "parsed")
        if status != expected:
            report.failures.append(
                {"file": path.name, "expected": expected, "got": status, "reason": parsed.reason}
            )
        if expected != "parsed":
            continue
        out = output_json(parsed)
        dumped = json.dumps([out, parsed.evidence, [asdict(p) for p in parsed.projects]],
                            ensure_ascii=False)  # fmt: skip
        for value in truth.get("protected", []):
            if value and str(value) in dumped:
                report.leaks.append({"file": path.name, "value": str(value)})
        layout = report.by_layout.setdefault(truth.get("layout", "?"), {f: Tally() for f in FIELDS})
        for name in FIELDS:
            for tally in (report.fields[name], layout[name]):
                _score(tally, name, truth.get(name), out.get(name))
    report.seconds = time.perf_counter() - started
    return report


def _score(tally: Tally, name: str, truth: Any, got: Any) -> None:
    if name in ("education", "work"):
        keys = ("school", "degree", "major", "start", "end") if name == "education" else (
            "company", "title", "start", "end")  # fmt: skip
        wanted = [_entry_key(e, keys) for e in truth or []]
        found = [_entry_key(e, keys) for e in got or []]
        tally.truth += len(wanted)
        tally.predicted += len(found)
        remaining = list(wanted)
        for entry in found:
            if entry in remaining:
                remaining.remove(entry)
                tally.correct += 1
        return
    if name in ("skills", "certificates"):
        wanted_set = {_norm(x) for x in truth or []}
        found_set = {_norm(x) for x in got or []}
        tally.truth += len(wanted_set)
        tally.predicted += len(found_set)
        tally.correct += len(wanted_set & found_set)
        return
    if truth is not None:
        tally.truth += 1
    if got is not None:
        tally.predicted += 1
        if truth is not None and _norm(truth) == _norm(got):
            tally.correct += 1


def render(report: Report, *, by_layout: bool = False) -> str:
    lines = [f"{'field':<18}{'truth':>7}{'found':>7}{'right':>7}{'precision':>11}{'recall':>8}"]
    for name, t in report.fields.items():
        lines.append(
            f"{name:<18}{t.truth:>7}{t.predicted:>7}{t.correct:>7}"
            f"{t.precision:>10.1%}{t.recall:>9.1%}"
        )
    if by_layout:
        for layout, tallies in sorted(report.by_layout.items()):
            cells = "  ".join(f"{n}={t.precision:.0%}/{t.recall:.0%}" for n, t in tallies.items())
            lines.append(f"  {layout}: {cells}")
    statuses = ", ".join(f"{k} {v}" for k, v in sorted(report.statuses.items()))
    rate = report.files / report.seconds * 60 if report.seconds else 0.0
    lines.append(f"files {report.files} ({statuses}) in {report.seconds:.1f}s = {rate:.0f}/min")
    lines.append(f"parse failures (status not as expected): {len(report.failures)}")
    lines.extend(
        f"  {f['file']}: expected {f['expected']}, got {f['got']}" for f in report.failures
    )
    lines.append(f"protected values in output: {len(report.leaks)}")
    lines.extend(f"  {x['file']}: {x['value']}" for x in report.leaks[:20])
    return "\n".join(lines)
