"""HR managers hear in WeCom when a city's payroll data is stale or unverified.

Offers are estimated on each city's social insurance and housing fund data; when the data
does not cover today with verified figures (a July change not yet imported, a period never
confirmed), every offer of that city is computed on figures that may be wrong. The scheduled
job tells every active HR manager once per city per calendar month (in the tenant's time
zone): the outbox key ``payroll-data:<city>:<YYYY-MM>:<manager>`` makes a rerun, a second
process or a restart store nothing new.
"""

from __future__ import annotations

import logging
from datetime import datetime, tzinfo

from recruiting import clock
from recruiting.ports.outbound import Channel, OutboundDraft
from recruiting.ports.payroll import PayrollPackages
from recruiting.services.messaging.effects import Effects
from recruiting.services.messaging.outbox import hr_managers

log = logging.getLogger(__name__)


class PayrollDataAlerts:
    def __init__(self, payroll: PayrollPackages, effects: Effects, zone: tzinfo) -> None:
        self._payroll = payroll
        self._effects = effects
        self._zone = zone

    async def send_due(self, now: datetime | None = None) -> int:
        """Store this month's alerts not yet stored; the number of new messages."""
        today = (now or clock.now()).astimezone(self._zone).date()
        gaps = await self._payroll.data_gaps(today)
        if not gaps:
            return 0
        managers = await hr_managers()
        if not managers:
            log.warning("payroll data of %s is not current and no hr_manager can be told",
                        ", ".join(g.code for g in gaps))  # fmt: skip
            return 0
        month = f"{today.year}-{today.month:02d}"
        ids: list[int] = []
        async with self._effects.unit() as unit:
            for gap in gaps:
                log.info("payroll data of %s is %s on %s", gap.code, gap.status, today)
                drafts = [
                    OutboundDraft(
                        Channel.WECOM_MESSAGE,
                        userid,
                        {"kind": "text", "content": gap.notice},
                        userid,
                    )
                    for userid in managers
                ]
                ids += await unit.add(drafts, cause=f"payroll-data:{gap.code}:{month}")
        return len(ids)
