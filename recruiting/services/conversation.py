"""The bot's side of a chat with a staff member: one reply to every text, in Chinese.

Commands are matched on the trimmed text; anything not understood gets the help text, and a
sender who is not registered staff is told to contact HR (nothing else is revealed).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import tzinfo

from recruiting.domain.inbound import Inbound, TextMessage
from recruiting.domain.interview_state import FINAL
from recruiting.models import InterviewAssignment, Staff
from recruiting.ports.outbound import OutboundDraft

CHANNEL = "wecom.message"

HELP_TEXT = (
    "您好，我是面试助手。目前可以：\n"
    "· 发送「帮助」：查看本说明\n"
    "· 发送「我的面试」：查看分配给您、尚未结束的面试\n"
    "面试邀约与确认、面试中的文字/语音笔记与实时追问提示、按胜任力打分、"
    "候选人反馈问卷、offer 审批都会在这里进行，上线后会出现在本说明中。"
)
NOT_UNDERSTOOD = "抱歉，没有理解「{text}」。\n\n"
UNKNOWN_MEMBER = "您好，您还不是招聘系统中登记的员工，暂时无法使用面试助手。请联系 HR 开通。"
NO_INTERVIEWS = "您目前没有尚未结束的面试。"

Command = Callable[[Staff], Awaitable[str]]


def text_reply(recipient: str, content: str) -> OutboundDraft:
    return OutboundDraft(CHANNEL, recipient, {"kind": "text", "content": content})


class Conversation:
    def __init__(self, timezone: tzinfo) -> None:
        self._tz = timezone
        self._commands: dict[str, Command] = {
            "帮助": self._help,
            "help": self._help,
            "菜单": self._help,
            "?": self._help,
            "？": self._help,
            "我的面试": self._my_interviews,
        }

    async def on_text(self, message: Inbound) -> list[OutboundDraft]:
        if not isinstance(message, TextMessage):
            return []
        staff = await Staff.get_or_none(wecom_userid=message.from_user, active=True)
        if staff is None:
            return [text_reply(message.from_user, UNKNOWN_MEMBER)]
        text = message.content.strip()
        command = self._commands.get(text.lower())
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
