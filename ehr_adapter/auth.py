"""Request authentication for EHR APIs: OAuth2 client credentials, or HMAC-signed requests.

OAuth2 follows RFC 6749 §4.4 (client credentials grant; the client authenticates with
HTTP Basic as in §2.3.1) and caches the token until shortly before ``expires_in``. HMAC
signs method, path with query, timestamp, nonce and the body's SHA-256, so a captured
request cannot be altered or replayed after the receiver's freshness window
(``ehr_adapter.reference`` verifies it the same way).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import secrets
import time
from typing import Protocol

import httpx

from recruiting.errors import ExternalServiceError, RetryLater

KEY_HEADER = "X-Ehr-Key"
TIMESTAMP_HEADER = "X-Ehr-Timestamp"
NONCE_HEADER = "X-Ehr-Nonce"
SIGNATURE_HEADER = "X-Ehr-Signature"
REFRESH_AHEAD = 60.0  # seconds before expiry a cached token is replaced


class Auth(Protocol):
    async def apply(self, request: httpx.Request, client: httpx.AsyncClient) -> None:
        """Add credentials to ``request`` (may fetch a token through ``client``)."""

    def invalidate(self) -> None:
        """Forget cached credentials (the EHR said 401)."""


class NoAuth:
    async def apply(self, request: httpx.Request, client: httpx.AsyncClient) -> None:
        return None

    def invalidate(self) -> None:
        return None


def string_to_sign(method: str, target: str, timestamp: str, nonce: str, body: bytes) -> bytes:
    """What the HMAC covers; ``target`` is the path with its query string."""
    digest = hashlib.sha256(body).hexdigest()
    return "\n".join([method.upper(), target, timestamp, nonce, digest]).encode()


def signature(secret: str, message: bytes) -> str:
    return base64.b64encode(hmac.new(secret.encode(), message, hashlib.sha256).digest()).decode()


class HmacAuth:
    def __init__(self, key_id: str, secret: str) -> None:
        self._key_id = key_id
        self._secret = secret

    def __repr__(self) -> str:
        return f"HmacAuth(key_id={self._key_id!r})"

    async def apply(self, request: httpx.Request, client: httpx.AsyncClient) -> None:
        timestamp, nonce = str(int(time.time())), secrets.token_hex(12)
        target = request.url.raw_path.decode("ascii")
        message = string_to_sign(request.method, target, timestamp, nonce, request.content)
        request.headers[KEY_HEADER] = self._key_id
        request.headers[TIMESTAMP_HEADER] = timestamp
        request.headers[NONCE_HEADER] = nonce
        request.headers[SIGNATURE_HEADER] = signature(self._secret, message)

    def invalidate(self) -> None:
        return None


class OAuth2ClientCredentials:
    def __init__(self, token_url: str, client_id: str, client_secret: str) -> None:
        self._token_url = token_url
        self._client_id = client_id
        self._client_secret = client_secret
        self._token = ""
        self._expires_at = 0.0
        self._lock = asyncio.Lock()

    def __repr__(self) -> str:
        return f"OAuth2ClientCredentials(client_id={self._client_id!r})"

    async def apply(self, request: httpx.Request, client: httpx.AsyncClient) -> None:
        request.headers["Authorization"] = f"Bearer {await self.token(client)}"

    def invalidate(self) -> None:
        self._token, self._expires_at = "", 0.0

    async def token(self, client: httpx.AsyncClient) -> str:
        """The cached token, fetched once by one task when missing or about to expire."""
        if self._token and time.monotonic() < self._expires_at - REFRESH_AHEAD:
            return self._token
        async with self._lock:
            if self._token and time.monotonic() < self._expires_at - REFRESH_AHEAD:
                return self._token
            self._token, lifetime = await self._fetch(client)
            self._expires_at = time.monotonic() + lifetime
            return self._token

    async def _fetch(self, client: httpx.AsyncClient) -> tuple[str, float]:
        try:
            response = await client.post(
                self._token_url,
                data={"grant_type": "client_credentials"},
                auth=(self._client_id, self._client_secret),
            )
        except httpx.HTTPError as exc:
            raise RetryLater(f"EHR token endpoint unreachable: {exc}", retry_after=0) from exc
        if response.status_code >= 500 or response.status_code == 429:
            raise RetryLater(f"EHR token endpoint answered {response.status_code}", retry_after=0)
        try:
            body = response.json()
            token, lifetime = str(body["access_token"]), float(body.get("expires_in", 3600))
        except (ValueError, KeyError, TypeError) as exc:
            raise ExternalServiceError(
                f"EHR refused the client credentials ({response.status_code})"
            ) from exc
        if response.status_code != 200 or not token:
            raise ExternalServiceError(
                f"EHR refused the client credentials ({response.status_code})"
            )
        return token, lifetime
