"""The sandbox application: WeCom's API, the callback pusher and the console on one port.

It takes the service's own settings so both sides agree on corp, token, AES key, secret and
agent without extra configuration. The HTTP client for callbacks is made when the server
starts and closed when it stops; building the app does no I/O. With a ``world`` (the service
in the same process, see ``world.py``) the console shows the demo's candidates and moves
the demo clock, and the sandbox's own clock runs ahead with the service's. The history is
kept in ``<DATA_DIR>/sandbox-state.json`` (``persist.py``) unless ``keep_history`` is off.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import time
from types import SimpleNamespace

import httpx
from sanic import Sanic
from sanic.config import Config

from recruiting.infra.pii import FieldCipher
from recruiting.sandbox_guard import ensure_sandbox_allowed
from recruiting.settings import Settings
from wecom_bot.sandbox.api import create_api_blueprint
from wecom_bot.sandbox.console import create_console_blueprint
from wecom_bot.sandbox.persist import FILE_NAME, StateFile, fingerprint
from wecom_bot.sandbox.pusher import CallbackPusher
from wecom_bot.sandbox.state import SandboxState
from wecom_bot.sandbox.tokens import Clock
from wecom_bot.sandbox.weblogin import create_weblogin_blueprint
from wecom_bot.sandbox.wechat import WeChatLogin, create_wechat_blueprint
from wecom_bot.sandbox.world import DemoWorld

log = logging.getLogger(__name__)

SandboxApp = Sanic[Config, SimpleNamespace]
SAVE_EVERY = 1.0  # seconds between checks for history to save
FULL_CHECK_EVERY = 30  # checks between full comparisons (changes the fingerprint misses)


def create_sandbox_app(
    settings: Settings,
    name: str = "wecom-sandbox",
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    clock: Clock = time.time,
    world: DemoWorld | None = None,
    keep_history: bool = True,
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
    app.ctx.world = world
    signing_clock = clock  # callbacks are signed in real time: the gateway checks freshness
    if world is not None:
        clock = _ahead(clock, world)
    cipher = FieldCipher(settings.pii_keys, settings.active_pii_key_id)
    state_file = StateFile(settings.data_dir / FILE_NAME, cipher) if keep_history else None
    app.ctx.state = SandboxState(
        corp_id=wecom.corp_id, secrets=[wecom.secret], agent_id=wecom.agent_id, clock=clock
    )
    app.ctx.wechat = WeChatLogin(settings.miniapp.appid, settings.miniapp.secret, clock)
    app.blueprint(create_api_blueprint())
    app.blueprint(create_console_blueprint())
    app.blueprint(create_wechat_blueprint())
    app.blueprint(create_weblogin_blueprint())

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
            clock=signing_clock,
            event_clock=clock,
        )
        if state_file is not None:
            if not state_file.loaded:  # once: a restarted server keeps what it has in memory
                offset = state_file.load(app.ctx.state)
                if world is not None and offset:
                    await world.restore(offset)
            app.ctx.saver = asyncio.get_running_loop().create_task(_keep(app, state_file))

    @app.after_server_stop
    async def close_pusher(app: SandboxApp) -> None:
        saver = getattr(app.ctx, "saver", None)
        if saver is not None:
            saver.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await saver
        if state_file is not None:
            _save(app, state_file)
        await app.ctx.http.aclose()

    return app


def _ahead(real: Clock, world: DemoWorld) -> Clock:
    """The sandbox's clock, ahead of real time as far as the service's demo clock."""

    def clock() -> float:
        return real() + world.offset_seconds()

    return clock


def _offset(app: SandboxApp) -> float:
    world: DemoWorld | None = app.ctx.world
    return world.offset_seconds() if world is not None else 0.0


def _save(app: SandboxApp, state_file: StateFile) -> None:
    try:
        state_file.save(app.ctx.state, _offset(app))
    except OSError as exc:
        log.warning("could not save the sandbox history to %s: %s", state_file.path, exc)
    except Exception:  # keep saving later and let the sandbox stop cleanly
        log.exception("saving the sandbox history to %s failed", state_file.path)


async def _keep(app: SandboxApp, state_file: StateFile) -> None:
    """Save the history soon after it changes."""
    seen: tuple[object, ...] = ()
    for n in itertools.count():
        await asyncio.sleep(SAVE_EVERY)
        now = fingerprint(app.ctx.state, _offset(app))
        if now != seen or n % FULL_CHECK_EVERY == 0:
            seen = now
            _save(app, state_file)
