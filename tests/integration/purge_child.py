"""A purge run in a process of its own, for ``test_purge_crash`` to ``kill -9``.

    python -m tests.integration.purge_child <database url> <media dir> <now iso>

Each erasure is slowed (a pause inside its transaction, another per media object deleted)
so the kill lands mid-transaction or between the commit and the object deletions; the
process prints ``ready`` once it has opened the database.
"""

from __future__ import annotations

import asyncio
import sys
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from recruiting.db import close_database, open_database
from recruiting.domain.retention import DataClass, RetentionPolicy
from recruiting.infra.media_store import LocalMediaStore
from recruiting.infra.sealed_fields import install_cipher
from recruiting.services.messaging.effects import Effects
from recruiting.services.personal_data import erasure
from recruiting.services.personal_data.purge import Purge
from tests.conftest import TEST_CIPHER

PAUSE = 0.02


class SlowMedia(LocalMediaStore):
    async def delete(self, key: str) -> bool:
        await asyncio.sleep(PAUSE)
        return await super().delete(key)


def slowed(step: Any) -> Any:
    async def run(scope: Any) -> int:
        await asyncio.sleep(PAUSE)  # inside the open transaction
        return int(await step(scope))

    return run


async def main(url: str, media_dir: str, now: str) -> None:
    install_cipher(TEST_CIPHER)
    for data_class in (DataClass.NOTES, DataClass.MESSAGES):
        erasure._ERASERS[data_class] = slowed(erasure._ERASERS[data_class])
    await open_database(url)
    print("ready", flush=True)
    try:
        effects = Effects(None)
        media = SlowMedia(Path(media_dir), TEST_CIPHER)
        purge = Purge(erasure.CandidateErasure(media, effects), RetentionPolicy(batch_size=1000),
                      effects, ZoneInfo("Asia/Shanghai"))  # fmt: skip
        report = await purge.run(datetime.fromisoformat(now))
        print(f"done {len(report.candidates)}", flush=True)
    finally:
        await close_database()


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:4]))
