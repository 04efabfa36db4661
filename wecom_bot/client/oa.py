"""Approval (审批) API (path/91853, path/91982, path/91983, path/91816).

The token must belong to the approval app's secret, or to an app granted the approval APIs.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from wecom_bot.client.base import WeComBaseClient
from wecom_bot.client.errors import WeComUnavailable

_APPLY_EVENT = "/cgi-bin/oa/applyevent"


class ApprovalApi:
    def __init__(self, client: WeComBaseClient) -> None:
        self._client = client

    async def apply_event(self, payload: Mapping[str, Any]) -> str:
        """Submit an approval request on behalf of ``creator_userid``; returns ``sp_no``."""
        data = await self._client.post(_APPLY_EVENT, payload)
        sp_no = data.get("sp_no")
        if not isinstance(sp_no, str) or not sp_no:
            raise WeComUnavailable(None, "the answer lacks sp_no", _APPLY_EVENT)
        return sp_no

    async def get_template_detail(self, template_id: str) -> dict[str, Any]:
        return await self._client.post(
            "/cgi-bin/oa/gettemplatedetail", {"template_id": template_id}
        )

    async def get_approval_info(
        self,
        start: int,
        end: int,
        filters: Mapping[str, str],
        cursor: str = "",
        size: int = 100,
    ) -> dict[str, Any]:
        """One page of the approval numbers submitted between ``start`` and ``end`` (Unix
        seconds, at most 31 days apart) matching ``filters`` (``template_id``, ``creator``,
        ``sp_status``…); the answer holds ``sp_no_list`` and ``new_next_cursor`` ("" when
        done)."""
        body = {
            "starttime": str(start),
            "endtime": str(end),
            "new_cursor": cursor,
            "size": size,
            "filters": [{"key": k, "value": v} for k, v in filters.items()],
        }
        return await self._client.post("/cgi-bin/oa/getapprovalinfo", body)

    async def get_approval_detail(self, sp_no: str) -> dict[str, Any]:
        """The answer's ``info`` holds status, applicant and the approval records."""
        return await self._client.post("/cgi-bin/oa/getapprovaldetail", {"sp_no": sp_no})
