"""``kill -9`` a purge mid-batch (a real process, SIGKILL at a random moment, three times),
restart it, and at every point no candidate is half-erased: each is either untouched or
has lost every row of its classes, and the media objects of an erased candidate are
deleted or still listed for deletion; the last run leaves nothing behind."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from tortoise import connections

from recruiting import clock
from recruiting.infra.media_store import LocalMediaStore
from recruiting.models import (
    Answer,
    Candidate,
    CandidateMessage,
    ErasureRecord,
    InterviewNote,
    PendingObjectDeletion,
    Staff,
    SurveyResponse,
)
from tests.conftest import TEST_CIPHER
from tests.integration.candidate_data import plant

ROOT = Path(__file__).resolve().parents[2]
CANDIDATES = 30


async def test_a_killed_purge_never_leaves_half_a_candidate(database: str, tmp_path: Path) -> None:
    media = LocalMediaStore(tmp_path / "media", TEST_CIPHER)
    keys: dict[int, str] = {}
    for n in range(CANDIDATES):
        candidate_id, key = await plant(media, suffix=str(n))
        keys[candidate_id] = key
    now = (clock.now() + timedelta(days=400)).isoformat()
    rng = random.Random(18)
    kills = 0
    for _ in range(3):
        before = await ErasureRecord.all().count()
        child = await start(database, tmp_path / "media", now)
        await asyncio.sleep(rng.uniform(0.2, 0.8))
        if child.poll() is None:
            os.kill(child.pid, signal.SIGKILL)
            kills += 1
        child.wait(timeout=30)
        await reconnect(database)
        await no_half_candidate(keys, media)
        assert await ErasureRecord.all().count() >= before
    assert kills >= 2, "the purge finished before it could be killed: slow it down"
    erased = await Candidate.filter(erased_at__isnull=False).count()
    assert 0 < erased < CANDIDATES  # killed mid-batch: some erased, some not yet
    child = await start(database, tmp_path / "media", now)
    out, _ = child.communicate(timeout=120)
    assert child.returncode == 0 and b"done" in out, out
    await reconnect(database)
    await no_half_candidate(keys, media)
    assert await Candidate.filter(erased_at=None).count() == 0
    assert await PendingObjectDeletion.all().count() == 0
    assert [k for k in keys.values() if await media.size(k) > 0] == []
    assert await ErasureRecord.all().count() == CANDIDATES  # one per candidate, never twice


async def start(url: str, media_dir: Path, now: str) -> subprocess.Popen[bytes]:
    await connections.close_all(discard=False)  # let the child have SQLite to itself
    child = subprocess.Popen(  # noqa: ASYNC220 - started once, read in a thread below
        [sys.executable, "-m", "tests.integration.purge_child", url, str(media_dir), now],
        cwd=ROOT, stdout=subprocess.PIPE, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    assert child.stdout is not None
    line = await asyncio.to_thread(child.stdout.readline)
    assert line.strip() == b"ready", line
    return child


async def reconnect(url: str) -> None:
    from recruiting.db import open_database

    await connections.close_all(discard=True)
    await open_database(url)


async def no_half_candidate(keys: dict[int, str], media: LocalMediaStore) -> None:
    pending = set(await PendingObjectDeletion.all().values_list("key", flat=True))
    for candidate_id, key in keys.items():
        candidate = await Candidate.get(id=candidate_id)
        notes = await InterviewNote.filter(
            interview__application__candidate_id=candidate_id
        ).count()
        messages = await CandidateMessage.filter(candidate_id=candidate_id).count()
        answer = await Answer.get(interview__application__candidate_id=candidate_id)
        survey = await SurveyResponse.get(interview__application__candidate_id=candidate_id)
        state = (candidate.name != "", notes, messages, answer.media_key != "",
                 answer.analysis is not None, survey.comment != "")  # fmt: skip
        if candidate.erased_at is None:
            assert state == (True, 1, 1, True, True, True), (candidate_id, state)
            assert await media.size(key) > 0
            assert not await ErasureRecord.filter(candidate_id=candidate_id).exists()
        else:
            assert state == (False, 0, 0, False, False, False), (candidate_id, state)
            assert await media.size(key) == 0 or key in pending, candidate_id
            assert await ErasureRecord.filter(candidate_id=candidate_id).count() == 1
    assert await Staff.all().count() == len(keys)
