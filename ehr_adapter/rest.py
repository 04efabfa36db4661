"""The generic REST/JSON EHR adapter, driven by a mapping file.

Every push carries ``Idempotency-Key`` (the outbox row's key), so a push retried after a
lost answer is recognised by the EHR and applied once. Failures are translated here:

    429                      → RetryLater(Retry-After)   the EHR asked us to slow down
    5xx, timeout, network    → RetryLater(Retry-After or 0: the relay's backoff decides)
    400, 409, 422            → InvalidInput              the EHR refused this record
    401 (after one refresh), other statuses → ExternalServiceError
"""

from __future__ import annotations

import email.utils
import time
from datetime import date
from typing import Any

import httpx

from ehr_adapter.auth import Auth, NoAuth
from ehr_adapter.mapping import EhrMapping, get
from ehr_adapter.records import job_opening, performance_rating, record_source
from recruiting.errors import ExternalServiceError, InvalidInput, RetryLater
from recruiting.ports.ehr import (
    CandidateArchive,
    JobOpeningInfo,
    NewEmployee,
    PerformanceRating,
    Unsealer,
)

IDEMPOTENCY_HEADER = "Idempotency-Key"
REFUSED = frozenset({400, 409, 422})


class RestEhr:
    def __init__(
        self,
        base_url: str,
        mapping: EhrMapping,
        unseal: Unsealer,
        *,
        auth: Auth | None = None,
        timeout: float = 10.0,
        transport: httpx.AsyncBaseTransport | None = None,
        name: str = "rest",
    ) -> None:
        self.name = name
        self._mapping = mapping
        self._unseal = unseal
        self._auth = auth or NoAuth()
        self._http = httpx.AsyncClient(base_url=base_url, timeout=timeout, transport=transport)

    async def aclose(self) -> None:
        await self._http.aclose()

    def render(self, record: CandidateArchive | NewEmployee, unseal: Unsealer | None) -> Any:
        """The JSON body for ``record``; personal fields masked when ``unseal`` is None."""
        section = "archive" if isinstance(record, CandidateArchive) else "employee"
        return self._mapping.section(section).render(record_source(record, unseal))

    async def push_archive(
        self, archive: CandidateArchive, *, idempotency_key: str
    ) -> dict[str, Any]:
        return await self._push("archive", self.render(archive, self._unseal), idempotency_key)

    async def create_employee(
        self, employee: NewEmployee, *, idempotency_key: str
    ) -> dict[str, Any]:
        return await self._push("employee", self.render(employee, self._unseal), idempotency_key)

    async def job_openings(self) -> list[JobOpeningInfo]:
        section = self._mapping.section("job_opening")
        return [job_opening(section.parse(i)) for i in await self._list("job_openings", None)]

    async def performance_ratings(self, since: date | None = None) -> list[PerformanceRating]:
        section = self._mapping.section("performance")
        items = await self._list("performance", since)
        return [performance_rating(section.parse(i)) for i in items]

    async def _push(self, operation: str, body: Any, key: str) -> dict[str, Any]:
        endpoint = self._mapping.endpoint(operation)
        answer = await self._call(endpoint.method, endpoint.path, json=body, key=key)
        external_id = get(answer, self._mapping.response_id) if isinstance(answer, dict) else None
        return {"external_id": "" if external_id is None else str(external_id)}

    async def _list(self, operation: str, since: date | None) -> list[dict[str, Any]]:
        endpoint = self._mapping.endpoint(operation)
        params = {endpoint.since_param: since.isoformat()} if since and endpoint.since_param else {}
        answer = await self._call(endpoint.method, endpoint.path, params=params)
        items = get(answer, endpoint.items) if endpoint.items else answer
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise ExternalServiceError(f"EHR {endpoint.path}: expected a list of objects")
        return items

    async def _call(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, str] | None = None,
        key: str = "",
    ) -> Any:
        for attempt in (1, 2):
            request = self._http.build_request(method, path, json=json, params=params)
            if key:
                request.headers[IDEMPOTENCY_HEADER] = key
            await self._auth.apply(request, self._http)
            try:
                response = await self._http.send(request)
            except httpx.TimeoutException as exc:
                raise RetryLater(f"EHR {path} timed out", retry_after=0) from exc
            except httpx.HTTPError as exc:
                raise RetryLater(f"EHR {path} unreachable: {exc}", retry_after=0) from exc
            if response.status_code == 401 and attempt == 1:
                self._auth.invalidate()  # an expired or revoked token: fetch a new one once
                continue
            return _answer(response, path)
        raise AssertionError("unreachable")  # pragma: no cover


def _answer(response: httpx.Response, path: str) -> Any:
    status = response.status_code
    if status == 429 or status >= 500:
        wait = retry_after(response.headers.get("Retry-After"))
        raise RetryLater(f"EHR {path} answered {status}", retry_after=wait)
    if status in REFUSED:
        raise InvalidInput(f"EHR {path} refused the record ({status}): {response.text[:300]}")
    if not 200 <= status < 300:
        raise ExternalServiceError(f"EHR {path} answered {status}: {response.text[:200]}")
    if not response.content:
        return {}
    try:
        return response.json()
    except ValueError as exc:
        raise ExternalServiceError(f"EHR {path} answered {status} with no JSON") from exc


def retry_after(value: str | None, now: float | None = None) -> float:
    """Seconds from a Retry-After header (delta-seconds or HTTP-date, RFC 9110 §10.2.3)."""
    if not value:
        return 0.0
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError):
        return 0.0
    return max(0.0, when - (time.time() if now is None else now))
