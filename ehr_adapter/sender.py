"""The outbox channel ``ehr``: deliver a stored EHR effect through the configured adapter.

Each attempt that sends personal data is audited before it leaves (who receives it, which
fields, which outbox row), because a send that times out may still have been received.
An operation the configured EHR does not have is recorded as skipped, not retried.
"""

from __future__ import annotations

import logging
from typing import Any

from ehr_adapter.records import sealed_fields
from recruiting.ports.ehr import CandidateArchive, EhrSystem, NotSupported, record_from_payload
from recruiting.ports.outbound import OutboundMessage
from recruiting.services.shared.audit import Actor, record

log = logging.getLogger(__name__)
EHR_ACTOR = Actor("system:ehr")


class EhrSender:
    def __init__(self, ehr: EhrSystem) -> None:
        self._ehr = ehr

    async def deliver(self, message: OutboundMessage) -> dict[str, Any]:
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
