"""When the WeCom sandbox may run: only where every credential is the sandbox's own.

The sandbox signs callbacks and mints login codes with whatever credentials it is given, and
its own are public. Beside a real corp, token, AES key, secret or WeChat mini-program it would
let anyone on the machine speak as a real member or log in as one, so every entry point that
builds it (``run``, ``sandbox``, ``create_sandbox_app``) asks here first.
"""

from __future__ import annotations

from recruiting.errors import ConfigError
from recruiting.settings import (
    SANDBOX_AES_KEY,
    SANDBOX_CORP_ID,
    SANDBOX_MINIAPP_APPID,
    SANDBOX_SECRET,
    SANDBOX_TOKEN,
    Settings,
    is_loopback,
)


class SandboxRefused(ConfigError):
    code = "sandbox_refused"


def real_credentials(settings: Settings) -> list[str]:
    """The variables that hold a real (non-sandbox) credential, in a fixed order."""
    w, m = settings.wecom, settings.miniapp
    checks = [
        ("WECOM_CORP_ID", w.corp_id, SANDBOX_CORP_ID, not w.uses_sandbox),
        ("WECOM_TOKEN", w.token, SANDBOX_TOKEN, False),
        ("WECOM_ENCODING_AES_KEY", w.encoding_aes_key, SANDBOX_AES_KEY, False),
        ("WECOM_SECRET", w.secret, SANDBOX_SECRET, False),
        ("WECHAT_APPID", m.appid, SANDBOX_MINIAPP_APPID, not m.uses_sandbox),
        ("WECHAT_SECRET", m.secret, SANDBOX_SECRET, False),
    ]
    return [name for name, value, public, real in checks if real or value not in ("", public)]


def ensure_sandbox_allowed(settings: Settings) -> None:
    """Raise ``SandboxRefused`` (one line naming the reason) unless the sandbox may run."""
    real = real_credentials(settings)
    if real:
        raise SandboxRefused(
            f"the WeCom sandbox refuses to start: {', '.join(real)} "
            f"{'holds a real credential' if len(real) == 1 else 'hold real credentials'}; "
            "use `serve` (the sandbox runs only with the sandbox corp)"
        )
    if not is_loopback(settings.sandbox.host):
        raise SandboxRefused(
            f"the WeCom sandbox refuses to start: sandbox.host {settings.sandbox.host!r} "
            "is not a loopback address"
        )
