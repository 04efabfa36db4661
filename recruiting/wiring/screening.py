"""Résumé screening: the opening's requirements, the ranked list with invite-top-N, and the
``筛选简历`` chat command (``services.screening``)."""

from __future__ import annotations

from dataclasses import dataclass

from recruiting.domain.skill_synonyms import SynonymTable
from recruiting.services.screening.candidate import CandidateResumes
from recruiting.services.screening.chat import ScreeningChat
from recruiting.services.screening.ranking import Screening
from recruiting.services.screening.requirements import OpeningRequirements
from recruiting.services.screening.sources import ParsedResumes, StoredResumes
from recruiting.wiring.recorded import Recorded
from recruiting.wiring.shared import Shared


@dataclass(frozen=True)
class ScreeningWiring:
    requirements: OpeningRequirements
    screening: Screening
    chat: ScreeningChat
    synonyms: SynonymTable
    candidates: CandidateResumes  # the candidate page's résumé facts and matches


def wire_screening(
    shared: Shared, recorded: Recorded, resumes: ParsedResumes | None = None
) -> ScreeningWiring:
    settings = shared.settings
    # The company's synonym file is read (and validated) once, at start: a bad file stops it.
    synonyms = SynonymTable.load(settings.screening.skill_synonyms or None)
    screening = Screening(
        resumes or StoredResumes(),
        synonyms,
        recorded.miniapp.links,
        shared.effects,
        settings.timezone,
        invite_days=settings.screening.invite_days,
    )
    return ScreeningWiring(
        requirements=OpeningRequirements(),
        screening=screening,
        chat=ScreeningChat(screening),
        synonyms=synonyms,
        candidates=CandidateResumes(screening),
    )
