"""Rules of the workbench's login round trip: the ``state`` WeCom carries back, where a
person may be sent afterwards, and how the session cookie is marked.

Pure functions, so the rules can be read and tested without a server."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import string
from urllib.parse import quote, urlencode, urlsplit

from recruiting.settings import is_loopback

HOME = "/workbench/"
STATE_LENGTH = 32  # WeCom allows ≤ 128 bytes of [a-zA-Z0-9]
STATE_TTL = 600  # seconds a login round trip may take (WeCom's codes live 5 minutes)
MAX_NEXT = 512
_STATE_RE = re.compile(r"[A-Za-z0-9]{1,128}")
_ALPHANUMERIC = string.ascii_letters + string.digits


def new_state() -> str:
    return "".join(secrets.choice(_ALPHANUMERIC) for _ in range(STATE_LENGTH))


def is_state(value: str) -> bool:
    return bool(_STATE_RE.fullmatch(value))


def digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()


def safe_next(raw: str | None) -> str:
    """A same-origin path under /workbench, else the home page: never another host, scheme,
    protocol-relative ``//host``, backslash trick, dot segment or control character."""
    if not raw or len(raw) > MAX_NEXT or any(ord(c) < 0x20 or c in "\\\x7f" for c in raw):
        return HOME
    parts = urlsplit(raw)
    path = parts.path
    if parts.scheme or parts.netloc or parts.fragment or raw.startswith("//"):
        return HOME
    if not (path == "/workbench" or path.startswith(HOME)):
        return HOME
    if any(seg in (".", "..") for seg in path.split("/")) or "%" in path:
        return HOME
    return path + (f"?{parts.query}" if parts.query else "")


def cookie_secure(public_url: str) -> bool:
    """Secure cookies everywhere except plain http on this machine (a laptop trying it)."""
    parts = urlsplit(public_url)
    return not (parts.scheme == "http" and is_loopback(parts.hostname or ""))


def csrf_token(session_token: str) -> str:
    """The form token of a session: derived from the cookie's secret, which scripts on other
    sites cannot read, so nothing more is stored."""
    return hmac.new(session_token.encode(), b"workbench-csrf", hashlib.sha256).hexdigest()[:40]


def csrf_matches(session_token: str, sent: str | None) -> bool:
    return bool(sent) and hmac.compare_digest(csrf_token(session_token), str(sent))


def in_wecom_client(user_agent: str | None) -> bool:
    """WeCom's built-in browser says ``wxwork`` in its User-Agent."""
    return "wxwork" in (user_agent or "").lower()


def authorize_url(
    oauth_base: str, corp_id: str, agent_id: int, redirect_uri: str, state: str
) -> str:
    query = urlencode(
        {
            "appid": corp_id,
            "redirect_uri": redirect_uri,
            "response_type": "code",
            "scope": "snsapi_base",
            "state": state,
            "agentid": str(agent_id),
        },
        quote_via=quote,
    )
    return f"{oauth_base}/connect/oauth2/authorize?{query}#wechat_redirect"


def web_login_url(sso_base: str, corp_id: str, agent_id: int, redirect_uri: str, state: str) -> str:
    query = urlencode(
        {
            "login_type": "CorpApp",
            "appid": corp_id,
            "agentid": str(agent_id),
            "redirect_uri": redirect_uri,
            "state": state,
        },
        quote_via=quote,
    )
    return f"{sso_base}/wwlogin/sso/login?{query}"
