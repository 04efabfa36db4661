"""The objects several capabilities use, built once per process."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import httpx

from interview_core.engines.choose import ScorerChoice
from interview_core.engines.llm.config import LlmConfig
from interview_core.live import CoreLivePrompts
from interview_core.service import CoreAnalysis
from recruiting.infra.media_store import LocalMediaStore
from recruiting.infra.memory_kv import MemoryKeyValueStore
from recruiting.infra.pii import FieldCipher
from recruiting.infra.queues import InProcessQueue, RedisQueue
from recruiting.infra.redis_kv import RedisKeyValueStore
from recruiting.infra.scratch import prepare_scratch
from recruiting.infra.sealed_fields import install_cipher_for
from recruiting.ports.kv import KeyValueStore
from recruiting.ports.queue import TaskQueue
from recruiting.services.messaging.effects import Effects
from recruiting.settings import Settings
from wecom_bot.client import WeComClient, build_client


@dataclass(frozen=True)
class Shared:
    settings: Settings
    kv: KeyValueStore
    queue: TaskQueue
    cipher: FieldCipher
    wecom: WeComClient
    http: httpx.AsyncClient
    effects: Effects
    media: LocalMediaStore
    prompts: CoreLivePrompts
    core: CoreAnalysis
    scratch: Path  # this process's scratch folder

    async def aclose(self) -> None:
        """Close the connections opened here, once, when the process stops."""
        await self.http.aclose()
        await self.wecom.aclose()
        await self.queue.close()
        await self.kv.close()


def wire_shared(
    settings: Settings, *, wecom_transport: httpx.AsyncBaseTransport | None = None
) -> Shared:
    kv, queue = _state_stores(settings)
    cipher = install_cipher_for(settings)  # the sealed model fields
    return Shared(
        settings=settings,
        kv=kv,
        queue=queue,
        cipher=cipher,
        wecom=build_client(settings.wecom, kv, transport=wecom_transport),
        http=httpx.AsyncClient(transport=wecom_transport),
        effects=Effects(queue),
        # 256 KB per appender flush: 100 concurrent uploads hold ~50 MB of buffers, not 100.
        media=LocalMediaStore(settings.miniapp.media_dir, cipher, flush_bytes=256 * 1024),
        prompts=CoreLivePrompts(),
        core=CoreAnalysis(
            model_dir=settings.analysis.speech_model_dir or None,
            min_coverage=settings.analysis.min_coverage_percent / 100,
            scoring=scorer_choice(settings),
        ),
        scratch=prepare_scratch(settings.data_dir / "tmp"),
    )


def _state_stores(settings: Settings) -> tuple[KeyValueStore, TaskQueue]:
    if settings.redis_url:
        return RedisKeyValueStore.from_url(settings.redis_url), RedisQueue.from_url(
            settings.redis_url
        )
    return MemoryKeyValueStore(), InProcessQueue()


def scorer_choice(settings: Settings) -> ScorerChoice:
    """The answer-scoring engine: the LLM when fully configured, else the rules; the LLM's
    verdicts are cached in Redis when the service has one."""
    llm = settings.scoring_llm
    if not llm.enabled:
        return ScorerChoice()
    config = LlmConfig(
        base_url=llm.base_url,
        model=llm.model,
        api_key=llm.api_key,
        timeout_seconds=float(llm.timeout_seconds),
        max_attempts=llm.max_attempts,
        json_mode=llm.json_mode,
        seed=llm.seed,
        max_tokens=llm.max_tokens,
        cache_size=llm.cache_size,
    )
    return ScorerChoice(llm=config, cache_url=settings.redis_url)
