"""The bot's side of a chat with a staff member: one reply to every text, in Chinese.

Commands are matched on the trimmed text; the live interview (``live``) then reads it as one
of its commands, a note or a scoring comment; anything else gets the help text, and a sender
who is not registered staff is told to contact HR (nothing else is revealed).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import tzinfo
from typing import Protocol

from recruiting.domain.inbound import Inbound, TextMessage
from recruiting.domain.interview_state import FINAL
from recruiting.models import InterviewAssignment, Staff
from recruiting.ports.outbound import OutboundDraft

CHANNEL = "wecom.message"

HELP_TEXT = (
    "您好，我是面试助手。目前可以发送：\n"
    "· 「帮助」：查看本说明\n"
    "· 「我的面试」：分配给您、尚未结束的面试\n"
    "· 「今天的面试」：您今天的面试安排\n"
    "· 「开始面试」：开始您前后 2 小时内的面试。之后发来的文字和语音都记为本场笔记，"
    "每条笔记后会收到追问提示：尚缺证据的胜任力、引用候选人原话的追问、评分锚点\n"
    "· 「结束面试」：结束面试，每位面试官收到评分卡片（每项胜任力 1–5 分）；"
    "提交后 30 分钟内发来的文字作为您的评语\n"
    "· 「候选人 姓名」：候选人应聘的岗位、各轮面试的时间和状态\n"
    "· 「安排面试 候选人 岗位」（schedule 姓名 岗位）：给出 3 个可选时间，点选后预约，"
    "候选人收到邀请并可回复确认、改期或拒绝，您的卡片随之更新\n"
    "候选人反馈问卷、offer 审批上线后会出现在本说明中。"
)
NOT_UNDERSTOOD = "抱歉，没有理解「{text}」。\n\n"
UNKNOWN_MEMBER = "您好，您还不是招聘系统中登记的员工，暂时无法使用面试助手。请联系 HR 开通。"
NO_INTERVIEWS = "您目前没有尚未结束的面试。"

Command = Callable[[Staff], Awaitable[str]]


class LiveChat(Protocol):
    async def on_text(self, staff: Staff, message: TextMessage) -> list[OutboundDraft] | None:
        """Drafts for a live-interview command, note or comment; None if it is none."""


def text_reply(recipient: str, content: str) -> OutboundDraft:
    return OutboundDraft(CHANNEL, recipient, {"kind": "text", "content": content})


class Conversation:
    def __init__(
        self, timezone: tzinfo, live: LiveChat | None = None, chats: Sequence[LiveChat] = ()
    ) -> None:
        self._tz = timezone
        self._live = live
        self._chats = tuple(chats)  # more commands (安排面试…), asked before the live chat
        self._commands: dict[str, Command] = {
            "帮助": self._help,
            "help": self._help,
            "菜单": self._help,
            "?": self._help,
            "？": self._help,
            "我的面试": self._my_interviews,
            "my interviews": self._my_interviews,
        }

    async def on_text(self, message: Inbound) -> list[OutboundDraft]:
        if not isinstance(message, TextMessage):
            return []
        staff = await Staff.get_or_none(wecom_userid=message.from_user, active=True)
        if staff is None:
            return [text_reply(message.from_user, UNKNOWN_MEMBER)]
        text = message.content.strip()
        command = self._commands.get(text.lower())
        for chat in self._chats if command is None else ():
            handled = await chat.on_text(staff, message)
            if handled is not None:
                return handled
        if command is None and self._live is not None:
            drafts = await self._live.on_text(staff, message)
            if drafts is not None:
                return drafts
        if command is None:
            shown = text if len(text) <= 20 else text[:20] + "…"
            reply = NOT_UNDERSTOOD.format(text=shown) + HELP_TEXT
        else:
            reply = await command(staff)
        return [text_reply(message.from_user, reply)]

    async def _help(self, staff: Staff) -> str:
        return HELP_TEXT

    async def _my_interviews(self, staff: Staff) -> str:
        assignments = (
            await InterviewAssignment.filter(interviewer=staff)
            .exclude(interview__status__in=[s.value for s in FINAL])
            .prefetch_related("interview__round__job")
            .order_by("interview__starts_at")
            .limit(10)
        )
        if not assignments:
            return NO_INTERVIEWS
        lines = ["您尚未结束的面试："]
        for a in assignments:
            interview = a.interview
            when = (
                interview.starts_at.astimezone(self._tz).strftime("%m-%d %H:%M")
                if interview.starts_at
                else "时间待定"
            )
            job = interview.round.job  # type: ignore[attr-defined]
            lines.append(f"· {when} {job.title} · {interview.round.name}")  # type: ignore[attr-defined]
        return "\n".join(lines)
