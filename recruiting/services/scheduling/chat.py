"""``安排面试 <候选人> <岗位>`` in chat: HR gets a card with conflict-free slots; a click
books one (atomically: if it was taken meanwhile a fresh card comes) and the candidate's
invitation goes out. Only HR and HR managers may; others are told politely.
"""

from __future__ import annotations

import base64
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

from recruiting import clock
from recruiting.domain.availability import Interval, Proposal
from recruiting.domain.error_text import for_people
from recruiting.domain.inbound import CardClick, Inbound, TextMessage
from recruiting.domain.interview_state import FINAL
from recruiting.domain.invitation_answers import PLACE_CHARS, read_schedule
from recruiting.domain.routing import RouteKey, parse_key, route_key
from recruiting.domain.shorten import shorten
from recruiting.errors import RecruitingError
from recruiting.models import (
    Application,
    Candidate,
    Interview,
    InterviewMode,
    InterviewRound,
    JobOpening,
    RoundKind,
    Staff,
    SubjectKind,
)
from recruiting.ports.outbound import Channel, OutboundDraft
from recruiting.services.invitations.lifecycle import InterviewInvitations
from recruiting.services.invitations.messages import REFRESH, when
from recruiting.services.messaging.conversation import card_update, text_reply
from recruiting.services.scheduling.booking import InterviewBooking
from recruiting.services.scheduling.slots import SchedulingService, SlotTaken, default_location
from recruiting.services.shared.access import HR_ROLES
from recruiting.services.shared.sessions import Principal
from recruiting.services.shared.staff_cards import remember_code

log = logging.getLogger(__name__)

# HR's booking card (``card_routes``): a time's button is
# schedule.book:<application>:<round>:<start epoch>:<interviewer ids>[:r | :o<place>]
BOOK = "schedule.book"
BOOKED = "schedule.booked"  # the booked card's inert button: schedule.booked:<application>
SEARCH_SPAN = timedelta(days=14)
HELP_LINE = (
    "· 「安排面试 候选人 岗位」：给出 3 个可选时间，点选后预约并向候选人发出邀请；"
    "末尾加「地点 北京总部3楼301」指定现场地点，加「线上」改为线上面试"
)
USAGE = (
    "请这样发送：安排面试 候选人姓名 岗位，例如「安排面试 刘洋 销售代表」；"
    "指定现场地点：「安排面试 刘洋 销售代表 地点 北京总部3楼301」；"
    "线上面试：「安排面试 刘洋 销售代表 线上」。"
)
PLACE_CELL = 30  # characters a card's horizontal value shows
NO_PLACE = "未设置地点，候选人会看到「地点另行通知」；可在命令末尾加「地点 …」指定"
NOT_ALLOWED = "抱歉，只有 HR 可以安排面试。如需安排，请联系负责该岗位的 HR。"


def principal_of(staff: Staff) -> Principal:
    return Principal(
        0, SubjectKind.STAFF, staff_id=staff.id, userid=staff.wecom_userid, roles=staff.role_set()
    )


def may_schedule(staff: Staff) -> bool:
    return bool(HR_ROLES & staff.role_set())


class ScheduleChat:
    def __init__(
        self, scheduling: SchedulingService, invitations: InterviewInvitations, zone: tzinfo
    ) -> None:
        self._scheduling = scheduling
        self._invitations = invitations
        self._booking = InterviewBooking(scheduling, invitations)
        self._zone = zone

    async def on_text(self, staff: Staff, message: TextMessage) -> list[OutboundDraft] | None:
        """Drafts for 安排面试; None when the text is not this command."""
        request = read_schedule(message.content)
        if request is None:
            return None
        me = staff.wecom_userid
        if not may_schedule(staff):
            return [text_reply(me, NOT_ALLOWED)]
        if not request.candidate or not request.job:
            return [text_reply(me, USAGE)]
        found = await _application(request.candidate, request.job)
        if isinstance(found, str):
            return [text_reply(me, found)]
        application, job = found
        round_ = await _next_round(application, job)
        if round_ is None:
            return [text_reply(me, f"「{job.title}」没有待安排的现场或线上面试轮次。")]
        place = Place(request.remote, request.location)
        return await self._options(staff, application, round_, job, "", place)

    async def offer_slots(self, staff: Staff, application_id: int) -> list[OutboundDraft]:
        """The slot card for an application's next live round (the 安排面试 button of other
        cards, e.g. the new-candidate card): the same card as the chat command."""
        me = staff.wecom_userid
        if not may_schedule(staff):
            return [text_reply(me, NOT_ALLOWED)]
        application = await Application.get_or_none(id=application_id).prefetch_related(
            "candidate", "job"
        )
        if application is None:
            return [text_reply(me, "找不到该应聘记录，可能已被删除。")]
        round_ = await _next_round(application, application.job)
        if round_ is None:
            return [text_reply(me, f"「{application.job.title}」没有待安排的现场或线上面试轮次。")]
        return await self._options(staff, application, round_, application.job, "", Place())

    async def _options(
        self,
        staff: Staff,
        application: Application,
        round_: InterviewRound,
        job: JobOpening,
        intro: str,
        place: Place,
    ) -> list[OutboundDraft]:
        start = clock.now() + timedelta(days=1)
        windows = [Interval(start, start + SEARCH_SPAN)]
        me = staff.wecom_userid
        try:
            proposals = await self._scheduling.propose(
                principal_of(staff), round_.id, windows, want=3
            )
        except RecruitingError as exc:  # e.g. fewer interviewers than the round's panel
            log.info("slots for round %s refused: %s", round_.id, exc.message)
            return [text_reply(me, f"{intro}{for_people(exc)}")]
        if not proposals:
            return [
                text_reply(me, f"{intro}未来两周没有可用的面试官时间，请调整面试官安排后再试。")
            ]
        names = await _names([i for p in proposals for i in p.interviewers])
        places = [await _place_text(place, round_, p) for p in proposals[:3]]
        card = self._card(application, round_, job, proposals, names, intro, place, places)
        return [
            OutboundDraft(
                Channel.WECOM_MESSAGE, me, {"kind": "template_card", "card": card}, "book-card"
            )
        ]

    def _card(
        self,
        application: Application,
        round_: InterviewRound,
        job: JobOpening,
        proposals: list[Proposal],
        names: dict[int, str],
        intro: str,
        place: Place,
        places: list[str],
    ) -> dict[str, Any]:
        candidate = application.candidate.name
        stamp = int(clock.now().timestamp() * 1000)
        buttons = []
        for p in proposals[:3]:
            who = "、".join(names.get(i, "?") for i in p.interviewers)
            local = p.slot.start.astimezone(self._zone)
            ids = "-".join(str(i) for i in p.interviewers)
            start = int(p.slot.start.timestamp())
            key = route_key(BOOK, application.id, round_.id, start, ids) + place.key()
            buttons.append(
                {
                    "type": 0,
                    "style": 1,
                    "key": key,
                    "text": shorten(f"{local:%m-%d %H:%M} {who}", max_chars=20),
                }
            )
        lines = [
            f"{n + 1}. {when(p.slot.start, self._zone)} · "
            + "、".join(names.get(i, "?") for i in p.interviewers)
            + (f" · {places[n] or '地点未设置'}" if len(set(places)) > 1 else "")
            for n, p in enumerate(proposals[:3])
        ]
        where = places[0] if len(set(places)) == 1 else "见各选项"
        if not where:
            where = "未设置"
            lines.append(NO_PLACE)
        elif len(where) > PLACE_CELL:
            lines.insert(0, f"地点：{where}")
            where = "见下方"
        return {
            "card_type": "button_interaction",
            "source": {"desc": "安排面试"},
            "main_title": {
                "title": shorten(f"安排面试：{candidate} · {job.title}", max_chars=36),
                "desc": f"{round_.name} · {round_.duration_minutes} 分钟",
            },
            "sub_title_text": shorten(intro + "请选择时间：\n" + "\n".join(lines), max_chars=300),
            "horizontal_content_list": [
                {"keyname": "方式", "value": _mode_name(place)},
                {"keyname": "地点", "value": where},
            ],
            "task_id": f"book-{application.id}-{round_.id}-{stamp}",
            "button_list": buttons,
        }

    async def on_card_click(self, event: Inbound) -> list[OutboundDraft]:
        """``schedule.book:…`` on booking cards and ``invite.refresh:<id>`` on invitation
        cards (``card_routes``)."""
        if not isinstance(event, CardClick):
            return []
        key = parse_key(event.event_key)
        if key is None:
            return []
        if key.prefix == REFRESH:
            return await self._refresh(event, key)
        if key.prefix != BOOK:
            return []
        me = event.from_user
        staff = await Staff.get_or_none(wecom_userid=me, active=True)
        if staff is None or not may_schedule(staff):
            return [text_reply(me, NOT_ALLOWED)]
        parsed = _parse_key(key)
        if parsed is None:
            return [text_reply(me, "这张卡片的内容无法识别，请重新发送「安排面试」。")]
        application_id, round_id, proposal, place = parsed
        application = await Application.get_or_none(id=application_id).prefetch_related(
            "candidate", "job"
        )
        round_ = await InterviewRound.get_or_none(id=round_id)
        if application is None or round_ is None:
            return [text_reply(me, "找不到该应聘记录或面试轮次，可能已被删除。")]
        booked = await _open_interview(application_id, round_id)
        if booked is not None:
            return [
                text_reply(
                    me,
                    f"{application.candidate.name}的{round_.name}已安排在 "
                    f"{when(booked.starts_at or proposal.slot.start, self._zone)}，无需重复预约。",
                )
            ]
        try:
            interview = await self._booking.book_and_invite(
                principal_of(staff),
                application_id,
                round_id,
                proposal.slot.start,
                proposal.interviewers,
                mode=place.mode,
                location=place.location,
            )
        except SlotTaken:
            return await self._options(
                staff,
                application,
                round_,
                application.job,
                "该时间刚被别人预约了。",
                place,
            )
        at = when(proposal.slot.start, self._zone)
        done = f"已预约 {at}（{_booked_place(interview)}），邀请已发给{application.candidate.name}"
        drafts = [text_reply(me, done)]
        if event.response_code:
            card = _booked_card(event.task_id, application, round_, done)
            drafts.append(card_update(me, event.response_code, card, "booked-card"))
        return drafts

    async def _refresh(self, event: CardClick, key: RouteKey) -> list[OutboundDraft]:
        invitation_id = key.number(0)
        if invitation_id is None:
            return []
        await remember_code(event.task_id, event.from_user, event.response_code)
        return await self._invitations.refresh_card(invitation_id, event.from_user)


def _booked_card(
    task_id: str, application: Application, round_: InterviewRound, done: str
) -> dict[str, Any]:
    return {
        "card_type": "button_interaction",
        "source": {"desc": "安排面试"},
        "main_title": {
            "title": shorten(f"安排面试：{application.candidate.name}", max_chars=36),
            "desc": round_.name,
        },
        "sub_title_text": shorten(done, max_chars=120),
        "task_id": task_id,
        "button_list": [
            {"type": 0, "text": "已预约", "style": 2, "key": route_key(BOOKED, application.id)}
        ],
        "replace_text": "已预约",
    }


@dataclass(frozen=True)
class Place:
    """Where HR asked for the interview: a meeting (``remote``) or a place ("" = default)."""

    remote: bool = False
    location: str = ""

    @property
    def mode(self) -> InterviewMode:
        return InterviewMode.REMOTE if self.remote else InterviewMode.ONSITE

    def key(self) -> str:
        """The tail of a booking button's key (nothing for the default place)."""
        if self.remote:
            return ":r"
        if self.location:
            encoded = base64.urlsafe_b64encode(self.location.encode("utf-8")).decode("ascii")
            return ":o" + encoded.rstrip("=")
        return ""

    @classmethod
    def from_key(cls, tail: str) -> Place:
        if tail == "r":
            return cls(remote=True)
        if tail.startswith("o") and len(tail) > 1:
            data = tail[1:] + "=" * (-len(tail[1:]) % 4)
            return cls(location=base64.urlsafe_b64decode(data).decode("utf-8")[:PLACE_CHARS])
        if tail:
            raise ValueError(f"unknown place {tail!r}")
        return cls()


def _mode_name(place: Place) -> str:
    return "线上（自动创建企业微信会议）" if place.remote else "现场"


async def _place_text(place: Place, round_: InterviewRound, proposal: Proposal) -> str:
    if place.remote:
        return "线上会议，链接随邀请发给候选人"
    location = place.location or await default_location(round_, proposal.interviewers)
    return location


def _booked_place(interview: Interview) -> str:
    if interview.mode == InterviewMode.REMOTE:
        return "线上面试，会议链接会随邀请发给候选人"
    if interview.location:
        return f"地点：{interview.location}"
    return "未设置地点：邀请和提醒中写的是「另行通知」，请另行告知候选人"


def _parse_key(key: RouteKey) -> tuple[int, int, Proposal, Place] | None:
    try:
        application, round_, start, ids, *rest = key.args
        at = datetime.fromtimestamp(int(start), UTC)
        interviewers = tuple(int(i) for i in ids.split("-") if i)
        place = Place.from_key(rest[0] if rest else "")
    except (ValueError, UnicodeDecodeError):
        return None
    return (
        int(application),
        int(round_),
        Proposal(Interval(at, at + timedelta(minutes=1)), interviewers),
        place,
    )


async def _application(name: str, job_text: str) -> tuple[Application, JobOpening] | str:
    candidates = await Candidate.filter(name=name, erased_at=None)
    if not candidates:
        return f"没有找到候选人「{name}」。"
    applications = await Application.filter(
        candidate_id__in=[c.id for c in candidates]
    ).prefetch_related("candidate", "job")
    wanted = job_text.strip().lower()
    jobs_of = {a.id: a.job for a in applications}
    matching = [
        a
        for a in applications
        if wanted in (jobs_of[a.id].title.lower(), jobs_of[a.id].code.lower())
    ]
    if not matching:
        matching = [a for a in applications if wanted in jobs_of[a.id].title.lower()]
    if not matching:
        jobs = "、".join(sorted({jobs_of[a.id].title for a in applications})) or "无"
        return f"候选人「{name}」没有应聘「{job_text}」。TA 应聘的岗位：{jobs}。"
    if len(matching) > 1:
        return f"有 {len(matching)} 位「{name}」应聘了相近的岗位，请在小程序中按应聘记录安排。"
    return matching[0], jobs_of[matching[0].id]


async def _next_round(application: Application, job: JobOpening) -> InterviewRound | None:
    """The first live round without a held or open interview for this application."""
    rounds = await InterviewRound.filter(job_id=job.id, kind=RoundKind.LIVE).order_by("sequence")
    for round_ in rounds:
        taken = (
            await Interview.filter(application_id=application.id, round_id=round_.id)
            .exclude(status__in=["cancelled", "declined", "no_show"])
            .exists()
        )
        if not taken:
            return round_
    return None


async def _open_interview(application_id: int, round_id: int) -> Interview | None:
    return (
        await Interview.filter(application_id=application_id, round_id=round_id)
        .exclude(status__in=[s.value for s in FINAL])
        .first()
    )


async def _names(ids: list[int]) -> dict[int, str]:
    return {s.id: s.name for s in await Staff.filter(id__in=list(set(ids)))}
