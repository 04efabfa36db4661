"""The candidate mini-app over real HTTP, with the WeChat/WeCom logins served by the sandbox:
invitation → login → consent → device check → questions → resumable upload → analysis →
staff view → withdrawal. Media files are real (PyAV-written video with a face and sound).
"""

from __future__ import annotations

import asyncio
import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import numpy as np
import pytest

from recruiting.models import (
    Application,
    AppSession,
    AuditLog,
    Candidate,
    Interview,
    Score,
)
from recruiting.services.shared.sessions import token_hash
from tests.e2e import miniapp
from tests.e2e.miniapp import CHUNK, QUESTIONS, Stack
from tests.unit.core.mediafactory import face_video, speech_like, write_video

stack = miniapp.stack  # service + sandbox with a sales job (SQLite, PG + Redis)


@pytest.fixture(scope="module")
def answer_video(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    path = tmp_path_factory.mktemp("media") / "answer.mp4"
    return face_video(path, 6.0, fps=10, audio=speech_like(6.0)).read_bytes()


async def test_candidate_takes_a_recorded_interview_end_to_end(
    stack: Stack, answer_video: bytes, tmp_path: Path
) -> None:
    hr = await stack.staff_token("lina")
    interview_id, invitation = await stack.invite(hr)
    visitor = await stack.candidate_token("o-candidate-1")
    # Before redeeming, the interview is someone else's.
    assert (await stack.call("GET", f"/interviews/{interview_id}", visitor)).status_code == 403
    redeemed = await stack.call("POST", "/invitations/redeem", visitor,
                                json={"invitation": invitation})  # fmt: skip
    assert redeemed.status_code == 200, redeemed.text
    token = visitor  # the same session is now the candidate's
    # No question before consent.
    refused = await stack.call("POST", f"/interviews/{interview_id}/next", token)
    assert refused.status_code == 403 and refused.json()["error"] == "consent_required"
    state = await stack.consent_all(token)
    assert state["missing_required"] == [] and "face_analysis" in state["granted"]

    check = await stack.call("POST", "/device-check", token, content=answer_video[:2_000_000])
    assert check.status_code == 200, check.text
    assert check.json()["audible"] is True and check.json()["face_visible"] is True

    first = (await stack.call("POST", f"/interviews/{interview_id}/next", token)).json()
    again = (await stack.call("POST", f"/interviews/{interview_id}/next", token)).json()
    assert first == again and first["question"]["index"] == 0  # revealing is idempotent
    assert first["question"]["text"] == QUESTIONS[0]["text"]

    upload_id = await _upload_with_faults(stack, token, interview_id, answer_video)
    done = await stack.call("POST", f"/uploads/{upload_id}/complete", token)
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "complete"
    assert (await stack.analysed(token, upload_id))["analysis"] == "done"

    receipts = (await stack.call("GET", f"/interviews/{interview_id}/receipts", token)).json()
    assert receipts[0]["sha256"] == hashlib.sha256(answer_video).hexdigest()

    view = await stack.call("GET", f"/staff/interviews/{interview_id}", hr)
    assert view.status_code == 200, view.text
    answer = view.json()["answers"][0]
    assert answer["analysis_status"] == "done"
    assert answer["vision"]["face_present_ratio"] > 0.5  # consented: camera signals shown
    # No speech model here: the transcript says so and nothing is scored from nothing.
    assert answer["transcript"]["available"] is False
    assert all(s["value"] is None for s in view.json()["scores"] if s["rater_kind"] == "ai")
    media = await stack.call("GET", f"/staff/interviews/{interview_id}/answers/0/media", hr)
    assert media.status_code == 200 and media.content == answer_video

    # An interviewer not on the panel may not look; the refusal is audited.
    interviewer = await stack.staff_token("wangqiang")
    denied = await stack.call("GET", f"/staff/interviews/{interview_id}", interviewer)
    assert denied.status_code == 403
    assert await AuditLog.filter(actor="wangqiang", allowed=False).exists()

    # The last question has no retakes.
    second = (await stack.call("POST", f"/interviews/{interview_id}/next", token)).json()
    assert second["question"]["index"] == 1
    upload_id = await stack.upload(token, interview_id, 1, answer_video)
    retake = await stack.call("POST", f"/interviews/{interview_id}/questions/1/retake", token)
    assert retake.status_code == 409 and retake.json()["error"] == "retake_limit"
    # The first question had one retake, but only the latest question may be recorded again.
    late = await stack.call("POST", f"/interviews/{interview_id}/questions/0/retake", token)
    assert late.status_code == 409 and late.json()["error"] == "question_out_of_order"

    # Finishing: the last answer completes the interview by itself; "next" then says done;
    # HR hears about it once, in WeCom.
    assert (await stack.call("POST", f"/uploads/{upload_id}/complete", token)).status_code == 200
    overview = (await stack.call("GET", f"/interviews/{interview_id}", token)).json()
    assert overview["status"] == "completed"
    await stack.analysed(token, upload_id)
    final = await stack.call("POST", f"/interviews/{interview_id}/next", token)
    assert final.json() == {"done": True, "question": None}
    assert await stack.hr_told("lina", "赵敏 已完成录制面试") == 1
    assert await stack.hr_told("lina", "第 1 题：") == 1  # each answer's AI overall or why not


async def _upload_with_faults(stack: Stack, token: str, interview_id: int, data: bytes) -> str:
    """A checksum error, a duplicate, a chunk from the future and a broken connection."""
    start = {"interview_id": interview_id, "question_index": 0, "size": len(data),
             "sha256": hashlib.sha256(data).hexdigest(), "media_type": "video/mp4"}  # fmt: skip
    upload_id = str((await stack.call("POST", "/uploads", token, json=start)).json()["upload_id"])
    head = data[:CHUNK]
    await stack.put(token, upload_id, 0, head, 200)
    bad = await stack.put(token, upload_id, CHUNK, data[CHUNK : 2 * CHUNK], 400, "0" * 64)
    assert bad["error"] == "checksum_mismatch"
    assert (await stack.put(token, upload_id, 0, head, 200))["received"] == CHUNK  # duplicate
    ahead = await stack.put(token, upload_id, 3 * CHUNK, data[3 * CHUNK : 4 * CHUNK], 409)
    assert ahead["expected_offset"] == CHUNK
    await _broken_chunk(stack, token, upload_id, CHUNK, data[CHUNK : 2 * CHUNK])
    status = (await stack.call("GET", f"/uploads/{upload_id}", token)).json()
    offset = status["received"]
    assert offset == CHUNK  # the half-sent chunk was not acknowledged
    past = await stack.put(token, upload_id, offset, data[offset:] + b"x" * 10, 413)
    assert past["error"] == "chunk_out_of_range"
    early = await stack.call("POST", f"/uploads/{upload_id}/complete", token)
    assert early.status_code == 409 and early.json()["error"] == "upload_incomplete"
    for position in range(offset, len(data), CHUNK):
        await stack.put(token, upload_id, position, data[position : position + CHUNK], 200)
    return upload_id


async def _broken_chunk(
    stack: Stack, token: str, upload_id: str, offset: int, chunk: bytes
) -> None:
    """Send the headers and half the body, then drop the connection."""
    url = httpx.URL(str(stack.api.base_url))
    _reader, writer = await asyncio.open_connection(url.host, url.port)
    head = (f"PUT /miniapp/v1/uploads/{upload_id}?offset={offset} HTTP/1.1\r\n"
            f"Host: {url.host}\r\nAuthorization: Bearer {token}\r\n"
            f"X-Chunk-SHA256: {hashlib.sha256(chunk).hexdigest()}\r\n"
            f"Content-Length: {len(chunk)}\r\n\r\n")  # fmt: skip
    writer.write(head.encode() + chunk[: len(chunk) // 2])
    await writer.drain()
    await asyncio.sleep(0.2)
    writer.close()
    await writer.wait_closed()
    await asyncio.sleep(0.2)


async def test_bad_tokens_other_candidates_and_fake_media_are_refused(
    stack: Stack, answer_video: bytes
) -> None:
    hr = await stack.staff_token("lina")
    interview_id, invitation = await stack.invite(hr)
    assert (await stack.call("GET", "/interviews", "forged-token")).status_code == 401
    nowhere = await stack.api.get("/miniapp/v1/nowhere")
    assert nowhere.status_code == 404 and nowhere.json()["error"] == "not_found"
    missing = await stack.api.get("/miniapp/v1/interviews")
    assert missing.status_code == 401 and missing.json()["error"] == "missing_token"
    bad_code = await stack.api.post("/miniapp/v1/login/candidate", json={"code": "nope"})
    assert bad_code.status_code == 403 and bad_code.json()["error"] == "invalid_login_code"
    unknown = await stack.console.post("/sandbox/jscode", json={"userid": "visitor"})
    refused = await stack.api.post("/miniapp/v1/login/staff", json=unknown.json())
    assert refused.status_code == 403 and refused.json()["error"] == "unknown_member"

    token = await stack.candidate_token("o-candidate-2")
    assert (await stack.call("POST", "/invitations/redeem", token,
                             json={"invitation": invitation})).status_code == 200  # fmt: skip
    other = await stack.candidate_token("o-intruder")
    reused = await stack.call("POST", "/invitations/redeem", other, json={"invitation": invitation})
    assert reused.status_code == 409 and reused.json()["error"] == "invitation_invalid"
    peek = await stack.call("GET", f"/interviews/{interview_id}/receipts", other)
    assert peek.status_code == 403 and peek.json()["error"] == "not_your_interview"

    await stack.consent_all(token)
    await stack.call("POST", f"/interviews/{interview_id}/next", token)
    text = "这不是视频。".encode() * 2000
    upload_id = await stack.upload(token, interview_id, 0, text)
    fake = await stack.call("POST", f"/uploads/{upload_id}/complete", token)
    assert fake.status_code == 400 and fake.json()["error"] == "upload_rejected"
    truncated = answer_video[: len(answer_video) // 2]
    upload_id = await stack.upload(token, interview_id, 0, truncated)
    cut = await stack.call("POST", f"/uploads/{upload_id}/complete", token)
    assert cut.status_code == 400, cut.text
    # Nothing was lost: the question is still open and a good upload goes through.
    upload_id = await stack.upload(token, interview_id, 0, answer_video)
    ok = await stack.call("POST", f"/uploads/{upload_id}/complete", token)
    assert ok.status_code == 200, ok.text

    # A final file whose SHA-256 differs from the declared one is refused as a whole.
    start = {"interview_id": interview_id, "question_index": 1, "size": len(answer_video),
             "sha256": hashlib.sha256(b"other").hexdigest(), "media_type": "video/mp4"}  # fmt: skip
    await stack.call("POST", f"/interviews/{interview_id}/next", token)
    wrong = (await stack.call("POST", "/uploads", token, json=start)).json()["upload_id"]
    for offset in range(0, len(answer_video), CHUNK):
        await stack.put(token, wrong, offset, answer_video[offset : offset + CHUNK], 200)
    mismatch = await stack.call("POST", f"/uploads/{wrong}/complete", token)
    assert mismatch.status_code == 400 and mismatch.json()["error"] == "checksum_mismatch"
    # What is stored is ciphertext: the mp4 header of the answer is nowhere on disk.
    stored = [p.read_bytes() for p in stack.settings.miniapp.media_dir.rglob("*") if p.is_file()]
    assert stored and not any(answer_video[4:12] in blob for blob in stored)

    await AppSession.filter(token_hash=token_hash(other)).update(
        expires_at=datetime.now(UTC) - timedelta(seconds=1)
    )
    expired = await stack.call("GET", "/interviews", other)
    assert expired.status_code == 401 and expired.json()["error"] == "session_expired"
    # The same WeChat account invited as a second candidate record: refused, not a 500.
    other_candidate = await Candidate.create(name="赵敏（重复）")
    job_id = (await Application.get(id=stack.application_id)).job_id  # type: ignore[attr-defined]
    second = await Application.create(candidate=other_candidate, job_id=job_id)
    _, second_invitation = await stack.invite(hr, second.id)
    twice = await stack.call("POST", "/invitations/redeem", token,
                             json={"invitation": second_invitation})  # fmt: skip
    assert twice.status_code == 409 and twice.json()["error"] == "invitation_invalid"

    await stack.call("POST", "/logout", token)
    assert (await stack.call("GET", "/interviews", token)).status_code == 401


async def test_withdrawing_consent_erases_the_recording_and_its_analysis(
    stack: Stack, answer_video: bytes
) -> None:
    hr = await stack.staff_token("zhangwei")
    interview_id, invitation = await stack.invite(hr)
    token = await stack.candidate_token("o-candidate-3")
    await stack.call("POST", "/invitations/redeem", token, json={"invitation": invitation})
    await stack.consent_all(token)
    await stack.call("POST", f"/interviews/{interview_id}/next", token)
    upload_id = await stack.upload(token, interview_id, 0, answer_video)
    await stack.call("POST", f"/uploads/{upload_id}/complete", token)
    await stack.analysed(token, upload_id)
    assert await Score.filter(interview_id=interview_id, rater_kind="ai").exists()

    texts = (await stack.api.get("/miniapp/v1/consents/texts")).json()
    recording = next(t for t in texts if t["purpose"] == "recording")
    body = {"decisions": [{"purpose": "recording", "version": recording["version"],
                           "granted": False}]}  # fmt: skip
    withdrawn = await stack.call("POST", "/consents", token, json=body)
    assert withdrawn.status_code == 200 and "recording" in withdrawn.json()["missing_required"]
    media = await stack.call("GET", f"/staff/interviews/{interview_id}/answers/0/media", hr)
    assert media.status_code == 404
    assert not await Score.filter(interview_id=interview_id, rater_kind="ai").exists()
    assert not list(stack.settings.miniapp.media_dir.rglob(f"*{upload_id}*"))
    assert await AuditLog.filter(action="withdraw_consent").exists()
    # Without the recording consent, no further recording is possible.
    refused = await stack.call("POST", f"/interviews/{interview_id}/next", token)
    assert refused.status_code == 403


async def test_absurd_media_late_uploads_and_staff_lists(stack: Stack, tmp_path: Path) -> None:
    hr = await stack.staff_token("lina")
    interview_id, invitation = await stack.invite(hr)
    token = await stack.candidate_token("o-candidate-4")
    await stack.call("POST", "/invitations/redeem", token, json={"invitation": invitation})
    await stack.consent_all(token)
    await stack.call("POST", f"/interviews/{interview_id}/next", token)

    wide = write_video(tmp_path / "wide.mp4", [np.zeros((64, 4000, 3), np.uint8)] * 2, 1.0)
    upload_id = await stack.upload(token, interview_id, 0, wide.read_bytes())
    refused = await stack.call("POST", f"/uploads/{upload_id}/complete", token)
    assert refused.status_code == 400 and refused.json()["error"] == "upload_rejected"
    assert "画面尺寸" in refused.json()["message"] and ".media" not in refused.text

    long = write_video(tmp_path / "long.mp4", [np.zeros((64, 64, 3), np.uint8)] * 70, 1.0)
    upload_id = await stack.upload(token, interview_id, 0, long.read_bytes())
    too_long = await stack.call("POST", f"/uploads/{upload_id}/complete", token)
    assert too_long.status_code == 400 and too_long.json()["error"] == "answer_too_long"

    listed = (await stack.call("GET", "/staff/interviews", hr)).json()
    assert [i["interview_id"] for i in listed] == [interview_id]
    assert listed[0]["candidate"] == "赵敏" and listed[0]["submitted"] == 0
    interviewer = await stack.staff_token("chenjing")
    assert (await stack.call("GET", "/staff/interviews", interviewer)).json() == []

    data = long.read_bytes()
    start = {"interview_id": interview_id, "question_index": 0, "size": len(data),
             "sha256": hashlib.sha256(data).hexdigest(), "media_type": "video/mp4"}  # fmt: skip
    upload_id = (await stack.call("POST", "/uploads", token, json=start)).json()["upload_id"]
    await Interview.filter(id=interview_id).update(ends_at=datetime.now(UTC) - timedelta(minutes=1))
    late = await stack.put(token, upload_id, 0, data[:CHUNK], 409)
    assert late["error"] == "deadline_passed"
    assert (await stack.call("POST", f"/interviews/{interview_id}/next", token)).status_code == 409
