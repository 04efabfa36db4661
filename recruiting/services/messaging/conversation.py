"""The bot's side of a chat with a staff member: one reply to every text, in Chinese.

Commands are matched on the trimmed text; the live interview (``live``) then reads it as one
of its commands, a note or a scoring comment; then the offer flow (``offers``) reads 发offer;
anything else gets the help text, and a sender who is not registered staff is told to contact
HR (nothing else is revealed).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import tzinfo
from typing import Any, Protocol

from recruiting.domain.inbound import Inbound, TextMessage
from recruiting.domain.interview_state import FINAL
from recruiting.domain.shorten import shorten
from recruiting.models import InterviewAssignment, Staff
from recruiting.ports.outbound import Channel, OutboundDraft

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
    "候选人收到邀请并可回复确认、改期或拒绝，您的卡片随之更新；"
    "末尾加「地点 北京总部3楼301」指定现场地点，加「线上」改为线上面试（自动创建会议）\n"
    "· 「筛选简历 岗位 前N名」（HR）：按岗位要求给已解析的简历打分排序（附简历原文依据），"
    "卡片上可一键邀请前 N 名参加 AI 面试\n"
    "· 「问卷 岗位」（survey 岗位，HR）：该岗位各轮面试的候选人和面试官问卷汇总\n"
    "· 「发offer 姓名」（HR）：按薪酬系统的岗位标准生成 offer 卡片（含税后与公司成本估算），"
    "点「提交审批」走企业微信审批，通过后自动给候选人发 offer 并交给 EHR 和薪酬系统；"
    "可直接改数字，如「发offer 张三 月薪25000 年终2个月 补贴1500 入职3月1日」"
    "（不写年份即最近的这一天）"
)
NOT_UNDERSTOOD = "抱歉，没有理解「{text}」。\n\n"
UNKNOWN_MEMBER = "您好，您还不是招聘系统中登记的员工，暂时无法使用面试助手。请联系 HR 开通。"
NO_INTERVIEWS = "您目前没有尚未结束的面试。"

Command = Callable[[Staff], Awaitable[str]]


class StaffChat(Protocol):
    """A feature that reads staff texts: the live interview (commands, notes, comments) or a
    command with arguments (问卷 <岗位>, 发offer …)."""

    async def on_text(self, staff: Staff, message: TextMessage) -> list[OutboundDraft] | None:
        """Drafts when the text is this feature's; None if it is not."""


def text_reply(recipient: str, content: str) -> OutboundDraft:
    return OutboundDraft(Channel.WECOM_MESSAGE, recipient, {"kind": "text", "content": content})


def card_update(
    recipient: str, response_code: str, card: dict[str, Any], key: str = "card-update"
) -> OutboundDraft:
    """Redraw the card a member just clicked (``update_template_card``; the click's
    ``response_code`` is single-use)."""
    payload = {"kind": "template_card_update", "response_code": response_code, "card": card}
    return OutboundDraft(Channel.WECOM_MESSAGE, recipient, payload, key)


class Conversation:
    def __init__(
        self,
        timezone: tzinfo,
        live: StaffChat | None = None,
        *,
        first: Sequence[StaffChat] = (),
        after_live: Sequence[StaffChat] = (),
    ) -> None:
        self._tz = timezone
        self._live = live
        self._first = tuple(first)  # commands with arguments (问卷, 安排面试…), tried first
        # After the live interview: during one, a note may well begin with "offer".
        self._after_live = tuple(after_live)
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
        if command is None:
            chats = [*self._first, *([self._live] if self._live else []), *self._after_live]
            for chat in chats:
                if (answered := await chat.on_text(staff, message)) is not None:
                    return answered
        if command is None:
            shown = shorten(text, max_chars=21, inline=True)
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
            job = interview.round.job
            lines.append(f"· {when} {job.title} · {interview.round.name}")
        return "\n".join(lines)
