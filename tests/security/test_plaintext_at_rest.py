"""Issue 12 item 3: no personal data in the clear at rest.

The whole story of one candidate runs over real HTTP through the WeCom sandbox (the steps of
``tests/e2e/candidate_story.py``: her name, her and HR's chat, an interviewer's
notes in chat, scores, her survey comment, the offer, the EHR and payroll hand-offs), then
her phone, e-mail, ID number and WeChat ids are stored, and a recorded answer is analysed
into a transcript. Afterwards the raw bytes of every file in the data folder (SQLite file,
its WAL, media, scratch) and every text/JSON column of every PostgreSQL table are searched
for each of those strings, as UTF-8 and as JSON escapes: none may be found.

The payroll CSV and the EHR spool are hand-offs whose job is to carry the new hire's data
to another system in the clear; they are checked for owner-only modes instead and must
hold her name (which also shows the search would find it).
"""

from __future__ import annotations

import stat
from pathlib import Path

from tortoise import connections

from recruiting.domain.roles import Role
from recruiting.models import (
    Answer,
    AppSession,
    Candidate,
    CandidateContact,
    InterviewNote,
    Score,
    SurveyResponse,
)
from recruiting.models.recorded import AnalysisStatus
from recruiting.services.shared.audit import Actor
from tests.e2e import candidate_story as story_steps
from tests.e2e.candidate_story import Story
from tests.security.pii_story import (
    CANDIDATE_CHAT,
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
    needles,
    story,
    the_candidates_story,
)

__all__ = ["story"]  # the fixture


async def test_no_personal_string_is_stored_in_the_clear(story: Story, tmp_path: Path) -> None:
    await the_candidates_story(story, tmp_path)
    await her_contact_data_and_wechat_ids(story)
    await a_recorded_answer_is_analysed(story)
    secrets = [NAME, CANDIDATE_CHAT, COMMENT, story_steps.NOTE, PHONE, EMAIL, ID_NUMBER,
               OPENID, UNIONID, EXTERNAL, RECORDING, TRANSCRIPT, QUOTE, story.kf_user]  # fmt: skip
    await they_are_all_readable_through_the_service(story)

    data_dir = story.stack.settings.data_dir
    handoffs = the_handoffs_are_private_and_hold_her_name(data_dir)
    found = files_holding(data_dir, secrets, skip=handoffs)
    assert found == {}, found
    if story.stack.settings.database_url.startswith("postgres"):
        columns = await _pg_text_columns()
        assert len(columns) > 40, columns  # every table's text columns were searched
        assert await _pg_rows_holding(columns, secrets) == {}


async def they_are_all_readable_through_the_service(story: Story) -> None:
    """Sealed is not lost: each value reads back (so the search below searched real data)."""
    candidate = await Candidate.get(wechat_openid=OPENID)
    assert (candidate.id, candidate.name, candidate.external_userid) == (
        story.candidate_id, NAME, EXTERNAL)  # fmt: skip
    assert await Candidate.get(external_userid=EXTERNAL) == candidate
    contact = await CandidateContact.get(kf_external_userid=story.kf_user)
    assert contact.candidate_id == candidate.id  # type: ignore[attr-defined]
    assert (await AppSession.get(openid=OPENID)).candidate_id == candidate.id  # type: ignore[attr-defined]
    actor = Actor("zhangwei", frozenset({Role.HR_MANAGER}))
    read = await story.services.personal_data.contact_data.read(
        actor, candidate.id, ["phone", "email", "id_number"], "test"
    )
    assert read.values == {"phone": PHONE, "email": EMAIL, "id_number": ID_NUMBER}
    notes = await InterviewNote.filter(interview_id=story.interview_id)
    assert any(story_steps.NOTE in n.body for n in notes)
    survey = await SurveyResponse.get(respondent_key=f"candidate:{candidate.id}")
    assert COMMENT in survey.comment
    answer = await Answer.get(interview__application__candidate_id=candidate.id,
                              analysis_status=AnalysisStatus.DONE)  # fmt: skip
    assert answer.analysis["transcript"] == TRANSCRIPT
    ai = await Score.get(interview_id=answer.interview_id, rater_kind="ai")  # type: ignore[attr-defined]
    assert ai.evidence[0]["quote"] == QUOTE


def the_handoffs_are_private_and_hold_her_name(data_dir: Path) -> set[Path]:
    payroll = data_dir / "payroll" / "new-hires.csv"
    assert NAME in payroll.read_text(encoding="utf-8")
    handoffs = {payroll}
    ehr = data_dir / "ehr"
    if ehr.exists():
        handoffs |= {p for p in ehr.rglob("*") if p.is_file()}
    for path in handoffs:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    return handoffs


async def _pg_text_columns() -> list[tuple[str, str]]:
    rows = await connections.get("default").execute_query_dict(
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_schema = 'public' AND data_type IN "
        "('text', 'character varying', 'character', 'json', 'jsonb')"
    )
    return [(str(r["table_name"]), str(r["column_name"])) for r in rows]


async def _pg_rows_holding(
    columns: list[tuple[str, str]], secrets: list[str]
) -> dict[str, list[str]]:
    conn = connections.get("default")
    found: dict[str, list[str]] = {}
    forms = needles(secrets)
    for table, column in columns:
        rows = await conn.execute_query_dict(f'SELECT "{column}"::text AS v FROM "{table}"')
        for row in rows:
            value = (row["v"] or "").encode()
            for secret, variants in forms.items():
                if any(v in value for v in variants):
                    found.setdefault(secret, []).append(f"{table}.{column}")
    return found
