"""Make the configured EHR adapter and its outbox channel (called by the composition root)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx

from ehr_adapter.auth import Auth, HmacAuth, NoAuth, OAuth2ClientCredentials
from ehr_adapter.config import EhrConfig
from ehr_adapter.files import FileExchange
from ehr_adapter.mapping import load_mapping
from ehr_adapter.rest import RestEhr
from ehr_adapter.sender import EhrSender
from ehr_adapter.xinrenxinshi import XinrenxinshiEhr
from recruiting.infra.pii import FieldCipher
from recruiting.ports.ehr import (
    CandidateArchive,
    EhrSystem,
    JobOpeningInfo,
    NewEmployee,
    NotSupported,
    PerformanceRating,
    Unsealer,
)
from recruiting.services.messaging.outbox import Backoff, RetryPolicy


class NoEhr:
    """``ehr.adapter: none``: decisions are still recorded; pushes are marked skipped."""

    name = "none"

    async def push_archive(
        self, archive: CandidateArchive, *, idempotency_key: str
    ) -> dict[str, Any]:
        raise NotSupported("no EHR is configured (ehr.adapter: none)")

    async def create_employee(
        self, employee: NewEmployee, *, idempotency_key: str
    ) -> dict[str, Any]:
        raise NotSupported("no EHR is configured (ehr.adapter: none)")

    async def job_openings(self) -> list[JobOpeningInfo]:
        raise NotSupported("no EHR is configured (ehr.adapter: none)")

    async def performance_ratings(self, since: date | None = None) -> list[PerformanceRating]:
        raise NotSupported("no EHR is configured (ehr.adapter: none)")


@dataclass(frozen=True)
class EhrWiring:
    ehr: EhrSystem
    sender: EhrSender
    policy: RetryPolicy


def unsealer(cipher: FieldCipher) -> Unsealer:
    def unseal(sealed: str, field: str) -> str:
        return cipher.decrypt(sealed, f"candidate.{field}")

    return unseal


def build_ehr(
    config: EhrConfig, unseal: Unsealer, transport: httpx.AsyncBaseTransport | None = None
) -> EhrSystem:
    if config.adapter == "rest":
        mapping = load_mapping(config.mapping)
        return RestEhr(
            config.base_url,
            mapping,
            unseal,
            auth=_auth(config),
            timeout=config.timeout,
            transport=transport,
        )
    if config.adapter == "file":
        return FileExchange(config.exchange_dir, load_mapping(config.mapping), unseal)
    if config.adapter == "xinrenxinshi":
        key, secret = config.client_id, config.client_secret
        return XinrenxinshiEhr(
            config.base_url, key, secret, unseal, timeout=config.timeout, transport=transport
        )
    return NoEhr()


def wire_ehr(
    config: EhrConfig, cipher: FieldCipher, transport: httpx.AsyncBaseTransport | None = None
) -> EhrWiring:
    """The adapter, the ``ehr`` channel's sender, and that channel's retry policy."""
    ehr = build_ehr(config, unsealer(cipher), transport)
    backoff = Backoff(config.backoff_base, config.backoff_cap)
    return EhrWiring(ehr, EhrSender(ehr), RetryPolicy(config.max_attempts, backoff))


async def close_ehr(ehr: EhrSystem) -> None:
    if isinstance(ehr, RestEhr | XinrenxinshiEhr):
        await ehr.aclose()


def _auth(config: EhrConfig) -> Auth:
    if config.auth == "oauth2":
        return OAuth2ClientCredentials(config.token_url, config.client_id, config.client_secret)
    if config.auth == "hmac":
        return HmacAuth(config.client_id, config.client_secret)
    return NoAuth()
