"""流程看板, 待评审, the review page and the comparison over real sockets, on SQLite and on
PostgreSQL + Redis: signed in through the sandbox's WeCom login, the board counts and
filters, a bulk invitation reports each candidate, the recording streams with ranges
(206/416) from the page's own route, an interviewer off the panel is refused, a decision is
confirmed by a POST carrying the CSRF token; and, in Chromium, the review page plays the
answer and a click on an evidence quote seeks the video to it (the README's pictures of
these pages come from ``scripts/screenshots.py``)."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest

from recruiting import clock
from recruiting.domain.interview_state import InterviewStatus
from recruiting.infra.media_store import LocalMediaStore
from recruiting.models import (
    AnalysisStatus,
    Answer,
    AnswerStatus,
    Application,
    ApplicationStatus,
    AuditLog,
    Candidate,
    IntegrityEvent,
    Interview,
    InterviewMode,
    InterviewRound,
    JobOpening,
    RaterKind,
    RoundKind,
    Score,
)
from tests.e2e.browser import need_chromium
from tests.e2e.stack import Stack, running
from tests.e2e.workbench import DESKTOP, sign_in
from tests.serving import CHROMIUM, CHROMIUM_ARGS
from tests.unit.core.mediafactory import write_video

MODEL = [{"code": "comm", "name": "沟通能力", "weight": "1"}]
QUESTIONS = [{"text": "讲一次处理客户投诉的经历", "competencies": ["沟通能力"]}]
SEGMENTS = [{"start": 0.0, "end": 4.0, "text": "我负责过一个大客户项目。"},
            {"start": 4.5, "end": 7.5, "text": "当时客户投诉很多，我先安抚再复盘。"}]  # fmt: skip
WAIT = 15_000


@pytest.fixture(scope="module")
def video(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """Eight seconds of VP8 in WebM (every Chromium plays it), frames changing each second."""
    frames = [np.full((96, 128, 3), (i // 8) * 30 % 255, np.uint8) for i in range(64)]
    path = write_video(tmp_path_factory.mktemp("v") / "a.webm", frames, 8.0, codec="libvpx")
    return path.read_bytes()


async def seed(stack: Stack, video: bytes) -> dict[str, Any]:
    job = await JobOpening.create(code="wb-pipe", title="客户成功经理", competency_model=MODEL)
    recorded = await InterviewRound.create(job=job, name="录制初面", sequence=1,
                                           kind=RoundKind.RECORDED, questions=QUESTIONS)  # fmt: skip
    await InterviewRound.create(job=job, name="业务面", sequence=2, kind=RoundKind.LIVE)
    apps = {}
    for name, status in (("周一", "applied"), ("吴二", "screening"), ("郑三", "interviewing")):
        candidate = await Candidate.create(name=name)
        apps[name] = await Application.create(candidate=candidate, job=job, status=status)
    interview = await Interview.create(
        application=apps["郑三"], round=recorded, mode=InterviewMode.RECORDED,
        status=InterviewStatus.COMPLETED, completed_at=clock.now(),
    )  # fmt: skip
    store = LocalMediaStore(
        stack.settings.miniapp.media_dir, stack.service.ctx.services.shared.cipher
    )
    key = f"answers/{interview.id}/0/e2e"
    writer = await store.appender(key, 0)
    await writer.write(video)
    await writer.close()
    analysis = {"transcript": {"available": True, "engine": "paddle", "segments": SEGMENTS},
                "score": {"overall": 70, "coverage": 1.0, "competencies": {}, "flags": []}}  # fmt: skip
    await Answer.create(interview=interview, question_index=0, status=AnswerStatus.SUBMITTED,
                        revealed_at=clock.now() - timedelta(minutes=3), submitted_at=clock.now(),
                        media_key=key, media_type="video/webm", media_bytes=len(video),
                        media_seconds=8.0, analysis_status=AnalysisStatus.DONE,
                        analysis=analysis)  # fmt: skip
    await IntegrityEvent.create(interview=interview, kind="network_switch", question_index=0)
    await Score.create(interview=interview, competency="沟通能力", rater_kind=RaterKind.AI,
                       rater_key="rules-v2 (jieba)", value=Decimal("4.0"), confidence=Decimal("0.7"),
                       evidence=[{"quote": "客户投诉很多", "why": "情境", "question": 0}])  # fmt: skip
    return {"job": job, "apps": apps, "interview": interview, "recorded": recorded}


async def signed_in(stack: Stack, userid: str) -> httpx.AsyncClient:
    client = httpx.AsyncClient(base_url=stack.settings.workbench.public_url, headers=DESKTOP,
                               timeout=15)  # fmt: skip
    await sign_in(stack, client, userid)
    return client


async def until(player: Any, predicate: str) -> None:
    """Poll ``predicate`` on the element. ``page.wait_for_function`` would evaluate a string
    in the page, which the workbench's CSP (no 'unsafe-eval') refuses when it has to poll."""
    deadline = time.monotonic() + WAIT / 1000
    while not await player.evaluate(predicate):
        if time.monotonic() > deadline:
            raise AssertionError(f"the video never reached: {predicate}")
        await asyncio.sleep(0.05)


def csrf_of(page: str) -> str:
    return page.split('name="csrf-token" content="')[1].split('"')[0]


async def test_board_bulk_review_media_and_decision(stack: Stack, video: bytes) -> None:
    world = await seed(stack, video)
    job, apps, interview = world["job"], world["apps"], world["interview"]
    hr = await signed_in(stack, "lina")
    try:
        board = await hr.get(f"/workbench/pipeline/{job.id}")
        assert board.status_code == 200, board.text
        for name in ("周一", "吴二", "郑三"):
            assert name in board.text
        assert "录制面试（1）" in board.text and "新申请（1）" in board.text
        only = await hr.get(f"/workbench/pipeline/{job.id}", params={"stage": "recorded"})
        assert "郑三" in only.text and "周一" not in only.text
        bad = await hr.get(f"/workbench/pipeline/{job.id}", params={"ai_min": "9"})
        assert bad.status_code == 400 and "0 到 5" in bad.text

        deadline = (clock.now() + timedelta(days=3)).astimezone(stack.settings.timezone)
        form = {"csrf_token": csrf_of(board.text), "action": "invite",
                "round": str(world["recorded"].id),
                "deadline": deadline.strftime("%Y-%m-%dT%H:%M"),
                "ids": [str(apps["周一"].id), str(apps["郑三"].id)]}  # fmt: skip
        done = await hr.post(f"/workbench/pipeline/{job.id}/bulk", data=form)
        assert done.status_code == 200, done.text
        assert "成功 1 人，未完成 1 人" in done.text and "已邀请过" in done.text
        assert "pages/interview/index?invite=" in done.text
        no_csrf = await hr.post(
            f"/workbench/pipeline/{job.id}/bulk", data={**form, "csrf_token": ""}
        )
        assert no_csrf.status_code == 403

        page = await hr.get(f"/workbench/review/{apps['郑三'].id}")
        assert page.status_code == 200
        assert '<mark title="沟通能力的依据">客户投诉很多</mark>' in page.text
        assert "仅供参考" in page.text and "作答时网络切换" in page.text
        assert f'src="/workbench/media/{interview.id}/0"' in page.text
        # a recorded interview has no start time: no separator left dangling after its kind
        assert '<h2>录制初面 <span class="muted">录制面试</span></h2>' in page.text
        media = f"/workbench/media/{interview.id}/0"
        part = await hr.get(media, headers={"Range": "bytes=100-199"})
        assert part.status_code == 206 and part.content == video[100:200]
        assert part.headers["content-range"] == f"bytes 100-199/{len(video)}"
        assert part.headers["cache-control"] == "no-store"
        tail = await hr.get(media, headers={"Range": "bytes=-50"})
        assert tail.status_code == 206 and tail.content == video[-50:]
        whole = await hr.get(media)
        assert whole.status_code == 200 and whole.content == video
        past = await hr.get(media, headers={"Range": f"bytes={len(video)}-"})
        assert past.status_code == 416 and past.headers["content-range"] == f"bytes */{len(video)}"
        views = await AuditLog.filter(action="view_media", actor="lina", allowed=True).count()
        assert views == 4

        waiting = await hr.get("/workbench/review")
        assert "郑三" in waiting.text
        compare = await hr.get(f"/workbench/pipeline/{job.id}/compare")
        assert compare.status_code == 200 and "郑三" in compare.text and "AI 4.0" in compare.text

        decided = await hr.post(f"/workbench/review/{apps['吴二'].id}/decide",
                                data={"csrf_token": csrf_of(page.text), "action": "reject",
                                      "reason": "experience", "note": "方向不符"})  # fmt: skip
        assert decided.status_code == 200 and "已标记为未通过" in decided.text
        back = f'href="/workbench/review/{apps["吴二"].id}">返回评审页</a>'
        assert back in decided.text and "重新登录" not in decided.text  # still signed in
        assert (await Application.get(id=apps["吴二"].id)).status == ApplicationStatus.REJECTED
    finally:
        await hr.aclose()
    outsider = await signed_in(stack, "wangqiang")
    try:
        refused = await outsider.get(f"/workbench/review/{apps['郑三'].id}")
        assert refused.status_code == 403 and "面试小组" in refused.text
        assert (await outsider.get(f"/workbench/media/{interview.id}/0")).status_code == 403
        assert (await outsider.get(f"/workbench/pipeline/{job.id}")).status_code == 403
    finally:
        await outsider.aclose()


playwright_api = pytest.importorskip("playwright.async_api")


async def test_the_review_page_plays_and_seeks_to_the_evidence(
    tmp_path: Path, video: bytes
) -> None:
    need_chromium()
    expect = playwright_api.expect
    async with (
        running("sqlite", tmp_path, "wbrev") as stack,
        playwright_api.async_playwright() as pw,
    ):
        world = await seed(stack, video)
        hr = await signed_in(stack, "lina")
        token = hr.cookies.get("wb_session") or ""
        await hr.aclose()
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = await browser.new_context(
                viewport={"width": 390, "height": 844}, locale="zh-CN"
            )
            await context.add_cookies([{"name": "wb_session", "value": token,
                                        "url": stack.settings.workbench.public_url}])  # fmt: skip
            page = await context.new_page()
            refused: list[str] = []
            page.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text
                    else None)  # fmt: skip
            await page.goto(f"{stack.settings.workbench.public_url}/workbench/review/"
                            f"{world['apps']['郑三'].id}")  # fmt: skip
            await expect(page.locator("#candidate-name")).to_have_text("郑三", timeout=WAIT)
            player = page.locator("video.player")
            await until(player, "v => v.readyState >= 1")
            duration = await player.evaluate("v => v.duration")
            assert 7 <= duration <= 9
            await page.locator("button.seek.quote").click()  # “客户投诉很多” is at 4.5 s
            await until(player, "v => Math.abs(v.currentTime - 4.5) < 1.0 && v.readyState >= 2")
            await page.locator("button.seek").first.click()  # the first line, at 0 s
            await until(player, "v => v.currentTime < 1.5")
            ranged = await AuditLog.filter(action="view_media", allowed=True).count()
            assert ranged >= 1
            page.once("dialog", lambda d: d.dismiss())  # the confirmation: 取消 changes nothing
            await page.locator("#reject-button").click()
            await page.wait_for_timeout(300)
            assert (await Application.get(id=world["apps"]["郑三"].id)).status == "interviewing"
            assert not refused
        finally:
            await browser.close()
