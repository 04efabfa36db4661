"""Job competency models: which library competencies a job weighs, how much, and its questions.

A job file (``interview_core/data/jobs/*.yaml``) names competencies of the library, gives each
a weight as a decimal string (the weights add up to exactly 1, checked with the domain's
``CompetencyModel``) and job-specific keywords, which count more than the library's generic
ones. ``selection`` builds an ad-hoc model with equal weights from a list of names.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Any

from interview_core.text.library import (
    DATA_DIR,
    Competency,
    CompetencyLibrary,
    default_library,
    read_yaml,
)
from recruiting.domain.competency import CompetencyModel
from recruiting.errors import InvalidInput

JOBS_DIR = DATA_DIR / "jobs"


@dataclass(frozen=True)
class JobCompetency:
    competency: Competency
    weight: Decimal
    keywords: tuple[str, ...] = ()  # job-specific, weighed above the library's keywords

    @property
    def name(self) -> str:
        return self.competency.name

    @property
    def code(self) -> str:
        return self.competency.code


@dataclass(frozen=True)
class JobQuestion:
    text: str
    competencies: tuple[str, ...]  # competency names


@dataclass(frozen=True)
class JobModel:
    code: str
    title: str
    competencies: tuple[JobCompetency, ...]
    questions: tuple[JobQuestion, ...] = ()

    def competency_model(self) -> CompetencyModel:
        """The domain's view (code, name, weight), as stored on a job opening."""
        return CompetencyModel.from_json(
            [{"code": c.code, "name": c.name, "weight": c.weight} for c in self.competencies]
        )


def load_job(path: Path | str, library: CompetencyLibrary | None = None) -> JobModel:
    """Read and validate a job file; every error names the file and the problem."""
    data = read_yaml(Path(path))
    if not isinstance(data, dict):
        raise InvalidInput(f"{path}: a job file must be a mapping with title and competencies")
    try:
        return _job(data, library or default_library(), Path(path).stem)
    except InvalidInput as exc:
        raise InvalidInput(f"{path}: {exc.message}") from exc


@lru_cache(maxsize=1)
def builtin_jobs() -> dict[str, JobModel]:
    """The job models shipped in ``data/jobs``, by code (file stem), in name order."""
    return {path.stem: load_job(path) for path in sorted(JOBS_DIR.glob("*.yaml"))}


def builtin_job(name: str) -> JobModel:
    jobs = builtin_jobs()
    if name not in jobs:
        raise InvalidInput(f"unknown job {name!r}; built-in jobs: {', '.join(jobs)}")
    return jobs[name]


def resolve_job(spec: str) -> JobModel:
    """A built-in job name (``sales``) or the path of a job file."""
    if spec in builtin_jobs():
        return builtin_jobs()[spec]
    path = Path(spec)
    if path.suffix in (".yaml", ".yml") or path.exists():
        return load_job(path)
    return builtin_job(spec)


def selection(names: list[str], library: CompetencyLibrary | None = None) -> JobModel:
    """An ad-hoc model over the named competencies with equal weights (summing to exactly 1)."""
    lib = library or default_library()
    wanted = list(dict.fromkeys(n.strip() for n in names if n.strip()))
    if not wanted:
        raise InvalidInput(f"name at least one competency; known: {', '.join(lib.names())}")
    competencies = [lib.get(name) for name in wanted]
    weights = equal_weights(len(competencies))
    items = tuple(JobCompetency(c, w) for c, w in zip(competencies, weights, strict=True))
    job = JobModel(code="selection", title="、".join(wanted), competencies=items)
    job.competency_model()
    return job


def equal_weights(count: int) -> list[Decimal]:
    """``count`` weights of 4 decimals adding up to exactly 1 (the last takes the remainder)."""
    share = (Decimal(1) / count).quantize(Decimal("0.0001"))
    return [share] * (count - 1) + [Decimal(1) - share * (count - 1)]


def _job(data: dict[str, Any], library: CompetencyLibrary, default_code: str) -> JobModel:
    entries = data.get("competencies")
    if not isinstance(entries, list) or not entries:
        raise InvalidInput("needs a non-empty 'competencies' list")
    competencies = tuple(_job_competency(entry, library) for entry in entries)
    _check_weights(competencies)
    names = {c.name for c in competencies}
    job = JobModel(
        code=str(data.get("code") or default_code),
        title=str(data.get("title") or default_code),
        competencies=competencies,
        questions=tuple(_question(q, names) for q in data.get("questions") or []),
    )
    job.competency_model()
    return job


def _job_competency(entry: Any, library: CompetencyLibrary) -> JobCompetency:
    if not isinstance(entry, dict) or "weight" not in entry:
        raise InvalidInput(f"competency entry {entry!r} needs a name (or code) and a weight")
    competency = library.get(str(entry.get("name") or entry.get("code") or ""))
    keywords = entry.get("keywords") or []
    if not isinstance(keywords, list):
        raise InvalidInput(f"{competency.name}: keywords must be a list")
    return JobCompetency(
        competency=competency,
        weight=_weight(entry["weight"], competency.name),
        keywords=tuple(str(k).strip() for k in keywords if str(k).strip()),
    )


def _weight(value: Any, name: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise InvalidInput(f'{name}: weight must be a decimal string like "0.25", got {value!r}')
    try:
        weight = Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise InvalidInput(f"{name}: weight {value!r} is not a decimal number") from exc
    if not weight.is_finite() or weight <= 0:
        raise InvalidInput(f"{name}: weight must be positive, got {value!r}")
    return weight


def _check_weights(competencies: tuple[JobCompetency, ...]) -> None:
    names = [c.name for c in competencies]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise InvalidInput(f"competency listed twice: {', '.join(duplicates)}")
    total = sum((c.weight for c in competencies), Decimal(0))
    if total != Decimal(1):
        raise InvalidInput(f"competency weights must add up to 1, they add up to {total}")


def _question(entry: Any, names: set[str]) -> JobQuestion:
    if not isinstance(entry, dict) or not str(entry.get("text") or "").strip():
        raise InvalidInput(f"question {entry!r} needs a text")
    targets = tuple(str(n).strip() for n in entry.get("competencies") or [])
    unknown = [n for n in targets if n not in names]
    if unknown:
        raise InvalidInput(
            f"question {entry['text']!r} targets {', '.join(unknown)}, "
            f"which the job does not weigh ({', '.join(sorted(names))})"
        )
    return JobQuestion(text=str(entry["text"]).strip(), competencies=targets)
