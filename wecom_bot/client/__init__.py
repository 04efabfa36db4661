"""Async WeCom server-API client: one base (token, errors, retries, limits), one module
per API group, and this facade that the composition root builds from settings."""

from __future__ import annotations

import httpx

from recruiting.ports.kv import KeyValueStore
from recruiting.settings import WeComSettings
from wecom_bot.client.auth import AuthApi
from wecom_bot.client.base import MediaFile, WeComBaseClient
from wecom_bot.client.errors import (
    WeComApiError,
    WeComBusy,
    WeComCredentialsRejected,
    WeComInvalidCode,
    WeComKfWindowClosed,
    WeComNoPermission,
    WeComRateLimited,
    WeComTokenInvalid,
    WeComUnavailable,
    error_for,
)
from wecom_bot.client.externalcontact import ExternalContactApi
from wecom_bot.client.kf import KfApi
from wecom_bot.client.media import MediaApi
from wecom_bot.client.meeting import MeetingApi
from wecom_bot.client.message import MessageApi
from wecom_bot.client.miniprogram import MiniProgramApi, MiniProgramSession
from wecom_bot.client.oa import ApprovalApi
from wecom_bot.client.schedule import ScheduleApi

__all__ = [
    "ApprovalApi",
    "AuthApi",
    "ExternalContactApi",
    "KfApi",
    "MediaApi",
    "MediaFile",
    "MeetingApi",
    "MessageApi",
    "MiniProgramApi",
    "MiniProgramSession",
    "ScheduleApi",
    "WeComApiError",
    "WeComBaseClient",
    "WeComBusy",
    "WeComClient",
    "WeComCredentialsRejected",
    "WeComInvalidCode",
    "WeComKfWindowClosed",
    "WeComNoPermission",
    "WeComRateLimited",
    "WeComTokenInvalid",
    "WeComUnavailable",
    "build_client",
    "error_for",
]


class WeComClient:
    """Every API group over one base client (one token, one connection pool)."""

    def __init__(self, base: WeComBaseClient, *, agent_id: int = 0) -> None:
        self.base = base
        self.agent_id = agent_id
        self.message = MessageApi(base, agent_id)
        self.media = MediaApi(base)
        self.approval = ApprovalApi(base)
        self.schedule = ScheduleApi(base, agent_id)
        self.meeting = MeetingApi(base)
        self.miniprogram = MiniProgramApi(base)
        self.externalcontact = ExternalContactApi(base)
        self.kf = KfApi(base)
        self.auth = AuthApi(base)

    async def aclose(self) -> None:
        await self.base.aclose()

    async def __aenter__(self) -> WeComClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()


MEMBER_WINDOW_SECONDS = 62.0


def build_client(
    settings_wecom: WeComSettings,
    kv: KeyValueStore,
    transport: httpx.AsyncBaseTransport | None = None,
) -> WeComClient:
    """The client for the configured app (the sandbox when no corp id is configured)."""
    base = WeComBaseClient(
        settings_wecom.corp_id,
        settings_wecom.secret,
        settings_wecom.api_base,
        kv,
        transport=transport,
        refresh_ahead=settings_wecom.token_refresh_ahead,
        member_limit=settings_wecom.member_messages_per_minute,
        # WeCom counts arrivals, we count departures: a send delayed by a busy network
        # could land the 31st message inside WeCom's minute, where it is silently dropped.
        member_window=MEMBER_WINDOW_SECONDS,
    )
    return WeComClient(base, agent_id=settings_wecom.agent_id)
