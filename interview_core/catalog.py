"""The competency library and built-in job models behind the ``CompetencyCatalog`` port."""

from __future__ import annotations

from functools import lru_cache

from interview_core.text.jobs import builtin_jobs
from interview_core.text.library import default_library
from recruiting.ports.competency_catalog import (
    CatalogCompetency,
    CatalogJob,
    CatalogQuestion,
)


class CoreCompetencyCatalog:
    """Reads ``interview_core/data`` once per process (both loaders are cached)."""

    def competencies(self) -> tuple[CatalogCompetency, ...]:
        return _competencies()

    def jobs(self) -> tuple[CatalogJob, ...]:
        return _jobs()


@lru_cache(maxsize=1)
def _competencies() -> tuple[CatalogCompetency, ...]:
    return tuple(
        CatalogCompetency(c.code, c.name, c.definition, c.indicators, c.anchors)
        for c in default_library().competencies
    )


@lru_cache(maxsize=1)
def _jobs() -> tuple[CatalogJob, ...]:
    library = default_library()
    return tuple(
        CatalogJob(
            code=job.code,
            title=job.title,
            weights=tuple((c.code, str(c.weight)) for c in job.competencies),
            questions=tuple(
                CatalogQuestion(q.text, tuple(library.get(n).code for n in q.competencies))
                for q in job.questions
            ),
        )
        for job in builtin_jobs().values()
    )
