"""A candidate's message the service cannot place goes to the HR person responsible for
her, in WeCom chat, instead of being dropped.

Responsible is, in this order, the HR who made her latest offer, who booked her latest
interview, or whose WeChat she added; if none of them is an active staff member, every
active HR manager (then every active HR person). The drafts are returned for the caller to
write with its change (and its claim of the delivery) in one transaction.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from recruiting.domain.roles import Role
from recruiting.domain.shorten import shorten
from recruiting.models import (
    Application,
    Candidate,
    CandidateContact,
    InterviewInvitation,
    Offer,
    Staff,
)
from recruiting.ports.outbound import Channel, OutboundDraft

log = logging.getLogger(__name__)

EXCERPT = 600  # characters of the candidate's words in the HR message


@dataclass(frozen=True)
class Forward:
    """Who is told (``names`` for the candidate's reply) and the drafts telling them."""

    userids: tuple[str, ...]
    names: str
    drafts: tuple[OutboundDraft, ...]

    def told(self) -> str:
        """What the candidate reads about it: never that it was passed on when it was not
        (no active HR person: it is kept with her record and the operators are told)."""
        if not self.userids:
            return "已收到您的留言并已记录，招聘团队会尽快安排人员回复您。"
        who = f"（{self.names}）" if self.names else ""
        return f"已收到您的留言，已转给负责您的 HR{who}，HR 会尽快与您联系。"


async def responsible_hr(candidate_id: int) -> list[Staff]:
    offer = await Offer.filter(application__candidate_id=candidate_id).order_by("-id").first()
    invitation = await InterviewInvitation.filter(candidate_id=candidate_id).order_by("-id").first()
    contact = await CandidateContact.get_or_none(candidate_id=candidate_id)
    for userid in (
        offer.created_by if offer else "",
        invitation.hr_userid if invitation else "",
        contact.recruiter_userid if contact else "",
    ):
        staff = await Staff.get_or_none(wecom_userid=userid, active=True) if userid else None
        if staff is not None:
            return [staff]
    active = await Staff.filter(active=True).order_by("id")
    managers = [s for s in active if Role.HR_MANAGER in s.role_set()]
    return managers or [s for s in active if Role.HR in s.role_set()]


async def forward(candidate_id: int, text: str, via: str, context: str = "") -> Forward:
    """Drafts carrying ``text`` with the candidate's name (and ``context``: what it seems
    to be about) to the responsible HR."""
    staff = await responsible_hr(candidate_id)
    if not staff:
        log.error(
            "no active HR person to forward candidate %s's message to; it is kept "
            "only in candidate_reply: add an active HR staff member",
            candidate_id,
        )
    candidate = await Candidate.get(id=candidate_id)
    application = (
        await Application.filter(candidate_id=candidate_id)
        .order_by("-id")
        .prefetch_related("job")
        .first()
    )
    job = f"（应聘「{application.job.title}」）" if application else ""
    content = (
        f"【候选人留言】{candidate.name}{job}通过{via}发来一条消息，系统无法自动处理，"
        f"请您跟进：\n「{excerpt(text)}」" + (f"\n{context}" if context else "")
    )
    drafts = tuple(
        OutboundDraft(
            Channel.WECOM_MESSAGE,
            s.wecom_userid,
            {"kind": "text", "content": content},
            f"to-hr:{s.wecom_userid}",
        )
        for s in staff
    )
    names = "、".join(s.name for s in staff[:3])
    return Forward(tuple(s.wecom_userid for s in staff), names, drafts)


def excerpt(text: str, limit: int = EXCERPT) -> str:
    """``text`` whole, or shortened at a boundary (``shorten``), saying so."""
    text = text.strip()
    cut = shorten(text, max_chars=limit)
    return cut if cut == text else f"{cut}（留言较长，以上为前一部分）"
