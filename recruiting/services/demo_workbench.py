"""The sandbox's lived-in workbench: three openings of built-in jobs with a recorded and a
live round, thirty candidates spread over every stage of the pipeline, analysed answers,
panel scores, notes and decisions, so a newcomer who runs ``make run`` sees a working
recruiter's week instead of empty pages.

Made through the use cases wherever one exists: openings, their competency models and
rounds by the openings services, candidates by ``CandidateIntake.add``,
recorded invitations, live bookings and rejections by the pipeline's bulk actions, the
candidate's consents, questions and chunked uploads by the mini-app's services, and the
analysis by ``AnswerAnalysisRunner`` (the engine scores the demo's written answers: see
``interview_core.demo_script``). Rows are written directly only where no use case exists
yet: an application's screening/hired/withdrawn status, a
live round already held (booking refuses the past) with its panel scores and notes.

Everything is marked: opening titles end in （示例）, every candidate's source is 示例数据,
transcripts say 示例文字稿, and the workbench shows a 示例数据 banner. Only with the sandbox
corp (``sandbox_demo_allowed``); seeded once (the first demo opening is the marker).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from recruiting import clock
from recruiting.domain.consent import consent_texts
from recruiting.domain.interview_state import InterviewStatus
from recruiting.domain.pipeline import RejectReason
from recruiting.domain.roles import Role
from recruiting.models import (
    Application,
    ApplicationStatus,
    ConsentPurpose,
    Interview,
    InterviewAssignment,
    InterviewMode,
    InterviewNote,
    InterviewRound,
    JobOpening,
    RaterKind,
    Score,
    Staff,
    SubjectKind,
)
from recruiting.ports.analysis import MediaAnalysis
from recruiting.services.recorded.analysis import AnswerAnalysisRunner
from recruiting.services.recorded.consents import Decision
from recruiting.services.shared.sessions import Principal

if TYPE_CHECKING:
    from recruiting.bootstrap import Services

log = logging.getLogger(__name__)

DEMO_SOURCE = "示例数据"
MARKER_CODE = "demo-swe"


@dataclass(frozen=True)
class DemoRecordings:
    """What the core lends the seed (``interview_core.demo_script``): the analysis that
    scores a registered script, a way to register one, a video maker and its length rule."""

    analysis: MediaAnalysis
    register: Callable[[bytes, str], None]
    video: Callable[[int, float], bytes]
    seconds: Callable[[str], float]
    warm_up: Callable[[], None] = lambda: None  # loads what the first analysis needs


@dataclass(frozen=True)
class Opening:
    code: str
    title: str
    department: str
    city: str
    model: list[dict[str, str]]
    questions: list[dict[str, Any]]
    live: tuple[str, int, str]  # name, minutes, what to prepare
    answers: dict[str, tuple[str, str]]  # level → the script of question 1 and 2
    people: list[tuple[str, str]]  # (name, plan)


def _q(text: str, *competencies: str) -> dict[str, Any]:
    return {"text": text, "competencies": list(competencies), "prep_seconds": 30,
            "answer_seconds": 180, "retakes": 1}  # fmt: skip


def _m(*items: tuple[str, str, str]) -> list[dict[str, str]]:
    return [{"code": c, "name": n, "weight": w} for c, n, w in items]


# Plans: new · screened · invited · started:<level> (one of two answered) · done:<level>
# · live:<level> (booked) · held:<level> · offer:<level> · hired:<level>
# · rejected:<level>:<reason> · dropped (rejected while new) · withdrawn.
# Levels: good, fair, thin (which written answer the candidate gives).
# fmt: off
OPENINGS = [
    Opening(
        code="demo-swe", title="后端开发工程师（示例）", department="技术部", city="上海",
        model=_m(("professional_skill", "专业技能", "0.30"),
                 ("problem_solving", "问题解决", "0.25"), ("learning_agility", "学习能力", "0.15"),
                 ("teamwork", "团队协作", "0.15"), ("innovation", "创新能力", "0.15")),
        questions=[_q("请讲一次你排查并解决线上疑难故障的经历。", "问题解决", "专业技能"),
                   _q("介绍一次你在短时间内学习一项新技术并应用到项目中的经历。",
                      "学习能力", "专业技能")],
        live=("技术面", 60, "最近一个项目的架构图，以及你负责的模块"),
        answers={
            "good": (
                "去年双十一前一周，我们的订单服务在晚高峰出现大量超时，告警群里一下子炸了。"
                "我负责排查，先看监控发现数据库连接池被占满，再用慢查询日志定位到一条没走索引的统计查询。"
                "我当晚先把这个查询降级到只读从库，让接口恢复，然后和同事一起加了联合索引，又给连接池加了超时和熔断。"
                "第二天压测，接口的 P99 从两秒降到了一百二十毫秒，双十一当天没有再出现超时。"
                "事后我写了复盘文档，把慢查询检查加进了上线前的清单。",
                "我们组决定把定时任务迁到 Kubernetes 上，但组里没人用过，我主动接了这件事。"
                "我用一个周末把官方文档和一本入门书过了一遍，又在测试环境搭了集群，把一个最简单的任务先迁过去。"
                "遇到镜像太大、启动慢的问题，我查资料改成多阶段构建，镜像从一点二 G 降到两百兆。"
                "两周内我们把十几个任务全部迁完，部署时间从半小时缩短到五分钟。"
                "之后我整理了一份上手文档，给组里做了一次分享。",
            ),
            "fair": (
                "有一次线上接口报错，用户反馈下单失败。我看了日志，发现是第三方支付回调超时。"
                "我和同事一起加了重试，后来问题就没有再出现了。整个过程大概花了一个下午。",
                "之前项目要用 Redis 做缓存，我以前没用过，就看了一些教程，然后在项目里用上了。"
                "用了以后接口快了不少，我觉得自己学东西还是比较快的。",
            ),
            "thin": (
                "线上故障我遇到过一些，一般就是看看日志，重启一下服务基本就好了，具体的记不太清了。",
                "我平时喜欢学习新技术，经常看技术博客，学习能力比较强。",
            ),
        },
        people=[("周磊", "new"), ("吴婷", "new"), ("郑浩", "screened"), ("孙悦", "invited"),
                ("冯凯", "started:fair"), ("何静", "done:good"), ("许晨", "done:fair"),
                ("马超", "rejected:thin:skills"), ("高远", "live:good"), ("罗琳", "held:good"),
                ("林峰", "offer:good"), ("谢敏", "withdrawn")],
    ),
    Opening(
        code="demo-cs", title="客服专员（示例）", department="客户服务中心", city="成都",
        model=_m(("customer_focus", "客户导向", "0.30"), ("communication", "沟通能力", "0.30"),
                 ("stress_tolerance", "抗压能力", "0.20"),
                 ("problem_solving", "问题解决", "0.20")),
        questions=[_q("请讲一次你安抚情绪激动的客户并解决问题的经历。",
                      "抗压能力", "沟通能力", "客户导向"),
                   _q("说说你发现并改进一个客户反复遇到的问题的经历。", "问题解决", "客户导向")],
        live=("业务面", 30, "一段你处理过的投诉经历"),
        answers={
            "good": (
                "有位客户因为退款迟迟没到账，来电时情绪非常激动，一直大声抱怨。"
                "我先耐心听他说完，向他道歉，然后复述确认他的诉求：三天内拿到退款。"
                "我当场查了工单，发现是银行卡信息填错导致退款失败，就帮他重新提交，并升级给财务加急处理。"
                "我告诉他第二天上午会回电，第二天准时回访时退款已经到账，他在满意度回访里给了五分。",
                "我发现每周都有很多客户来问同一个发票开具的问题，占了来电量的一成多。"
                "我把近一个月的工单按问题分类统计，整理出最常见的五种情况，写成知识库里的标准答复，"
                "又建议产品在订单页加一个开发票的入口。上线一个月后，这类来电减少了六成，一次解决率也提高了。",
            ),
            "fair": (
                "有客户打电话来骂人，说快递一直没到。我跟他道歉，说会帮他查，然后联系了快递公司。"
                "后来快递到了，客户也没再投诉。",
                "我们经常有客户问怎么修改收货地址，我就把回答整理了一下，以后回答得更快了。",
            ),
            "thin": (
                "遇到生气的客户我会保持微笑，态度好一点，客户一般就不生气了。",
                "我觉得客户的问题都要认真对待，发现问题就要及时反馈。",
            ),
        },
        people=[("王芳", "new"), ("李娟", "new"), ("张敏", "screened"), ("刘畅", "invited"),
                ("陈曦", "done:good"), ("杨帆", "done:fair"), ("赵倩", "done:thin"),
                ("黄蕾", "rejected:fair:better_match"), ("徐丽", "live:good"),
                ("朱琳", "hired:good"), ("胡月", "dropped")],
    ),
    Opening(
        code="demo-store", title="门店店长（示例）", department="零售事业部", city="杭州",
        model=_m(("leadership", "领导力", "0.25"), ("customer_focus", "客户导向", "0.20"),
                 ("execution", "执行力", "0.20"), ("results_orientation", "结果导向", "0.20"),
                 ("data_analysis", "数据分析", "0.15")),
        questions=[_q("请讲一次你带领门店团队扭转业绩下滑的经历。", "领导力", "结果导向"),
                   _q("你是如何用数据发现门店经营问题的？", "数据分析", "执行力")],
        live=("区域经理面", 45, "门店近半年的经营数据和你的改进计划"),
        answers={
            "good": (
                "我接手的门店连续三个月业绩下滑，员工士气也很低。"
                "我先和每位店员单独谈话，了解到排班不合理、新人不会推荐搭配。"
                "我重新按客流高峰排班，每天早会带大家练习搭配推荐，又设了小组周目标和奖励。"
                "三个月后门店月销售额从八十万回到一百一十万，在区域里从倒数第二升到第三，两名店员也升了组长。",
                "每周一我都会看上一周的销售报表，有一次发现下午三点到五点的客流不少，但成交率只有一成。"
                "我去现场观察，发现这个时段只有一个店员在岗，顾客没人接待。"
                "我调整了午休轮换，保证这个时段有两个人，并跟踪了四周数据，这个时段的成交率提升到两成五。",
            ),
            "fair": (
                "我们店有一段时间业绩不好，我就组织大家开会，要求每个人多跟顾客介绍新品，"
                "后来业绩慢慢好了一些。",
                "我会看每天的销售数据，哪个商品卖得不好就放到更显眼的位置。",
            ),
            "thin": (
                "我觉得带团队最重要的是以身作则，我自己每天都很努力。",
                "数据方面我不太擅长，一般是区域经理告诉我们哪里有问题。",
            ),
        },
        people=[("钱进", "new"), ("孙宁", "screened"), ("周洁", "invited"), ("吴迪", "done:good"),
                ("郑爽", "done:thin"), ("王磊", "rejected:thin:experience"),
                ("冯雪", "held:fair"), ("陈刚", "offer:good")],
    ),
]
# fmt: on

PANEL = {"good": Decimal("4.5"), "fair": Decimal("3.5"), "thin": Decimal("2.5")}
SPREAD = (Decimal("0"), Decimal("-0.5"), Decimal("0.5"), Decimal("-1"), Decimal("0"),
          Decimal("0.5"), Decimal("-0.5"))  # interviewers differ, per competency too  # fmt: skip
NOTES = {
    "good": "回答有具体数据和复盘，追问细节时也能说清楚自己的角色，建议进入下一轮。",
    "fair": "经历真实但细节偏少，追问后补充了一些数据，可再考察一轮。",
    "thin": "例子比较笼统，缺少自己的具体行动。",
}


async def demo_seeded() -> bool:
    return await JobOpening.exists(code=MARKER_CODE)


async def seed_demo_workbench(services: Services, recordings: DemoRecordings) -> int:
    """Seed once; returns the number of candidates made (0 when already there)."""
    if await demo_seeded():
        return 0
    started = time.monotonic()
    warming = asyncio.create_task(asyncio.to_thread(recordings.warm_up))
    seed = _Seed(services, recordings)
    await seed.staff()
    await services.openings.bank.seed_from_library(seed.hr.actor)  # the built-in questions
    made = 0
    for opening in OPENINGS:
        made += await seed.opening(opening)
    await warming
    log.info("demo workbench seeded: %d candidates in %.1f s", made, time.monotonic() - started)
    return made


class _Seed:
    def __init__(self, services: Services, recordings: DemoRecordings) -> None:
        self.s = services
        self.rec = recordings
        self.hr = Principal(0, SubjectKind.STAFF, userid="lina", roles=frozenset({Role.HR}))
        shared = services.shared
        self.runner = AnswerAnalysisRunner(
            shared.media, recordings.analysis, processes=0,
            scratch=shared.settings.data_dir / "tmp", lease_seconds=120, max_attempts=1,
            queue=shared.queue,
        )  # fmt: skip
        self.interviewers: list[Staff] = []
        self.videos = 0
        self.booked = 0

    def now(self) -> datetime:
        return clock.now().astimezone(self.s.shared.settings.timezone)

    async def staff(self) -> None:
        lina = await Staff.get(wecom_userid="lina")
        self.hr = Principal(0, SubjectKind.STAFF, staff_id=lina.id, userid="lina",
                            roles=frozenset({Role.HR}))  # fmt: skip
        self.interviewers = [await Staff.get(wecom_userid=u) for u in ("wangqiang", "chenjing")]

    async def opening(self, o: Opening) -> int:
        openings, actor = self.s.openings, self.hr.actor
        job = await openings.openings.create(actor, {
            "code": o.code, "title": o.title, "department": o.department, "city": o.city,
            "status": "open", "interview_location": f"{o.city}办公室 3 楼会议室",
            "competency_model": [{"code": c["code"], "weight": c["weight"]} for c in o.model],
        })  # fmt: skip
        code_of = {c["name"]: c["code"] for c in o.model}
        questions = [q | {"competencies": [code_of[n] for n in q["competencies"]]}
                     for q in o.questions]  # fmt: skip
        recorded = await openings.rounds.add(actor, job.id, {
            "kind": "recorded", "name": "录制面试", "questions": questions, "deadline_days": 7,
            "preparation": "安静、光线充足的环境，每题有 30 秒准备时间",
        })  # fmt: skip
        name, minutes, prep = o.live
        live = await openings.rounds.add(actor, job.id, {
            "kind": "live", "name": name, "duration_minutes": minutes, "panel_size": 2,
            "preparation": prep, "location": job.interview_location,
            "competencies": [c["code"] for c in o.model],
        })  # fmt: skip
        for n, (person, plan) in enumerate(o.people):
            await self.person(o, job, recorded, live, n, person, plan)
        return len(o.people)

    async def person(self, o: Opening, job: JobOpening, recorded: InterviewRound,
                     live: InterviewRound, n: int, name: str, plan: str) -> None:  # fmt: skip
        digits = hashlib.sha256(f"{o.code}{n}".encode()).hexdigest()
        phone = "139" + "".join(str(int(c, 16) % 10) for c in digits[:8])
        added = await self.s.intake.candidates.add(
            self.hr,
            {"name": name, "phone": phone, "email": f"demo{o.code[5:]}{n}@example.com",
             "source": DEMO_SOURCE, "education": ("本科", "硕士", "大专")[n % 3],
             "years": str(2 + n % 7)},
            job_id=job.id,
        )  # fmt: skip
        app_id = added.application_id
        assert app_id is not None
        kind, _, rest = plan.partition(":")
        level = rest.split(":")[0] if rest else "fair"
        if kind in ("new",):
            return
        if kind in ("screened", "dropped", "withdrawn"):
            status = {"screened": ApplicationStatus.SCREENING,
                      "withdrawn": ApplicationStatus.WITHDRAWN}.get(kind)  # fmt: skip
            if status is not None:
                await Application.filter(id=app_id).update(status=status)
            if kind == "dropped":
                await self.s.pipeline.rejections.reject(self.hr, app_id, RejectReason.EXPERIENCE,
                                                        "工作经历与岗位要求差距较大")  # fmt: skip
            return
        deadline = clock.now() + timedelta(days=7)
        invited = await self.s.pipeline.bulk.invite_recorded(self.hr, [app_id], recorded.id,
                                                             deadline)  # fmt: skip
        interview_id = invited.items[0].interview_id
        assert interview_id is not None
        if kind == "invited":
            return
        answered = 1 if kind == "started" else 2
        await self.answer(o, added.candidate_id, interview_id, level, answered)
        if kind in ("done", "started"):
            return
        if kind == "rejected":
            reason = RejectReason(rest.split(":")[1])
            await self.s.pipeline.rejections.reject(self.hr, app_id, reason,
                                                    "录制面试的回答缺少具体行动和结果")  # fmt: skip
            return
        if kind == "live":
            self.booked += 1  # one panel for every demo booking: never the same hour twice
            start = _next_workday(self.now(), 1 + self.booked // 3, (10, 14, 16)[self.booked % 3])
            ids = [s.id for s in self.interviewers]
            await self.s.pipeline.bulk.schedule_live(self.hr, [app_id], live.id, start, ids,
                                                     location=live.location)  # fmt: skip
            return
        await self.held(app_id, live, level, n)
        if kind == "offer":  # the draft offer card goes to HR's chat, as from the review page
            day = (self.now() + timedelta(days=30)).strftime("%Y-%m-%d")
            made = await self.s.pipeline.decisions.propose_offer(
                self.hr, app_id, f"月薪2.5万 入职{day}"
            )
            if not made.ok:
                raise RuntimeError(f"demo offer for application {app_id} refused: {made.message}")
        if kind == "hired":  # approval and acceptance happen in WeCom: the outcome only
            await Application.filter(id=app_id).update(status=ApplicationStatus.HIRED)

    async def answer(self, o: Opening, candidate_id: int, interview_id: int, level: str,
                     count: int) -> None:  # fmt: skip
        """The candidate's side, through the mini-app's services: (the invitation opened)
        consents, each question revealed, the recording uploaded in one chunk; then the
        analysis runs on it."""
        mini = self.s.recorded.miniapp
        me = Principal(0, SubjectKind.CANDIDATE, candidate_id=candidate_id)
        # what redeeming the link does besides binding a WeChat account (demo people have none)
        await Interview.filter(id=interview_id, status=InterviewStatus.INVITED).update(
            status=InterviewStatus.CONFIRMED
        )
        texts = consent_texts()
        await mini.consents.decide(me, [
            Decision(p, texts[p].version, p != ConsentPurpose.FACE_ANALYSIS) for p in texts
        ])  # fmt: skip
        for index in range(count):
            await mini.recorded.next_question(me, interview_id)
            script = o.answers[level][index]
            self.videos += 1
            media = self.rec.video(self.videos, self.rec.seconds(script))
            self.rec.register(media, script)
            digest = hashlib.sha256(media).hexdigest()
            up = await mini.uploads.start(me, interview_id, index, len(media), digest, "video/mp4")
            await mini.uploads.append(me, up.upload_id, 0, len(media), digest, _once(media))
            done = await mini.uploads.complete(me, up.upload_id)
            if done.answer_id is not None:
                await self.runner.process(done.answer_id)
        if count == len(o.questions):  # all submitted: the next ask completes it
            await mini.recorded.next_question(me, interview_id)

    async def held(self, app_id: int, live: InterviewRound, level: str, n: int) -> None:
        """A live round that already took place (booking refuses the past): the interview,
        its panel, each interviewer's scores per competency and the lead's note."""
        start = _next_workday(self.now() - timedelta(days=9), n % 4, 14)
        interview = await Interview.create(
            application_id=app_id, round=live, mode=InterviewMode.ONSITE,
            status=InterviewStatus.COMPLETED, starts_at=start,
            ends_at=start + timedelta(minutes=live.duration_minutes),
            completed_at=start + timedelta(minutes=live.duration_minutes),
            location=live.location,
        )  # fmt: skip
        job = await JobOpening.get(id=live.job_id)
        for rank, staff in enumerate(self.interviewers):
            await InterviewAssignment.create(interview=interview, interviewer=staff, lead=rank == 0)
            for k, item in enumerate(job.competency_model):
                spread = SPREAD[(3 * rank + k + n) % len(SPREAD)]
                value = min(Decimal(5), max(Decimal(1), PANEL[level] + spread))
                await Score.create(interview=interview, competency=item["name"],
                                   rater_kind=RaterKind.HUMAN, rater_key=f"staff:{staff.id}",
                                   rater=staff, value=value)  # fmt: skip
        await InterviewNote.create(interview=interview, author=self.interviewers[0],
                                   body=NOTES[level],
                                   taken_at=start + timedelta(minutes=20))  # fmt: skip


async def _once(data: bytes) -> AsyncIterator[bytes]:
    yield data


def _next_workday(base: datetime, days: int, hour: int) -> datetime:
    """``days`` working days after ``base`` at ``hour`` o'clock in ``base``'s time zone."""
    day = base
    left = days
    while left > 0 or day.weekday() >= 5:
        day += timedelta(days=1)
        if day.weekday() < 5:
            left -= 1
    return day.replace(hour=hour, minute=0, second=0, microsecond=0)
