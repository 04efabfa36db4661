"""The HR workbench's sign-in through WeCom's web login (``services.workbench``)."""

from __future__ import annotations

from dataclasses import dataclass

from recruiting.services.workbench.login import WorkbenchLogin
from recruiting.wiring.shared import Shared
from wecom_bot.web_login import WeComWebLogin


@dataclass(frozen=True)
class Workbench:
    login: WorkbenchLogin


def wire_workbench(shared: Shared) -> Workbench:
    ttl = shared.settings.workbench.session_ttl
    return Workbench(login=WorkbenchLogin(WeComWebLogin(shared.wecom.auth), shared.kv, ttl))
