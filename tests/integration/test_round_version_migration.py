"""Migration 0018 on a database holding interviews (SQLite and PostgreSQL): every round with
interviews gets version 1 made from its content and its opening's weights, and those
interviews point at it; a round without interviews gets none until its first interview."""

from __future__ import annotations

import json

from tortoise import Tortoise, connections
from tortoise.migrations.api import migrate

from recruiting.db import tortoise_config
from recruiting.domain.round_version import RoundContent
from tests.integration.empty_database import an_interview_at, empty_url, insert_row

__all__ = ["empty_url"]  # the fixture

BEFORE = "0017_screening_requirements"
MODEL = [{"code": "communication", "name": "沟通能力", "weight": "1"}]
QUESTIONS = [{"text": "请讲一次你说服客户的经历。", "competencies": ["沟通能力"]}]


async def test_existing_interviews_are_pinned_to_version_one(empty_url: str) -> None:
    sqlite = empty_url.startswith("sqlite")
    config = tortoise_config(empty_url)
    await an_interview_at(config, BEFORE, sqlite)
    conn = connections.get("default")
    await conn.execute_query("UPDATE interview_round SET sequence = 2")
    await insert_row("interview_round", sqlite)  # a second round of the job, sequence 1
    mark = "?" if sqlite else "$1"
    await conn.execute_query(f"UPDATE job_opening SET competency_model = {mark}",
                             [json.dumps(MODEL)])  # fmt: skip
    await conn.execute_query(
        f"UPDATE interview_round SET questions = {mark}, kind = 'recorded', name = '录制'",
        [json.dumps(QUESTIONS, ensure_ascii=False)],
    )
    rounds = (await conn.execute_query("SELECT id FROM interview_round ORDER BY id"))[1]
    first, second = (int(r["id"]) for r in rounds)
    await conn.execute_query(f"UPDATE interview SET round_id = {mark}", [first])
    await Tortoise.close_connections()

    await migrate(config=config)

    await Tortoise.init(config=config)
    try:  # raw reads: the placeholder rows hold values the models' enums would refuse
        conn = connections.get("default")
        pinned = (await conn.execute_query("SELECT round_version_id FROM interview"))[1]
        versions = (await conn.execute_query("SELECT * FROM interview_round_version"))[1]
        assert len(versions) == 1  # the round without interviews has none yet
        version = dict(versions[0])
        assert [r["round_version_id"] for r in pinned] == [version["id"]]
        assert (version["round_id"], version["number"]) == (first, 1)
        content = version["content"]
        content = json.loads(content) if isinstance(content, str) else content
        assert content["questions"] == QUESTIONS and content["competency_model"] == MODEL
        assert content_of_digest(content) == version["digest"]
        assert version["created_by"] == "migration" and second != first
    finally:
        await Tortoise.close_connections()


def content_of_digest(content: dict[str, object]) -> str:
    return RoundContent.from_json(content).digest()
