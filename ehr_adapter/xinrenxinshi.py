"""薪人薪事 (Xinrenxinshi) open API: the employee record on hire, as a 待入职 (pending) employee.

Sources (public documentation, read 2026-11):

- 添加待入职员工 ``POST https://api.xinrenxinshi.com/v5/employee/createpending``: body
  ``name, mobile|email, entryDate (yyyy-MM-dd), hireType (0 正式, 1 非正式), laborType (10
  实习, 11 劳务, …, 15 兼职; required when hireType=1), departmentId, jobId, timestamp (ms)``;
  header ``access_token``; query ``sign``; answer ``{errcode, errmsg, data: {employeeId}}``
  — https://api.xinrenxinshi.com/doc/v3/page/employee/entryPending_v5.html
- 查询员工id ``POST /v5/employee/getId``: ``type`` 0 手机号 / 1 邮箱 / 2 工号, ``mobiles`` …,
  ``status`` 0 在职 / 1 离职 / 2 待入职; answer ``data`` maps the value to the employee id
  — https://api.xinrenxinshi.com/doc/v3/page/employee/getEmployeeID_v5.html
- Signature: HmacSHA1 with the appSecret as key, Base64, then URL-encoded
  — https://api.xinrenxinshi.com/doc/v1/page/flow.html (the v1 page; for v5 the signed
  text is the JSON request body and the token comes from
  ``POST /authorize/oauth/token`` with ``grant_type=client_credentials, client_id,
  client_secret``: that part is taken from public integrations, not from an official page
  we could read, so verify it against the company's own API documentation first).

The API takes no idempotency key, so a create is made idempotent by asking ``getId`` for a
pending employee with the same mobile (or e-mail) first: a retry after a lost answer finds
the one already created. Candidate archives, job openings and ratings are not part of the
documented API: those operations raise ``NotSupported`` (archives are then recorded as
skipped by the relay; use the file exchange for them).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from datetime import date
from typing import Any
from urllib.parse import quote

import httpx

from ehr_adapter.records import record_source
from recruiting.errors import ExternalServiceError, InvalidInput, RetryLater
from recruiting.ports.ehr import (
    CandidateArchive,
    JobOpeningInfo,
    NewEmployee,
    NotSupported,
    PerformanceRating,
    Unsealer,
)

TOKEN_PATH = "/authorize/oauth/token"  # noqa: S105 - a path, not a secret
CREATE_PENDING_PATH = "/v5/employee/createpending"
GET_ID_PATH = "/v5/employee/getId"
PENDING_STATUS = 2
# Our employment types → (hireType, laborType) of the createpending API.
HIRE_TYPES: dict[str, tuple[int, int | None]] = {
    "full_time": (0, None),
    "intern": (1, 10),
    "contractor": (1, 11),
    "part_time": (1, 15),
}
BUSY_CODES = frozenset({-1})


def sign(secret: str, content: str) -> str:
    """HmacSHA1(appSecret, content) → Base64 → URL-encoded, as the docs describe."""
    digest = hmac.new(secret.encode(), content.encode(), hashlib.sha1).digest()
    return quote(base64.b64encode(digest).decode(), safe="")


class XinrenxinshiEhr:
    name = "xinrenxinshi"

    def __init__(
        self,
        base_url: str,
        app_key: str,
        app_secret: str,
        unseal: Unsealer,
        *,
        timeout: float = 10.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._key = app_key
        self._secret = app_secret
        self._unseal = unseal
        self._http = httpx.AsyncClient(base_url=base_url, timeout=timeout, transport=transport)
        self._token = ""
        self._token_until = 0.0

    def __repr__(self) -> str:
        return f"XinrenxinshiEhr(app_key={self._key!r})"

    async def aclose(self) -> None:
        await self._http.aclose()

    async def create_employee(
        self, employee: NewEmployee, *, idempotency_key: str
    ) -> dict[str, Any]:
        body = self.body(employee)
        existing = await self._pending_id(body)
        if existing:
            return {"external_id": existing, "existing": True}
        data = await self._call(CREATE_PENDING_PATH, body)
        return {"external_id": str((data or {}).get("employeeId", ""))}

    @staticmethod
    def preview(employee: NewEmployee) -> dict[str, Any]:
        """The body that would be sent, personal fields masked (for the dry run)."""
        return _body(employee, None)

    def body(self, employee: NewEmployee) -> dict[str, Any]:
        return _body(employee, self._unseal)

    async def _pending_id(self, body: dict[str, Any]) -> str:
        by_mobile = "mobile" in body
        query = {
            "type": 0 if by_mobile else 1,
            "mobiles" if by_mobile else "emails": [body["mobile" if by_mobile else "email"]],
            "status": PENDING_STATUS,
        }
        found = await self._call(GET_ID_PATH, query)
        if isinstance(found, dict) and found:
            return str(next(iter(found.values())))
        return ""

    async def push_archive(
        self, archive: CandidateArchive, *, idempotency_key: str
    ) -> dict[str, Any]:
        raise NotSupported("薪人薪事's open API has no candidate archive")

    async def job_openings(self) -> list[JobOpeningInfo]:
        raise NotSupported("薪人薪事's open API has no job openings with competency models")

    async def performance_ratings(self, since: date | None = None) -> list[PerformanceRating]:
        raise NotSupported("performance ratings from 薪人薪事 are not implemented")

    async def _call(self, path: str, payload: dict[str, Any]) -> Any:
        text = json.dumps({**payload, "timestamp": int(time.time() * 1000)}, ensure_ascii=False)
        headers = {"access_token": await self._access_token(), "Content-Type": "application/json"}
        try:
            response = await self._http.post(
                f"{path}?sign={sign(self._secret, text)}", content=text.encode(), headers=headers
            )
        except httpx.HTTPError as exc:
            raise RetryLater(f"薪人薪事 {path} unreachable: {exc}", retry_after=0) from exc
        if response.status_code == 429 or response.status_code >= 500:
            raise RetryLater(f"薪人薪事 {path} answered {response.status_code}", retry_after=0)
        try:
            answer = response.json()
        except ValueError as exc:
            raise ExternalServiceError(f"薪人薪事 {path} answered without JSON") from exc
        errcode = answer.get("errcode")
        if errcode in BUSY_CODES:
            raise RetryLater(f"薪人薪事 {path} is busy", retry_after=0)
        if errcode != 0:
            self._token_until = 0.0 if response.status_code == 401 else self._token_until
            raise ExternalServiceError(f"薪人薪事 {path} errcode {errcode}: {answer.get('errmsg')}")
        return answer.get("data")

    async def _access_token(self) -> str:
        if self._token and time.monotonic() < self._token_until:
            return self._token
        try:
            response = await self._http.post(
                TOKEN_PATH,
                data={
                    "grant_type": "client_credentials",
                    "client_id": self._key,
                    "client_secret": self._secret,
                },
            )
            answer = response.json()
            self._token = str(answer["access_token"])
        except httpx.HTTPError as exc:
            raise RetryLater(f"薪人薪事 token endpoint unreachable: {exc}", retry_after=0) from exc
        except (ValueError, KeyError, TypeError) as exc:
            raise ExternalServiceError("薪人薪事 refused the appKey/appSecret") from exc
        self._token_until = time.monotonic() + float(answer.get("expires_in", 3600)) - 300
        return self._token


def _body(employee: NewEmployee, unseal: Unsealer | None) -> dict[str, Any]:
    person = record_source(employee, unseal)["candidate"]
    if not (person.get("phone") or person.get("email")):
        raise InvalidInput("薪人薪事 needs the mobile or the e-mail of a new employee")
    if employee.employment_type not in HIRE_TYPES:
        raise InvalidInput(f"employment type {employee.employment_type!r} has no 薪人薪事 code")
    hire_type, labor_type = HIRE_TYPES[employee.employment_type]
    body: dict[str, Any] = {
        "name": person["name"],
        "entryDate": employee.start_date,
        "hireType": hire_type,
    }
    if person.get("phone"):
        body["mobile"] = person["phone"]
    if person.get("email"):
        body["email"] = person["email"]
    if labor_type is not None:
        body["laborType"] = labor_type
    return body
