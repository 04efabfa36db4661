"""Build real encrypted WeCom callbacks, exactly as WeCom signs and wraps them."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlencode

from recruiting.settings import Settings
from wecom_bot import xmlcodec
from wecom_bot.crypto import WeComCrypto


def crypto_for(settings: Settings) -> WeComCrypto:
    w = settings.wecom
    return WeComCrypto(w.token, w.encoding_aes_key, w.corp_id)


def text_fields(settings: Settings, user: str, content: str, msg_id: str) -> dict[str, Any]:
    return {
        "ToUserName": settings.wecom.corp_id,
        "FromUserName": user,
        "CreateTime": int(time.time()),
        "MsgType": "text",
        "Content": content,
        "MsgId": msg_id,
        "AgentID": settings.wecom.agent_id,
    }


def signed_post(
    settings: Settings,
    fields: dict[str, Any],
    *,
    timestamp: int | None = None,
    corp_id: str | None = None,
    tamper: bool = False,
) -> tuple[str, bytes]:
    """Return (query string, body) for POST /wecom/callback."""
    crypto = crypto_for(settings)
    if corp_id is not None:
        crypto.receive_id = corp_id
    encrypted = crypto.encrypt(xmlcodec.build(fields))
    ts = str(timestamp if timestamp is not None else int(time.time()))
    nonce = crypto.new_nonce()
    signature = crypto.sign(ts, nonce, encrypted)
    if tamper:
        signature = ("0" if signature[0] != "0" else "1") + signature[1:]
    body = xmlcodec.build(
        {
            "ToUserName": corp_id or settings.wecom.corp_id,
            "AgentID": settings.wecom.agent_id,
            "Encrypt": encrypted,
        }
    )
    query = urlencode({"msg_signature": signature, "timestamp": ts, "nonce": nonce})
    return query, body
