"""Personal data over its life: erasure, legal holds, the purge job (``services.personal_data``)."""

from __future__ import annotations

from dataclasses import dataclass

from recruiting.services.personal_data.erasure import CandidateErasure
from recruiting.services.personal_data.holds import LegalHolds
from recruiting.services.personal_data.purge import Purge
from recruiting.wiring.shared import Shared


@dataclass(frozen=True)
class PersonalDataWiring:
    erasure: CandidateErasure
    holds: LegalHolds
    purge: Purge


def wire_personal_data(shared: Shared) -> PersonalDataWiring:
    erasure = CandidateErasure(shared.media, shared.effects)
    settings = shared.settings
    purge = Purge(erasure, settings.retention, shared.effects, settings.timezone,
                  scratch_root=shared.scratch.parent)  # fmt: skip
    return PersonalDataWiring(erasure=erasure, holds=LegalHolds(), purge=purge)
