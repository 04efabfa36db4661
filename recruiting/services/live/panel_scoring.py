"""Panel scoring of a finished live interview, in WeCom cards, and the panel's consolidation.

Rules:

* Each interviewer on the panel gets ``multiple_interaction`` cards, one select (1–5) per
  competency and at most three per card (WeCom's limit), so a round of five competencies
  takes two cards. Only panel members' submits count; anyone else's is refused and audited.
* Scores are stored per rater (``rater_key`` ``staff:<id>``). Submitting again replaces the
  values and is audited (``score_update``, old → new); every submit updates the card through
  ``update_template_card`` (with the click's ``response_code``) to show what was recorded.
* Comment: a text sent within 30 minutes of one's last submit, with no interview running,
  is one's comment on that interview's scores (a later one replaces it).
* When every panel member has scored every competency, the consolidation goes to the lead
  interviewer and to HR: each rater's scores, the AI's advisory score of the notes with the
  quote it rests on, and a flag where human scores differ by 2 points or more, suggesting a
  calibration talk. A later change sends the updated consolidation.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import timedelta, tzinfo
from decimal import Decimal
from typing import Any

from recruiting import clock
from recruiting.domain.inbound import CardClick, Inbound
from recruiting.domain.interview_state import InterviewStatus
from recruiting.domain.panel_summary import CompetencyLine, PanelSummary
from recruiting.domain.routing import parse_key, route_key
from recruiting.domain.shorten import shorten
from recruiting.errors import NotFound
from recruiting.models import Interview, RaterKind, Score, Staff
from recruiting.ports.live_prompts import CompetencyBrief, LivePrompts
from recruiting.ports.outbound import Channel, OutboundDraft
from recruiting.services.live import texts as say
from recruiting.services.live.context import (
    KEY_PREFIX,
    LiveContext,
    actor_of,
    competencies,
    hr_staff,
    load_context,
    rater_key,
    text_draft,
)
from recruiting.services.messaging.conversation import card_update
from recruiting.services.messaging.effects import Effects, Unit
from recruiting.services.shared.audit import Actor, record
from recruiting.validation import is_digits

SCORE = "live.score"  # the submit key: live.score:<interview id>:<card part>
PER_CARD = 3  # WeCom: select_list holds at most three questions
LEVELS = (1, 2, 3, 4, 5)
# WeCom shows a select's first option as chosen when ``selected_id`` names none, so one
# careless tap would submit 1 分 everywhere: the first option, selected until the
# interviewer picks a level, is "not scored" and is never recorded as a score.
UNSCORED = "none"
UNSCORED_TEXT = "请选择分数"
NOTHING_CHOSEN = (
    "您还没有为任何一项选择分数，本次提交未记录。请在每项的下拉框中选择 1–5 分后再提交。"
)
COMMENT_WINDOW = timedelta(minutes=30)


class PanelScoring:
    def __init__(self, prompts: LivePrompts, effects: Effects, zone: tzinfo) -> None:
        self._prompts = prompts
        self._effects = effects
        self._zone = zone

    def cards(
        self, ctx: LiveContext, briefs: Sequence[CompetencyBrief], stamp: int
    ) -> list[OutboundDraft]:
        """The scoring cards of every panel member (call inside the finishing transaction)."""
        parts = [list(briefs[i : i + PER_CARD]) for i in range(0, len(briefs), PER_CARD)]
        drafts = []
        for panelist in ctx.panel:
            staff = panelist.staff
            for part, chunk in enumerate(parts):
                task_id = f"lscore-{ctx.id}-{staff.id}-{part}-{stamp}"
                card = score_card(ctx, part, len(parts), chunk, task_id)
                payload = {"kind": "template_card", "card": card}
                drafts.append(OutboundDraft(Channel.WECOM_MESSAGE, staff.wecom_userid, payload,
                                            f"card:{staff.id}:{part}"))  # fmt: skip
        return drafts

    async def on_card_click(self, event: Inbound) -> list[OutboundDraft]:
        """``live.score:<interview>:<part>`` (``card_routes``): a submitted scoring card."""
        if not isinstance(event, CardClick):
            return []
        key = parse_key(event.event_key)
        if key is None or key.prefix != SCORE or len(key.args) != 2:
            return []
        interview_id, part = key.number(0), key.number(1)
        if interview_id is None or part is None:
            return []
        staff = await Staff.get_or_none(wecom_userid=event.from_user, active=True)
        try:
            ctx = await load_context(interview_id)
        except NotFound:
            ctx = None
        if staff is None or ctx is None or ctx.panelist(staff) is None:
            who = actor_of(staff) if staff else Actor(event.from_user)
            await record(who, "score_submit", "interview", interview_id, allowed=False)
            return [text_draft(event.from_user, say.ONLY_PANEL_SCORES, "reply")]
        if ctx.status != InterviewStatus.COMPLETED:
            return [text_draft(staff.wecom_userid, say.NOT_SCORABLE, "reply")]
        briefs = await competencies(self._prompts, ctx)
        chunk = briefs[part * PER_CARD : (part + 1) * PER_CARD]
        chosen = _chosen(event, chunk)
        if not chosen:
            return [text_draft(staff.wecom_userid, NOTHING_CHOSEN, "reply")]
        unscored = [b.name for b in chunk if b.name not in chosen]
        async with self._effects.unit() as unit:
            await _lock(ctx)
            recorded = await self._store(ctx, staff, chosen, unscored)
            if recorded:
                await self._consolidation(unit, ctx, briefs)
            rows = await Score.filter(interview_id=ctx.id, rater_key=rater_key(staff))
        if not event.response_code:
            return []
        names = {b.name for b in chunk}
        shown = {r.competency: int(r.value) for r in rows
                 if r.competency in names and r.value is not None}  # fmt: skip
        at = clock.now().astimezone(self._zone).strftime("%H:%M")
        parts = -(-len(briefs) // PER_CARD)
        card = score_card(ctx, part, parts, chunk, event.task_id, shown, recorded_at=at)
        return [card_update(staff.wecom_userid, event.response_code, card)]

    async def comment(self, staff: Staff, text: str) -> list[OutboundDraft] | None:
        """The comment on one's latest scoring, if one is open; None otherwise."""
        since = clock.now() - COMMENT_WINDOW
        latest = (
            await Score.filter(rater_key=rater_key(staff), updated_at__gte=since)
            .order_by("-updated_at")
            .first()
        )
        if latest is None:
            return None
        ctx = await load_context(int(latest.interview_id))
        if ctx.panelist(staff) is None:
            return None
        briefs = await competencies(self._prompts, ctx)
        async with self._effects.unit() as unit:
            await _lock(ctx)
            await Score.filter(interview_id=ctx.id, rater_key=rater_key(staff)).update(
                comment=text.strip()[:1000], updated_at=clock.now()
            )
            await record(actor_of(staff), "score_comment", "interview", ctx.id, allowed=True,
                         detail=f"chars={len(text.strip())}")  # fmt: skip
            await self._consolidation(unit, ctx, briefs)
        reply = f"已保存为您对 {ctx.title()} 评分的评语（30 分钟内再发送会替换它）。"
        return [text_draft(staff.wecom_userid, reply, "reply")]

    async def consolidate(
        self, ctx: LiveContext, briefs: Sequence[CompetencyBrief]
    ) -> PanelSummary:
        """Every rater's scores next to the AI's advisory ones, per competency."""
        scores = await Score.filter(interview_id=ctx.id).order_by("updated_at")
        human = {(s.rater_key, s.competency): s for s in scores if s.rater_kind == RaterKind.HUMAN}
        ai = {s.competency: s for s in scores if s.rater_kind == RaterKind.AI}
        lines = []
        for brief in briefs:
            ratings = [(p.staff.name, _value(human.get((p.rater_key, brief.name))))
                       for p in ctx.panel]  # fmt: skip
            machine = ai.get(brief.name)
            quotes = [str(e.get("quote", "")) for e in (machine.evidence if machine else [])]
            lines.append(CompetencyLine(brief.name, ratings, _value(machine), quotes[:2]))
        missing = [
            p.staff.name
            for p in ctx.panel
            if any(_value(human.get((p.rater_key, b.name))) is None for b in briefs)
        ]
        comments = []
        for p in ctx.panel:
            texts = {s.comment for (key, _), s in human.items() if key == p.rater_key and s.comment}
            if texts:
                comments.append((p.staff.name, sorted(texts)[0]))
        raters = [(p.staff.name, p.lead) for p in ctx.panel]
        return PanelSummary(ctx.id, ctx.title(), raters, lines, comments, missing)

    async def _store(
        self, ctx: LiveContext, staff: Staff, chosen: dict[str, int], unscored: list[str]
    ) -> bool:
        """Upsert the rater's scores and audit (naming what was left not scored); True when
        anything is new or different."""
        key = rater_key(staff)
        existing = {s.competency: s for s in await Score.filter(interview_id=ctx.id, rater_key=key)}
        comment = next((s.comment for s in existing.values() if s.comment), "")
        created, updated, changed = [], [], False
        for name, value in chosen.items():
            row = existing.get(name)
            if row is None:
                await Score.create(interview_id=ctx.id, competency=name[:32], rater=staff,
                                   rater_kind=RaterKind.HUMAN, rater_key=key,
                                   value=Decimal(value), evidence=[], comment=comment)  # fmt: skip
                created.append(f"{name}={value}")
                continue
            old = _value(row)
            await Score.filter(id=row.id).update(value=Decimal(value), updated_at=clock.now())
            updated.append(f"{name} {_show(old)}→{value}")
            changed = changed or old != value
        actor = actor_of(staff)
        new = bool(created)
        if unscored:
            created.append("未评分：" + "、".join(unscored))
        if created:
            await record(actor, "score_submit", "interview", ctx.id, allowed=True,
                         detail="；".join(created))  # fmt: skip
        if updated:
            await record(actor, "score_update", "interview", ctx.id, allowed=True,
                         detail="；".join(updated))  # fmt: skip
        return new or changed

    async def _consolidation(
        self, unit: Unit, ctx: LiveContext, briefs: Sequence[CompetencyBrief]
    ) -> None:
        """Consolidation messages when the panel is complete; keyed by the content, so the
        same result is never sent twice (call inside the transaction of the change)."""
        summary = await self.consolidate(ctx, briefs)
        if not summary.complete:
            return
        text = say.panel_text(summary)
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
        lead = ctx.lead()
        people = ([lead] if lead is not None else []) + await hr_staff()
        userids = list(dict.fromkeys(s.wecom_userid for s in people))
        drafts = [text_draft(u, text, u) for u in userids]
        await unit.add(drafts, cause=f"{KEY_PREFIX}:{ctx.id}:panel:{digest}")


def score_card(
    ctx: LiveContext,
    part: int,
    parts: int,
    chunk: Sequence[CompetencyBrief],
    task_id: str,
    chosen: dict[str, int] | None = None,
    *,
    recorded_at: str = "",
) -> dict[str, Any]:
    """A ``multiple_interaction`` card scoring ``chunk`` (≤ 3 competencies) 1–5, nothing
    selected (``UNSCORED``) until the interviewer chooses; with ``chosen`` it is the updated
    card showing what was recorded and what is still not scored."""
    selects = []
    options = [{"id": UNSCORED, "text": UNSCORED_TEXT}]
    options += [{"id": str(v), "text": f"{v} 分 {say.LEVEL_NAMES[v]}"} for v in LEVELS]
    for brief in chunk:
        picked = (chosen or {}).get(brief.name)
        selects.append({
            "question_key": brief.code,
            "title": shorten(brief.name, max_chars=12, inline=True),
            "selected_id": UNSCORED if picked is None else str(picked),
            "option_list": options,
        })  # fmt: skip
    desc = f"{ctx.job.title} · {ctx.round.name}"
    if chosen:
        got = "、".join(f"{name} {value}" for name, value in chosen.items())
        open_ = [b.name for b in chunk if b.name not in chosen]
        rest = f"；未评分：{'、'.join(open_)}" if open_ else ""
        desc = f"已记录 {recorded_at}：{got}{rest}，可修改后再提交"
    return {
        "card_type": "multiple_interaction",
        "source": {"desc": "面试助手"},
        "main_title": {"title": f"面试评分 {part + 1}/{parts}：{ctx.candidate}", "desc": desc},
        "task_id": task_id,
        "select_list": selects,
        "submit_button": {"text": "修改评分" if chosen else "提交评分",
                          "key": route_key(SCORE, ctx.id, part)},
    }  # fmt: skip


async def _lock(ctx: LiveContext) -> None:
    """One scoring change per interview at a time: two raters submitting the last cards at
    once must not both see the other's scores missing (and send no consolidation)."""
    await Interview.filter(id=ctx.id).select_for_update().only("id")


def _chosen(event: CardClick, chunk: Sequence[CompetencyBrief]) -> dict[str, int]:
    """Competency name → level, for the chunk's questions answered with a valid level (an
    ``UNSCORED`` choice, or none, leaves the competency not scored)."""
    by_code = {b.code: b.name for b in chunk}
    chosen: dict[str, int] = {}
    for item in event.selected:
        name = by_code.get(item.question_key)
        if name is None or len(item.option_ids) != 1 or not is_digits(item.option_ids[0], 2):
            continue
        level = int(item.option_ids[0])
        if level in LEVELS:
            chosen[name] = level
    return chosen


def _value(score: Score | None) -> float | None:
    return float(score.value) if score is not None and score.value is not None else None


def _show(value: float | None) -> str:
    return "—" if value is None else f"{value:g}"
