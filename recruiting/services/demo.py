"""Demo staff for the sandbox corp, so a newcomer can talk to the bot on the first run.

Only ever used when the service runs against the built-in WeCom sandbox. The sandbox's
member ``visitor`` is deliberately left out: it shows what an unregistered member sees.
"""

from __future__ import annotations

from recruiting.models import (
    Application,
    Candidate,
    InterviewRound,
    JobOpening,
    JobStatus,
    RoundKind,
    Staff,
)

DEMO_STAFF = [
    ("zhangwei", "张伟", "HR经理", ["hr_manager"]),
    ("lina", "李娜", "招聘专员", ["hr"]),
    ("wangqiang", "王强", "技术面试官", ["interviewer"]),
    ("chenjing", "陈静", "销售总监", ["interviewer"]),
]


async def seed_demo_staff() -> int:
    """Create the demo staff that are missing; returns how many were created."""
    created = 0
    for userid, name, title, roles in DEMO_STAFF:
        _, is_new = await Staff.get_or_create(
            wecom_userid=userid, defaults={"name": name, "title": title, "roles": roles}
        )
        created += int(is_new)
    return created


DEMO_JOB_CODE = "demo-sales"
DEMO_MODEL = [
    {"code": "customer_focus", "name": "客户导向", "weight": "0.4"},
    {"code": "communication", "name": "沟通能力", "weight": "0.3"},
    {"code": "results", "name": "结果导向", "weight": "0.3"},
]
DEMO_QUESTIONS = [
    {"text": "请讲一次你说服一位犹豫不决的客户最终成交的经历。",
     "competencies": ["客户导向", "沟通能力"], "prep_seconds": 30, "answer_seconds": 180,
     "retakes": 1},
    {"text": "说说你在业绩压力很大的时候，是如何完成销售目标的？",
     "competencies": ["结果导向"], "prep_seconds": 30, "answer_seconds": 180, "retakes": 1},
]  # fmt: skip


async def seed_demo_recruiting() -> int:
    """A demo opening with a recorded round, a live round and one applicant, so a newcomer
    can invite someone to a recorded interview from the mini-app API, or schedule a live one
    in chat (安排面试 演示候选人 销售代表), right away. Returns the application id."""
    job, _ = await JobOpening.get_or_create(
        code=DEMO_JOB_CODE,
        defaults={"title": "销售代表（演示）", "status": JobStatus.OPEN,
                  "competency_model": DEMO_MODEL},
    )  # fmt: skip
    await InterviewRound.get_or_create(
        job=job, sequence=1,
        defaults={"name": "录制面试", "kind": RoundKind.RECORDED, "questions": DEMO_QUESTIONS},
    )  # fmt: skip
    await InterviewRound.get_or_create(
        job=job,
        sequence=2,
        defaults={
            "name": "业务面",
            "kind": RoundKind.LIVE,
            "duration_minutes": 45,
            "preparation": "近一年的销售业绩，以及一次成交的完整经历",
        },
    )
    candidate, _ = await Candidate.get_or_create(name="演示候选人")
    application, _ = await Application.get_or_create(candidate=candidate, job=job)
    return application.id
