"""A small competency catalog for the openings use cases (the real one is the core's): three
competencies and one library job are enough to exercise models, weights and question banks."""

from __future__ import annotations

from typing import TYPE_CHECKING

from recruiting.ports.competency_catalog import (
    CatalogCompetency,
    CatalogJob,
    CatalogQuestion,
    CompetencyCatalog,
)


def _anchors(name: str) -> tuple[str, ...]:
    return tuple(f"{name}{level}级：行为描述" for level in range(1, 6))


class FakeCatalog:
    """Stands in for ``CompetencyCatalog`` (recruiting.ports.competency_catalog)."""

    def __init__(self) -> None:
        self._competencies = (
            CatalogCompetency("communication", "沟通能力", "清晰表达", ("倾听",), _anchors("沟通")),
            CatalogCompetency("teamwork", "团队协作", "合作", ("补位",), _anchors("协作")),
            CatalogCompetency("results", "结果导向", "达成目标", ("目标",), _anchors("结果")),
        )
        self._jobs = (
            CatalogJob(
                "sales",
                "销售代表",
                (("communication", "0.5"), ("results", "0.5")),
                (CatalogQuestion("讲一次成交的经历。", ("communication", "results")),),
            ),
        )

    def competencies(self) -> tuple[CatalogCompetency, ...]:
        return self._competencies

    def jobs(self) -> tuple[CatalogJob, ...]:
        return self._jobs


if TYPE_CHECKING:  # mypy tests/fakes: each fake implements its port
    _catalog: CompetencyCatalog = FakeCatalog()
