"""Rate limits per route group and scope, on the key-value store: Redis when configured
(shared by every process), in-process otherwise.

A scope is who is counted: the client IP, the session, or the account (WeChat openid, or
a staff member's userid). Subjects are hashed into the key, so no openid or address sits in
Redis in clear. Over a limit the caller gets ``TooManyRequests`` (429) with the seconds until
a slot frees up (``Retry-After``) and a Chinese message for the person in front of the app.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

from recruiting.errors import TooManyRequests
from recruiting.ports.kv import KeyValueStore
from recruiting.settings import RateLimitSettings, RateRule

# What the candidate or employee reads, per route group (the generic text otherwise).
_MESSAGES = {
    "login": "登录尝试太频繁了，请 {wait} 秒后再试。",
    "redeem": "邀请链接尝试次数太多了，请 {wait} 秒后再试；如果链接打不开，请联系 HR 重新发送。",
    "device_check": "设备检测做得太频繁了，请 {wait} 秒后再试。",
    "upload": "上传请求太频繁了，请 {wait} 秒后继续，已上传的部分不会丢失。",
}
_DEFAULT_MESSAGE = "请求太频繁了，请 {wait} 秒后再试。"


class RateLimiter:
    def __init__(self, kv: KeyValueStore, settings: RateLimitSettings) -> None:
        self._kv = kv
        self._enabled = settings.enabled
        self._groups: Mapping[str, Mapping[str, RateRule]] = settings.groups

    def applies(self, group: str, scope: str) -> bool:
        return self._enabled and scope in self._groups.get(group, {})

    async def hit(self, group: str, scope: str, subject: str) -> None:
        """Count one request of ``subject``; raise TooManyRequests when over the limit (a
        refused request is not counted). Unknown groups and scopes are not limited."""
        rule = self._groups.get(group, {}).get(scope) if self._enabled else None
        if rule is None or not subject:
            return
        digest = hashlib.blake2b(subject.encode("utf-8", "surrogatepass"), digest_size=12)
        key = f"rate:{group}:{scope}:{digest.hexdigest()}"
        wait = await self._kv.admit(key, rule.count, rule.seconds)
        if wait > 0:
            seconds = max(1, int(wait + 0.999))
            text = _MESSAGES.get(group, _DEFAULT_MESSAGE).format(wait=seconds)
            raise TooManyRequests(text, retry_after=wait)
