"""The built-in competency library and job models, as HR sees them when setting up openings.

The library lives in the analysis core (``interview_core/data``); the workbench needs its
names, definitions, behavioural anchors (levels 1..5) and the built-in job models with their
default weights and sample questions. Read-only and small: an adapter loads it once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class CatalogCompetency:
    code: str
    name: str
    definition: str
    indicators: tuple[str, ...]  # what interviewers look for
    anchors: tuple[str, ...]  # behavioural anchors of levels 1..5, in order


@dataclass(frozen=True)
class CatalogQuestion:
    text: str
    competencies: tuple[str, ...]  # codes


@dataclass(frozen=True)
class CatalogJob:
    code: str
    title: str
    weights: tuple[tuple[str, str], ...]  # (competency code, decimal weight) adding up to 1
    questions: tuple[CatalogQuestion, ...]


class CompetencyCatalog(Protocol):
    def competencies(self) -> tuple[CatalogCompetency, ...]: ...

    def jobs(self) -> tuple[CatalogJob, ...]: ...
