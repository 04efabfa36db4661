"""The sandbox application: WeCom's API, the callback pusher and the console on one port.

It takes the service's own settings so both sides agree on corp, token, AES key, secret and
agent without extra configuration. The HTTP client for callbacks is made when the server
starts and closed when it stops; building the app does no I/O.
"""

from __future__ import annotations

import time
from types import SimpleNamespace

import httpx
from sanic import Sanic
from sanic.config import Config

from recruiting.sandbox_guard import ensure_sandbox_allowed
from recruiting.settings import Settings
from wecom_bot.sandbox.api import create_api_blueprint
from wecom_bot.sandbox.console import create_console_blueprint
from wecom_bot.sandbox.pusher import CallbackPusher
from wecom_bot.sandbox.state import SandboxState
from wecom_bot.sandbox.tokens import Clock
from wecom_bot.sandbox.wechat import WeChatLogin, create_wechat_blueprint

SandboxApp = Sanic[Config, SimpleNamespace]


def create_sandbox_app(
    settings: Settings,
    name: str = "wecom-sandbox",
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    clock: Clock = time.time,
) -> SandboxApp:
    """Build the sandbox. ``transport`` replaces the network for callbacks (tests).

    Refused (``SandboxRefused``) when any credential is real: see ``recruiting.sandbox_guard``.
    """
    ensure_sandbox_allowed(settings)
    wecom = settings.wecom
    app = Sanic(name, configure_logging=False)
    # sanic-ext would extend this app too and publish its routes in the service's API document.
    app.config.AUTO_EXTEND = False
    app.ctx.settings = settings
    app.ctx.state = SandboxState(
        corp_id=wecom.corp_id, secrets=[wecom.secret], agent_id=wecom.agent_id, clock=clock
    )
    app.ctx.wechat = WeChatLogin(settings.miniapp.appid, settings.miniapp.secret, clock)
    app.blueprint(create_api_blueprint())
    app.blueprint(create_console_blueprint())
    app.blueprint(create_wechat_blueprint())

    @app.before_server_start
    async def open_pusher(app: SandboxApp) -> None:
        app.ctx.http = httpx.AsyncClient(transport=transport)
        app.ctx.pusher = CallbackPusher(
            settings.sandbox.callback_url,
            wecom.token,
            wecom.encoding_aes_key,
            wecom.corp_id,
            wecom.agent_id,
            app.ctx.http,
            clock=clock,
        )

    @app.after_server_stop
    async def close_pusher(app: SandboxApp) -> None:
        await app.ctx.http.aclose()

    return app
