"""Issue 15's story in a real browser (Playwright driving Debian's Chromium), on SQLite and on
PostgreSQL + Redis: HR 李娜 signs in through the sandbox's WeCom pages (console → 工作台),
sets up an opening with a recorded round, adds a candidate by hand, imports a spreadsheet
(bad rows reported and nothing applied, then the corrected file), uploads a résumé file,
invites from the pipeline board; the candidate takes the recorded interview through the
mini-app API with real media (espeak-ng speech in a PyAV video with a face); the answer is
analysed; HR opens the review page (the video plays and seeks over range requests, the
transcript or the reason there is none, the scores), and decides: one candidate rejected
with a reason, the other advanced to the live round.

Then, on the same stack, the sandbox's lived-in demo is seeded and the review page of a demo
candidate shows scores whose evidence quotes are marked in the transcript and seek the
video when clicked. Every step asserts what HR reads, in Chinese.
"""

from __future__ import annotations

import asyncio
import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from interview_core.media.audio import load_pcm
from recruiting.cli import demo_recordings
from recruiting.models import Application, Candidate, InterviewRound, JobOpening, ResumeFile
from recruiting.services.demo_workbench import seed_demo_workbench
from tests.e2e import miniapp
from tests.e2e.browser import WAIT, need_chromium, open_workbench
from tests.e2e.stack import running
from tests.serving import CHROMIUM, CHROMIUM_ARGS
from tests.unit.core.mediafactory import espeak_wav, face_video

playwright_api = pytest.importorskip("playwright.async_api")
expect = playwright_api.expect

HEADER = "姓名,手机,邮箱,应聘岗位,来源,学历,工作年限\n"
BAD = (HEADER + "周芷若,13500135000,zzr@example.cn,STORY-OPS,BOSS直聘,本科,3\n"
       "张无忌,12345,,STORY-OPS,BOSS直聘,本科,3\n").encode("gb18030")  # fmt: skip
GOOD = (HEADER + "周芷若,13500135000,zzr@example.cn,STORY-OPS,BOSS直聘,本科,3\n"
        "张无忌,13500135001,,STORY-OPS,BOSS直聘,本科,3\n").encode("gb18030")  # fmt: skip
RESUME = "殷离\n手机：13500135009\n求职意向：运营专员\n工作经历：2021-至今 某电商公司 活动运营\n"
Q1 = "请讲一次你策划并执行一场线上活动的经历。"
Q2 = "说说你用数据发现运营问题并改进的经历。"
SPOKEN = "wo3 fu4 ze2 le5 yi2 ci4 xian4 shang4 huo2 dong4 , yong4 hu4 zeng1 zhang3 le5 san1 cheng2"


@pytest.fixture(scope="module")
def answer_video(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A real recording: espeak-ng's Mandarin in a PyAV-encoded video with a face."""
    folder = tmp_path_factory.mktemp("story-media")
    speech = load_pcm(espeak_wav(folder / "answer.wav", SPOKEN), 30.0)
    seconds = len(speech) / 16000 + 0.5
    return face_video(folder / "answer.mp4", seconds, fps=10, audio=speech).read_bytes()


@pytest.mark.parametrize("kind", ["sqlite", "postgres+redis"])
async def test_hr_sets_up_brings_in_invites_reviews_and_decides(
    kind: str, tmp_path: Path, answer_video: bytes
) -> None:
    need_chromium()
    processes = "0" if kind == "sqlite" else "1"
    env = {"RECRUITING__ANALYSIS__PROCESSES": processes}
    async with (
        running(kind, tmp_path, "story", env) as stack,
        playwright_api.async_playwright() as pw,
        httpx.AsyncClient(base_url=stack.settings.workbench.public_url, timeout=60) as api,
    ):
        settings = stack.settings
        base = settings.workbench.public_url
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = await browser.new_context(viewport={"width": 1280, "height": 900},
                                                locale="zh-CN")  # fmt: skip
            # 1. Sign-in through the sandbox's WeCom pages: the console's 工作台 button
            page, refused = await open_workbench(context, settings, "lina", "李娜")
            page.on("dialog", lambda d: asyncio.ensure_future(d.accept()))
            assert page.url == base + "/workbench/"

            # 2. An opening with a recorded round (and a live one to advance into)
            await page.get_by_role("link", name="岗位", exact=True).click()
            await page.locator("#new-opening").click()
            await page.get_by_label("岗位编号").fill("STORY-OPS")
            await page.get_by_label("岗位名称").fill("运营专员")
            await page.get_by_label("城市").fill("上海")
            await page.get_by_label("能力模型").select_option("customer_service")
            await page.get_by_role("button", name="保存").click()
            await expect(page.locator("h1")).to_contain_text("运营专员", timeout=WAIT)
            await expect(page.locator("h1 .tag")).to_have_text("草稿")
            opening_url = page.url
            await page.get_by_label("第一道题").fill(Q1)
            await page.locator("input[name=first_competencies][value=problem_solving]").check()
            await page.locator("#add-recorded").click()
            await expect(page.locator("h1")).to_contain_text("第 1 轮 · 录制面试", timeout=WAIT)
            await page.locator("textarea[name=q_text_1]").fill(Q2)
            await page.locator("input[name=q_comp_1][value=customer_focus]").check()
            await page.locator("#save-round").click()
            await expect(page.locator("#q1 legend")).to_contain_text("第 2 题", timeout=WAIT)
            await page.goto(opening_url)
            await page.get_by_text("添加现场/视频面试").click()
            await page.locator("#add-live").click()
            await expect(page.locator("h1")).to_contain_text("第 2 轮 · 业务面", timeout=WAIT)
            await page.goto(opening_url)
            await page.locator("select[name=status]").select_option(label="招聘中")
            await page.locator("#save-opening").click()
            await expect(page.locator("h1 .tag")).to_have_text("招聘中", timeout=WAIT)

            # 3. A candidate by hand
            await page.get_by_role("link", name="候选人", exact=True).click()
            await page.goto(base + "/workbench/candidates/new")
            await page.locator("input[name=name]").fill("赵敏")
            await page.locator("input[name=phone]").fill("13800138000")
            await page.locator("input[name=email]").fill("zhaomin@example.cn")
            await page.locator("select[name=job_id]").select_option(label="运营专员（STORY-OPS）")
            await page.get_by_role("button", name="添加").click()
            await expect(page.locator("#candidate-name")).to_have_text("赵敏", timeout=WAIT)
            await expect(page.locator("main")).to_contain_text("运营专员")

            # 4. A spreadsheet with a bad row: reported, nothing applied; then the fixed one
            before = await Candidate.all().count()
            await page.goto(base + "/workbench/candidates/import")
            await page.locator("#sheet").set_input_files(
                {"name": "boss.csv", "mimeType": "text/csv", "buffer": BAD}
            )
            await page.get_by_role("button", name="上传并检查").click()
            await expect(page.locator("#import-result")).to_contain_text("没有导入任何候选人",
                                                                         timeout=WAIT)  # fmt: skip
            await expect(page.locator("#row-errors")).to_contain_text("第 3 行")
            await expect(page.locator("#row-errors")).to_contain_text("不是有效的手机号")
            assert await page.locator("#apply").count() == 0
            assert await Candidate.all().count() == before
            await page.get_by_role("link", name="重新上传").click()
            await page.locator("#sheet").set_input_files(
                {"name": "boss.csv", "mimeType": "text/csv", "buffer": GOOD}
            )
            await page.get_by_role("button", name="上传并检查").click()
            await expect(page.locator("#import-result")).to_contain_text("检查通过", timeout=WAIT)
            await page.locator("#apply").click()
            await expect(page.locator("#import-result")).to_have_text("已导入 2 位候选人",
                                                                      timeout=WAIT)  # fmt: skip
            assert await Candidate.all().count() == before + 2

            # 5. A résumé file, attached to the candidate HR names (stored sealed)
            await page.goto(base + "/workbench/candidates/upload")
            await page.locator("#files").set_input_files(
                {"name": "殷离简历.txt", "mimeType": "text/plain", "buffer": RESUME.encode()}
            )
            await page.locator("#upload-form input[name=name]").fill("殷离")
            await page.locator("#upload-form input[name=phone]").fill("13500135009")
            await page.locator("#upload-form select[name=job]").select_option(
                label="运营专员（STORY-OPS）"
            )
            await page.get_by_role("button", name="上传", exact=True).click()
            await expect(page.locator("#upload-files")).to_contain_text("已保存", timeout=WAIT)
            await expect(page.locator("#upload-files")).to_contain_text("殷离简历.txt")
            assert await ResumeFile.filter(candidate__name="殷离").exists()

            # 6. Invite two from the pipeline board to the recorded interview
            await page.get_by_role("link", name="流程看板", exact=True).click()
            opening = page.locator("#openings li", has_text="运营专员")
            await expect(opening).to_contain_text("4 位候选人", timeout=WAIT)
            await page.get_by_role("link", name="运营专员").click()
            await expect(page.locator("[data-stage=new] .count")).to_have_text("4", timeout=WAIT)
            for name in ("赵敏", "周芷若"):
                await page.locator(
                    f"li.stage-card:has(a.who:text-is('{name}')) input[name=ids]"
                ).check()
            await expect(page.locator("#selected-count")).to_have_text("2")
            await page.locator("#bulk-action").select_option("invite")
            deadline = (datetime.now(settings.timezone) + timedelta(days=3)).strftime(
                "%Y-%m-%dT%H:%M"
            )
            await page.locator("#bulk-bar input[name=deadline]").fill(deadline)
            await page.get_by_role("button", name="执行").click()
            results = page.locator("#bulk-results")
            await expect(page.locator("h1")).to_contain_text("成功 2 人，未完成 0 人",
                                                            timeout=WAIT)  # fmt: skip
            zhao = results.locator("tr", has_text="赵敏")
            await expect(zhao).to_contain_text("已生成录制面试邀请")
            link = await zhao.locator("code").inner_text()
            invitation = re.search(r"invite=([\w-]+)", link)
            assert invitation is not None
            await page.get_by_role("link", name="返回看板").click()
            await expect(page.locator("[data-stage=recorded] .count")).to_have_text("2")

            # 7. The candidate answers both questions through the mini-app API
            job = await JobOpening.get(code="STORY-OPS")
            round_ = await InterviewRound.get(job_id=job.id, sequence=1)
            app = await Application.get(job_id=job.id, candidate__name="赵敏")
            mini = miniapp.Stack(settings, api, stack.console, app.id, round_.id)
            interview_id = await _take_interview(mini, invitation.group(1), answer_video)

            # 8. HR reviews: 待评审 → the review page; the video plays and seeks
            ranges: list[int] = []
            page.on("response", lambda r: ranges.append(r.status) if "/workbench/media/" in r.url
                    else None)  # fmt: skip
            await page.get_by_role("link", name="待评审", exact=True).click()
            await page.get_by_role("link", name="赵敏").click()
            await expect(page.locator("#candidate-name")).to_have_text("赵敏", timeout=WAIT)
            await expect(page.locator(".advisory")).to_contain_text("仅供参考")
            await expect(page.locator(f"#answer-{interview_id}-0 h3")).to_have_text(
                f"第 1 题：{Q1}"
            )
            video = page.locator(f"#video-{interview_id}-0")
            played = await video.evaluate(PLAY_AND_SEEK)
            assert played["duration"] > 2  # the whole recording's length is known up front
            assert played["seeked"] >= 1.0 and played["played"] > played["seeked"]
            assert 206 in ranges  # seeking asked for a byte range and got it
            # no speech model here: the page says why there is no transcript, scores none
            answer = page.locator(f"#answer-{interview_id}-0")
            await expect(answer).to_contain_text("系统暂未开通语音识别")
            await expect(page.locator("table.scores")).to_contain_text("未评估")
            await expect(page.locator("#timeline")).to_contain_text("录制面试")

            # 9. Decide: reject 赵敏 with a reason, advance 周芷若 to the live round
            await page.locator("select[name=reason]").select_option(label="能力与岗位要求有差距")
            await page.locator("input[name=note]").fill("两题都没有具体例子")
            await page.locator("#reject-button").click()
            await expect(page.locator("main")).to_contain_text("已标记为未通过并通知候选人",
                                                               timeout=WAIT)  # fmt: skip
            await page.get_by_role("link", name="返回评审页").click()
            await expect(page.locator("#stage")).to_have_text("未通过", timeout=WAIT)
            await expect(page.locator("#rejection")).to_contain_text("能力与岗位要求有差距")
            other = await Application.get(job_id=job.id, candidate__name="周芷若")
            await page.goto(base + f"/workbench/review/{other.id}")
            live = await InterviewRound.get(job_id=job.id, sequence=2)
            advance = page.locator("#decisions form").first
            await advance.locator("select[name=round]").select_option(str(live.id))
            start = _next_workday_at(settings, 10)
            await advance.locator("input[name=start]").fill(start)
            await advance.locator("select[name=interviewers]").select_option(label="王强")
            await advance.get_by_role("button", name="进入下一轮").click()
            await expect(page.locator("main")).to_contain_text("并发出邀请", timeout=WAIT)
            await page.goto(base + f"/workbench/pipeline/{job.id}")
            await expect(page.locator("[data-stage=rejected]")).to_contain_text("赵敏")
            await expect(page.locator("[data-stage=live]")).to_contain_text("周芷若")

            # 10. The lived-in demo: evidence quotes marked in the transcript seek the video
            services = stack.service.ctx.services
            services.worker.stop()  # ``run`` seeds before its workers start
            await services.worker.drain()
            assert await seed_demo_workbench(services, demo_recordings(settings)) == 31
            demo = await Application.get(candidate__name="何静")
            await page.goto(base + f"/workbench/review/{demo.id}")
            await expect(page.locator("#candidate-name")).to_have_text("何静")
            await expect(page.locator("table.scores")).to_contain_text("问题解决")
            await expect(page.locator(".transcript mark").first).to_be_visible()
            quote = page.locator("button.seek.quote").nth(2)
            target = float(await quote.get_attribute("data-at") or 0)
            assert target > 0
            await quote.click()
            which = await quote.get_attribute("data-video")
            at = await page.locator(f"#{which}").evaluate(WAIT_SEEKED)
            assert abs(at - target) < 0.6
            assert not refused
        finally:
            await browser.close()


PLAY_AND_SEEK = """async (v) => {
  const once = (name) => new Promise((ok) => v.addEventListener(name, ok, { once: true }));
  if (v.readyState < 1) { await once("loadedmetadata"); }
  v.muted = true;
  v.currentTime = 1.0;
  await once("seeked");
  const seeked = v.currentTime;
  await v.play();
  await new Promise((ok) => setTimeout(ok, 600));
  v.pause();
  return { duration: v.duration, seeked, played: v.currentTime };
}"""
WAIT_SEEKED = """async (v) => {
  await new Promise((ok) => setTimeout(ok, 300));
  if (v.seeking) { await new Promise((ok) => v.addEventListener("seeked", ok, { once: true })); }
  return v.currentTime;
}"""


async def _take_interview(mini: miniapp.Stack, invitation: str, video: bytes) -> int:
    """The candidate's side: WeChat login, redeem the link, consents, both answers."""
    token = await mini.candidate_token("o-story-zhaomin")
    redeemed = await mini.call("POST", "/invitations/redeem", token,
                               json={"invitation": invitation})  # fmt: skip
    assert redeemed.status_code == 200, redeemed.text
    interview_id = int(redeemed.json()["interview_id"])
    await mini.consent_all(token)
    for index, text in enumerate((Q1, Q2)):
        shown: dict[str, Any] = (
            await mini.call("POST", f"/interviews/{interview_id}/next", token)
        ).json()
        assert shown["question"]["index"] == index and shown["question"]["text"] == text
        upload_id = await mini.upload(token, interview_id, index, video)
        done = await mini.call("POST", f"/uploads/{upload_id}/complete", token)
        assert done.status_code == 200, done.text
        assert (await mini.analysed(token, upload_id))["analysis"] == "done"
    overview = (await mini.call("GET", f"/interviews/{interview_id}", token)).json()
    assert overview["status"] == "completed"
    return interview_id


def _next_workday_at(settings: Any, hour: int) -> str:
    day = datetime.now(settings.timezone) + timedelta(days=2)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day.replace(hour=hour, minute=0).strftime("%Y-%m-%dT%H:%M")
