"""``kf_msg_or_event`` → ``kf/sync_msg``: read what candidates wrote to 微信客服.

The callback only says "something is waiting" and carries a short-lived token; the
messages are pulled page by page from the cursor stored per account, which is saved after
each page, so a crash re-reads at most one page (answers are idempotent by kf msgid).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any, Protocol

from recruiting.domain.inbound import Inbound, KfEvent
from recruiting.ports.outbound import OutboundDraft
from recruiting.services.candidate_channel import contacts
from recruiting.services.candidate_channel.answers import CandidateAnswers
from wecom_bot.client.errors import WeComApiError

log = logging.getLogger(__name__)

FROM_CUSTOMER = 3  # origin of a customer's message
INVALID_TOKEN = 95007
MAX_PAGES = 20  # per callback; the next callback (or the next message) continues


class _Kf(Protocol):
    async def sync_msg(
        self, cursor: str = "", token: str = "", limit: int = 1000, open_kfid: str = ""
    ) -> dict[str, Any]: ...


class KfSync:
    def __init__(self, kf: _Kf, answers: CandidateAnswers) -> None:
        self._kf = kf
        self._answers = answers

    async def on_event(self, event: Inbound) -> list[OutboundDraft]:
        """Handler for ``kf`` callbacks; the answers write their own messages."""
        if not isinstance(event, KfEvent):
            return []
        account = event.open_kf_id
        token = event.token
        for _ in range(MAX_PAGES):
            cursor = await contacts.kf_cursor(account)
            page = await self._page(cursor, token, account)
            for item in page.get("msg_list") or []:
                await self._one(item)
            await contacts.save_kf_cursor(account, str(page.get("next_cursor") or cursor))
            if not page.get("has_more"):
                break
        return []

    async def _page(self, cursor: str, token: str, account: str) -> dict[str, Any]:
        try:
            return await self._kf.sync_msg(cursor=cursor, token=token, open_kfid=account)
        except WeComApiError as exc:
            if not token or exc.errcode != INVALID_TOKEN:
                raise
            # A retried callback's token may have expired: the cursor alone still works.
            log.info("kf sync with the callback token failed (%s); retrying without", exc)
            return await self._kf.sync_msg(cursor=cursor, open_kfid=account)

    async def _one(self, item: dict[str, Any]) -> None:
        if int(item.get("origin") or 0) != FROM_CUSTOMER or item.get("msgtype") != "text":
            return
        text = item.get("text") or {}
        sent_at = datetime.fromtimestamp(int(item.get("send_time") or 0), UTC)
        await self._answers.kf_message(
            str(item.get("open_kfid") or ""),
            str(item.get("external_userid") or ""),
            str(item.get("msgid") or ""),
            str(text.get("content") or ""),
            str(text.get("menu_id") or ""),
            sent_at,
        )
