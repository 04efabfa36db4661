"""Outbox relay on real databases: jittered backoff, per-candidate order, dead letters with a
WeCom retry card, the 重新投递 click, racing relays, and EHR effects written with the decision."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from typing import Any

import pytest

from recruiting import clock
from recruiting.domain.inbound import CardClick
from recruiting.domain.routing import route_key
from recruiting.errors import ExternalServiceError, InvalidInput, RetryLater
from recruiting.infra.queues import InProcessQueue
from recruiting.models import (
    Application,
    ApplicationStatus,
    AuditLog,
    Candidate,
    Interview,
    InterviewRound,
    JobOpening,
    OutboxMessage,
    ProcessingStatus,
    RaterKind,
    Score,
    Staff,
)
from recruiting.ports.ehr import CandidateArchive, NewEmployee, record_from_payload
from recruiting.ports.outbound import Channel
from recruiting.services.messaging.effects import Unit
from recruiting.services.messaging.outbox import (
    RETRY,
    Backoff,
    DeadLetters,
    OutboxRelay,
    RetryPolicy,
)
from recruiting.services.offers.ehr import EhrSync
from recruiting.services.shared.audit import Actor
from tests.fakes.outbound import RecordingSender
from tests.people_text import display_strings, problems

NO_WAIT = Backoff(0.0, 0.0)
HR = Actor("zhangwei")


async def _staff() -> None:
    await Staff.create(wecom_userid="zhangwei", name="张伟", roles=["hr_manager"])
    await Staff.create(wecom_userid="lina", name="李娜", roles=["hr"])


async def _row(key: str, channel: str = "ehr", recipient: str = "candidate:1") -> int:
    row = await OutboxMessage.create(
        idempotency_key=key, channel=channel, recipient=recipient, payload={"n": key}
    )
    return row.id


def test_full_jitter_stays_within_floor_and_cap() -> None:
    backoff = Backoff(base_seconds=2.0, cap_seconds=60.0)
    assert backoff.delay(1, rand=lambda: 0.999) < 2.0
    assert backoff.delay(3, rand=lambda: 1.0) == 8.0
    assert backoff.delay(30, rand=lambda: 1.0) == 60.0  # capped
    assert backoff.delay(5, floor=30.0, rand=lambda: 0.0) == 30.0  # Retry-After is a floor
    assert backoff.delay(10_000, rand=lambda: 0.5) == 30.0  # no overflow


async def test_retry_waits_a_jittered_exponential_time(database: str) -> None:
    sender = RecordingSender(ExternalServiceError("down"), RetryLater("busy", retry_after=10))
    relay = OutboxRelay({"ehr": sender}, lease_seconds=60, max_attempts=9,
                        backoff=Backoff(4.0, 600.0), rand=lambda: 0.5)  # fmt: skip
    row_id = await _row("k1")
    before = clock.now()
    assert not await relay.deliver(row_id)
    row = await OutboxMessage.get(id=row_id)
    assert row.status == ProcessingStatus.PENDING and row.error == "down"
    assert row.next_attempt_at is not None
    assert 1.9 <= (row.next_attempt_at - before).total_seconds() <= 2.5  # 0.5 × 4 s
    await OutboxMessage.filter(id=row_id).update(next_attempt_at=clock.now())
    assert not await relay.deliver(row_id)
    row = await OutboxMessage.get(id=row_id)
    assert row.next_attempt_at is not None
    assert (row.next_attempt_at - before).total_seconds() >= 10 + 4  # floor + 0.5 × 8 s


async def test_dead_letter_alerts_hr_managers_in_the_same_transaction(database: str) -> None:
    await _staff()
    queue = InProcessQueue()
    relay = OutboxRelay({"ehr": RecordingSender(InvalidInput("EHR refused: no mobile"))},
                        lease_seconds=60, max_attempts=5, queue=queue,
                        dead_letters=DeadLetters(queue))  # fmt: skip
    row_id = await _row("k1")
    assert not await relay.deliver(row_id)
    dead = await OutboxMessage.get(id=row_id)
    assert dead.status == ProcessingStatus.FAILED and "no mobile" in dead.error
    alerts = await OutboxMessage.filter(channel="wecom.message")
    assert [a.recipient for a in alerts] == ["zhangwei"]  # hr_manager only, not hr
    card = alerts[0].payload["card"]
    assert card["card_type"] == "button_interaction"
    assert card["button_list"][0] == {
        "type": 0, "text": "重新投递", "style": 1, "key": route_key(RETRY, row_id)
    }  # fmt: skip
    assert await queue.get("outbox", 0.1) == str(alerts[0].id)
    # an alert that itself dies is not alerted about (no loop)
    alert_relay = OutboxRelay({}, lease_seconds=60, max_attempts=1,
                              dead_letters=DeadLetters(queue))  # fmt: skip
    assert not await alert_relay.deliver(alerts[0].id)
    assert await OutboxMessage.filter(channel="wecom.message").count() == 1


async def test_the_dead_letter_card_names_whom_the_delivery_was_for(database: str) -> None:
    """HR managers read a name and the channel in Chinese, never ``candidate:1``, a userid
    or a row number; the replies to 重新投递 name no number either."""
    await _staff()
    candidate = await Candidate.create(name="赵敏")
    letters = DeadLetters()
    relay = OutboxRelay({"ehr": RecordingSender(InvalidInput("EHR refused")),
                         "wecom.message": RecordingSender(InvalidInput("81013 user not found"))},
                        lease_seconds=60, max_attempts=1, dead_letters=letters)  # fmt: skip
    to_candidate = await _row("k1", recipient=f"candidate:{candidate.id}")
    to_staff = await _row("k2", channel="wecom.message", recipient="lina")
    for row_id in (to_candidate, to_staff):
        assert not await relay.deliver(row_id)
    cards = [a.payload["card"] for a in await OutboxMessage.filter(
        channel="wecom.message", idempotency_key__startswith="dead-letter:").order_by("id")]  # fmt: skip
    assert [c["main_title"]["desc"] for c in cards] == ["发给：候选人赵敏", "发给：李娜"]
    replies = await letters.on_card_click(_click("zhangwei", to_candidate))
    replies += await letters.on_card_click(_click("zhangwei", to_candidate))
    shown = [t for c in cards for t in display_strings(c)]
    shown += [r.payload["content"] for r in replies]
    for text in shown:
        assert problems(text) == [] and "candidate:" not in text and "lina" not in text, text
        assert "#" not in text and "条外发记录" not in text, text


async def test_retries_exhausted_then_dead_lettered_per_channel_policy(database: str) -> None:
    await _staff()
    relay = OutboxRelay(
        {
            "ehr": RecordingSender(*[RetryLater("503", retry_after=0)] * 3),
            "other": RecordingSender(),
        },
        lease_seconds=60,
        max_attempts=10,
        backoff=NO_WAIT,
        channel_policies={"ehr": RetryPolicy(3, NO_WAIT)},
        dead_letters=DeadLetters(),
    )
    row_id = await _row("k1")
    for _ in range(3):
        assert not await relay.deliver(row_id)
    row = await OutboxMessage.get(id=row_id)
    assert row.status == ProcessingStatus.FAILED and row.attempts == 3
    assert await OutboxMessage.filter(channel="wecom.message").count() == 1
    assert await relay.due_ids(channel="ehr") == []  # dead rows are not swept


async def test_retry_button_requeues_for_hr_managers_only(database: str) -> None:
    await _staff()
    queue = InProcessQueue()
    letters = DeadLetters(queue)
    sender = RecordingSender(InvalidInput("refused"))
    relay = OutboxRelay({"ehr": sender}, lease_seconds=60, max_attempts=3, queue=queue,
                        dead_letters=letters)  # fmt: skip
    row_id = await _row("k1")
    assert not await relay.deliver(row_id)
    while await queue.get("outbox", 0.01):
        pass
    replies = await letters.on_card_click(_click("lina", row_id))
    assert "只有 HR 负责人" in replies[0].payload["content"]
    assert (await OutboxMessage.get(id=row_id)).status == ProcessingStatus.FAILED
    replies = await letters.on_card_click(_click("zhangwei", row_id))
    assert replies[0].recipient == "zhangwei" and "已重新投递" in replies[0].payload["content"]
    row = await OutboxMessage.get(id=row_id)
    assert row.status == ProcessingStatus.PENDING and row.attempts == 0 and not row.error
    assert await queue.get("outbox", 0.1) == str(row_id)
    again = await letters.on_card_click(_click("zhangwei", row_id))  # a second manager's click
    assert "无需操作" in again[0].payload["content"]
    assert await relay.deliver(row_id)
    audit = await AuditLog.filter(action="outbox_requeue").order_by("id")
    assert [(a.actor, a.allowed) for a in audit] == [
        ("lina", False), ("zhangwei", True), ("zhangwei", True)
    ]  # fmt: skip
    other = await letters.on_card_click(_click("zhangwei", 0, key="interview.confirm:3"))
    assert other == []  # somebody else's card


def _click(userid: str, outbox_id: int, key: str | None = None) -> CardClick:
    return CardClick(
        kind="card_click", from_user=userid, to_user="corp", agent_id="1", create_time=1,
        msg_type="event", event="template_card_event", dedup_key=f"c{userid}{outbox_id}",
        event_key=key or route_key(RETRY, outbox_id), task_id="t", card_type="button_interaction",
    )  # fmt: skip


async def test_one_candidates_effects_stay_in_order_others_do_not_wait(database: str) -> None:
    queue = InProcessQueue()
    sender = RecordingSender(RetryLater("503", retry_after=0))
    relay = OutboxRelay({"ehr": sender}, lease_seconds=60, max_attempts=5, queue=queue,
                        backoff=NO_WAIT)  # fmt: skip
    archive = await _row("a", recipient="candidate:7")
    employee = await _row("e", recipient="candidate:7")
    other = await _row("o", recipient="candidate:8")
    assert not await relay.deliver(archive)  # fails: stays first in line
    assert not await relay.deliver(employee)  # may not overtake it
    assert await relay.deliver(other)  # another candidate is not held up
    assert await relay.deliver(archive)
    assert await queue.get("outbox", 0.1) == str(employee)  # handed on
    assert await relay.deliver(employee)
    assert [m.payload["n"] for m in sender.sent] == ["a", "o", "a", "e"]


async def test_racing_relays_deliver_each_row_once(database: str) -> None:
    """Four relays (as four worker processes would) race over the same rows."""
    sender = RecordingSender(delay=0.01)
    relays = [OutboxRelay({"ehr": sender}, lease_seconds=60, max_attempts=3) for _ in range(4)]
    ids = [await _row(f"k{n}", recipient=f"candidate:{n % 5}") for n in range(40)]
    for _ in range(10):
        await asyncio.gather(*(r.deliver(i) for r in relays for i in ids))
    delivered = [m.id for m in sender.sent]
    assert sorted(delivered) == sorted(ids)  # every row once, none twice
    assert await OutboxMessage.filter(status=ProcessingStatus.DONE).count() == 40


async def test_recovery_makes_waiting_rows_due(database: str) -> None:
    queue = InProcessQueue()
    sender = RecordingSender(RetryLater("down", retry_after=0))
    relay = OutboxRelay({"ehr": sender}, lease_seconds=60, max_attempts=9, queue=queue,
                        backoff=Backoff(300.0, 300.0), rand=lambda: 1.0)  # fmt: skip
    first, second = await _row("a", recipient="c:1"), await _row("b", recipient="c:2")
    await relay.deliver(first)
    await OutboxMessage.filter(id=second).update(
        attempts=3, next_attempt_at=clock.now() + timedelta(seconds=300)
    )
    await OutboxMessage.filter(id=first).update(next_attempt_at=clock.now())
    assert await relay.deliver(first)  # a retry went through: the EHR is back
    row = await OutboxMessage.get(id=second)
    assert row.next_attempt_at is not None and row.next_attempt_at <= clock.now()
    assert await queue.get("outbox", 0.1) == str(second)


async def _application() -> Application:
    from recruiting.infra.pii import FieldCipher

    cipher = FieldCipher({"k": b"\x01" * 32}, "k")
    job = await JobOpening.create(code="SALES-01", title="销售代表", department="华东销售部",
                                  city="上海", competency_model=[])  # fmt: skip
    rnd = await InterviewRound.create(job=job, name="一面", competencies=["沟通能力"])
    candidate = await Candidate.create(
        name="刘洋", phone_enc=cipher.encrypt("13800001111", "candidate.phone")
    )
    application = await Application.create(candidate=candidate, job=job, status="interviewing")
    interview = await Interview.create(application=application, round=rnd, status="completed")
    await Score.create(interview=interview, competency="沟通能力", rater_kind=RaterKind.AI,
                       rater_key="ai:rules@1", value="4.5", confidence="0.800",
                       evidence=[{"quote": "我先分析了数据", "source": "answer:1"}])  # fmt: skip
    return application


async def test_hire_writes_status_and_both_effects_in_order(database: str) -> None:
    application = await _application()
    queue = InProcessQueue()
    sync = EhrSync(queue, report_url="https://hr.example.com/r/{application_id}")
    ids = await sync.record_hire(application.id, HR, start_date=date(2026, 12, 1))
    assert len(ids) == 2
    assert (await Application.get(id=application.id)).status == ApplicationStatus.HIRED
    rows = await OutboxMessage.filter(channel=Channel.EHR).order_by("id")
    assert [r.recipient for r in rows] == [f"candidate:{application.candidate_id}"] * 2  # type: ignore[attr-defined]
    archive, employee = (record_from_payload(r.payload) for r in rows)
    assert isinstance(archive, CandidateArchive) and isinstance(employee, NewEmployee)
    assert archive.decision == "hired" and archive.report_url.endswith(f"/r/{application.id}")
    score = archive.interviews[0].scores[0]
    assert (score.score, score.rater_kind, score.evidence[0].quote) == (4.5, "ai", "我先分析了数据")
    assert archive.candidate.phone and "13800001111" not in archive.candidate.phone  # sealed
    assert employee.department == "华东销售部" and employee.start_date == "2026-12-01"
    assert await sync.record_hire(application.id, HR, start_date=date(2026, 12, 1)) == []
    assert await OutboxMessage.filter(channel=Channel.EHR).count() == 2
    assert [await queue.get("outbox", 0.1) for _ in ids] == [str(i) for i in ids]


async def test_decision_and_effect_commit_together_or_not_at_all(
    database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    application = await _application()

    async def broken(*args: Any, **kwargs: Any) -> list[int]:
        raise RuntimeError("disk full")

    monkeypatch.setattr(Unit, "add", broken)
    with pytest.raises(RuntimeError):
        await EhrSync().record_decision(application.id, ApplicationStatus.REJECTED, HR)
    assert (await Application.get(id=application.id)).status == ApplicationStatus.INTERVIEWING
    with pytest.raises(InvalidInput):
        await EhrSync().record_decision(application.id, ApplicationStatus.HIRED, HR)
