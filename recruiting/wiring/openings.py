"""Openings, rounds and the question bank (``services.openings``), over the built-in
competency library of the analysis core."""

from __future__ import annotations

from dataclasses import dataclass

from interview_core.catalog import CoreCompetencyCatalog
from recruiting.ports.competency_catalog import CompetencyCatalog
from recruiting.services.openings.bank import QuestionBankService
from recruiting.services.openings.openings import OpeningService
from recruiting.services.openings.rounds import RoundService


@dataclass(frozen=True)
class Openings:
    openings: OpeningService
    rounds: RoundService
    bank: QuestionBankService


def wire_openings(catalog: CompetencyCatalog | None = None) -> Openings:
    """The library is read-only data shipped with the core: no shared object is needed."""
    library = catalog or CoreCompetencyCatalog()
    return Openings(OpeningService(library), RoundService(library), QuestionBankService(library))
