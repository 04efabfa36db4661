"""``筛选简历 <岗位> [前N名]`` in chat: HR gets a card ranking the opening's parsed résumés
against its requirements, and one button that invites the listed candidates who were not
knocked out to the AI (recorded) interview. Only HR and HR managers may; others are told
politely. The button carries the application ids HR saw, so a click invites exactly them
even if new résumés arrived in between.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

from recruiting import clock
from recruiting.domain.error_text import for_people
from recruiting.domain.inbound import CardClick, Inbound, TextMessage
from recruiting.domain.routing import RouteKey, parse_key, route_key
from recruiting.domain.shorten import shorten
from recruiting.errors import RecruitingError
from recruiting.models import JobOpening, JobStatus, Staff
from recruiting.ports.outbound import Channel, OutboundDraft
from recruiting.services.messaging.conversation import card_update, text_reply
from recruiting.services.scheduling.chat import may_schedule, principal_of
from recruiting.services.screening.ranking import (
    InviteResult,
    Outcome,
    Ranked,
    Screening,
    Shortlist,
)
from recruiting.validation import is_digits

log = logging.getLogger(__name__)

# The ranked card's buttons (``card_routes``):
INVITE = "screening.invite"  # screening.invite:<job id>:<application ids joined by ->
INVITED = "screening.invited"  # the answered card's inert button: screening.invited:<job id>
DEFAULT_TOP = 5
MAX_TOP = 20
SUBTITLE_CHARS = 300  # what a card's sub_title_text shows without folding
USAGE = "请这样发送：筛选简历 岗位名称 前N名，例如「筛选简历 数据分析师 前5名」（N 最大 20）。"
NOT_ALLOWED = "抱歉，只有 HR 可以筛选简历。"
_COMMAND = re.compile(r"^\s*筛选简历\s*[:：]?\s*(?P<rest>.*?)\s*$", re.DOTALL)
_TOP = re.compile(
    r"[\s,，]*(?:前\s*(?P<a>\d+)\s*(?:名|位|个|人)?|(?<![\d前])(?P<b>\d+)\s*(?:名|位|个|人)?)$"
)


@dataclass(frozen=True)
class ScreenRequest:
    job: str
    top: int | None  # None: not given; out of range values are kept for a clear answer


def read_screen(text: str) -> ScreenRequest | None:
    """``筛选简历 数据分析师 前10名`` → (数据分析师, 10); None when not this command."""
    found = _COMMAND.match(text)
    if found is None:
        return None
    rest = found["rest"]
    top = None
    tail = _TOP.search(rest)
    if tail is not None and tail.start() > 0:
        top = int((tail["a"] or tail["b"])[:7])  # out of range: answered with the usage
        rest = rest[: tail.start()]
    return ScreenRequest(rest.strip(" ，,。"), top)


class ScreeningChat:
    def __init__(self, screening: Screening) -> None:
        self._screening = screening

    async def on_text(self, staff: Staff, message: TextMessage) -> list[OutboundDraft] | None:
        request = read_screen(message.content)
        if request is None:
            return None
        me = staff.wecom_userid
        if not may_schedule(staff):
            return [text_reply(me, NOT_ALLOWED)]
        top = DEFAULT_TOP if request.top is None else request.top
        if not request.job or not 1 <= top <= MAX_TOP:
            return [text_reply(me, USAGE)]
        job = await _job(request.job)
        if isinstance(job, str):
            return [text_reply(me, job)]
        try:
            listed = await self._screening.shortlist(principal_of(staff), job.id)
        except RecruitingError as exc:
            log.info("shortlist of job %s refused: %s", job.id, exc.message)
            return [text_reply(me, for_people(exc))]
        if not listed.ranked:
            return [text_reply(me, f"「{job.title}」还没有已解析的简历可以筛选。")]
        card = ranked_card(listed, top)
        return [
            OutboundDraft(
                Channel.WECOM_MESSAGE, me, {"kind": "template_card", "card": card}, "screen-card"
            )
        ]

    async def on_card_click(self, event: Inbound) -> list[OutboundDraft]:
        if not isinstance(event, CardClick):
            return []
        key = parse_key(event.event_key)
        if key is None or key.prefix != INVITE:
            return []
        me = event.from_user
        staff = await Staff.get_or_none(wecom_userid=me, active=True)
        if staff is None or not may_schedule(staff):
            return [text_reply(me, NOT_ALLOWED)]
        parsed = _invite_key(key)
        if parsed is None:
            return [text_reply(me, "这张卡片的内容无法识别，请重新发送「筛选简历」。")]
        job_id, ids = parsed
        try:
            results = await self._screening.invite_top(
                principal_of(staff), job_id, len(ids), application_ids=ids
            )
        except RecruitingError as exc:
            log.info("invite from the shortlist of job %s refused: %s", job_id, exc.message)
            return [text_reply(me, for_people(exc))]
        summary = invite_summary(results)
        drafts = [text_reply(me, summary)]
        if event.response_code:
            card = _answered_card(event.task_id, job_id, summary)
            drafts.append(card_update(me, event.response_code, card, "screen-card-done"))
        return drafts


def ranked_card(listed: Shortlist, top: int) -> dict[str, Any]:
    """The ranked list as a button_interaction card within WeCom's limits (title 36
    characters, rows of 30, at most 6 rows, sub-title kept to ~300 characters)."""
    shown = listed.ranked[:top]
    eligible = [r for r in shown if not r.result.knocked_out]
    out = sum(1 for r in listed.ranked if r.result.knocked_out)
    lines = _lines(shown)
    hidden = len(listed.ranked) - len(shown)
    if hidden:
        lines.append(f"另有 {hidden} 人未列出")
    must = sum(1 for r in listed.requirements.items if r.must)
    nice = len(listed.requirements.items) - must
    rows = [
        {"keyname": "已筛选", "value": f"{listed.screened} 份简历，{out} 份不满足必须条件"},
        {"keyname": "要求", "value": f"必须 {must} 项 · 加分 {nice} 项"},
        {"keyname": "计分", "value": "未提及的要求按一半分值计"},
    ]
    if listed.requirements.flagged:
        flagged = "、".join(f.text for f in listed.requirements.flagged)
        rows.append(
            {"keyname": "未采用", "value": shorten(f"{flagged}（涉及歧视风险）", max_chars=30)}
        )
    stamp = int(clock.now().timestamp() * 1000)
    card: dict[str, Any] = {
        "card_type": "button_interaction",
        "source": {"desc": "简历筛选"},
        "main_title": {
            "title": shorten(f"筛选简历：{listed.job_title}", max_chars=36),
            "desc": f"按岗位要求排序，前 {len(shown)} 名",
        },
        "sub_title_text": _fit(lines),
        "horizontal_content_list": [
            {"keyname": r["keyname"], "value": shorten(r["value"], max_chars=30)} for r in rows
        ],
        "task_id": f"screen-{listed.job_id}-{stamp}",
    }
    if eligible:
        ids = "-".join(str(r.applicant.application_id) for r in eligible)
        card["button_list"] = [
            {
                "type": 0,
                "style": 1,
                "text": f"邀请前{len(eligible)}名AI面试",
                "key": route_key(INVITE, listed.job_id, ids),
            }
        ]
    else:
        card["button_list"] = [
            {
                "type": 0,
                "style": 2,
                "text": "无人满足必须条件",
                "key": route_key(INVITED, listed.job_id),
            }
        ]
    return card


def _lines(shown: tuple[Ranked, ...]) -> list[str]:
    lines = []
    for r in shown:
        met, missed, unknown = r.result.counts
        head = f"{r.rank}. {shorten(r.applicant.name, max_chars=8)} {r.result.score}分"
        if r.invited:
            head += "（已邀请）"
        if r.result.knocked_out:
            missed_must = [v.requirement.label for v in r.result.verdicts
                           if v.requirement.must and v.met is False]  # fmt: skip
            lines.append(f"{head} 不满足：{shorten('、'.join(missed_must), max_chars=20)}")
        else:
            lines.append(f"{head}（符合{met} 不符{missed} 未提及{unknown}）")
    return lines


def _fit(lines: list[str]) -> str:
    """As many whole lines as fit, then how many more there are."""
    kept: list[str] = []
    for n, line in enumerate(lines):
        rest = len(lines) - n
        if len("\n".join([*kept, line])) > SUBTITLE_CHARS - 12 and rest > 1:
            kept.append(f"……另 {rest} 行请在工作台查看")
            break
        kept.append(line)
    return shorten("\n".join(kept), max_chars=SUBTITLE_CHARS)


def invite_summary(results: list[InviteResult]) -> str:
    invited = [r for r in results if r.outcome is Outcome.INVITED]
    skipped = [r for r in results if r.outcome is Outcome.ALREADY_INVITED]
    failed = [r for r in results if r.outcome is Outcome.FAILED]
    parts = [f"已向 {len(invited)} 人发出 AI 面试邀请"]
    if invited:
        parts[0] += "：" + "、".join(r.name for r in invited)
    if skipped:
        parts.append(f"{len(skipped)} 人已邀请过，跳过：" + "、".join(r.name for r in skipped))
    if failed:
        parts.append(f"{len(failed)} 人邀请失败：" + "、".join(r.name for r in failed)
                     + "，请稍后重试")  # fmt: skip
    if not results:
        parts = ["卡片上的候选人已不在该岗位的简历中，没有发出邀请。"]
    return shorten("。\n".join(parts) + "。", 2000)


def _answered_card(task_id: str, job_id: int, summary: str) -> dict[str, Any]:
    return {
        "card_type": "button_interaction",
        "source": {"desc": "简历筛选"},
        "main_title": {"title": "已处理 AI 面试邀请"},
        "sub_title_text": shorten(summary, max_chars=SUBTITLE_CHARS),
        "task_id": task_id,
        "button_list": [
            {"type": 0, "text": "已邀请", "style": 2, "key": route_key(INVITED, job_id)}
        ],
        "replace_text": "已邀请",
    }


def _invite_key(key: RouteKey) -> tuple[int, list[int]] | None:
    job_id = key.number(0)
    raw = key.args[1] if len(key.args) > 1 else ""
    parts = raw.split("-")
    if job_id is None or not raw or not all(is_digits(p) for p in parts):
        return None
    return job_id, [int(p) for p in parts][:MAX_TOP]


async def _job(text: str) -> JobOpening | str:
    """The opening named by title or code (exactly, else the one whose title contains it)."""
    wanted = text.strip().lower()
    jobs = await JobOpening.exclude(status=JobStatus.CLOSED).order_by("id")
    exact = [j for j in jobs if wanted in (j.title.lower(), j.code.lower())]
    found = exact or [j for j in jobs if wanted in j.title.lower()]
    if not found:
        return f"没有找到岗位「{shorten(text, max_chars=20)}」。"
    if len(found) > 1:
        names = "、".join(j.title for j in found[:5])
        shown = shorten(text, max_chars=20)
        return f"有 {len(found)} 个岗位与「{shown}」相近：{names}。请写全岗位名称或编号。"
    return found[0]
