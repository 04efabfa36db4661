"""The one base every WeCom API group goes through (wecom-protocol.md §2).

It owns what the group modules must not repeat: the access token (cached in the shared
key-value store, refreshed ahead of expiry by one process under a lease), ``errcode`` →
typed exception, one retry with a fresh token when WeCom calls the token stale, bounded
backoff on "busy" and "rate limited", and the 30-messages-per-minute-per-member limit on
``message/send`` (WeCom silently drops the excess, so sends queue here instead).

The access token and the app secret never reach a log line or an exception message.
"""

from __future__ import annotations

import asyncio
import hashlib
import json as jsonlib
import logging
import random
import re
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from email.message import Message
from typing import Any, Literal, NamedTuple, TypeVar, overload

import httpx

from recruiting.errors import ConfigError
from recruiting.infra.locks import lease
from recruiting.ports.kv import KeyValueStore
from wecom_bot.client.errors import (
    GETTOKEN_PATH,
    WeComApiError,
    WeComBusy,
    WeComRateLimited,
    WeComTokenInvalid,
    WeComUnavailable,
    error_for,
)

log = logging.getLogger(__name__)

MESSAGE_SEND_PATH = "/cgi-bin/message/send"
_LOCK_TTL = 10.0  # seconds a token refresher may hold the lease
_WAIT_POLLS = 100  # × _POLL_INTERVAL ≈ 5 s waiting for another process's fresh token
_POLL_INTERVAL = 0.05
_MIN_REFRESH_INTERVAL = 60.0  # never refetch a token more often, even if WeCom hands
# back the same token with a short ``expires_in``
_BACKOFF_CAP = 10.0
_SECRET_QUERY = re.compile(r"((?:access_token|corpsecret|js_code|secret)=)[^&\s\"']+")

Sleep = Callable[[float], Awaitable[None]]
Clock = Callable[[], float]
Params = Mapping[str, str | int]
Files = Mapping[str, tuple[str, bytes, str]]
_T = TypeVar("_T")


class MediaFile(NamedTuple):
    """Bytes downloaded from ``media/get`` with what the headers said about them."""

    content: bytes
    content_type: str
    filename: str | None


@dataclass(frozen=True)
class _CachedToken:
    token: str = field(repr=False)
    expires_at: float
    fetched_at: float
    raw: str = field(repr=False)  # the stored value, for compare-and-delete


class WeComBaseClient:
    """Token, errors, retries and limits for one (corp id, app secret) pair.

    ``transport`` is the test seam (``httpx.MockTransport``); ``sleep`` and ``clock`` are
    injected so backoff and rate-limit waits can be observed without waiting.
    """

    def __init__(
        self,
        corp_id: str,
        secret: str,
        api_base: str,
        kv: KeyValueStore,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        refresh_ahead: float = 300,
        member_limit: int = 30,
        member_window: float = 60.0,
        timeout: float = 10.0,
        max_busy_retries: int = 3,
        backoff_base: float = 0.5,
        sleep: Sleep = asyncio.sleep,
        clock: Clock = time.time,
    ) -> None:
        if not corp_id or not secret or not api_base:
            raise ConfigError("WeCom client needs corp_id, secret and api_base")
        self.corp_id = corp_id
        self._secret = secret
        self._kv = kv
        digest = hashlib.sha256(secret.encode("utf-8")).hexdigest()[:12]
        self._token_key = f"wecom:token:{corp_id}:{digest}"
        self._lock_name = f"wecom-token:{corp_id}:{digest}"
        self._refresh_ahead = refresh_ahead
        self._member_limit = member_limit
        self._member_window = member_window
        self._max_busy_retries = max_busy_retries
        self._backoff_base = backoff_base
        self._sleep = sleep
        self._clock = clock
        self._http = httpx.AsyncClient(
            base_url=api_base.rstrip("/"), transport=transport, timeout=timeout
        )
        _install_log_redaction()

    def __repr__(self) -> str:
        return f"WeComBaseClient(corp_id={self.corp_id!r}, api_base={str(self._http.base_url)!r})"

    async def aclose(self) -> None:
        await self._http.aclose()

    # ---- requests ---------------------------------------------------------------------

    @overload
    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Params | None = ...,
        json: Mapping[str, Any] | None = ...,
        files: Files | None = ...,
        raw: Literal[False] = ...,
    ) -> dict[str, Any]: ...

    @overload
    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Params | None = ...,
        json: Mapping[str, Any] | None = ...,
        files: Files | None = ...,
        raw: Literal[True],
    ) -> MediaFile: ...

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Params | None = None,
        json: Mapping[str, Any] | None = None,
        files: Files | None = None,
        raw: bool = False,
    ) -> dict[str, Any] | MediaFile:
        """Call ``path`` with the access token; the decoded answer, or the bytes when
        ``raw`` and WeCom answered with a file. Raises a ``WeComApiError`` subclass."""
        if path == MESSAGE_SEND_PATH and json is not None:
            await self._admit_members(json)

        async def attempt() -> dict[str, Any] | MediaFile:
            return await self._call_with_token(method, path, params, json, files, raw)

        return await self._with_backoff(attempt)

    async def get(self, path: str, params: Params | None = None) -> dict[str, Any]:
        return await self.request("GET", path, params=params)

    async def post(self, path: str, payload: Mapping[str, Any]) -> dict[str, Any]:
        return await self.request("POST", path, json=payload)

    async def _call_with_token(
        self,
        method: str,
        path: str,
        params: Params | None,
        json: Mapping[str, Any] | None,
        files: Files | None,
        raw: bool,
    ) -> dict[str, Any] | MediaFile:
        token = await self.get_access_token()
        try:
            return await self._call(method, path, token, params, json, files, raw)
        except WeComTokenInvalid as exc:
            log.info("wecom %s: token rejected (errcode %s), fetching a new one", path, exc.errcode)
            await self._drop_token(token)
        token = await self.get_access_token()
        return await self._call(method, path, token, params, json, files, raw)

    async def _with_backoff(self, call: Callable[[], Awaitable[_T]]) -> _T:
        retries = 0
        while True:
            try:
                return await call()
            except (WeComBusy, WeComRateLimited) as exc:
                if retries >= self._max_busy_retries:
                    raise
                delay = self._backoff_delay(retries)
                log.debug("wecom %s errcode=%s, retrying in %.2f s", exc.path, exc.errcode, delay)
                await self._sleep(delay)
                retries += 1

    def _backoff_delay(self, retries: int) -> float:
        ceiling = min(_BACKOFF_CAP, self._backoff_base * 2**retries)
        return random.uniform(ceiling / 2, ceiling)

    async def _call(
        self,
        method: str,
        path: str,
        token: str | None,
        params: Params | None,
        json: Mapping[str, Any] | None,
        files: Files | None,
        raw: bool,
    ) -> dict[str, Any] | MediaFile:
        response = await self._send(method, path, token, params, json, files)
        if raw and _is_file(response):
            return _media_file(response)
        return self._decode(response, path, token)

    async def _send(
        self,
        method: str,
        path: str,
        token: str | None,
        params: Params | None,
        json: Mapping[str, Any] | None,
        files: Files | None,
    ) -> httpx.Response:
        query: dict[str, str | int] = dict(params or {})
        if token is not None:
            query["access_token"] = token
        try:
            response = await self._http.request(method, path, params=query, json=json, files=files)
        except httpx.HTTPError as exc:
            detail = self._scrub(f"{type(exc).__name__}: {exc}".rstrip(": "), token)
            raise WeComUnavailable(None, detail, path) from exc
        if response.status_code != 200:
            status = response.status_code
            raise WeComUnavailable(None, f"HTTP {status}", path, status=status)
        return response

    def _decode(self, response: httpx.Response, path: str, token: str | None) -> dict[str, Any]:
        try:
            data = response.json()
        except ValueError as exc:
            raise WeComUnavailable(None, "the answer is not JSON", path, status=200) from exc
        if not isinstance(data, dict):
            raise WeComUnavailable(None, "the answer is not a JSON object", path, status=200)
        try:
            errcode = int(data.get("errcode") or 0)
        except (TypeError, ValueError) as exc:
            raise WeComUnavailable(None, "the answer has a malformed errcode", path) from exc
        log.debug("wecom %s errcode=%s", path, errcode)
        if errcode != 0:
            raise error_for(errcode, self._scrub(str(data.get("errmsg", "")), token), path)
        return data

    def _scrub(self, text: str, token: str | None) -> str:
        for secret in (token, self._secret):
            if secret:
                text = text.replace(secret, "***")
        return _SECRET_QUERY.sub(r"\1***", text)

    # ---- access token -----------------------------------------------------------------

    async def get_access_token(self) -> str:
        """A valid token: cached, refreshed ahead of expiry, or fetched under the lease."""
        cached = await self._read_token()
        if cached and self._is_fresh(cached):
            return cached.token
        if cached and cached.expires_at > self._clock():
            return await self._refresh_ahead_of_expiry(cached)
        return await self._fetch_when_missing()

    async def _refresh_ahead_of_expiry(self, cached: _CachedToken) -> str:
        async with lease(self._kv, self._lock_name, ttl=_LOCK_TTL) as held:
            if not held:  # another process is refreshing; this token is still valid
                return cached.token
            current = await self._read_token()
            if current and current.raw != cached.raw and self._is_fresh(current):
                return current.token
            try:
                return (await self._fetch_and_store()).token
            except WeComApiError as exc:
                log.warning("wecom token refresh ahead of expiry failed (%s)", exc.code)
                return cached.token

    async def _fetch_when_missing(self) -> str:
        for _ in range(_WAIT_POLLS):
            async with lease(self._kv, self._lock_name, ttl=_LOCK_TTL) as held:
                if held:
                    current = await self._read_token()
                    if current and current.expires_at > self._clock():
                        return current.token
                    return (await self._fetch_and_store()).token
            await asyncio.sleep(_POLL_INTERVAL)
            current = await self._read_token()
            if current and current.expires_at > self._clock():
                return current.token
        log.warning("wecom token: the refresher did not finish in time, fetching without lease")
        return (await self._fetch_and_store()).token

    async def _fetch_and_store(self) -> _CachedToken:
        params = {"corpid": self.corp_id, "corpsecret": self._secret}

        async def fetch() -> dict[str, Any]:
            response = await self._send("GET", GETTOKEN_PATH, None, params, None, None)
            return self._decode(response, GETTOKEN_PATH, None)

        data = await self._with_backoff(fetch)
        token = data.get("access_token")
        try:
            expires_in = float(data.get("expires_in") or 7200)
        except (TypeError, ValueError):
            expires_in = 0.0
        if not isinstance(token, str) or not token or expires_in <= 0:
            raise WeComUnavailable(None, "the answer lacks access_token", GETTOKEN_PATH)
        now = self._clock()
        raw = jsonlib.dumps({"token": token, "expires_at": now + expires_in, "fetched_at": now})
        await self._kv.set(self._token_key, raw, ttl=expires_in)
        log.debug("wecom %s errcode=0 (token cached for %.0f s)", GETTOKEN_PATH, expires_in)
        return _CachedToken(token, now + expires_in, now, raw)

    async def _read_token(self) -> _CachedToken | None:
        raw = await self._kv.get(self._token_key)
        if raw is None:
            return None
        try:
            data = jsonlib.loads(raw)
            return _CachedToken(
                str(data["token"]),
                float(data["expires_at"]),
                float(data.get("fetched_at", 0.0)),
                raw,
            )
        except (ValueError, KeyError, TypeError):
            log.warning("wecom token cache entry is malformed; ignoring it")
            return None

    def _is_fresh(self, entry: _CachedToken) -> bool:
        now = self._clock()
        if entry.expires_at <= now:
            return False
        recent = now - entry.fetched_at < _MIN_REFRESH_INTERVAL
        return recent or entry.expires_at - now > self._refresh_ahead

    async def _drop_token(self, token: str) -> None:
        """Forget ``token`` unless another caller already replaced it."""
        current = await self._read_token()
        if current and current.token == token:
            await self._kv.delete(self._token_key, if_value=current.raw)

    # ---- per-member message limit -----------------------------------------------------

    async def _admit_members(self, payload: Mapping[str, Any]) -> None:
        """Wait until every addressed member has room in the per-minute window."""
        touser = payload.get("touser")
        if not isinstance(touser, str):
            return
        agent_id = payload.get("agentid", 0)
        pending = [u for u in dict.fromkeys(touser.split("|")) if u and u != "@all"]
        while pending:
            blocked: list[str] = []
            longest = 0.0
            for userid in pending:
                key = f"wecom:rate:{self.corp_id}:{agent_id}:{userid}"
                wait = await self._kv.admit(key, self._member_limit, self._member_window)
                if wait > 0:
                    blocked.append(userid)
                    longest = max(longest, wait)
            if blocked:
                log.debug("wecom message/send: %d member(s) at the limit, waiting %.2f s",
                          len(blocked), longest)  # fmt: skip
                await self._sleep(longest)
            pending = blocked


def _is_file(response: httpx.Response) -> bool:
    """``media/get`` answers errors as JSON and files as anything else."""
    if "filename" in response.headers.get("content-disposition", "").lower():
        return True
    ctype = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype not in ("application/json", "text/json", "text/plain"):
        return True
    try:
        data = response.json()
    except ValueError:
        return True
    return not (isinstance(data, dict) and "errcode" in data)


def _media_file(response: httpx.Response) -> MediaFile:
    ctype = response.headers.get("content-type", "application/octet-stream")
    return MediaFile(
        response.content, ctype, _filename(response.headers.get("content-disposition"))
    )


def _filename(header: str | None) -> str | None:
    if not header:
        return None
    message = Message()
    message["content-disposition"] = header
    name = message.get_filename()
    if not name:
        return None
    return name.replace("\\", "/").rsplit("/", 1)[-1] or None


class _RedactQuerySecrets(logging.Filter):
    """httpx logs request URLs at INFO; the query carries the token or the secret."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = _SECRET_QUERY.sub(r"\1***", record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(
                _SECRET_QUERY.sub(r"\1***", str(arg)) if isinstance(arg, str | httpx.URL) else arg
                for arg in record.args
            )
        return True


def _install_log_redaction() -> None:
    logger = logging.getLogger("httpx")
    if not any(isinstance(f, _RedactQuerySecrets) for f in logger.filters):
        logger.addFilter(_RedactQuerySecrets())
