"""Payroll over a generic REST API: ``POST <base>/new-hires`` with the record as JSON.

Every request carries the hand-off's ``Idempotency-Key`` header, so a retry after a timeout
or a crash cannot create a second employee; the server's ``Idempotent-Replayed: true`` (or
``"duplicate": true`` in the body) marks the answer to a repeat. Outcomes are translated at
this boundary:

    2xx                       → HandOffReceipt (``id`` or ``reference`` from the body)
    429, 503 (+ Retry-After)  → wait as told and retry, then RetryLater(retry_after)
    500, 502, 504, timeouts   → retry with backoff, then RetryLater
    409                       → Conflict (a different record under the same key)
    other 4xx, bad bodies     → ExternalServiceError (payroll refused or broke the contract)

``transport`` is the test seam (``httpx.MockTransport``); ``sleep`` and ``clock`` let tests
see the waits without waiting. The API token never appears in ``repr`` or an error.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from payroll_bridge.port import HandOffReceipt, NewHire
from recruiting.errors import Conflict, ExternalServiceError, RetryLater

Sleep = Callable[[float], Awaitable[None]]
Clock = Callable[[], float]
_RATE_LIMITED = {429, 503}
_TRANSIENT = {500, 502, 504}


class RestPayroll:
    def __init__(
        self,
        base_url: str,
        *,
        token: str | None = None,
        path: str = "/new-hires",
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float = 10.0,
        max_retries: int = 2,
        max_wait: float = 30.0,
        backoff: float = 1.0,
        sleep: Sleep = asyncio.sleep,
        clock: Clock = time.time,
    ) -> None:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._http = httpx.AsyncClient(
            base_url=base_url.rstrip("/"), headers=headers, transport=transport, timeout=timeout
        )
        self._path = path
        self._max_retries = max_retries
        self._max_wait = max_wait
        self._backoff = backoff
        self._sleep = sleep
        self._clock = clock

    def __repr__(self) -> str:
        return f"RestPayroll({str(self._http.base_url)!r})"

    async def aclose(self) -> None:
        await self._http.aclose()

    async def hand_off(self, new_hire: NewHire) -> HandOffReceipt:
        headers = {"Idempotency-Key": new_hire.idempotency_key}
        body = new_hire.record()
        for attempt in range(self._max_retries + 1):
            try:
                response = await self._send(body, headers, attempt)
                return self._receipt(new_hire, response, attempt)
            except RetryLater as exc:
                if attempt == self._max_retries or exc.retry_after > self._max_wait:
                    raise
                wait = exc.retry_after
            await self._sleep(wait)
        raise AssertionError("unreachable: the last attempt returns or raises")

    async def _send(
        self, body: dict[str, str], headers: dict[str, str], attempt: int
    ) -> httpx.Response:
        try:
            return await self._http.post(self._path, json=body, headers=headers)
        except httpx.TimeoutException as exc:
            raise RetryLater(
                "payroll did not answer in time",
                retry_after=self._wait(attempt),
                code="payroll_timeout",
            ) from exc
        except httpx.HTTPError as exc:
            raise RetryLater(
                f"cannot reach payroll ({type(exc).__name__})",
                retry_after=self._wait(attempt),
                code="payroll_unreachable",
            ) from exc

    def _receipt(self, new_hire: NewHire, response: httpx.Response, attempt: int) -> HandOffReceipt:
        status = response.status_code
        if 200 <= status < 300:
            return _parse_receipt(new_hire, response)
        if status in _RATE_LIMITED or status in _TRANSIENT:
            told = self._retry_after(response)
            raise RetryLater(
                f"payroll answered {status}",
                retry_after=self._wait(attempt) if told is None else told,
                code="payroll_busy" if status in _RATE_LIMITED else "payroll_down",
            )
        if status == 409:
            raise Conflict(f"payroll holds a different record for {new_hire.employee_id}")
        raise ExternalServiceError(
            f"payroll refused the new hire ({status}): {_error_text(response)}",
            code="payroll_rejected",
        )

    def _wait(self, attempt: int) -> float:
        """Backoff when payroll does not say how long: 1, 2, 4 … × ``backoff`` seconds."""
        return float(self._backoff * 2**attempt)

    def _retry_after(self, response: httpx.Response) -> float | None:
        """Seconds from ``Retry-After`` (delta-seconds or an HTTP date), if it has a value."""
        value = response.headers.get("Retry-After", "").strip()
        if not value:
            return None
        if value.isdigit():
            return float(value)
        try:
            when = parsedate_to_datetime(value).timestamp()
        except (TypeError, ValueError):
            return None
        return max(0.0, when - self._clock())


def _parse_receipt(new_hire: NewHire, response: httpx.Response) -> HandOffReceipt:
    try:
        data: Any = response.json()
    except ValueError as exc:
        raise ExternalServiceError(
            "payroll answered with a body that is not JSON", code="payroll_contract"
        ) from exc
    reference = data.get("id") or data.get("reference") if isinstance(data, dict) else None
    if not isinstance(reference, str | int) or isinstance(reference, bool):
        raise ExternalServiceError("payroll's answer names no record id", code="payroll_contract")
    replayed = response.headers.get("Idempotent-Replayed", "").lower() == "true"
    return HandOffReceipt(
        employee_id=new_hire.employee_id,
        reference=str(reference),
        duplicate=replayed or data.get("duplicate") is True,
    )


def _error_text(response: httpx.Response) -> str:
    """The server's own error message, short; never the request (it holds the token)."""
    try:
        data = response.json()
    except ValueError:
        return response.text[:200] or response.reason_phrase
    if isinstance(data, dict):
        message = data.get("message") or data.get("error") or data
        return str(message)[:200]
    return str(data)[:200]
