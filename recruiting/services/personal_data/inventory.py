"""The inventory of personal data: every model field and every other store, declared once.

Each column of each Tortoise model is either ``Personal`` (what it is, which retention
class it belongs to, why it is kept, the legal basis, whether it is sealed) or
``NotPersonal`` (why not). ``docs/personal-data.md`` is generated from this module
(``python -m recruiting inventory --write``) and a test fails when the document, the models
or the data directory drift from it: a new field or a new file cannot go unlisted.

Retention names a ``DataClass`` for a candidate's data (``domain.retention``) or one of
``OTHER_RETENTION`` for data that lives by other rules.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from pathlib import Path, PurePath

from recruiting.domain.retention import DataClass, RetentionPolicy

# Legal bases (PIPL Art. 13): a consent purpose the candidate decided, or the hiring
# contract the processing is necessary for, or the law itself.
CONTRACT = "contract"  # Art. 13(2): needed to decide on and conclude the employment
HR_MANAGEMENT = "HR management"  # Art. 13(2): managing staff under their contracts
LEGAL_DUTY = "legal duty"  # Art. 13(3): accountability (Art. 51, 54)
CONSENT_RECORDING = "consent: recording"
CONSENT_ASSESSMENT = "consent: automated_assessment"
CONSENT_FACE = "consent: face_analysis"
CONSENT_PROCESSING = "consent: data_processing"

OTHER_RETENTION = {
    "staff": "while the person is on the staff list (HR removes leavers)",
    "audit": "retention.audit_days (3 years)",
    "transport": "retention.transport_days after delivery; erasing a candidate removes at "
    "once the rows tied to her (outbox rows addressed to her or her offers; finished "
    "callbacks she sent, her external-contact events, her offers' approvals, interviewers' "
    "messages that became her interview notes); HR's chat naming her, messages to staff "
    "about her and callbacks still in flight stay until the period ends",
    "hold": "until lifted, then retention.audit_days",
    "ttl": "minutes to days, expiring by itself",
    "scratch": "while a decoder runs; dead processes' folders wiped at start and each purge",
    "request": "until the data request is handled (data_requests.due_days), then cleared",
    "answered": "kept with the data request as the record that it was answered (a refusal "
    "states its reason, PIPL Art. 50); data requests are not purged",
    "sandbox": "development only: the sandbox never runs beside a real corp",
}


@dataclass(frozen=True)
class Personal:
    what: str
    retention: str  # a DataClass value or an OTHER_RETENTION key
    purpose: str
    basis: str
    sealed: bool
    unsealed_because: str = ""  # why a candidate's column is left in clear (tested: required)


@dataclass(frozen=True)
class NotPersonal:
    why: str


Entry = Personal | NotPersonal

KEY = NotPersonal("key or reference to another row")
STATE = NotPersonal("workflow state, counters or timestamps of the process")
JOB = NotPersonal("about the opening, not a person")
TECH = NotPersonal("technical detail of a delivery (ids, hashes, error codes)")
STAFF_ID = NotPersonal("a staff member's WeCom userid as the actor (staff: see staff table)")
ANONYMOUS = NotPersonal("kept after erasure as an anonymous figure (statistics)")

R, A, N, S = DataClass.RECORDINGS, DataClass.ASSESSMENTS, DataClass.NOTES, DataClass.SURVEY_COMMENTS
M, P = DataClass.MESSAGES, DataClass.PROFILE


def cand(what: str, data_class: DataClass, purpose: str, basis: str = CONTRACT,
         clear_because: str = "") -> Personal:  # fmt: skip
    """A candidate's column: sealed unless ``clear_because`` says why it need not be."""
    return Personal(what, data_class.value, purpose, basis, not clear_because, clear_because)


NO_NAME = "identifies no one without the sealed name beside it, and is not sensitive (PIPL Art. 28)"
PATH = "a storage path made of ids; what it names is envelope-encrypted in the media store"


# fmt: off
MODELS: dict[str, dict[str, Entry]] = {
    "candidate": {
        "id": KEY,
        "name": cand("name", P, "address and identify the candidate"),
        "phone_enc": cand("phone number", P, "contact about interviews and the offer"),
        "email_enc": cand("e-mail address", P, "contact about interviews and the offer"),
        "id_number_enc": cand("resident ID number", P, "the hire's EHR and payroll record"),
        "wechat_openid": cand("WeChat openid", P, "mini-app login"),
        "wechat_unionid": cand("WeChat unionid", P, "mini-app login across apps"),
        "external_userid": cand("WeCom external contact id", P, "chat with the recruiter"),
        "phone_hash": cand("keyed hash of the phone number", P, "recognise a returning "
                           "candidate without storing the number in clear"),
        "email_hash": cand("keyed hash of the e-mail", P, "recognise a returning candidate"),
        "education": cand("highest education (one of seven levels)", P, "screening",
                          clear_because=NO_NAME),
        "years_experience": cand("years of experience", P, "screening", clear_because=NO_NAME),
        "source": NotPersonal("where the candidate came from (BOSS直聘, 内推), as HR or the "
                              "import wrote it (≤32 characters): sealed (searchable) as people "
                              "type it; after erasure only a known channel stays (anything "
                              "else becomes 其他)"),
        "merged_into": KEY,
        "created_at": STATE,
        "erased_at": STATE,
    },
    "application": {
        "id": KEY, "candidate_id": KEY, "job_id": KEY, "status": ANONYMOUS,
        "channel": NotPersonal("how the application came in: a code or the candidate's source "
                               "as written, sealed (searchable); after erasure only a code or a "
                               "known channel stays (anything else becomes 其他)"),
        "created_at": STATE, "decided_at": STATE,
        "rejection_reason": cand("why HR turned the application down: a reason code "
                                 "(pipeline.Rejections), never HR's words", N,
                                 "explain the decision, the board's filter",
                                 clear_because="a code from a fixed list; the board "
                                 "filters on it in SQL"),
        "rejection_note": cand("HR's own note on the rejection (never shown to the candidate)",
                               N, "explain the decision"),
        "rejected_at": STATE, "rejected_by": STAFF_ID,
    },
    "consent": {
        "id": KEY, "candidate_id": KEY,
        "purpose": NotPersonal("proof of the legal basis: which purpose, no content"),
        "text_version": STATE, "granted": STATE, "decided_at": STATE, "withdrawn_at": STATE,
    },
    "interview": {
        "id": KEY, "application_id": KEY, "round_id": KEY, "status": ANONYMOUS, "mode": ANONYMOUS,
        "starts_at": STATE, "ends_at": STATE, "completed_at": STATE,
        "location": NotPersonal("a company address"),
        "meeting_link": NotPersonal("a company meeting room link"),
        "wecom_schedule_id": TECH, "version": STATE, "created_at": STATE, "updated_at": STATE,
        "round_version_id": KEY,
    },
    "interview_assignment": {"id": KEY, "interview_id": KEY, "interviewer_id": KEY, "lead": STATE},
    "interview_slot": {
        "id": KEY, "interviewer_id": KEY, "interview_id": KEY, "starts_at": STATE,
        "ends_at": STATE,
    },
    "interview_note": {
        "id": KEY, "interview_id": KEY, "author_id": KEY, "kind": STATE,
        "body": cand("an interviewer's note about the candidate", N, "support the decision"),
        "media_ref": cand("WeCom media id of a voice note", N, "support the decision",
                          clear_because="an id WeCom expires after 3 days; only the corp's "
                          "credentials fetch it"),
        "source_msg_id": TECH, "taken_at": STATE,
    },
    "interview_cost": {
        "id": KEY, "interview_id": KEY, "kind": ANONYMOUS, "amount": ANONYMOUS,
        "currency": ANONYMOUS,
        "note": NotPersonal("finance's note on an expense (venue, ticket)"),
        "recorded_by": STAFF_ID, "created_at": STATE,
    },
    "interview_invitation": {
        "id": KEY, "interview_id": KEY, "candidate_id": KEY, "reference": KEY, "status": STATE,
        "hr_userid": STAFF_ID, "task_id": TECH, "starts_at": STATE,
        "offered": NotPersonal("interview times offered"), "superseded_by": KEY,
        "version": STATE, "created_at": STATE, "answered_at": STATE,
    },
    "candidate_contact": {
        "id": KEY, "candidate_id": KEY, "kf_open_kfid": NotPersonal("the company's kf account"),
        "kf_external_userid": cand("微信客服 user id", P, "reach the candidate in 微信客服"),
        "kf_window_start": STATE, "kf_window_sent": STATE,
        "external_userid": cand("WeCom external contact id", P, "reach the candidate"),
        "recruiter_userid": STAFF_ID, "updated_at": STATE,
    },
    "candidate_message": {
        "id": KEY, "candidate_id": KEY, "outbox_key": KEY,
        "payload": cand("a message sent to the candidate", M, "the mini-app inbox"),
        "subject": STATE, "route": STATE, "delivery": STATE, "result": TECH, "answer_key": KEY,
        "created_at": STATE,
    },
    "candidate_reply": {
        "id": KEY, "candidate_id": KEY, "invitation_id": KEY, "source_id": TECH,
        "text": cand("what the candidate typed", M, "answer invitations, forward to HR"),
        "outcome": STATE, "received_at": STATE,
    },
    "contact_way": {
        "id": KEY, "state": KEY, "userid": STAFF_ID, "config_id": TECH,
        "qr_code": NotPersonal("the recruiter's 联系我 QR code link"), "created_at": STATE,
    },
    "kf_cursor": {"id": KEY, "open_kfid": TECH, "cursor": TECH, "updated_at": STATE},
    "card_code": {
        "id": KEY, "task_id": TECH, "userid": STAFF_ID, "response_code": TECH,
        "used_at": STATE, "created_at": STATE,
    },
    "job_opening": {
        "id": KEY, "code": JOB, "title": JOB, "department": JOB, "city": JOB, "status": JOB,
        "competency_model": JOB, "interview_location": JOB, "created_at": JOB,
        "requirements": JOB,
    },
    "interview_round": {
        "id": KEY, "job_id": KEY, "name": JOB, "sequence": JOB, "kind": JOB,
        "duration_minutes": JOB, "panel_size": JOB, "competencies": JOB, "questions": JOB,
        "preparation": JOB, "location": JOB, "meeting_link": JOB, "deadline_days": JOB,
        "closed_at": JOB,
    },
    "interview_round_version": {
        "id": KEY, "round_id": KEY, "number": JOB, "digest": JOB,
        "content": NotPersonal("the round's questions and weights as an interview used them"),
        "created_by": STAFF_ID, "created_at": STATE,
    },
    "bank_question": {
        "id": KEY, "text": JOB, "competencies": JOB, "tags": JOB, "prep_seconds": JOB,
        "answer_seconds": JOB, "retakes": JOB, "retired_at": STATE, "created_by": STAFF_ID,
        "created_at": STATE, "updated_at": STATE,
    },
    "inbox_event": {
        "id": KEY, "source": TECH, "dedup_key": TECH, "kind": TECH,
        "from_user": Personal("sender's WeCom userid or external id", "transport",
                              "process callbacks in order per sender", CONTRACT, False),
        "payload_enc": Personal("the callback as received (staff chat, approvals, "
                                "external-contact events: may name a candidate)",
                                "transport", "process each callback once", CONTRACT, True),
        "status": STATE, "attempts": STATE, "lease_until": STATE, "received_at": STATE,
        "processed_at": STATE, "error": TECH,
    },
    "outbox_message": {
        "id": KEY, "idempotency_key": KEY, "channel": TECH,
        "recipient": NotPersonal("a staff userid or candidate:<id>"),
        "payload": Personal("a message or hand-off to send (names, chat text, offers)",
                            "transport", "deliver effects exactly once", CONTRACT, True),
        "status": STATE, "attempts": STATE, "lease_until": STATE, "next_attempt_at": STATE,
        "created_at": STATE, "sent_at": STATE, "result": TECH, "error": TECH,
    },
    "send_attempt": {"id": KEY, "key": KEY, "marker": TECH, "outcome": TECH, "created_at": STATE},
    "app_session": {
        "id": KEY, "token_hash": TECH, "kind": STATE, "candidate_id": KEY, "staff_id": KEY,
        "openid": cand("WeChat openid of the session", P, "mini-app login"),
        "session_key_enc": cand("WeChat session key", P, "verify WeChat data"),
        "expires_at": STATE, "revoked_at": STATE, "created_at": STATE,
    },
    "recording_link": {
        "id": KEY, "interview_id": KEY, "token_hash": TECH, "created_by": STAFF_ID,
        "expires_at": STATE, "redeemed_at": STATE,
        "redeemed_by": cand("WeChat openid that redeemed the link", P, "bind the candidate"),
        "created_at": STATE,
    },
    "answer": {
        "id": KEY, "interview_id": KEY, "question_index": STATE, "status": STATE,
        "revealed_at": STATE, "submitted_at": STATE, "retakes_used": STATE,
        "media_key": cand("where the recording is (media store key)", R,
                          "review the recorded answer", CONSENT_RECORDING, PATH),
        "media_sha256": TECH, "media_bytes": TECH, "media_seconds": TECH, "media_type": TECH,
        "analysis_status": STATE, "analysis_reason": TECH,
        "analysis": cand("transcript, quotes, speech and vision signals", A,
                         "advisory assessment", CONSENT_ASSESSMENT),
        "flag_count": cand("how many gaming flags the AI raised on the answer", A,
                           "advisory assessment, the board's filter", CONSENT_ASSESSMENT,
                           clear_because="a count (the flags are in the sealed analysis); "
                           "the board filters on it in SQL"),
        "analysis_attempts": STATE, "lease_until": STATE, "updated_at": STATE,
    },
    "upload": {
        "id": KEY, "answer_id": KEY, "attempt": STATE, "size": TECH, "sha256": TECH,
        "media_type": TECH, "received": STATE, "status": STATE, "error": TECH,
        "created_at": STATE, "updated_at": STATE,
    },
    "integrity_event": {
        "id": KEY, "interview_id": KEY, "kind": STATE, "question_index": STATE,
        "client_at": STATE,
        "detail": cand("what the app reported (backgrounded, network): any text the client "
                       "sends", R, "show HR the circumstances of a recording",
                       CONSENT_RECORDING),
        "received_at": STATE,
    },
    "candidate_summary": {
        "id": KEY, "interview_id": KEY,
        "strengths": cand("summary: strengths", A, "tell the candidate how it went"),
        "improvements": cand("summary: what to improve", A, "tell the candidate how it went"),
        "next_step": cand("summary: next step", A, "tell the candidate how it went"),
        "released_at": STATE, "released_by": STAFF_ID, "drafted_at": STATE, "basis": STATE,
        "needs_writing": STATE, "for_rejection": STATE,
        "hr_notes": cand("evidence behind the draft (HR only)", A, "write the summary"),
        "release_due_at": STATE, "updated_at": STATE,
    },
    "score": {
        "id": KEY, "interview_id": KEY, "rater_id": KEY, "competency": STATE,
        "rater_kind": STATE, "rater_key": KEY,
        "value": NotPersonal("a rating: kept as an anonymous figure after erasure "
                             "(AI ratings are deleted with the assessments)"),
        "evidence": cand("quotes backing a rating", N, "justify the rating"),
        "confidence": STATE,
        "comment": cand("an interviewer's comment", N, "justify the rating"),
        "created_at": STATE, "updated_at": STATE,
    },
    "survey_response": {
        "id": KEY, "interview_id": KEY, "staff_id": KEY, "respondent": STATE,
        "respondent_key": KEY, "channel": STATE, "sent_at": STATE, "step": STATE,
        "answers": ANONYMOUS,
        "comment": cand("the candidate's survey comment", S, "improve the interviews"),
        "first_answered_at": STATE, "answered_at": STATE, "task_id": TECH,
        "created_at": STATE, "updated_at": STATE,
    },
    "reminder_delivery": {
        "id": KEY, "interview_id": KEY, "recipient": KEY, "audience": STATE,
        "offset_minutes": STATE, "start_epoch": STATE, "outbox_id": KEY, "created_at": STATE,
    },
    "offer": {
        "id": KEY, "application_id": KEY, "created_by": STAFF_ID, "status": STATE,
        "city": cand("work city (a payroll city code)", P, "the offer", clear_because=NO_NAME),
        "base_salary": cand("base salary", P, "the offer"),
        "bonus_months": cand("bonus months", P, "the offer"),
        "allowances": cand("allowances", P, "the offer"),
        "start_date": cand("start date", P, "the offer", clear_because=NO_NAME),
        "estimate": cand("payroll estimate", P, "the offer"),
        "version": STATE, "sp_no": TECH, "error": TECH, "candidate_answer": STATE,
        "answered_at": STATE, "created_at": STATE, "updated_at": STATE,
    },
    "offer_event": {
        "id": KEY, "offer_id": KEY, "sp_no": TECH, "dedup_key": TECH, "source": STATE,
        "actor": STAFF_ID, "action": STATE, "from_status": STATE, "to_status": STATE,
        "sp_status": STATE, "change_event": STATE,
        "speech": cand("an approver's comment on the offer", P, "the offer's approval"),
        "detail": cand("figures and approval details", P, "the offer's history"),
        "applied": STATE, "at": STATE,
    },
    "staff": {
        "id": KEY,
        "wecom_userid": Personal("WeCom userid", "staff", "sign in, send cards", HR_MANAGEMENT,
                                 False),
        "name": Personal("name", "staff", "address staff", HR_MANAGEMENT, True),
        "title": Personal("job title", "staff", "cost rates, panels", HR_MANAGEMENT, False),
        "department": Personal("department", "staff", "panels", HR_MANAGEMENT, False),
        "office": Personal("office", "staff", "interview places", HR_MANAGEMENT, False),
        "expertise": Personal("what they can assess", "staff", "panels", HR_MANAGEMENT, False),
        "roles": Personal("roles in this service", "staff", "access control", HR_MANAGEMENT,
                          False),
        "hourly_cost": Personal("hourly cost", "staff", "interview costs", HR_MANAGEMENT,
                                False),
        "active": STATE,
        "department_ids": Personal("WeCom department ids", "staff", "panels", HR_MANAGEMENT,
                                   False),
        "created_at": STATE,
    },
    "audit_log": {
        "id": KEY, "at": STATE,
        "actor": Personal("who acted (staff userid or candidate:<id>)", "audit",
                          "accountability for access to personal data", LEGAL_DUTY, False),
        "actor_roles": STATE, "action": STATE, "subject_type": STATE, "subject_id": KEY,
        "allowed": STATE,
        "detail": NotPersonal("field names, counts, ids, lengths: never content (tested)"),
    },
    "legal_hold": {
        "id": KEY, "candidate_id": KEY, "job_id": KEY,
        "reason": Personal("HR's reason for the hold", "hold", "suspend the purge", LEGAL_DUTY,
                           True),
        "placed_by": STAFF_ID, "placed_at": STATE, "lifted_by": STAFF_ID, "lifted_at": STATE,
        "lift_reason": Personal("HR's reason for lifting", "hold", "resume the purge",
                                LEGAL_DUTY, True),
    },
    "resume_file": {
        "id": KEY, "candidate_id": KEY, "application_id": KEY,
        "object_key": cand("where the résumé file is (media store key)", DataClass.RESUMES,
                           "screening", clear_because=PATH),
        "filename": cand("the file's original name", DataClass.RESUMES, "screening"),
        "content_type": TECH, "size": TECH, "sha256": TECH, "parse_status": STATE,
        "parse_reason": TECH,
        "parsed": cand("facts read from the résumé (with their evidence)", DataClass.RESUMES,
                       "screening"),
        "uploaded_by": STAFF_ID, "created_at": STATE,
    },
    "pending_object_deletion": {
        "id": KEY, "store": TECH, "key": KEY, "candidate_id": KEY, "created_at": STATE,
        "attempts": STATE,
    },
    "data_request": {
        "id": KEY, "candidate_id": KEY, "kind": STATE, "status": STATE, "via": STATE,
        "recorded_by": NotPersonal("who recorded it: a staff userid or candidate:<id>"),
        "field": STATE,
        "new_value": Personal("the corrected phone or e-mail the candidate asked for",
                              "request", "apply the correction once HR confirms it",
                              LEGAL_DUTY, True),
        "note": Personal("HR's note on a request received by phone, letter or in person",
                         "request", "handle the request", LEGAL_DUTY, True),
        "due_at": STATE, "created_at": STATE, "handled_at": STATE, "handled_by": STAFF_ID,
        "outcome": Personal("what was done (已更正手机号, 已删除, 未更正手机号，原因已告知); "
                            "HR's reason for a refusal is told, never stored", "answered",
                            "prove the request was answered", LEGAL_DUTY, True),
        "hold_told_at": STATE,
    },
    "erasure_record": {
        "id": KEY, "candidate_id": KEY, "at": STATE, "trigger": STATE,
        "classes": NotPersonal("which classes were erased, no content"),
        "counts": NotPersonal("how many rows/objects, no content"), "actor": STAFF_ID,
    },
}
# fmt: on


@dataclass(frozen=True)
class Store:
    """Personal data outside the database tables."""

    name: str
    where: str  # glob under the data directory ("" for outside it)
    what: str
    retention: str
    purpose: str
    basis: str
    sealed: str  # how it is protected at rest


# fmt: off
STORES: tuple[Store, ...] = (
    Store("media store", "media/**", "recorded answers (video/voice), per-object AES-256 keys",
          R.value, "review the recorded answer", CONSENT_RECORDING, "encrypted (envelope)"),
    Store("scratch", "tmp/**", "decrypted copy of a recording or test clip while decoded",
          "scratch", "speech and vision analysis, the device check", CONSENT_PROCESSING,
          "plaintext, 0700, deleted in a finally and wiped when its process is gone"),
    Store("device check", "", "the 3–5 s test clip: analysed in scratch, never stored",
          "scratch", "check camera and microphone", CONSENT_PROCESSING, "not stored"),
    Store("résumé files", "", "the uploaded files, in the media store (see resume_file)",
          DataClass.RESUMES.value, "screening", CONTRACT, "encrypted (envelope)"),
    Store("EHR spool", "ehr/**", "archives and employee records waiting for, or taken by, "
          "the EHR file export (name in clear; phone, e-mail, ID sealed)", P.value,
          "hand the decision and the hire to the EHR", CONTRACT,
          "0600 files; removed by the erasure's forget effect"),
    Store("payroll file", "payroll/**", "new-hire rows payroll imports (name, pay terms)",
          P.value, "hand the hire to payroll", CONTRACT,
          "0600 file; rows removed by the erasure's forget effect"),
    Store("outbox payloads", "", "see outbox_message.payload (sealed column)", "transport",
          "deliver effects exactly once", CONTRACT, "sealed"),
    Store("SQLite database", "recruiting.sqlite3*", "the tables above (embedded default)",
          "per column", "the service's state", CONTRACT, "columns sealed as listed"),
    Store("PII keys", "pii.keys", "the embedded default's field keys (no personal data)",
          "staff", "seal the columns", CONTRACT, "0600"),
    Store("EHR and offer configuration", "*.yaml", "mappings and templates (no personal "
          "data)", "staff", "configure adapters", CONTRACT, "0600"),
    Store("speech models", "models/**", "recogniser weights (no personal data)", "staff",
          "speech recognition", CONTRACT, "n/a"),
    Store("WeCom sandbox state", "sandbox-state.json", "the simulated WeCom's members and "
          "chat logs (what WeCom itself would hold)", "sandbox", "the embedded demo and tests",
          CONTRACT, "sealed file (context sandbox-state), 0600"),
    Store("Redis", "", "callback de-duplication ids, locks, queue ids, WeCom tokens, "
          "rate-limit counters keyed by IP/openid, sealed LLM verdicts (30 days)", "ttl",
          "run the service", CONTRACT, "verdicts sealed; the rest are ids with a TTL"),
    Store("logs", "", "operators' logs: ids, counts and reasons, never names, contact data "
          "or free text", "ttl", "operate the service", CONTRACT,
          "kept by the operator's log rotation"),
)
# fmt: on

# retention.<key> → (what it covers, why this long); the defaults are RetentionPolicy's.
# fmt: off
RETENTION_REASONS: dict[str, tuple[str, str]] = {
    "recordings_days": ("recorded answers (media store), integrity events",
                        "HR reviews recordings before deciding; afterwards they only serve "
                        "a short complaint window, and they are the most intrusive data"),
    "assessments_days": ("transcripts, AI scores, summary texts",
                         "explain a decision if it is challenged (labour-dispute window)"),
    "notes_days": ("interview notes, interviewers' comments and quotes",
                   "same window as the assessments they back"),
    "resumes_days": ("résumé files and parsed facts",
                     "only the decision needs them; the talent pool keeps the profile"),
    "survey_comments_days": ("the candidate's survey comment",
                             "read in the quarterly review; the ratings stay as figures"),
    "not_hired_days": ("everything of a candidate not hired",
                       "re-application and dispute window, unless they joined the talent pool"),
    "talent_pool_days": ("the profile of a talent-pool candidate",
                         "the consent covers future openings for two years"),
    "hired_days": ("a hire's candidate data, once every EHR/payroll hand-off is delivered",
                   "the EHR is the employer's record from then on"),
    "audit_days": ("audit records and erasure records (no personal content)",
                   "three years of who saw or changed what (PIPL Art. 54 audits)"),
    "transport_days": ("delivered outbox rows, processed inbox callbacks",
                       "enough to investigate a delivery; the content lives elsewhere"),
    "batch_size": ("candidates erased per purge run", "bounded work per run; a run resumes"),
}
# fmt: on

BEGIN, END = "<!-- inventory:begin -->", "<!-- inventory:end -->"


def store_of(relative: PurePath) -> Store | None:
    """The store a file under the data directory belongs to (None: an unlisted store)."""
    path = relative.as_posix()
    return next((s for s in STORES if s.where and fnmatch.fnmatch(path, s.where)), None)


def render() -> str:
    """The generated part of ``docs/personal-data.md``."""
    policy = RetentionPolicy()
    lines = [BEGIN, "", "### Retention (`retention:` in config.yaml, days after the decision)",
             "", "| setting | default | covers | why |", "|---|---|---|---|"]  # fmt: skip
    for key, (covers, why) in RETENTION_REASONS.items():
        lines.append(f"| `retention.{key}` | {getattr(policy, key)} | {covers} | {why} |")
    lines += ["", "### Retention of what is not a candidate's class", "",
              "| retention | rule |", "|---|---|"]  # fmt: skip
    lines += [f"| {key} | {rule} |" for key, rule in OTHER_RETENTION.items()]
    lines += ["", "### Database columns (personal only)", "",
             "| table.column | what | retention | purpose | legal basis | sealed |",
             "|---|---|---|---|---|---|"]  # fmt: skip
    for table in sorted(MODELS):
        for name, entry in MODELS[table].items():
            if isinstance(entry, Personal):
                lines.append(f"| `{table}.{name}` | {entry.what} | {entry.retention} | "
                             f"{entry.purpose} | {entry.basis} | {_sealed(entry)} |")  # fmt: skip
    lines += ["", "### Other stores", "",
              "| store | where (under the data dir) | what | retention | purpose | legal basis "
              "| protection |", "|---|---|---|---|---|---|---|"]  # fmt: skip
    for s in STORES:
        where = f"`{s.where}`" if s.where else "—"
        lines.append(f"| {s.name} | {where} | {s.what} | {s.retention} | {s.purpose} | "
                     f"{s.basis} | {s.sealed} |")  # fmt: skip
    lines += ["", "### Columns declared not personal", "",
              "| table | columns (why) |", "|---|---|"]  # fmt: skip
    for table in sorted(MODELS):
        groups: dict[str, list[str]] = {}
        for name, entry in MODELS[table].items():
            if isinstance(entry, NotPersonal):
                groups.setdefault(entry.why, []).append(f"`{name}`")
        text = "; ".join(f"{', '.join(cols)} ({why})" for why, cols in groups.items())
        lines.append(f"| `{table}` | {text} |")
    lines += ["", END]
    return "\n".join(lines)


def _sealed(entry: Personal) -> str:
    if entry.sealed:
        return "yes"
    return f"no: {entry.unsealed_because}" if entry.unsealed_because else "no"


def personal_columns(retention: str) -> list[tuple[str, str]]:
    """(table, column) of every personal column in one retention class."""
    return [
        (table, name)
        for table, entries in MODELS.items()
        for name, entry in entries.items()
        if isinstance(entry, Personal) and entry.retention == retention
    ]


DOCUMENT = Path(__file__).resolve().parents[3] / "docs" / "personal-data.md"


def updated_document(current: str) -> str:
    """``current`` with its generated part replaced by ``render()``."""
    head, sep, rest = current.partition(BEGIN)
    _, sep2, tail = rest.partition(END)
    if not sep or not sep2:
        raise ValueError(f"{DOCUMENT.name} lacks the {BEGIN} … {END} markers")
    return head + render() + tail


def write_document(*, check: bool) -> str:
    """The generated part (``check``), or rewrite it in ``docs/personal-data.md``."""
    if check:
        return render()
    DOCUMENT.write_text(updated_document(DOCUMENT.read_text(encoding="utf-8")), encoding="utf-8")
    return str(DOCUMENT)
