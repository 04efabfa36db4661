"""A candidate's export holds everything the data inventory lists for a candidate: every
personal column of the inventory is mapped to a place in the export (or withheld with a
reason), and a candidate planted with a distinct value in each of those columns finds each
value at its place — on SQLite and PostgreSQL. Another candidate's values never appear."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

from recruiting import clock
from recruiting.domain.retention import DataClass
from recruiting.models import (
    Answer,
    AnswerStatus,
    Application,
    AppSession,
    Candidate,
    CandidateContact,
    CandidateMessage,
    CandidateReply,
    CandidateSummary,
    DataRequest,
    IntegrityEvent,
    Interview,
    InterviewMode,
    InterviewNote,
    InterviewRound,
    JobOpening,
    Offer,
    OfferEvent,
    RaterKind,
    RecordingLink,
    ResumeFile,
    RoundKind,
    Score,
    Staff,
    SubjectKind,
    SurveyResponse,
)
from recruiting.models.surveys import Respondent
from recruiting.services.personal_data import export, inventory
from recruiting.services.personal_data.holdings import held_about
from tests.conftest import TEST_CIPHER

CANDIDATE_CLASSES = {c.value for c in DataClass} | {"request"}


def candidate_columns() -> set[tuple[str, str]]:
    return {
        (table, column)
        for table, entries in inventory.MODELS.items()
        for column, entry in entries.items()
        if isinstance(entry, inventory.Personal) and entry.retention in CANDIDATE_CLASSES
    }


def test_every_personal_column_of_a_candidate_is_exported_or_withheld_with_a_reason() -> None:
    listed = candidate_columns()
    mapped = set(export.EXPORTED) | set(export.WITHHELD)
    assert listed - mapped == set(), "personal columns the export does not carry"
    assert mapped - listed == set(), "export mapping names columns the inventory does not list"
    assert not set(export.EXPORTED) & set(export.WITHHELD)
    assert all(len(reason) > 20 for reason in export.WITHHELD.values())


def at(data: Any, path: str) -> list[Any]:
    """The values at ``section.field…`` (lists: every item)."""
    values = [data]
    for part in path.split("."):
        found: list[Any] = []
        for value in values:
            items = value if isinstance(value, list) else [value]
            found += [item[part] for item in items if isinstance(item, dict) and part in item]
        values = found
    return values


async def plant(tag: str) -> tuple[int, dict[tuple[str, str], str]]:
    """A candidate with a distinct value ``<tag>-<table>-<column>`` in every personal column
    the inventory lists; returns her id and the values."""

    def v(table: str, column: str) -> str:
        return f"{tag}-{table}-{column}"

    staff, _ = await Staff.get_or_create(wecom_userid="lead", defaults={"name": "王强",
                                                                        "roles": ["interviewer"]})  # fmt: skip
    job, _ = await JobOpening.get_or_create(code="S1", defaults={"title": "销售代表"})
    round_, _ = await InterviewRound.get_or_create(
        job=job, name="录制面试",
        defaults={"kind": RoundKind.RECORDED, "questions": [{"text": "讲一次经历", "competencies": []}]},
    )  # fmt: skip
    c = await Candidate.create(
        name=v("candidate", "name"), wechat_openid=v("candidate", "wechat_openid"),
        wechat_unionid=v("candidate", "wechat_unionid"),
        external_userid=v("candidate", "external_userid"),
        phone_enc=TEST_CIPHER.encrypt(v("candidate", "phone_enc"), "candidate.phone"),
        email_enc=TEST_CIPHER.encrypt(v("candidate", "email_enc"), "candidate.email"),
        id_number_enc=TEST_CIPHER.encrypt(v("candidate", "id_number_enc"), "candidate.id_number"),
    )  # fmt: skip
    c.education = f"{tag}硕士"
    c.years_experience = 7 if tag == "甲" else 9
    await c.save()
    app = await Application.create(candidate=c, job=job,
                                   rejection_reason=v("application", "rejection_reason"),
                                   rejection_note=v("application", "rejection_note"))  # fmt: skip
    resume = await ResumeFile.create(
        candidate=c, application=app, object_key=v("resume_file", "object_key"),
        filename=v("resume_file", "filename"), content_type="application/pdf", size=10,
        sha256="0" * 64, parsed={"skills": [v("resume_file", "parsed")]}, uploaded_by="lina",
    )  # fmt: skip
    interview = await Interview.create(application=app, round=round_, mode=InterviewMode.RECORDED)
    await InterviewNote.create(interview=interview, author=staff, body=v("interview_note", "body"),
                               media_ref=v("interview_note", "media_ref"), taken_at=clock.now())  # fmt: skip
    await CandidateContact.create(candidate=c, kf_external_userid=v("candidate_contact",
                                  "kf_external_userid"),
                                  external_userid=v("candidate_contact", "external_userid"))  # fmt: skip
    await CandidateMessage.create(outbox_key=f"{tag}-m", candidate=c,
                                  payload={"content": v("candidate_message", "payload")})  # fmt: skip
    await CandidateReply.create(source_id=f"{tag}-r", candidate_id=c.id,
                                text=v("candidate_reply", "text"))  # fmt: skip
    await AppSession.create(token_hash=f"{tag}-t".ljust(64, "0"), kind=SubjectKind.CANDIDATE,
                            candidate=c, openid=v("app_session", "openid"),
                            session_key_enc=v("app_session", "session_key_enc"),
                            expires_at=clock.now())  # fmt: skip
    await RecordingLink.create(token_hash=f"{tag}-i".ljust(64, "0"), interview=interview,
                               created_by="lina", expires_at=clock.now(), redeemed_at=clock.now(),
                               redeemed_by=v("recording_link", "redeemed_by"))  # fmt: skip
    await Answer.create(interview=interview, question_index=0, revealed_at=clock.now(),
                        status=AnswerStatus.SUBMITTED, media_key=v("answer", "media_key"),
                        analysis={"transcript": {"text": v("answer", "analysis")}},
                        flag_count=2 if tag == "甲" else 5)  # fmt: skip
    await IntegrityEvent.create(interview=interview, kind="app_backgrounded",
                                detail=v("integrity_event", "detail"))  # fmt: skip
    await CandidateSummary.create(
        interview=interview, strengths=v("candidate_summary", "strengths"),
        improvements=v("candidate_summary", "improvements"),
        next_step=v("candidate_summary", "next_step"), hr_notes=v("candidate_summary", "hr_notes"),
    )  # fmt: skip
    await Score.create(interview=interview, competency="沟通能力", rater_kind=RaterKind.HUMAN,
                       rater_key="staff:1", rater=staff, value=3,
                       evidence=[{"quote": v("score", "evidence")}],
                       comment=v("score", "comment"))  # fmt: skip
    await SurveyResponse.create(interview=interview, respondent=Respondent.CANDIDATE,
                                respondent_key=f"candidate:{c.id}",
                                comment=v("survey_response", "comment"))  # fmt: skip
    salary = 10000 + c.id
    offer = await Offer.create(application=app, created_by="lina", city=v("offer", "city")[:32],
                               base_salary=salary, bonus_months=1.5 + c.id, allowances=300 + c.id,
                               start_date=date(2030, 1, 1 + c.id % 27),
                               estimate={"note": v("offer", "estimate")})  # fmt: skip
    await OfferEvent.create(offer=offer, source="wecom", action="approved",
                            speech=v("offer_event", "speech"),
                            detail={"note": v("offer_event", "detail")})  # fmt: skip
    await DataRequest.create(candidate_id=c.id, kind="correction", field="email",
                             new_value=v("data_request", "new_value"),
                             note=v("data_request", "note"), created_at=clock.now(),
                             due_at=clock.now())  # fmt: skip
    values = {key: v(*key) for key in export.EXPORTED}
    values[("offer", "city")] = v("offer", "city")[:32]
    values[("offer", "base_salary")] = f"{float(salary)}"
    values[("offer", "bonus_months")] = f"{1.5 + c.id}"
    values[("offer", "allowances")] = f"{float(300 + c.id)}"
    values[("offer", "start_date")] = date(2030, 1, 1 + c.id % 27).isoformat()
    values[("answer", "media_key")] = f"/me/recordings/{interview.id}/0"  # a path, not the key
    values[("resume_file", "object_key")] = f"/me/resumes/{resume.id}"  # a path, not the key
    values[("candidate", "education")] = f"{tag}硕士"
    values[("candidate", "years_experience")] = str(c.years_experience)
    values[("answer", "flag_count")] = "2" if tag == "甲" else "5"
    return c.id, values


async def test_the_export_holds_every_listed_value_at_its_place(database: str) -> None:
    mine, values = await plant("甲")
    theirs, other = await plant("乙")
    data = await export.collect(mine, TEST_CIPHER)
    missing = []
    for key, path in export.EXPORTED.items():
        found = json.dumps(at(data, path), ensure_ascii=False)
        if values[key] not in found:
            missing.append((key, path, values[key]))
    assert missing == []
    text = json.dumps(data, ensure_ascii=False)
    assert "session_key_enc" not in text  # withheld: a credential, not information about her
    assert values[("answer", "media_key")] in text and "甲-answer-media_key" not in text
    assert "甲-resume_file-object_key" not in text
    assert not [v for k, v in other.items() if k[0] != "offer" and not v.isdigit() and v in text]
    assert theirs != mine


def leaves(table: str, column: str, value: Any) -> list[str]:
    """What of ``value`` must be found in the export text: contact columns decrypted, the
    strings inside documents, numbers as numbers."""
    if column.endswith("_enc"):
        return [TEST_CIPHER.decrypt(value, f"{table}.{column.removesuffix('_enc')}")]
    if isinstance(value, dict):
        return [x for v in value.values() for x in leaves(table, column, v)]
    if isinstance(value, list):
        return [x for v in value for x in leaves(table, column, v)]
    if isinstance(value, Decimal):
        return [json.dumps(float(value))]
    if isinstance(value, str):
        return [value]
    return [json.dumps(value, default=str).strip('"')]


async def test_everything_held_about_her_is_in_her_export(database: str) -> None:
    """``held_about`` reads every personal column of every row that leads to her through the
    inventory (the erasure's view); each value it finds is in her export."""
    mine, _ = await plant("甲")
    await plant("乙")
    data = json.dumps(await export.collect(mine, TEST_CIPHER), ensure_ascii=False, default=str)
    held = await held_about(mine)
    missing = []
    for table, rows in held.items():
        for row in rows:
            for column, value in row.items():
                if column == "id" or value in (None, "", [], {}):
                    continue
                if (table, column) in export.WITHHELD:
                    continue
                if (table, column) in (("answer", "media_key"), ("resume_file", "object_key")):
                    continue  # exported as a download path (checked above)
                for leaf in leaves(table, column, value):
                    if leaf not in data:
                        missing.append((table, column, leaf[:60]))
    assert missing == []
    assert {"candidate", "interview_note", "resume_file", "offer_event"} <= set(held)
