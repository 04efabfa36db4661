"""Rate limits over the in-process store and Redis: the limit, the wait, the message, and
subjects that never appear in clear (tests/security/test_dos.py drives them over HTTP)."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import pytest

from recruiting.errors import TooManyRequests
from recruiting.infra.memory_kv import MemoryKeyValueStore
from recruiting.infra.rate_limit import RateLimiter
from recruiting.settings import RateLimitSettings, RateRule

SETTINGS = RateLimitSettings(
    groups={"redeem": {"session": RateRule(3, 0.5), "openid": RateRule(5, 60)}}
)


async def test_admits_the_limit_then_refuses_with_the_wait_in_chinese(kv: Any) -> None:
    limiter = RateLimiter(kv, SETTINGS)
    for _ in range(3):
        await limiter.hit("redeem", "session", "17")
    with pytest.raises(TooManyRequests) as refused:
        await limiter.hit("redeem", "session", "17")
    assert 0 < refused.value.retry_after <= 0.5 and refused.value.code == "rate_limited"
    assert re.search(r"[\u4e00-\u9fff]", refused.value.message)
    assert "邀请" in refused.value.message and not re.search("[a-z]{3,}", refused.value.message)
    await limiter.hit("redeem", "session", "18")  # another session has its own window
    await asyncio.sleep(refused.value.retry_after + 0.05)
    await limiter.hit("redeem", "session", "17")  # the window slid on


async def test_unconfigured_groups_scopes_and_empty_subjects_are_not_limited(kv: Any) -> None:
    limiter = RateLimiter(kv, SETTINGS)
    for _ in range(10):
        await limiter.hit("redeem", "ip", "1.2.3.4")
        await limiter.hit("login", "ip", "1.2.3.4")
        await limiter.hit("redeem", "openid", "")
    off = RateLimiter(kv, RateLimitSettings(enabled=False, groups=SETTINGS.groups))
    for _ in range(10):
        await off.hit("redeem", "session", "99")


async def test_subjects_are_hashed_in_the_store(kv: Any) -> None:
    await RateLimiter(kv, SETTINGS).hit("redeem", "openid", "oQx-secret-openid")
    if isinstance(kv, MemoryKeyValueStore):
        keys = list(kv._windows)
    else:
        keys = [k for k in await kv._r.keys("*")]
    assert keys and not any("secret-openid" in k for k in keys)


async def test_the_in_process_windows_stay_bounded() -> None:
    kv = MemoryKeyValueStore()
    for i in range(100_050):
        await kv.admit(f"rate:x:{i}", 1, 0.0001)
    await asyncio.sleep(0.01)
    await kv.admit("rate:last", 1, 60)
    assert len(kv._windows) < 100_050
