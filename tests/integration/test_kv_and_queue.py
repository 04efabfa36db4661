"""Key-value store, lease lock and queues against Redis and the in-process stand-ins."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from recruiting.infra.locks import LeaseLost, lease
from recruiting.infra.queues import InProcessQueue, RedisQueue
from tests.conftest import REDIS_URL, require_service


async def test_set_only_if_absent_and_ttl(kv: Any) -> None:
    assert await kv.set("a", "1", ttl=0.2, only_if_absent=True)
    assert not await kv.set("a", "2", ttl=0.2, only_if_absent=True)
    assert await kv.get("a") == "1"
    await asyncio.sleep(0.3)
    assert await kv.get("a") is None
    assert await kv.set("a", "3", only_if_absent=True)


async def test_delete_only_with_matching_value(kv: Any) -> None:
    await kv.set("k", "mine")
    assert not await kv.delete("k", if_value="theirs")
    assert await kv.get("k") == "mine"
    assert await kv.delete("k", if_value="mine")
    assert not await kv.delete("k")


async def test_sliding_window_admits_limit_then_reports_wait(kv: Any) -> None:
    waits = [await kv.admit("rate:lina", 3, 0.5) for _ in range(4)]
    assert waits[:3] == [0.0, 0.0, 0.0]
    assert 0.0 < waits[3] <= 0.5
    await asyncio.sleep(waits[3] + 0.05)
    assert await kv.admit("rate:lina", 3, 0.5) == 0.0
    assert await kv.admit("rate:other", 3, 0.5) == 0.0


async def test_lease_lock_is_exclusive(kv: Any) -> None:
    async with lease(kv, "job", ttl=5) as first, lease(kv, "job", ttl=5, wait=0.1) as second:
        assert first and not second
    async with lease(kv, "job", ttl=5) as again:
        assert again


async def test_lease_expires_when_holder_dies(kv: Any) -> None:
    await kv.set("lock:job", "dead-holder", ttl=0.2)
    async with lease(kv, "job", ttl=5, wait=1.0) as taken:
        assert taken


@pytest.fixture(params=["memory", "redis"])
async def queue(request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    if request.param == "memory":
        yield InProcessQueue()
        return
    require_service("Redis", "127.0.0.1", 6379)
    q = RedisQueue.from_url(REDIS_URL)
    await q._r.delete("recruiting:queue:t")
    yield q
    await q.close()


async def test_queue_is_fifo_and_times_out(queue: Any) -> None:
    for i in range(3):
        await queue.put("t", str(i))
    assert [await queue.get("t", 0.5) for _ in range(3)] == ["0", "1", "2"]
    assert await queue.get("t", 0.05) is None


async def test_claim_many_reports_previous_values(kv: Any) -> None:
    await kv.set("b", "s")
    assert await kv.claim_many(["a", "b", "a"], "p", ttl=5) == [None, "s", "p"]
    assert await kv.get("a") == "p" and await kv.get("b") == "s"
    await kv.set_many(["a", "c"], "s", ttl=5)
    assert [await kv.get(k) for k in "abc"] == ["s", "s", "s"]


async def test_extend_only_while_the_value_is_still_held(kv: Any) -> None:
    await kv.set("lock:x", "mine", ttl=0.3)
    assert not await kv.extend("lock:x", "theirs", 5)
    assert await kv.extend("lock:x", "mine", 5)
    await asyncio.sleep(0.5)
    assert await kv.get("lock:x") == "mine"  # the fresh TTL kept it
    assert not await kv.extend("lock:absent", "mine", 5)


async def test_a_renewed_lease_outlives_its_ttl_and_keeps_others_out(kv: Any) -> None:
    async with lease(kv, "slow", ttl=0.3, renew=True) as held:
        assert held
        await asyncio.sleep(1.0)  # more than three TTLs of work
        async with lease(kv, "slow", ttl=0.3) as other:
            assert not other
        await held.confirm()  # still ours at commit time
    async with lease(kv, "slow", ttl=0.3) as after:
        assert after  # released on exit


async def test_without_renewal_the_lease_lapses_and_the_fence_says_so(kv: Any) -> None:
    async with lease(kv, "lapsing", ttl=0.2) as held:
        await asyncio.sleep(0.4)
        async with lease(kv, "lapsing", ttl=5) as newcomer:
            assert newcomer
            with pytest.raises(LeaseLost):
                await held.confirm()
        assert held  # taken once; the fence, not the truth value, guards the commit
