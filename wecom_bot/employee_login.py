"""Employees logging in to the mini-program inside WeCom (``wx.qy.login`` →
``miniprogram/jscode2session``): the ``EmployeeLogin`` port on the WeCom client."""

from __future__ import annotations

from recruiting.errors import Untrusted
from recruiting.ports.identity import EmployeeIdentity, InvalidLoginCode
from wecom_bot.client.errors import WeComInvalidCode
from wecom_bot.client.miniprogram import MiniProgramApi


class WeComEmployeeLogin:
    def __init__(self, miniprogram: MiniProgramApi, corp_id: str) -> None:
        self._miniprogram = miniprogram
        self._corp_id = corp_id

    async def employee(self, code: str) -> EmployeeIdentity:
        if not code or len(code) > 128:
            raise InvalidLoginCode("a wx.qy.login code is required")
        try:
            session = await self._miniprogram.code_to_session(code)
        except WeComInvalidCode as exc:
            raise InvalidLoginCode(f"WeCom refused the login code ({exc.errcode})") from exc
        if session.corpid != self._corp_id:
            raise Untrusted("the login belongs to another corp")
        return EmployeeIdentity(session.corpid, session.userid, session.session_key)
