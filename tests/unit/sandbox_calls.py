"""Calls into the WeCom sandbox app through Sanic's ASGI client, and a button card to send,
for the sandbox's tests."""

from __future__ import annotations

from typing import Any

from recruiting.settings import Settings
from wecom_bot.sandbox.app import SandboxApp


async def get(app: SandboxApp, path: str, **params: Any) -> Any:
    _, response = await app.asgi_client.get(path, params=params)
    return response


async def post(app: SandboxApp, path: str, body: Any, **params: Any) -> Any:
    _, response = await app.asgi_client.post(path, params=params, json=body)
    return response


def button_card(settings: Settings, touser: str, task_id: str) -> dict[str, Any]:
    return {
        "touser": touser,
        "msgtype": "template_card",
        "agentid": settings.wecom.agent_id,
        "template_card": {
            "card_type": "button_interaction",
            "task_id": task_id,
            "main_title": {"title": "面试邀请", "desc": "技术一面"},
            "horizontal_content_list": [{"keyname": "时间", "value": "周三 14:00"}],
            "button_list": [{"text": "确认", "key": "confirm"}, {"text": "改期", "key": "later"}],
        },
    }
