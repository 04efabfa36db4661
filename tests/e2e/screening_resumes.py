"""Two applicants with parsed résumés, for the screening tests over HTTP and in the browser."""

from __future__ import annotations

import hashlib
from dataclasses import asdict

from recruiting.infra.resumes.reader import FileResumeReader
from recruiting.models import Application, Candidate, JobOpening, ResumeFile, ResumeParse

RESUME = """{name}
{personal}
现居：{city}
教育经历
2010.09-2014.06 上海大学 市场营销 {degree}
工作经历
{start}.07-至今 某电子商务有限公司 大客户销售
负责华东区渠道销售
专业技能
{skills}
"""
PEOPLE = [
    ("孙磊", "男 | 30岁", "上海", "本科", 2016, "大客户销售、Excel"),
    ("周杰", "男 | 24岁", "杭州", "大专", 2024, "电话销售"),  # 2 years: knocked out
]


async def two_parsed_resumes(job: JobOpening) -> None:
    """孙磊 and 周杰 applying to ``job``, each with a parsed résumé (周杰 has two years of work,
    short of a three-year requirement)."""
    reader = FileResumeReader()
    for n, (name, personal, city, degree, start, skills) in enumerate(PEOPLE):
        text = RESUME.format(name=name, personal=personal, city=city, degree=degree,
                             start=start, skills=skills)  # fmt: skip
        candidate = await Candidate.create(name=name)
        application = await Application.create(candidate=candidate, job=job)
        await ResumeFile.create(
            candidate_id=candidate.id, application_id=application.id, object_key=f"wb{n}",
            size=len(text), sha256=hashlib.sha256(text.encode()).hexdigest(),
            parse_status=ResumeParse.PARSED,
            parsed=asdict(reader.read(text.encode(), "简历.txt")), uploaded_by="lina",
        )  # fmt: skip
