"""Survey results per job and round: for the staff API and the ``问卷 <岗位>`` chat command.

Counts, means, distributions and the response rate are for every staff member who may see
assessments. The candidates' free comments are their own words about a person's interview:
only HR (``hr``, ``hr_manager``) see them, and every look at them is audited.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import tzinfo
from typing import Any

from recruiting.domain.error_text import for_people
from recruiting.domain.inbound import TextMessage
from recruiting.domain.roles import Permission
from recruiting.domain.shorten import shorten
from recruiting.domain.surveys import (
    CANDIDATE_QUESTIONS,
    INTERVIEWER_QUESTIONS,
    SurveyStats,
    parse_command,
    stats_line,
    summarise,
)
from recruiting.errors import InvalidInput, NotFound
from recruiting.models import InterviewRound, JobOpening, Respondent, Staff, SurveyResponse
from recruiting.ports.outbound import Channel, OutboundDraft
from recruiting.services.live.texts import TEXT_LIMIT
from recruiting.services.shared.access import HR_ROLES, require_staff
from recruiting.services.shared.audit import Actor, record
from recruiting.services.shared.sessions import Principal
from recruiting.validation import is_digits

RECENT_COMMENTS = 10
USAGE = "请发送「问卷 岗位名称」查看该岗位各轮面试的问卷汇总，例如：问卷 销售代表"
HR_ONLY = "只有 HR 可以查看问卷汇总。"


@dataclass(frozen=True)
class RoundStats:
    round: InterviewRound
    candidate: SurveyStats
    interviewer: SurveyStats


@dataclass(frozen=True)
class JobSurveys:
    job: JobOpening
    rounds: list[RoundStats]
    total_candidate: SurveyStats
    total_interviewer: SurveyStats
    comments: list[tuple[str, str, str]] | None  # (date, round, text); None: not shown


class SurveySummaries:
    def __init__(self, zone: tzinfo) -> None:
        self._zone = zone

    async def summary(
        self, principal: Principal, job: str, round_: str | None = None
    ) -> dict[str, Any]:
        """``GET /staff/surveys``: the summary of ``job`` (id, code or title), optionally
        of one round (its sequence number or name)."""
        require_staff(principal, Permission.VIEW_ASSESSMENT)
        found = await find_job(job)
        result = await self.of_job(principal.actor, found, round_)
        return _json(result)

    async def of_job(self, actor: Actor, job: JobOpening, round_: str | None) -> JobSurveys:
        rounds = await InterviewRound.filter(job_id=job.id).order_by("sequence")
        if round_:
            rounds = [r for r in rounds if round_.strip() in (str(r.sequence), r.name)]
            if not rounds:
                shown = shorten(round_, max_chars=20, inline=True)
                raise NotFound(f"岗位「{job.title}」没有「{shown}」这一轮面试。")
        rows = await SurveyResponse.filter(
            interview__round_id__in=[r.id for r in rounds]
        ).prefetch_related("interview")
        by_round: dict[int, list[SurveyResponse]] = {}
        for row in rows:
            by_round.setdefault(_round_id(row), []).append(row)
        stats = [_round_stats(r, by_round.get(r.id, [])) for r in rounds]
        show = bool(actor.roles & HR_ROLES)
        comments = None
        if show:
            names = {r.id: r.name for r in rounds}
            said = sorted((r for r in rows if r.comment), key=lambda r: r.updated_at, reverse=True)
            comments = [
                (
                    r.updated_at.astimezone(self._zone).strftime("%m-%d"),
                    names[_round_id(r)],
                    r.comment,
                )
                for r in said[:RECENT_COMMENTS]
            ]
        detail = f"job={job.code} comments={len(comments) if comments is not None else 'hidden'}"
        await record(actor, "view_survey_summary", "job", job.id, allowed=True, detail=detail)
        return JobSurveys(
            job,
            stats,
            _stats(rows, Respondent.CANDIDATE),
            _stats(rows, Respondent.INTERVIEWER),
            comments,
        )

    async def on_text(self, staff: Staff, message: TextMessage) -> list[OutboundDraft] | None:
        """The ``问卷 <岗位>`` command (alias ``survey <job>``); None for other texts."""
        wanted = parse_command(message.content.strip())
        if wanted is None:
            return None
        actor = Actor(staff.wecom_userid, staff.role_set())
        if not actor.roles & HR_ROLES:
            await record(actor, "view_survey_summary", "job", wanted or "-", allowed=False)
            return [_reply(staff, HR_ONLY)]
        if not wanted:
            return [_reply(staff, USAGE)]
        try:
            job = await find_job(wanted)
        except (NotFound, InvalidInput) as exc:
            return [_reply(staff, f"{for_people(exc)}\n{USAGE}")]
        return [_reply(staff, chat_text(await self.of_job(actor, job, None)))]


CODE_LIMIT, TITLE_LIMIT = 32, 128  # JobOpening.code / .title widths


async def find_job(text: str) -> JobOpening:
    """A job by id, code, exact title, or the one title containing ``text``."""
    text = text.strip()
    if not text:
        raise InvalidInput("请填写岗位（编号、代码或名称）。")
    if is_digits(text, 9) and (job := await JobOpening.get_or_none(id=int(text))):
        return job
    if len(text) > TITLE_LIMIT:  # longer than any code or title: the ORM would refuse it
        raise NotFound(f"没有找到岗位「{shorten(text, max_chars=20, inline=True)}」。")
    job = await JobOpening.filter(code=text).first() if len(text) <= CODE_LIMIT else None
    job = job or await JobOpening.filter(title=text).first()
    if job is not None:
        return job
    close = await JobOpening.filter(title__icontains=text).order_by("id").limit(6)
    if len(close) == 1:
        return close[0]
    if close:
        names = "、".join(f"{j.title}（{j.code}）" for j in close[:5])
        raise InvalidInput(f"「{text}」对应多个岗位：{names}，请写完整名称或编号。")
    raise NotFound(f"没有找到岗位「{text}」。")


def chat_text(result: JobSurveys) -> str:
    job = result.job
    lines = [f"【问卷汇总】{job.title}（{job.code}）"]
    for rs in result.rounds:
        lines.append(f"{rs.round.name}：")
        lines.append("  候选人 " + _line(rs.candidate))
        lines.append("  面试官 " + _line(rs.interviewer))
    if result.comments:
        lines.append("最近的候选人意见（仅 HR 可见，查看已记录）：")
        lines += [
            f"· {day} {name}：{shorten(text, max_chars=60, inline=True)}"
            for day, name, text in result.comments[:5]
        ]
    elif result.comments is not None:
        lines.append("暂无候选人文字意见。")
    return shorten("\n".join(lines), TEXT_LIMIT)


def _line(stats: SurveyStats) -> str:
    if not stats.sent:
        return "尚无问卷"
    rate = f"{stats.response_rate:.0%}" if stats.response_rate is not None else "—"
    detail = stats_line(stats)
    return f"{stats.answered}/{stats.sent} 份（{rate}）" + (f"：{detail}" if detail else "")


def _round_id(row: SurveyResponse) -> int:
    return int(row.interview.round_id)


def _is(row: SurveyResponse, kind: Respondent) -> bool:
    return bool(row.respondent == kind)


def _answers(row: SurveyResponse) -> dict[str, str]:
    return {str(k): str(v) for k, v in dict(row.answers or {}).items()}


def _stats(rows: Sequence[SurveyResponse], kind: Respondent) -> SurveyStats:
    questions = CANDIDATE_QUESTIONS if kind is Respondent.CANDIDATE else INTERVIEWER_QUESTIONS
    return summarise(questions, [_answers(r) for r in rows if _is(r, kind)])


def _round_stats(round_: InterviewRound, rows: Sequence[SurveyResponse]) -> RoundStats:
    return RoundStats(
        round_, _stats(rows, Respondent.CANDIDATE), _stats(rows, Respondent.INTERVIEWER)
    )


def _reply(staff: Staff, text: str) -> OutboundDraft:
    return OutboundDraft(
        Channel.WECOM_MESSAGE, staff.wecom_userid, {"kind": "text", "content": text}
    )


def _json(result: JobSurveys) -> dict[str, Any]:
    job = result.job
    return {
        "job": {"id": job.id, "code": job.code, "title": job.title},
        "rounds": [
            {
                "round_id": rs.round.id,
                "round": rs.round.name,
                "sequence": rs.round.sequence,
                "candidate": rs.candidate.to_json(),
                "interviewer": rs.interviewer.to_json(),
            }
            for rs in result.rounds
        ],
        "total": {
            "candidate": result.total_candidate.to_json(),
            "interviewer": result.total_interviewer.to_json(),
        },
        "comments": None
        if result.comments is None
        else [{"date": d, "round": n, "text": t} for d, n, t in result.comments],
        "comments_visible": result.comments is not None,
    }
