"""Personal data over its life: the sealed contact data, erasure, legal holds, the purge job
(``services.personal_data``)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from recruiting.db import close_database, migrate_schema, open_database
from recruiting.infra.media_store import LocalMediaStore
from recruiting.infra.private_files import restrict_umask
from recruiting.infra.sealed_fields import install_cipher_for
from recruiting.services.messaging.effects import Effects
from recruiting.services.personal_data.contact_data import PersonalDataService
from recruiting.services.personal_data.erasure import CandidateErasure, holds_on
from recruiting.services.personal_data.holds import LegalHolds
from recruiting.services.personal_data.purge import Purge
from recruiting.services.personal_data.requests import DataRequests
from recruiting.services.personal_data.rights import CandidateRights
from recruiting.services.personal_data.talent_pool import TalentPool
from recruiting.settings import Settings
from recruiting.wiring.shared import Shared


@dataclass(frozen=True)
class PersonalDataWiring:
    contact_data: PersonalDataService  # seals, and decrypts role-checked and audited
    erasure: CandidateErasure
    holds: LegalHolds
    purge: Purge


def wire_personal_data(shared: Shared) -> PersonalDataWiring:
    erasure = CandidateErasure(shared.media, shared.effects)
    settings = shared.settings
    purge = Purge(erasure, settings.retention, shared.effects, settings.timezone,
                  scratch_root=shared.scratch.parent)  # fmt: skip
    return PersonalDataWiring(
        contact_data=PersonalDataService(shared.cipher),
        erasure=erasure,
        holds=LegalHolds(),
        purge=purge,
    )


@asynccontextmanager
async def standalone(settings: Settings) -> AsyncIterator[PersonalDataWiring]:
    """The lifecycle use cases for a one-off command (``purge``, ``hold``): the database and
    the media store, no workers; effects are found by the relay's sweep."""
    restrict_umask()
    cipher = install_cipher_for(settings)
    await migrate_schema(settings.database_url)
    await open_database(settings.database_url)
    try:
        media = LocalMediaStore(settings.miniapp.media_dir, cipher)
        effects = Effects(None)
        erasure = CandidateErasure(media, effects)
        purge = Purge(erasure, settings.retention, effects, settings.timezone,
                      scratch_root=settings.data_dir / "tmp")  # fmt: skip
        yield PersonalDataWiring(
            contact_data=PersonalDataService(cipher),
            erasure=erasure,
            holds=LegalHolds(),
            purge=purge,
        )
    finally:
        await close_database()


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
