"""Personal data over its life: erasure, legal holds, the purge job (``services.personal_data``)."""

from __future__ import annotations

from dataclasses import dataclass

from recruiting.services.personal_data.erasure import CandidateErasure
from recruiting.services.personal_data.holds import LegalHolds
from recruiting.wiring.shared import Shared


@dataclass(frozen=True)
class PersonalDataWiring:
    erasure: CandidateErasure
    holds: LegalHolds


def wire_personal_data(shared: Shared) -> PersonalDataWiring:
    return PersonalDataWiring(
        erasure=CandidateErasure(shared.media, shared.effects),
        holds=LegalHolds(),
    )
