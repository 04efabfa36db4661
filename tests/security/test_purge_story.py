"""Issue 18, done when: personal data planted through the real flows is gone after its
retention period, while audit records and aggregates remain.

The story of ``test_plaintext_at_rest`` runs over real HTTP through the WeCom sandbox (her
chat, scheduling, the live interview with notes and scores, her survey comment, the offer
approved with its EHR and payroll hand-offs, her acceptance), then her phone, e-mail, ID
number, WeChat ids and a session are stored and a recorded answer is analysed into a
transcript; a dead process's scratch folder holds a decrypted copy. What identifies her is
collected as stored: the raw value of every sealed personal column (``inventory``) in her
rows, her media objects, her strings in clear in the hand-off files. All of it is found in a
raw dump of every table (PostgreSQL and SQLite, by SQL) and in the data folder first.

Then the clock moves: a day before her period nothing goes; an HR manager's legal hold
(placed over the API) stops the purge after it; the dry run names her and deletes nothing;
after the hold is lifted the purge erases her, the EHR spool and payroll CSV drop their
copies through the outbox, and neither the dump nor any file of the data folder (SQLite file
and log included) holds any of it. Her audit records, applications, interviews, survey
ratings and human rating values remain.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any, cast

import httpx
from tortoise import Tortoise, connections

from recruiting.models import (
    Answer,
    Application,
    AuditLog,
    Candidate,
    Interview,
    Offer,
    OfferEvent,
    Score,
    SurveyResponse,
)
from recruiting.services.personal_data import inventory
from recruiting.services.personal_data.holdings import LINKS, candidate_columns
from tests.e2e import candidate_story as story_steps
from tests.e2e import chat
from tests.e2e.candidate_story import Story
from tests.security.pii_story import (
    COMMENT,
    EMAIL,
    EXTERNAL,
    ID_NUMBER,
    NAME,
    OPENID,
    PHONE,
    QUOTE,
    RECORDING,
    TRANSCRIPT,
    UNIONID,
    a_recorded_answer_is_analysed,
    files_holding,
    her_contact_data_and_wechat_ids,
    story,
    the_candidates_story,
)

__all__ = ["story"]  # the fixture


async def test_her_data_is_gone_after_its_period_and_the_figures_stay(
    story: Story,
    tmp_path: Path,
) -> None:
    await the_candidates_story(story, tmp_path)
    await story_steps.she_accepts_the_offer_in_kf(story)
    await her_contact_data_and_wechat_ids(story)
    await a_recorded_answer_is_analysed(story)
    await chat.wait(_outbox_settled)
    data_dir = story.stack.settings.data_dir
    dead = data_dir / "tmp" / "999999"  # a process killed while decoding her answer
    dead.mkdir(mode=0o700)
    (dead / ".started").write_text("1")
    (dead / "upload-1.media").write_bytes(RECORDING.encode())

    her = story.candidate_id
    tokens = await her_sealed_values(her)
    assert len(tokens) > 25, tokens  # name, contact, ids, notes, comment, transcript, scores…
    plain = [NAME, PHONE, EMAIL, ID_NUMBER, OPENID, UNIONID, EXTERNAL, COMMENT, TRANSCRIPT,
             QUOTE, RECORDING, story_steps.NOTE]  # fmt: skip
    objects = await her_media_files(her, data_dir)
    assert objects and all(p.exists() for p in objects)
    unlisted = [p for p in _files(data_dir) if not inventory.store_of(p.relative_to(data_dir))]
    assert unlisted == [], "add these stores to inventory.STORES"
    before = await dump_tables()
    assert missing(tokens, before) == [], "the search would not find her data"
    assert NAME in (data_dir / "payroll" / "new-hires.csv").read_text(encoding="utf-8")
    assert files_holding(data_dir / "ehr", [NAME])
    kept = await figures(her)
    audits = await AuditLog.all().count()

    offer = await Offer.get(application__candidate_id=her)
    assert offer.answered_at is not None
    decided = offer.answered_at
    purge = story.services.personal_data.purge
    early = await purge.run(decided + timedelta(days=29))
    assert her not in [p.candidate_id for p in early.candidates]
    assert missing(tokens, await dump_tables()) == []

    api, manager = await staff_api(story, "zhangwei")
    placed = await api.post("/miniapp/v1/staff/legal-holds", headers=manager,
                            json={"candidate_id": her, "reason": "劳动仲裁 2026-118"})  # fmt: skip
    assert placed.status_code == 200, placed.text
    lina = (await staff_api(story, "lina"))[1]  # HR, not a manager
    refused = await api.post(f"/miniapp/v1/staff/legal-holds/{placed.json()['id']}/lift",
                             headers=lina, json={"reason": "x"})  # fmt: skip
    assert refused.status_code == 403, refused.text
    after = decided + timedelta(days=31)
    held = await purge.run(after)
    assert her in held.held and her not in [p.candidate_id for p in held.candidates]
    assert missing(tokens, await dump_tables()) == []
    lifted = await api.post(f"/miniapp/v1/staff/legal-holds/{placed.json()['id']}/lift",
                            headers=manager, json={"reason": "仲裁结束"})  # fmt: skip
    assert lifted.status_code == 200 and lifted.json()["lifted_by"] == "zhangwei"
    await api.aclose()

    dry = await purge.run(after, dry_run=True)
    planned = {p.candidate_id: [c.value for c in p.classes] for p in dry.candidates}
    assert len(planned[her]) == 7, planned
    assert not any(s in json.dumps(dry.to_json(), ensure_ascii=False) for s in plain)
    assert missing(tokens, await dump_tables()) == [] and all(p.exists() for p in objects)

    done = await purge.run(after)
    assert her in [p.candidate_id for p in done.candidates]
    await chat.wait(_outbox_settled)  # the EHR spool and the payroll CSV drop their copies
    dump = await dump_tables()
    assert [line[:120] for line in dump.splitlines() if any(t in line for t in tokens)] == []
    assert [s for s in plain if s in dump] == []
    assert not any(p.exists() for p in objects) and not dead.exists()
    everything = [p for p in data_dir.rglob("*") if p.is_file()]
    assert any(p.name.startswith("recruiting.sqlite3") for p in everything) or (
        "postgres" in story.stack.settings.database_url)  # fmt: skip
    assert files_holding(data_dir, plain + tokens) == {}
    # what remains: the audit trail, the figures, an empty candidate row
    assert await AuditLog.all().count() >= audits
    assert await AuditLog.filter(action="erase", subject_id=str(her), allowed=True).exists()
    assert await figures(her) == kept
    candidate = await Candidate.get(id=her)
    assert candidate.erased_at is not None and candidate.name == ""


async def _outbox_settled() -> bool:
    return bool(await story_steps._outbox_settled())


async def staff_api(running: Story, userid: str) -> tuple[httpx.AsyncClient, dict[str, str]]:
    settings = running.stack.settings
    code = (await running.stack.console.post("/sandbox/jscode", json={"userid": userid})).json()
    api = httpx.AsyncClient(base_url=f"http://{settings.server.host}:{settings.server.port}")
    login = await api.post("/miniapp/v1/login/staff", json={"code": code["code"]})
    assert login.status_code == 200, login.text
    return api, {"Authorization": f"Bearer {login.json()['token']}"}


EMPTY: tuple[Any, ...] = ("", [], {}, None)  # sealed, but holding nothing


async def her_sealed_values(candidate_id: int) -> list[str]:
    """The raw stored value of every sealed personal column of her rows (ciphertext and
    deterministic tokens: unique to her, unlike an amount or a city)."""
    apps = await Application.filter(candidate_id=candidate_id).values_list("id", flat=True)
    interviews = await Interview.filter(application_id__in=apps).values_list("id", flat=True)
    offers = await Offer.filter(application_id__in=apps).values_list("id", flat=True)
    assert await OfferEvent.filter(offer_id__in=offers).exists()
    ids = {"candidate": str(candidate_id), "interview": _csv(interviews),
           "application": _csv(apps), "offer": _csv(offers)}  # fmt: skip
    conn = connections.get("default")
    models = {m._meta.db_table: m for m in Tortoise.apps["recruiting"].values()}
    values: set[str] = set()
    for table, (link, key) in LINKS.items():  # which rows are hers
        columns = [c for c in candidate_columns(table)
                   if cast(inventory.Personal, inventory.MODELS[table][c]).sealed]  # fmt: skip
        if not columns:
            continue
        select = ", ".join(f'"{c}"' for c in columns)
        rows = await conn.execute_query_dict(
            f'SELECT {select} FROM "{table}" WHERE "{link}" IN ({ids[key]})'
        )
        for row in rows:
            for column, value in row.items():
                # a sealed JSON column stores the token as a JSON string: not her quotes
                token = str(value or "").strip('"')
                opened = models[table]._meta.fields_map[column].to_python_value(value)
                if token and opened not in EMPTY:
                    values.add(token)
    return sorted(values)


def _csv(ids: Any) -> str:
    return ",".join(str(int(i)) for i in ids) or "-1"


async def her_media_files(candidate_id: int, data_dir: Path) -> list[Path]:
    answers = await Answer.filter(interview__application__candidate_id=candidate_id)
    media = data_dir / "media"
    return [
        path
        for a in answers
        if a.media_key
        for path in (media / f"{a.media_key}.data", media / f"{a.media_key}.head")
    ]


async def dump_tables() -> str:
    """Every row of every table as text, by SQL (what ``pg_dump``/``.dump`` would show)."""
    conn = connections.get("default")
    if conn.capabilities.dialect == "sqlite":
        rows = await conn.execute_query_dict(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
        tables = [str(r["name"]) for r in rows]
    else:
        rows = await conn.execute_query_dict(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
        )
        tables = [str(r["table_name"]) for r in rows]
    assert len(tables) > 30, tables
    out: list[str] = []
    for table in tables:
        for row in await conn.execute_query_dict(f'SELECT * FROM "{table}"'):
            out.append(f"{table}: " + json.dumps({k: str(v) for k, v in row.items()},
                                                 ensure_ascii=False))  # fmt: skip
    return "\n".join(out)


def missing(needles: list[str], haystack: str) -> list[str]:
    return [n for n in needles if n not in haystack]


async def figures(candidate_id: int) -> dict[str, Any]:
    """The aggregates an erasure keeps."""
    apps = await Application.filter(candidate_id=candidate_id).values_list("status", flat=True)
    interviews = await Interview.filter(application__candidate_id=candidate_id).count()
    ratings = await SurveyResponse.filter(
        interview__application__candidate_id=candidate_id
    ).values_list("answers", flat=True)
    humans = await Score.filter(interview__application__candidate_id=candidate_id,
                                rater_kind="human").values_list("value", flat=True)  # fmt: skip
    return {"applications": sorted(apps), "interviews": interviews,
            "ratings": sorted(json.dumps(r, sort_keys=True) for r in ratings),
            "human_values": sorted(str(v) for v in humans)}  # fmt: skip


def _files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]
