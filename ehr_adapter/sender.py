"""The outbox channel ``ehr``: deliver a stored EHR effect through the configured adapter.

Each attempt that sends personal data is audited before it leaves (who receives it, which
fields, which outbox row), because a send that times out may still have been received.
An operation the configured EHR does not have is recorded as skipped, not retried.
"""

from __future__ import annotations

import logging
from typing import Any, Protocol, runtime_checkable

from ehr_adapter.records import sealed_fields
from recruiting.ports.ehr import CandidateArchive, EhrSystem, NotSupported, record_from_payload
from recruiting.ports.outbound import FORGET, OutboundMessage
from recruiting.services.shared.audit import Actor, record

log = logging.getLogger(__name__)
EHR_ACTOR = Actor("system:ehr")


@runtime_checkable
class HoldsCopies(Protocol):
    """An adapter that keeps copies of what it was sent (the file exchange's spool)."""

    async def forget_candidate(self, candidate_id: int) -> int: ...


class EhrSender:
    def __init__(self, ehr: EhrSystem) -> None:
        self._ehr = ehr

    async def deliver(self, message: OutboundMessage) -> dict[str, Any]:
        if message.payload.get("op") == FORGET:
            return await self._forget(message)
        item = record_from_payload(message.payload)
        fields = sealed_fields(item)
        if fields:
            detail = (
                f"to EHR {self._ehr.name}: {','.join(fields)} "
                f"outbox={message.id} attempt={message.attempt}"
            )
            subject = item.candidate.candidate_id
            await record(
                EHR_ACTOR, "disclose_pii", "candidate", subject, allowed=True, detail=detail
            )
        key = message.idempotency_key
        try:
            if isinstance(item, CandidateArchive):
                return await self._ehr.push_archive(item, idempotency_key=key)
            return await self._ehr.create_employee(item, idempotency_key=key)
        except NotSupported as exc:
            log.warning("outbox %s skipped: %s", message.id, exc.message)
            return {"skipped": exc.message}

    async def _forget(self, message: OutboundMessage) -> dict[str, Any]:
        """Drop the copies this adapter holds of an erased candidate. An EHR reached by API
        holds its own record (the employer's, for a hire): nothing of ours to delete."""
        candidate_id = int(message.payload["candidate_id"])
        if not isinstance(self._ehr, HoldsCopies):
            return {"skipped": f"EHR {self._ehr.name} keeps no copy here"}
        removed = await self._ehr.forget_candidate(candidate_id)
        await record(EHR_ACTOR, "forget", "candidate", candidate_id, allowed=True,
                     detail=f"EHR {self._ehr.name}: {removed} spooled records removed")  # fmt: skip
        return {"removed": removed}
