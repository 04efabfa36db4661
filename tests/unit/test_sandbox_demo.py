"""The sandbox's demo support: history kept across restarts (a 0600 JSON file, bounded), the
console's demo clock endpoints, and the guards that keep the demo clock to the sandbox corp
on loopback."""

from __future__ import annotations

import itertools
import json
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from recruiting import clock
from recruiting.errors import Forbidden
from recruiting.infra.pii import FieldCipher
from recruiting.services.demo import SandboxDemo, sandbox_demo_allowed
from recruiting.settings import Settings, load_settings
from tests.fakes.sandbox import FakeClock, Receiver
from tests.serving import free_port, serving
from tests.unit.sandbox_calls import button_card, get, post
from wecom_bot.sandbox import persist
from wecom_bot.sandbox.app import SandboxApp, create_sandbox_app
from wecom_bot.sandbox.cards import SelectedItem
from wecom_bot.sandbox.kf import DEFAULT_ACCOUNTS
from wecom_bot.sandbox.state import SandboxState

_names = itertools.count()
KF = next(iter(DEFAULT_ACCOUNTS))


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(env={"DATA_DIR": str(tmp_path)})


def fresh(settings: Settings, clock: FakeClock | None = None) -> SandboxState:
    w = settings.wecom
    return SandboxState(
        corp_id=w.corp_id, secrets=[w.secret], agent_id=w.agent_id, clock=clock or FakeClock()
    )


def lived_in(settings: Settings) -> SandboxState:
    """A member chatted, got a card and clicked it; a candidate wrote to 微信客服 and was
    answered; another added a recruiter."""
    state = fresh(settings)
    state.record_action("lina", "text", {"content": "安排面试 刘洋 销售代表"}).status = 200
    state.messages.send({"touser": "lina", "msgtype": "text", "agentid": settings.wecom.agent_id,
                         "text": {"content": "已预约"}})  # fmt: skip
    state.messages.send(button_card(settings, "lina", "inv-1"))
    state.cards.click("lina", "inv-1", "confirm", [])
    external = state.kf.customer("刘洋")
    state.kf.customer_says(KF, external, "你好，邀请码 iv0123456789")
    state.kf.send({"open_kfid": KF, "touser": external, "msgtype": "text",
                   "text": {"content": "您好，已收到。"}})  # fmt: skip
    state.customers.customer_adds("赵敏", "", "lina")
    return state


def cipher(settings: Settings) -> FieldCipher:
    return FieldCipher(settings.pii_keys, settings.active_pii_key_id)


def test_history_survives_a_restart_in_a_private_file(settings: Settings) -> None:
    before = lived_in(settings)
    external = before.kf.customer("刘洋")
    store = persist.StateFile(settings.data_dir / persist.FILE_NAME, cipher(settings))
    assert store.save(before, 3600.0) is True
    assert store.save(before, 3600.0) is False  # nothing changed: nothing written
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    sealed = store.path.read_bytes()  # what people wrote is not on disk in the clear
    assert "刘洋".encode() not in sealed and "您好，已收到".encode() not in sealed

    after = fresh(settings)
    assert persist.StateFile(store.path, cipher(settings)).load(after) == 3600.0
    assert after.timeline("lina") == before.timeline("lina")
    assert [m.to_json() for m in after.kf.conversation(external)] == [
        m.to_json() for m in before.kf.conversation(external)
    ]
    assert after.kf.sync({"cursor": "0"})["next_cursor"] == "1"  # the service's cursor holds
    assert [c.name for c in after.customers.contacts.values()] == ["赵敏"]
    # cards stay clickable and numbering goes on after the restored history
    view = after.cards.click("lina", "inv-1", "later", [SelectedItem("q", [])])
    assert len(view.clicks) == 2
    newest = after.record_action("lina", "text", {"content": "帮助"})
    assert newest.seq > max(e.get("seq", 0) for e in [a.__dict__ for a in before.actions])
    assert after.timeline("lina")[-1]["detail"] == {"content": "帮助"}


def test_history_is_bounded(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(persist, "MAX_ITEMS", 5)
    state = fresh(settings)
    for n in range(12):
        state.record_action("lina", "text", {"content": f"第{n}条"})
    saved = persist.snapshot(state)
    assert [a["detail"]["content"] for a in saved["actions"]] == [f"第{n}条" for n in range(7, 12)]


def test_an_unreadable_file_is_set_aside_and_the_sandbox_starts_empty(settings: Settings) -> None:
    path = settings.data_dir / persist.FILE_NAME
    path.write_text('{"version": 1, "actions": [{"nonsense": 1}]}', encoding="utf-8")
    state = fresh(settings)
    assert persist.StateFile(path, cipher(settings)).load(state) == 0.0
    assert state.actions == [] and not path.exists()
    assert path.with_suffix(".bad").exists()


async def test_the_console_keeps_its_history_across_a_restart(settings: Settings) -> None:
    receiver = Receiver()

    def app() -> SandboxApp:
        return create_sandbox_app(settings, name=f"keep-{next(_names)}",
                                  transport=receiver.transport, clock=FakeClock())  # fmt: skip

    first = app()
    said = await post(first, "/sandbox/say", {"userid": "lina", "text": "我想约面试"})
    assert said.status == 200
    sealed = (settings.data_dir / persist.FILE_NAME).read_text(encoding="utf-8")
    saved = json.loads(cipher(settings).decrypt(sealed, persist.CONTEXT))
    assert [a["detail"] for a in saved["actions"]] == [{"content": "我想约面试"}]

    again = (await get(app(), "/sandbox/messages", userid="lina")).json["messages"]
    assert [(m["kind"], m["detail"]) for m in again] == [("text", {"content": "我想约面试"})]


# -- the demo clock ------------------------------------------------------------------------


class FakeWorld:
    """The console's side of the contract, recorded (the real one needs the service)."""

    def __init__(self) -> None:
        self.offset = 0.0
        self.moves: list[float] = []

    def offset_seconds(self) -> float:
        return self.offset

    async def advance(self, seconds: float) -> dict[str, Any]:
        self.moves.append(seconds)
        self.offset += seconds
        return await self.clock_view()

    async def restore(self, offset_seconds: float) -> None:
        self.offset = offset_seconds

    async def clock_view(self) -> dict[str, Any]:
        now = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(seconds=self.offset)
        return {"now": now.isoformat(), "local": "", "offset_seconds": self.offset, "next": []}

    async def candidates(self) -> list[dict[str, Any]]:
        return [{"name": "刘洋", "invitation_code": "iv0123456789"}]


async def test_without_the_service_in_process_the_console_says_the_clock_is_unavailable(
    settings: Settings,
) -> None:
    app = create_sandbox_app(settings, name=f"noworld-{next(_names)}", keep_history=False)
    demo = (await get(app, "/sandbox/demo")).json
    assert demo["available"] is False and "python -m recruiting run" in demo["reason"]
    moved = await post(app, "/sandbox/clock", {"seconds": 3600})
    assert moved.status == 400 and "python -m recruiting run" in moved.json["error"]


async def test_the_console_moves_the_demo_clock_and_the_sandbox_follows(
    settings: Settings,
) -> None:
    """On a real loopback socket: the demo endpoints answer only loopback callers."""
    world, fake = FakeWorld(), FakeClock()
    app = create_sandbox_app(settings, name=f"world-{next(_names)}", clock=fake, world=world,
                             keep_history=False)  # fmt: skip
    async with serving(app, free_port()) as base, httpx.AsyncClient(base_url=base) as console:
        demo = (await console.get("/sandbox/demo")).json()
        assert demo["available"] and demo["candidates"][0]["invitation_code"] == "iv0123456789"
        assert (await console.post("/sandbox/clock", json={"seconds": 3600})).status_code == 200
        # a time without an offset is the service's zone: 2026-01-02 08:00 Shanghai = 00:00 UTC
        moved = await console.post("/sandbox/clock", json={"to": "2026-01-02T08:00"})
        assert moved.status_code == 200, moved.text
        assert world.moves == [3600.0, 86400.0 - 3600.0]
        state: SandboxState = app.ctx.state
        assert state.clock() == fake() + 86400.0  # WeCom's side runs ahead with the service
        for bad in ({"seconds": "soon"}, {"to": "tomorrow"}, {}):
            answer = await console.post("/sandbox/clock", json=bad)
            assert answer.status_code == 400, bad
    # through a caller that is not on loopback (Sanic's ASGI test client), nothing
    assert (await get(app, "/sandbox/demo")).json["available"] is False
    assert (await post(app, "/sandbox/clock", {"seconds": 60})).status == 400
    assert world.moves == [3600.0, 86400.0 - 3600.0]


def test_the_demo_clock_needs_the_sandbox_corp_on_loopback() -> None:
    sandbox = load_settings(env={})
    assert sandbox_demo_allowed(sandbox)
    real_corp = load_settings(env={"WECOM_CORP_ID": "ww1234567890abcdef", "WECOM_TOKEN": "t",
        "WECOM_ENCODING_AES_KEY": "a" * 43, "WECOM_SECRET": "s"})  # fmt: skip
    exposed = load_settings(env={"HOST": "0.0.0.0"})
    for settings in (real_corp, exposed):
        assert not sandbox_demo_allowed(settings)
        with pytest.raises(Forbidden):
            SandboxDemo(settings)


async def test_the_demo_clock_only_moves_forward_and_not_too_far() -> None:
    demo = SandboxDemo(load_settings(env={}))
    for seconds in (0, -60, 31 * 86400):
        with pytest.raises(Exception, match="向前拨"):
            await demo.advance(seconds)
    assert clock.offset() == timedelta(0)
    with pytest.raises(ValueError):
        clock.advance(timedelta(seconds=-1))
    try:
        before = clock.now()
        clock.advance(timedelta(days=2))
        assert clock.now() - before >= timedelta(days=2)
        assert demo.offset_seconds() == 2 * 86400
    finally:
        clock.rewind()


@pytest.mark.parametrize("snapshot", ["[1, 2]", '{"version": 1, "actions": [5]}'])
def test_a_history_of_the_wrong_shape_is_set_aside(settings: Settings, snapshot: str) -> None:
    """Sealed properly but not a snapshot (a list, an action that is no object): the
    sandbox starts empty instead of failing at start."""
    path = settings.data_dir / persist.FILE_NAME
    path.write_text(cipher(settings).encrypt(snapshot, persist.CONTEXT), encoding="utf-8")
    state = fresh(settings)
    assert persist.StateFile(path, cipher(settings)).load(state) == 0.0
    assert state.actions == [] and path.with_suffix(".bad").exists()
