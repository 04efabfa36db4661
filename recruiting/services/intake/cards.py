"""The card HR gets in chat after bringing candidates in, and what its buttons do.

One card per new candidate (the first ``CARDS`` of them; a text counts the rest), with
the match of the candidate's parsed résumé against the opening's requirements (score,
knock-out reasons, the telling lines: ``Screening.match_application``, the ranking's own
matcher) and 邀请AI面试 / 安排面试 / 不合适 when the candidate applied to an opening. Each
button calls the use case chat and the workbench already use: the recorded-interview
invitation, the 安排面试 slot card, and ``Rejections`` (the one way to turn an
application down).

不合适 asks for the reason first: the card turns into one with a button per reason
(five of the six ``RejectReason`` codes fit WeCom's six buttons beside 返回; 其他 is
chosen in the workbench), and the chosen reason rejects, which sends the candidate the
respectful message of that reason.

Keys (``card_routes``): ``intake.invite:<application>``, ``intake.schedule:<application>``,
``intake.reject:<application>`` (asks the reason), ``intake.reason:<application>:<code>``,
``intake.back:<application>`` (the first card again).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import timedelta, tzinfo
from typing import Any
from urllib.parse import quote

from recruiting import clock
from recruiting.domain.error_text import written_for_people
from recruiting.domain.inbound import CardClick, Inbound
from recruiting.domain.pipeline import REJECT_BUTTONS, REJECT_NAMES, RejectReason
from recruiting.domain.routing import RouteKey, parse_key, route_key
from recruiting.domain.shorten import shorten
from recruiting.errors import RecruitingError
from recruiting.models import (
    Application,
    ApplicationStatus,
    Candidate,
    InterviewRound,
    RoundKind,
    Staff,
)
from recruiting.ports.outbound import Channel, OutboundDraft
from recruiting.services.invitations.messages import when
from recruiting.services.messaging.conversation import card_update, text_reply
from recruiting.services.pipeline.reject import Rejections
from recruiting.services.recorded.links import RecordingLinks
from recruiting.services.scheduling.chat import ScheduleChat, principal_of
from recruiting.services.screening.brief import fit_lines, score_line, verdict_lines
from recruiting.services.screening.ranking import Screening
from recruiting.services.shared.sessions import Principal
from recruiting.services.shared.staff_cards import remember_code

log = logging.getLogger(__name__)

INVITE = "intake.invite"
SCHEDULE = "intake.schedule"
REJECT = "intake.reject"  # asks for the reason
REASON = "intake.reason"  # rejects with it
BACK = "intake.back"  # the first card again
NO_OPENING = "intake.none"  # the inert button of a card without an application
CARDS = 5
# The reasons a card offers (WeCom: at most six buttons, one of them 返回).
CARD_REASONS = (
    RejectReason.SKILLS,
    RejectReason.EXPERIENCE,
    RejectReason.BETTER_MATCH,
    RejectReason.POSITION_FILLED,
    RejectReason.EXPECTATIONS,
)
INVITE_DAYS = 7
SUBTITLE_CHARS = 300  # what a card's sub_title_text shows without folding
VALUE_CHARS = 30  # a horizontal row's value
NOT_HR = "抱歉，只有 HR 可以处理候选人。"


class IntakeCards:
    def __init__(
        self,
        rejections: Rejections,
        links: RecordingLinks | None,
        schedule: ScheduleChat | None,
        zone: tzinfo,
        miniapp_appid: str = "",
        screening: Screening | None = None,
    ) -> None:
        self._rejections = rejections
        self._links = links
        self._schedule = schedule
        self._zone = zone
        self._appid = miniapp_appid
        self._screening = screening

    async def after_intake(
        self,
        userid: str,
        added: list[Any],
        *,
        how: str,
        existing: frozenset[int] = frozenset(),
        files: Mapping[int, str] | None = None,
    ) -> list[OutboundDraft]:
        """The drafts for ``userid`` after ``added`` (``Added`` rows) came in by ``how``;
        candidates in ``existing`` were already here (a résumé attached to them);
        ``files`` says per candidate which uploaded file it came from and how it read."""
        if not userid or not added:
            return []
        drafts: list[OutboundDraft] = []
        for n, item in enumerate(added[:CARDS]):
            card = await self._card(
                item.candidate_id, item.application_id, how,
                known=item.candidate_id in existing,
                file=(files or {}).get(item.candidate_id, ""),
            )  # fmt: skip
            drafts.append(
                OutboundDraft(
                    Channel.WECOM_MESSAGE,
                    userid,
                    {"kind": "template_card", "card": card},
                    f"card-{n}",
                )
            )
        if len(added) > CARDS:
            rest = len(added) - CARDS
            drafts.append(
                text_reply(
                    userid,
                    f"{how}共新增 {len(added)} 位候选人，"
                    f"另外 {rest} 位请在工作台的候选人列表中查看。",
                )
            )
        return drafts

    async def _card(
        self,
        candidate_id: int,
        application_id: int | None,
        how: str,
        *,
        known: bool = False,
        file: str = "",
        task_id: str = "",
    ) -> dict[str, Any]:
        candidate = await Candidate.get(id=candidate_id)  # the sealed name, decrypted on load
        application = (
            await Application.get_or_none(id=application_id).prefetch_related("job")
            if application_id is not None else None
        )  # fmt: skip
        facts = [
            {"keyname": "学历", "value": candidate.education or "未填写"},
            {
                "keyname": "工作年限",
                "value": "未填写"
                if candidate.years_experience is None
                else f"{candidate.years_experience} 年",
            },
            {"keyname": "来源", "value": candidate.source or how or "未填写"},
        ]
        if file:
            facts.append({"keyname": "简历", "value": file})
        lines: list[str] = []
        if application is not None and self._screening is not None:
            matched = await self._screening.match_application(application.id)
            if matched is not None and matched.result is not None:
                facts.append({"keyname": "匹配", "value": score_line(matched.result)})
                lines = verdict_lines(matched.result)
            elif matched is not None:
                facts.append({"keyname": "匹配", "value": matched.why})
        stamp = int(clock.now().timestamp() * 1000)
        intro = (f"已{how}。" if known else f"通过{how}加入。") if how else ""
        ask = "请选择下一步：" if application else "请在工作台为 TA 选择岗位。"
        card: dict[str, Any] = {
            "card_type": "button_interaction",
            "source": {"desc": "新候选人"},
            "main_title": {
                "title": shorten(
                    f"{'候选人' if known else '新候选人'}：{candidate.name}", max_chars=36
                ),
                "desc": shorten(f"应聘 {application.job.title}", max_chars=40)
                if application
                else "尚未关联岗位",
            },
            "sub_title_text": _subtitle(intro, lines, ask),
            "horizontal_content_list": [
                {"keyname": f["keyname"], "value": shorten(f["value"], max_chars=VALUE_CHARS)}
                for f in facts[:6]
            ],
            "task_id": task_id or f"intake-{candidate_id}-{stamp}",
        }
        if application is not None:
            card["button_list"] = [
                {"type": 0, "style": 1, "text": "邀请AI面试",
                 "key": route_key(INVITE, application.id)},
                {"type": 0, "style": 1, "text": "安排面试",
                 "key": route_key(SCHEDULE, application.id)},
                {"type": 0, "style": 2, "text": "不合适", "key": route_key(REJECT, application.id)},
            ]  # fmt: skip
        else:
            card["button_list"] = [
                {
                    "type": 0,
                    "style": 2,
                    "text": "已加入",
                    "key": route_key(NO_OPENING, candidate_id),
                }
            ]
        return card

    async def on_card_click(self, event: Inbound) -> list[OutboundDraft]:
        if not isinstance(event, CardClick):
            return []
        key = parse_key(event.event_key)
        application_id = key.number(0) if key else None
        if key is None or not application_id:
            return []
        me = event.from_user
        staff = await Staff.get_or_none(wecom_userid=me, active=True)
        principal = principal_of(staff) if staff is not None else None
        if principal is None or not {"hr", "hr_manager"} & {r.value for r in principal.roles}:
            return [text_reply(me, NOT_HR)]
        await remember_code(event.task_id, me, event.response_code)
        application = await Application.get_or_none(id=application_id).prefetch_related(
            "candidate", "job"
        )
        if application is None:
            return [text_reply(me, "找不到该应聘记录，可能已被删除。")]
        try:
            if key.prefix == REJECT:
                return self._ask_reason(event, application)
            if key.prefix == REASON:
                return await self._reject(event, principal, application, key)
            if key.prefix == BACK:
                return await self._back(event, application)
            if key.prefix == INVITE:
                return await self._invite(principal, application)
            if key.prefix == SCHEDULE and self._schedule is not None:
                assert staff is not None
                return await self._schedule.offer_slots(staff, application.id)
        except RecruitingError as exc:
            log.info(
                "intake card %s for application %s refused: %s", key.prefix, application.id, exc
            )
            return [text_reply(me, _chinese(exc))]
        return []

    def _ask_reason(self, event: CardClick, application: Application) -> list[OutboundDraft]:
        """The card turns into the reasons to choose from (a new card when it cannot)."""
        me = event.from_user
        name = application.candidate.name
        if application.status == ApplicationStatus.REJECTED:
            return [text_reply(me, f"{name}已标记为不合适。")]
        card = {
            "card_type": "button_interaction",
            "source": {"desc": "新候选人"},
            "main_title": {
                "title": shorten(f"不合适：{name}", max_chars=36),
                "desc": shorten(f"应聘 {application.job.title}", max_chars=40),
            },
            "sub_title_text": "请选择原因。候选人会收到一条得体的告知（不含评分和备注）；"
            "其他原因请在工作台中选择。",
            "task_id": event.task_id,
            "button_list": [
                {"type": 0, "style": 2, "text": REJECT_BUTTONS[r],
                 "key": route_key(REASON, application.id, r.value)}
                for r in CARD_REASONS
            ] + [{"type": 0, "style": 1, "text": "返回", "key": route_key(BACK, application.id)}],
        }  # fmt: skip
        if event.response_code:
            return [card_update(me, event.response_code, card, "reject-reasons")]
        card["task_id"] = f"reject-{application.id}-{int(clock.now().timestamp() * 1000)}"
        return [
            OutboundDraft(
                Channel.WECOM_MESSAGE, me, {"kind": "template_card", "card": card}, "reasons"
            )
        ]

    async def _back(self, event: CardClick, application: Application) -> list[OutboundDraft]:
        if not event.response_code:
            return []
        card = await self._card(application.candidate_id, application.id, "", task_id=event.task_id)
        return [card_update(event.from_user, event.response_code, card, "intake-card")]

    async def _reject(
        self, event: CardClick, principal: Principal, application: Application, key: RouteKey
    ) -> list[OutboundDraft]:
        me = event.from_user
        try:
            reason = RejectReason(key.args[1] if len(key.args) > 1 else "")
        except ValueError:
            return [text_reply(me, "这张卡片的内容无法识别，请在工作台中操作。")]
        done = await self._rejections.reject(principal, application.id, reason)
        who = f"{application.candidate.name}（{application.job.title}）"
        text = (
            f"已将{who}标记为不合适（{REJECT_NAMES[reason]}），并已告知候选人。"
            if done.now
            else f"{who}之前已标记为不合适。"
        )
        drafts = [text_reply(me, text)]
        if event.response_code:
            card = {
                "card_type": "button_interaction",
                "source": {"desc": "新候选人"},
                "main_title": {
                    "title": shorten(f"不合适：{application.candidate.name}", max_chars=36),
                    "desc": shorten(f"应聘 {application.job.title}", max_chars=40),
                },
                "sub_title_text": shorten(text, max_chars=SUBTITLE_CHARS),
                "task_id": event.task_id,
                "button_list": [
                    {
                        "type": 0,
                        "style": 2,
                        "text": "已标记不合适",
                        "key": route_key(REASON, application.id, reason.value),
                    }
                ],
                "replace_text": "已标记不合适",
            }
            drafts.append(card_update(me, event.response_code, card, "rejected-card"))
        return drafts

    async def _invite(self, principal: Any, application: Application) -> list[OutboundDraft]:
        me = principal.userid
        if self._links is None:
            return [text_reply(me, "AI 面试暂未开通，请联系管理员。")]
        round_ = (
            await InterviewRound.filter(job_id=application.job_id, kind=RoundKind.RECORDED)
            .order_by("sequence", "id")
            .first()
        )
        if round_ is None:
            return [
                text_reply(
                    me,
                    f"「{application.job.title}」还没有 AI 面试（录制面试）轮次，"
                    "请先在工作台设置。",
                )
            ]
        deadline = clock.now() + timedelta(days=INVITE_DAYS)
        created = await self._links.create(principal, application.id, round_.id, deadline)
        link = _miniprogram_link(self._appid, created.path)
        text = (
            f"已为{application.candidate.name}创建 AI 面试邀请（{round_.name}），"
            f"{when(created.expires_at, self._zone)} 前有效。"
        )
        text += (
            f"请把这个链接发给候选人，在微信中打开即可开始：{link}"
            if link
            else "候选人可在小程序中打开邀请。"
        )
        return [text_reply(me, text)]


def _miniprogram_link(appid: str, path: str) -> str:
    """WeChat's plain URL scheme for a mini-program page (opens it from any WeChat chat)."""
    if not appid:
        return ""
    page, _, query = path.partition("?")
    return f"weixin://dl/business/?appid={quote(appid)}&path={quote(page)}&query={quote(query)}"


def _chinese(exc: RecruitingError) -> str:
    """The refusal's own words when written for people (not merely non-ASCII: English
    around a Chinese name is a developer's sentence), else a plain next step."""
    if written_for_people(exc.message):
        return exc.message
    return "操作未完成，请在工作台中重试。"


def _subtitle(intro: str, lines: list[str], ask: str) -> str:
    """The card's text: how the candidate came in, the match lines that fit, the ask."""
    room = SUBTITLE_CHARS - len(intro) - len(ask) - 2
    middle = fit_lines(lines, room) if lines else ""
    return "\n".join(part for part in (intro, middle, ask) if part)
