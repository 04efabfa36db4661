"""Inbox and outbox on real databases: stored once, processed once, effects sent once."""

from __future__ import annotations

import os
from datetime import timedelta
from typing import Any

import pytest

from recruiting import clock
from recruiting.domain.inbound import TextMessage
from recruiting.errors import ExternalServiceError, InvalidInput, RetryLater
from recruiting.infra.memory_kv import MemoryKeyValueStore
from recruiting.infra.pii import FieldCipher
from recruiting.infra.queues import InProcessQueue
from recruiting.models import InboxEvent, OutboxMessage, ProcessingStatus
from recruiting.ports.outbound import OutboundDraft
from recruiting.ports.queue import INBOX_TOPIC
from recruiting.services.messaging.callbacks import CallbackProcessor
from recruiting.services.messaging.inbox import CallbackInbox
from recruiting.services.messaging.outbox import Backoff, OutboxRelay
from tests.fakes.outbound import RecordingSender
from tests.integration.staff_chat import said

CIPHER = FieldCipher({"t1": os.urandom(32)}, "t1")
NO_WAIT = Backoff(base_seconds=0.0, cap_seconds=0.0)  # retries due at once, for stepping


def text_event(msg_id: str = "1001", content: str = "帮助") -> TextMessage:
    return TextMessage(
        kind="text",
        from_user="lina",
        to_user="corp",
        agent_id="1",
        create_time=1,
        msg_type="text",
        event="",
        dedup_key=f"msg:{msg_id}",
        content=content,
        msg_id=msg_id,
    )


def make_inbox(kv: Any = None, queue: Any = None, lease: int = 60) -> CallbackInbox:
    return CallbackInbox(
        kv or MemoryKeyValueStore(),
        queue or InProcessQueue(),
        CIPHER,
        dedup_ttl=600,
        lease_seconds=lease,
        max_attempts=3,
    )


async def test_accept_stores_once_even_when_fast_store_forgot(database: str, kv: Any) -> None:
    queue = InProcessQueue()
    inbox = make_inbox(kv, queue)
    first = await inbox.accept(text_event(), b"<xml>one</xml>")
    again = await inbox.accept(text_event(), b"<xml>one</xml>")
    forgetful = make_inbox(MemoryKeyValueStore(), queue)  # e.g. Redis flushed or restarted
    third = await forgetful.accept(text_event(), b"<xml>one</xml>")
    assert not first.duplicate and again.duplicate and third.duplicate
    assert await InboxEvent.all().count() == 1
    assert await queue.get(INBOX_TOPIC, 0.1) == str(first.inbox_id)
    assert await queue.get(INBOX_TOPIC, 0.1) is None


async def test_payload_is_encrypted_at_rest(database: str) -> None:
    inbox = make_inbox()
    accepted = await inbox.accept(text_event(), "<xml>面试笔记</xml>".encode())
    row = await InboxEvent.get(id=accepted.inbox_id)
    assert "面试笔记" not in row.payload_enc
    assert inbox.plaintext(row) == "<xml>面试笔记</xml>".encode()


async def test_claim_is_exclusive_until_the_lease_expires(database: str) -> None:
    inbox = make_inbox(lease=60)
    accepted = await inbox.accept(text_event(), b"<xml/>")
    assert accepted.inbox_id is not None
    assert await inbox.claim(accepted.inbox_id) is not None
    assert await inbox.claim(accepted.inbox_id) is None
    assert await inbox.due_ids() == []
    await InboxEvent.filter(id=accepted.inbox_id).update(lease_until=clock.now() - timedelta(1))
    assert await inbox.due_ids() == [accepted.inbox_id]  # a dead worker's row is taken over
    assert await inbox.claim(accepted.inbox_id) is not None


async def test_crash_after_processing_never_duplicates_effects(database: str) -> None:
    """Re-processing a row (worker died before marking it done) creates no second reply."""
    inbox = make_inbox()
    calls: list[str] = []

    async def handler(event: Any) -> list[OutboundDraft]:
        calls.append(event.content)
        return [OutboundDraft("wecom.message", event.from_user, {"kind": "text", "content": "hi"})]

    processor = CallbackProcessor(inbox, lambda raw: text_event(), {"text": handler})
    accepted = await inbox.accept(text_event(), b"<xml/>")
    row_id = accepted.inbox_id
    assert row_id is not None
    assert await processor.process(row_id)
    assert not await processor.process(row_id)  # done rows are not claimable
    await InboxEvent.filter(id=row_id).update(status=ProcessingStatus.PENDING)  # simulate crash
    assert await processor.process(row_id)
    assert len(calls) == 2 and await OutboxMessage.all().count() == 1


async def test_handler_failure_is_retried_then_parked(database: str) -> None:
    inbox = make_inbox()

    async def broken(event: Any) -> list[OutboundDraft]:
        raise RuntimeError("boom")

    processor = CallbackProcessor(inbox, lambda raw: text_event(), {"text": broken})
    row_id = (await inbox.accept(text_event(), b"<xml/>")).inbox_id
    assert row_id is not None
    for _ in range(3):
        await InboxEvent.filter(id=row_id).update(lease_until=clock.now() - timedelta(1))
        assert not await processor.process(row_id)
    row = await InboxEvent.get(id=row_id)
    assert row.status == ProcessingStatus.FAILED and "boom" in row.error and row.attempts == 3


async def _outbox_row() -> int:
    row = await OutboxMessage.create(
        idempotency_key="k1",
        channel="wecom.message",
        recipient="lina",
        payload={"kind": "text", "content": "hi"},
    )
    return row.id


async def test_relay_sends_once_and_records_the_result(database: str) -> None:
    sender = RecordingSender()
    relay = OutboxRelay({"wecom.message": sender}, lease_seconds=60, max_attempts=3)
    row_id = await _outbox_row()
    assert await relay.deliver(row_id)
    assert not await relay.deliver(row_id)
    row = await OutboxMessage.get(id=row_id)
    assert row.status == ProcessingStatus.DONE and row.result == {"msgid": "m1"}
    assert [m.attempt for m in sender.sent] == [1]


async def test_relay_retries_transient_errors_with_attempt_numbers(database: str) -> None:
    sender = RecordingSender(RetryLater("busy", retry_after=0), ExternalServiceError("down"))
    relay = OutboxRelay(
        {"wecom.message": sender}, lease_seconds=60, max_attempts=5, backoff=NO_WAIT
    )
    row_id = await _outbox_row()
    assert not await relay.deliver(row_id)
    assert await relay.due_ids() == [row_id]
    assert not await relay.deliver(row_id)
    await OutboxMessage.filter(id=row_id).update(next_attempt_at=clock.now())
    assert await relay.deliver(row_id)
    assert [m.attempt for m in sender.sent] == [1, 2, 3]


@pytest.mark.parametrize("error", [InvalidInput("bad"), ExternalServiceError("down")])
async def test_relay_gives_up(database: str, error: Exception) -> None:
    sender = RecordingSender(error, error, error)
    relay = OutboxRelay({"wecom.message": sender}, lease_seconds=60, max_attempts=1)
    row_id = await _outbox_row()
    assert not await relay.deliver(row_id)
    row = await OutboxMessage.get(id=row_id)
    assert row.status == ProcessingStatus.FAILED and row.error
    assert await relay.due_ids() == []


async def test_relay_without_sender_for_channel(database: str) -> None:
    relay = OutboxRelay({}, lease_seconds=60, max_attempts=3)
    row_id = await _outbox_row()
    assert not await relay.deliver(row_id)
    assert (await OutboxMessage.get(id=row_id)).status == ProcessingStatus.FAILED


async def test_one_senders_callbacks_are_processed_in_order(database: str) -> None:
    queue = InProcessQueue()
    inbox = make_inbox(queue=queue)
    first = (await inbox.accept(text_event("1"), b"<xml/>")).inbox_id
    second = (await inbox.accept(text_event("2"), b"<xml/>")).inbox_id
    other = await inbox.accept(said("wangqiang", "x", msg_id="3"), b"<xml/>")
    assert first and second and other.inbox_id
    assert await inbox.claim(second) is None  # waits for the first
    assert await inbox.claim(other.inbox_id) is not None  # other senders are not held up
    row = await inbox.claim(first)
    assert row is not None
    while await queue.get(INBOX_TOPIC, 0.01):
        pass
    await inbox.complete(row, [])
    assert await queue.get(INBOX_TOPIC, 0.1) == str(second)  # handed on
    assert await inbox.claim(second) is not None


async def test_one_recipients_messages_are_sent_in_order(database: str) -> None:
    queue = InProcessQueue()
    sender = RecordingSender(RetryLater("rate limited", retry_after=0))
    relay = OutboxRelay(
        {"wecom.message": sender}, lease_seconds=60, max_attempts=5, queue=queue, backoff=NO_WAIT
    )
    ids = []
    for n in range(2):
        row = await OutboxMessage.create(
            idempotency_key=f"o{n}",
            channel="wecom.message",
            recipient="lina",
            payload={"kind": "text", "content": str(n)},
        )
        ids.append(row.id)
    assert not await relay.deliver(ids[0])  # rate limited: stays first in line
    assert not await relay.deliver(ids[1])  # may not overtake it
    assert sender.sent[-1].payload["content"] == "0"
    assert await relay.deliver(ids[0])
    assert await queue.get("outbox", 0.1) == str(ids[1])
    assert await relay.deliver(ids[1])
    assert [m.payload["content"] for m in sender.sent] == ["0", "0", "1"]


async def test_sweep_waits_out_the_grace_period(database: str) -> None:
    """Regression: SQLite compares times as text, so storage and queries must share a zone."""
    inbox = make_inbox()
    row_id = (await inbox.accept(text_event(), b"<xml/>")).inbox_id
    assert await inbox.due_ids(grace=60) == []
    assert await inbox.due_ids(grace=0) == [row_id]
    await InboxEvent.filter(id=row_id).update(received_at=clock.now() - timedelta(seconds=120))
    assert await inbox.due_ids(grace=60) == [row_id]
