"""Deactivated staff lose access on their very next request (issue 12, item 2).

The account is checked on every authenticated request (it is read with the session), and
WeCom's ``change_contact`` callback deactivates, renames and moves staff and revokes their
sessions at once, audited. Integration on SQLite and PostgreSQL; end to end through the HTTP
server with real encrypted callbacks pushed by the sandbox.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sanic import Sanic

from recruiting.domain.inbound import ContactChange
from recruiting.infra.pii import FieldCipher
from recruiting.models import AppSession, AuditLog, Staff
from recruiting.ports.identity import EmployeeIdentity, WeChatIdentity
from recruiting.services.shared.sessions import (
    ACCOUNT_DEACTIVATED,
    AccountDeactivated,
    SessionService,
)
from recruiting.services.shared.staff_directory import StaffDirectory
from recruiting.settings import load_settings
from recruiting.web import status_for
from tests.e2e.chat import wait
from tests.e2e.stack import running
from wecom_bot import xmlcodec
from wecom_bot.crypto import WeComCrypto
from wecom_bot.events import parse_event
from wecom_bot.sandbox.app import create_sandbox_app
from wecom_bot.sandbox.pusher import CallbackPusher

# -- integration: the use cases on real databases -------------------------------------------


class Codes:
    """The login-code port: a code is the member's userid (a fake for the exchange only)."""

    async def candidate(self, code: str) -> WeChatIdentity:
        return WeChatIdentity(code)

    async def employee(self, code: str) -> EmployeeIdentity:
        return EmployeeIdentity("wwcorp", code, "session-key")


def contact(change_type: str, userid: str, **fields: Any) -> ContactChange:
    return ContactChange(kind="contact", from_user="sys", to_user="wwcorp", agent_id="",
                         create_time=1, msg_type="event", event="change_contact",
                         dedup_key=f"evt:{change_type}:{userid}", change_type=change_type,
                         user_id=userid, **fields)  # fmt: skip


@dataclass(frozen=True)
class World:
    sessions: SessionService
    directory: StaffDirectory

    async def staff(self, userid: str, roles: list[str]) -> str:
        await Staff.create(wecom_userid=userid, name="李娜", roles=roles)
        return (await self.sessions.login_staff(userid)).token

    async def audits(self, action: str, **filters: Any) -> list[AuditLog]:
        return await AuditLog.filter(action=action, **filters).order_by("id")


@pytest.fixture
async def world(database: str) -> World:
    cipher = FieldCipher({"k": b"k" * 32}, "k")
    return World(SessionService(Codes(), cipher, 7200), StaffDirectory())


def is_chinese(text: str) -> bool:
    """Chinese for the person reading it ("HR" is what they call HR)."""
    rest = text.replace("HR", "")
    return bool(text) and not any(ch.isascii() and ch.isalpha() for ch in rest)


async def refused(world: World, token: str) -> AccountDeactivated:
    with pytest.raises(AccountDeactivated) as info:
        await world.sessions.authenticate(token)
    assert status_for(info.value) == 403 and info.value.message == ACCOUNT_DEACTIVATED
    assert is_chinese(info.value.message)
    return info.value


async def test_an_account_deactivated_anyhow_is_refused_on_the_next_request(world: World) -> None:
    token = await world.staff("lina", ["hr"])
    assert (await world.sessions.authenticate(token)).userid == "lina"
    await Staff.filter(wecom_userid="lina").update(active=False)  # not through WeCom
    await refused(world, token)
    await refused(world, token)  # and stays refused (not a bare "invalid session")
    denied = await world.audits("authenticate", allowed=False)
    assert [(a.actor, a.actor_roles) for a in denied] == [("lina", "hr")] * 2
    assert await AppSession.filter(revoked_at=None).count() == 0
    with pytest.raises(AccountDeactivated):
        await world.sessions.login_staff("lina")  # nor can she log in again
    assert (await world.audits("miniapp_login", allowed=False))[0].detail == "deactivated"


@pytest.mark.parametrize(
    ("change_type", "status", "reason"),
    [("delete_user", 0, "delete_user"), ("update_user", 2, "status 2 (disabled)"),
     ("update_user", 4, "status 4 (not activated)"), ("update_user", 5, "status 5 (quit)")],
)  # fmt: skip
async def test_wecom_removing_a_member_revokes_every_session_at_once(
    world: World, change_type: str, status: int, reason: str
) -> None:
    first = await world.staff("lina", ["hr"])
    second = (await world.sessions.login_staff("lina")).token
    other = await world.staff("wangqiang", ["interviewer"])
    await world.directory.on_contact_change(contact(change_type, "lina", status=status))
    lina = await Staff.get(wecom_userid="lina")
    assert not lina.active
    assert await AppSession.filter(staff_id=lina.id, revoked_at=None).count() == 0
    (audit,) = await world.audits("staff_deactivated")
    assert (audit.actor, audit.subject_id, audit.allowed) == ("wecom", "lina", True)
    assert reason in audit.detail and "2 session(s) revoked" in audit.detail
    await refused(world, first)
    await refused(world, second)
    assert (await world.sessions.authenticate(other)).userid == "wangqiang"
    # WeCom delivers again: nothing changes, nothing is audited twice.
    await world.directory.on_contact_change(contact(change_type, "lina", status=status))
    assert len(await world.audits("staff_deactivated")) == 1


async def test_changes_that_do_not_remove_a_member_leave_access_alone(world: World) -> None:
    token = await world.staff("lina", ["hr"])
    await Staff.create(wecom_userid="gone", name="离职者", roles=["hr"], active=False)
    for event in (
        contact("update_user", "lina", status=1),
        contact("create_user", "lina", status=5),  # staff are registered by HR, not WeCom
        contact("update_user", "visitor", status=5),  # a member who is not staff
        contact("update_user", "gone", status=1),  # active again: HR re-enables, not a callback
    ):
        assert await world.directory.on_contact_change(event) == []
    assert (await world.sessions.authenticate(token)).userid == "lina"
    assert not (await Staff.get(wecom_userid="gone")).active
    assert await AuditLog.filter(action__startswith="staff_").count() == 0


async def test_a_rename_and_a_move_update_the_staff_row(world: World) -> None:
    token = await world.staff("lina", ["hr"])
    await Staff.create(wecom_userid="taken", name="王强", roles=[])
    event = contact("update_user", "lina", new_user_id="li.na", department_ids=(2, 7),
                    position="招聘经理")  # fmt: skip
    await world.directory.on_contact_change(event)
    lina = await Staff.get(wecom_userid="li.na")
    assert (lina.department_ids, lina.title, lina.active) == ([2, 7], "招聘经理", True)
    principal = await world.sessions.authenticate(token)  # same person, new userid
    assert principal.userid == "li.na"
    (updated,) = await world.audits("staff_updated")
    assert (
        "userid lina -> li.na" in updated.detail and "department_ids [] -> [2, 7]" in updated.detail
    )
    await world.directory.on_contact_change(contact("update_user", "li.na", new_user_id="taken"))
    assert await Staff.exists(wecom_userid="li.na")
    (clash,) = await world.audits("staff_renamed")
    assert not clash.allowed and "taken" in clash.detail


def test_change_contact_callbacks_parse_and_stay_distinct() -> None:
    pusher = CallbackPusher("http://x", "t", "a" * 43, "wwcorp", 1, httpx.AsyncClient(),
                            clock=lambda: 1_767_225_600.0)  # fmt: skip
    plain = pusher.contact_change("update_user", "lina", new_userid="li.na", status=5,
                                  departments=(2, 3))  # fmt: skip
    event = parse_event(xmlcodec.parse(plain))
    assert isinstance(event, ContactChange) and event.kind == "contact"
    assert (event.change_type, event.user_id, event.new_user_id) == ("update_user", "lina", "li.na")
    assert (event.status, event.department_ids) == (5, (2, 3))
    same_second = [pusher.contact_change("delete_user", u) for u in ("lina", "wangqiang")]
    keys = {parse_event(xmlcodec.parse(p)).dedup_key for p in same_second}
    assert len(keys) == 2  # two members removed in one second are two events
    odd = pusher.build_plaintext("event", {"ChangeType": "update_user", "UserID": "u",
                                           "Department": "1,x,²,99999999999", "Status": "²"},
                                 from_user="sys", event="change_contact")  # fmt: skip
    parsed = parse_event(xmlcodec.parse(odd))
    assert isinstance(parsed, ContactChange) and (parsed.department_ids, parsed.status) == ((1,), 0)


async def test_the_sandbox_changes_its_directory_and_pushes_change_contact(tmp_path: Path) -> None:
    settings = load_settings(None, {"DATA_DIR": str(tmp_path)})
    received: list[bytes] = []

    def service(request: httpx.Request) -> httpx.Response:
        received.append(request.content)
        return httpx.Response(200)

    Sanic.test_mode = True
    app = create_sandbox_app(settings, name="revoke-unit", transport=httpx.MockTransport(service))
    crypto = WeComCrypto(settings.wecom.token, settings.wecom.encoding_aes_key,
                         settings.wecom.corp_id)  # fmt: skip

    async def change(body: dict[str, Any]) -> Any:
        _, response = await app.asgi_client.post("/sandbox/member", json=body)
        return response

    moved = await change({"userid": "wangqiang", "change_type": "update_user",
                          "new_userid": "wq", "department": 4, "status": 2})  # fmt: skip
    assert moved.status == 200 and moved.json["status"] == 200
    event = parse_event(
        xmlcodec.parse(crypto.decrypt(str(xmlcodec.parse(received[-1])["Encrypt"])))
    )
    assert isinstance(event, ContactChange) and event.event == "change_contact"
    assert (event.user_id, event.new_user_id, event.status, event.department_ids) == (
        "wangqiang", "wq", 2, (4,))  # fmt: skip
    state = app.ctx.state
    assert state.directory.get("wq").status == 2 and "wangqiang" not in state.directory
    _, code = await app.asgi_client.post("/sandbox/jscode", json={"userid": "wq"})
    assert code.status == 400  # WeCom logs in no disabled member
    assert (await change({"userid": "lina", "change_type": "delete_user"})).status == 200
    assert "lina" not in state.directory
    for bad in (
        {"userid": "lina", "change_type": "delete_user"},  # gone already
        {"userid": "chenjing", "change_type": "create_party"},
        {"userid": "chenjing", "change_type": "update_user", "status": 3},
        {"userid": "chenjing", "change_type": "update_user", "status": True},
        {"userid": "chenjing", "change_type": "update_user", "department": 99},
        {"userid": "chenjing", "change_type": "update_user", "new_userid": "wq"},
    ):
        assert (await change(bad)).status == 400, bad
    assert len(received) == 2  # refused changes push nothing


# -- end to end: the HTTP server, real encrypted callbacks from the sandbox ------------------


@dataclass
class Stack:
    api: httpx.AsyncClient
    console: httpx.AsyncClient

    async def login(self, userid: str) -> str:
        code = (await self.console.post("/sandbox/jscode", json={"userid": userid})).json()
        response = await self.api.post("/login/staff", json={"code": code["code"]})
        assert response.status_code == 200, response.text
        return str(response.json()["token"])

    async def interviews(self, token: str) -> httpx.Response:
        return await self.api.get("/staff/interviews", headers={"Authorization": f"Bearer {token}"})

    async def change(self, **body: Any) -> None:
        pushed = await self.console.post("/sandbox/member", json=body)
        assert pushed.status_code == 200 and pushed.json()["status"] == 200, pushed.text


@pytest.fixture(params=["sqlite", "postgres+redis"])
async def stack(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Stack]:
    async with running(request.param, tmp_path, "revoke") as (settings, _, console):
        base = f"http://127.0.0.1:{settings.server.port}/miniapp/v1"
        async with httpx.AsyncClient(base_url=base, timeout=15) as api:
            yield Stack(api, console)


async def test_staff_removed_in_wecom_are_refused_on_the_next_request(stack: Stack) -> None:
    lina, boss, wang = [await stack.login(u) for u in ("lina", "zhangwei", "wangqiang")]
    assert (await stack.interviews(lina)).status_code == 200

    await stack.change(userid="lina", change_type="update_user", status=5)  # she quit
    await stack.change(userid="zhangwei", change_type="delete_user")

    async def lina_refused() -> httpx.Response | None:
        response = await stack.interviews(lina)
        return response if response.status_code != 200 else None

    response = await wait(lina_refused)
    assert response.status_code == 403, response.text
    assert response.json() == {"error": "account_deactivated", "message": ACCOUNT_DEACTIVATED}
    assert (await wait(lambda: _refused(stack, boss))).status_code == 403
    assert (await stack.interviews(wang)).status_code == 200  # others keep working

    denied = await AuditLog.filter(action="authenticate", allowed=False).values_list(
        "actor", flat=True
    )
    assert {"lina", "zhangwei"} <= set(denied)
    removed = await AuditLog.filter(action="staff_deactivated").values_list("subject_id", "actor")
    assert sorted(removed) == [("lina", "wecom"), ("zhangwei", "wecom")]
    assert await AppSession.filter(staff__wecom_userid="lina", revoked_at=None).count() == 0
    # WeCom issues no login code for a member who quit; the sandbox refuses like it.
    again = await stack.console.post("/sandbox/jscode", json={"userid": "lina"})
    assert again.status_code == 400


async def test_a_rename_in_wecom_keeps_the_person_and_their_session(stack: Stack) -> None:
    wang = await stack.login("wangqiang")
    await stack.change(userid="wangqiang", change_type="update_user", new_userid="wang.qiang",
                       department=4)  # fmt: skip

    async def renamed() -> Staff | None:
        return await Staff.get_or_none(wecom_userid="wang.qiang")

    staff = await wait(renamed)
    assert staff.department_ids == [4] and staff.active
    assert (await stack.interviews(wang)).status_code == 200
    members = (await stack.console.get("/sandbox/members")).json()["members"]
    assert "wang.qiang" in {m["userid"] for m in members}


async def _refused(stack: Stack, token: str) -> httpx.Response | None:
    response = await stack.interviews(token)
    return response if response.status_code != 200 else None


async def test_a_renamed_recruiter_stays_the_candidates_hr(world: World) -> None:
    """Rows naming the member by userid follow the rename, so a candidate's message still
    reaches her own recruiter rather than every HR manager."""
    from recruiting.models import Candidate, CandidateContact
    from recruiting.services.candidate_channel.hr_forward import responsible_hr

    await world.staff("lina", ["hr"])
    candidate = await Candidate.create(name="候选人丙")
    await CandidateContact.create(candidate=candidate, recruiter_userid="lina")
    await world.directory.on_contact_change(contact("update_user", "lina", new_user_id="li.na"))
    assert (
        await CandidateContact.get(candidate_id=candidate.id).values_list(
            "recruiter_userid", flat=True
        )
        == "li.na"
    )
    assert [s.wecom_userid for s in await responsible_hr(candidate.id)] == ["li.na"]
