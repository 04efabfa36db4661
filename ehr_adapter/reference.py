"""A reference EHR: the generic contract (``data/generic.yaml``) served over HTTP, with faults.

Tests and the benchmark deliver into it to prove the relay loses nothing and applies
nothing twice. It behaves like a careful EHR: every push needs ``Idempotency-Key``; a key
seen before is answered with the first answer (``Idempotent-Replayed: true``) and applied
once; a key reused with a different body is a 409. Requests are authenticated when it is
given credentials (OAuth2 client credentials at ``/oauth/token``, or the HMAC headers of
``ehr_adapter.auth``).

Faults, per push, chosen at ``fail_rate`` from ``kinds`` or forced with ``next``:

    500                 answer 500, store nothing
    429                 answer 429 with Retry-After, store nothing
    timeout             hold the request for ``hang_seconds`` (past the client's timeout)
    crash_after_commit  store the push, then drop the connection without an answer
    slow                wait ``slow_seconds``, then behave

``/_stats``, ``/_records``, ``/_faults``, ``/_seed`` and ``/_reset`` let a test look and steer.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json as jsonlib
import random
import secrets
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sanic import Request, Sanic
from sanic.response import HTTPResponse, json

from ehr_adapter.auth import (
    KEY_HEADER,
    NONCE_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    signature,
    string_to_sign,
)

FAULT_KINDS = ("500", "429", "timeout", "crash_after_commit", "slow")
FRESHNESS = 300  # seconds a signed request stays valid


@dataclass
class Faults:
    fail_rate: float = 0.0
    kinds: tuple[str, ...] = ("500", "429", "timeout", "crash_after_commit")
    retry_after: int = 1
    hang_seconds: float = 30.0
    slow_seconds: float = 0.5
    next: list[str] = field(default_factory=list)

    def update(self, data: dict[str, Any]) -> None:
        for name in ("fail_rate", "retry_after", "hang_seconds", "slow_seconds"):
            if name in data:
                setattr(self, name, type(getattr(self, name))(data[name]))
        if "kinds" in data:
            self.kinds = tuple(k for k in data["kinds"] if k in FAULT_KINDS)
        if "next" in data:
            self.next = [k for k in data["next"] if k in FAULT_KINDS]


@dataclass
class Stored:
    id: str
    operation: str
    digest: str
    body: Any
    deliveries: int = 1


@dataclass
class ReferenceEhr:
    """State of one reference EHR (one per app)."""

    faults: Faults = field(default_factory=Faults)
    client_id: str = ""
    client_secret: str = field(default="", repr=False)
    auth: str = "none"  # none | oauth2 | hmac
    seed: int | None = None
    records: dict[str, Stored] = field(default_factory=dict)
    counts: Counter[str] = field(default_factory=Counter)
    tokens: dict[str, float] = field(default_factory=dict)
    nonces: dict[str, float] = field(default_factory=dict)
    job_openings: list[dict[str, Any]] = field(default_factory=list)
    performance: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)  # fault injection, not security

    def pick_fault(self) -> str:
        if self.faults.next:
            return self.faults.next.pop(0)
        if self.faults.kinds and self.rng.random() < self.faults.fail_rate:
            return self.rng.choice(self.faults.kinds)
        return ""

    def stats(self) -> dict[str, Any]:
        deliveries = sum(r.deliveries for r in self.records.values())
        return {
            "applied": len(self.records),
            "deliveries": deliveries,
            "replays": deliveries - len(self.records),
            "requests": self.counts["requests"],
            "faults": {k: v for k, v in self.counts.items() if k.startswith("fault:")},
            "refused": self.counts["refused"],
        }


WebApp = Sanic[Any, Any]


def create_reference_app(state: ReferenceEhr | None = None, name: str = "reference_ehr") -> WebApp:
    app: WebApp = Sanic(name, configure_logging=False)
    app.ctx.ehr = state or ReferenceEhr()

    @app.post("/oauth/token")
    async def token(request: Request) -> HTTPResponse:
        ehr: ReferenceEhr = request.app.ctx.ehr
        grant = request.form.get("grant_type") if request.form else None
        if not _basic_ok(request, ehr) or grant != "client_credentials":
            return json({"error": "invalid_client"}, status=401)
        value = secrets.token_urlsafe(24)
        ehr.tokens[value] = time.time() + 3600
        return json({"access_token": value, "token_type": "Bearer", "expires_in": 3600})

    @app.post("/v1/candidate-archives")
    async def archives(request: Request) -> HTTPResponse:
        return await _push(request, "archive", ("externalId", "candidate.name", "decision"))

    @app.post("/v1/employees")
    async def employees(request: Request) -> HTTPResponse:
        return await _push(request, "employee", ("externalId", "name", "entryDate"))

    @app.get("/v1/job-openings")
    async def job_openings(request: Request) -> HTTPResponse:
        denied = _denied(request, request.app.ctx.ehr)
        return denied or json({"data": request.app.ctx.ehr.job_openings})

    @app.get("/v1/performance-ratings")
    async def ratings(request: Request) -> HTTPResponse:
        denied = _denied(request, request.app.ctx.ehr)
        return denied or json({"data": request.app.ctx.ehr.performance})

    @app.get("/_stats")
    async def stats(request: Request) -> HTTPResponse:
        return json(request.app.ctx.ehr.stats())

    @app.get("/_records")
    async def records(request: Request) -> HTTPResponse:
        found = request.app.ctx.ehr.records
        return json({k: {"id": r.id, "deliveries": r.deliveries} for k, r in found.items()})

    @app.post("/_faults")
    async def faults(request: Request) -> HTTPResponse:
        request.app.ctx.ehr.faults.update(request.json or {})
        return json({"ok": True})

    @app.post("/_seed")
    async def seed(request: Request) -> HTTPResponse:
        data = request.json or {}
        request.app.ctx.ehr.job_openings = list(data.get("job_openings", []))
        request.app.ctx.ehr.performance = list(data.get("performance", []))
        return json({"ok": True})

    @app.post("/_reset")
    async def reset(request: Request) -> HTTPResponse:
        ehr: ReferenceEhr = request.app.ctx.ehr
        ehr.records.clear()
        ehr.counts.clear()
        ehr.faults = Faults()
        return json({"ok": True})

    return app


async def _push(request: Request, operation: str, required: tuple[str, ...]) -> HTTPResponse:
    ehr: ReferenceEhr = request.app.ctx.ehr
    ehr.counts["requests"] += 1
    denied = _denied(request, ehr)
    if denied is not None:
        return denied
    key = request.headers.get("Idempotency-Key", "")
    if not key:
        ehr.counts["refused"] += 1
        return json({"error": "Idempotency-Key header is required"}, status=400)
    try:
        body = jsonlib.loads(request.body or b"null")
    except ValueError:
        return json({"error": "body is not JSON"}, status=400)
    missing = [p for p in required if _get(body, p) in (None, "")]
    if missing:
        ehr.counts["refused"] += 1
        return json({"error": f"missing {', '.join(missing)}"}, status=422)
    fault = ehr.pick_fault()
    if fault:
        ehr.counts[f"fault:{fault}"] += 1
    if fault == "500":
        return json({"error": "injected failure"}, status=500)
    if fault == "429":
        headers = {"Retry-After": str(ehr.faults.retry_after)}
        return json({"error": "slow down"}, status=429, headers=headers)
    if fault == "timeout":
        await asyncio.sleep(ehr.faults.hang_seconds)
        return json({"error": "too late"}, status=503)
    if fault == "slow":
        await asyncio.sleep(ehr.faults.slow_seconds)
    digest = hashlib.sha256(jsonlib.dumps(body, sort_keys=True).encode()).hexdigest()
    stored = ehr.records.get(key)
    if stored is not None:
        if stored.digest != digest:
            ehr.counts["refused"] += 1
            return json({"error": "Idempotency-Key reused with another body"}, status=409)
        stored.deliveries += 1
        answer = json({"id": stored.id}, headers={"Idempotent-Replayed": "true"})
    else:
        record_id = f"{operation[:3].upper()}{len(ehr.records) + 1:07d}"
        ehr.records[key] = Stored(record_id, operation, digest, body)
        answer = json({"id": record_id}, status=201)
    if fault == "crash_after_commit":
        request.transport.close()  # committed, but the caller never hears of it
    return answer


def _get(body: Any, path: str) -> Any:
    node = body
    for part in path.split("."):
        if not isinstance(node, dict):
            return None
        node = node.get(part)
    return node


def _denied(request: Request, ehr: ReferenceEhr) -> HTTPResponse | None:
    if ehr.auth == "oauth2":
        header = request.headers.get("Authorization", "")
        expires = ehr.tokens.get(header.removeprefix("Bearer "), 0.0)
        if not header.startswith("Bearer ") or expires < time.time():
            return json({"error": "invalid_token"}, status=401)
    elif ehr.auth == "hmac" and not _signed(request, ehr):
        return json({"error": "bad signature"}, status=401)
    return None


def _signed(request: Request, ehr: ReferenceEhr) -> bool:
    h = request.headers
    stamp, nonce = h.get(TIMESTAMP_HEADER, ""), h.get(NONCE_HEADER, "")
    if h.get(KEY_HEADER) != ehr.client_id or not stamp.isdigit() or not nonce:
        return False
    now = time.time()
    if abs(now - int(stamp)) > FRESHNESS or nonce in ehr.nonces:
        return False
    target = request.path + (f"?{request.query_string}" if request.query_string else "")
    message = string_to_sign(request.method, target, stamp, nonce, request.body or b"")
    expected = signature(ehr.client_secret, message)
    if not hmac.compare_digest(expected, h.get(SIGNATURE_HEADER, "")):
        return False
    ehr.nonces = {n: t for n, t in ehr.nonces.items() if t > now - FRESHNESS}
    ehr.nonces[nonce] = now
    return True


def _basic_ok(request: Request, ehr: ReferenceEhr) -> bool:
    header = request.headers.get("Authorization", "")
    if not header.startswith("Basic "):
        return False
    try:
        user, _, password = base64.b64decode(header[6:]).decode().partition(":")
    except ValueError:
        return False
    return hmac.compare_digest(user, ehr.client_id) and hmac.compare_digest(
        password, ehr.client_secret
    )
