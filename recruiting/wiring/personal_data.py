"""Personal data over its life: erasure, legal holds, the purge job (``services.personal_data``)."""

from __future__ import annotations

from dataclasses import dataclass

from recruiting.services.personal_data.erasure import CandidateErasure, holds_on
from recruiting.services.personal_data.holds import LegalHolds
from recruiting.services.personal_data.requests import DataRequests
from recruiting.services.personal_data.rights import CandidateRights
from recruiting.services.personal_data.talent_pool import TalentPool
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


@dataclass(frozen=True)
class DataRights:
    """The candidate's rights (see, correct, delete), HR's side of their requests, and the
    talent-pool consent."""

    requests: DataRequests
    rights: CandidateRights
    talent_pool: TalentPool


def wire_data_rights(shared: Shared, lifecycle: PersonalDataWiring) -> DataRights:
    async def held(candidate_id: int) -> bool:
        return bool(await holds_on(candidate_id))

    requests = DataRequests(
        shared.effects,
        shared.cipher,
        lifecycle.erasure,
        held,
        due_days=shared.settings.data_requests.due_days,
        zone=shared.settings.timezone,
    )
    pool = TalentPool(shared.effects)
    rights = CandidateRights(requests, pool, shared.cipher, shared.media)
    return DataRights(requests=requests, rights=rights, talent_pool=pool)
