"""What the offer flow says, in Chinese: HR's card and replies, and the candidate's letter."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from recruiting.domain.routing import route_key
from recruiting.domain.shorten import shorten
from recruiting.ports.payroll import PackageEstimate

# HR's card keys (``card_routes``): offer.submit|cancel:<id>:<version>, offer.done:<id>
SUBMIT_KEY = "offer.submit"
CANCEL_KEY = "offer.cancel"
DONE_KEY = "offer.done"

SUBMITTED_LABEL = "已提交审批"
STATE_NOTES = {
    "已提交审批": "已提交企业微信审批，审批单号和审批结果会以消息通知您。",
    "已取消": "这份 offer 草稿已取消；如需重新发起，请发送「发offer 姓名」。",
    "已失效": "这张卡片上的薪酬已被修改，请使用最新的卡片。",
    "不存在": "这份 offer 草稿已不存在；如需重新发起，请发送「发offer 姓名」。",
}
CANCELLED_LABEL = "已取消"
STALE = "已失效"
GONE = "不存在"
USAGE = (
    "发 offer 的用法：「发offer 姓名」，薪酬取自薪酬系统的岗位标准；也可以直接写明数字，例如"
    "「发offer 张三 月薪25000 年终2个月 补贴1500 入职{example}」。同名候选人应聘多个岗位时，"
    "在姓名后加岗位名称。"
)
NOT_ALLOWED = "发 offer 需要 HR 权限。如需为候选人发 offer，请联系负责招聘的 HR。"
NO_CANDIDATE = "没有找到应聘中的候选人「{name}」。请核对姓名（需与系统中登记的一致）。"
WHICH_JOB = (
    "「{name}」有多个应聘中的岗位：{jobs}。请在姓名后加岗位，例如「发offer {name} {first}」。"
)
NEED_FIGURES = (
    "薪酬系统中没有「{job}」的标准薪酬，请写明{missing}，例如"
    "「发offer {name} 月薪25000 年终2个月 补贴1500 入职{example}」。"
)
NEED_START = "请补充入职日期，例如「发offer {name} 入职{example}」。"
ACTIVE_EXISTS = "{name} · {job} 已有一份{status}的 offer，不能再发一份。"
BAD_FIGURES = "{reason}\n\n" + USAGE
SUBMITTED = "已提交企业微信审批：{name} · {job}。审批结果会第一时间通知您。"
NOT_DRAFT = "这份 offer 当前{status}，无需再操作。"
STALE_CARD = "这张卡片上的薪酬已被修改，请使用最新的卡片提交（或重新发送「发offer {name}」）。"
OTHER_ACTIVE = "{name} 已有另一份{status}的 offer，这份不能再提交。"
CANCELLED = "已取消 {name} · {job} 的 offer 草稿。"
PENDING = "【offer 审批中】{name} · {job} 已进入企业微信审批，审批单号 {sp_no}。"
APPROVED = (
    "【offer 已通过】{name} · {job} 的录用审批已通过（审批单号 {sp_no}）。已给候选人发出 offer "
    "通知，入职信息已交给 EHR 和薪酬系统。"
)
APPROVED_ERASED = (
    "【offer 已通过】{name} · {job} 的录用审批已通过（审批单号 {sp_no}），但候选人的个人信息"
    "已删除，系统没有发出 offer 通知，也没有交给 EHR 和薪酬系统，请人工处理。"
)
REJECTED = (
    "【offer 被驳回】{name} · {job} 的录用审批被驳回（审批单号 {sp_no}）。{speech}"
    "offer 已关闭，如需调整后重新发起，请发送「发offer {name}」。"
)
WITHDRAWN = (
    "【offer 已撤销】{name} · {job} 的录用审批已撤销（审批单号 {sp_no}）。{speech}"
    "候选人未收到任何通知。"
)
WITHDRAWN_AFTER_APPROVAL = (
    "【offer 通过后撤销】{name} · {job} 的录用审批在通过后被撤销（审批单号 {sp_no}）。{speech}"
    "{sent}系统不会再自动联系候选人，请您决定如何与候选人沟通，并通知 EHR 和薪酬系统撤回入职信息。"
)
DELETED = (
    "【offer 审批已删除】{name} · {job} 的录用审批已被删除（审批单号 {sp_no}）。{speech}"
    "offer 已关闭。"
)
REFUSED = {
    301025: (
        "企业微信认为审批参数有误（301025）：请管理员核对 offer 审批模板的配置"
        "（模板 ID、控件 ID 和控件类型）。"
    ),
    301055: (
        "应用没有使用该审批模板的权限（301055）：请管理员在企业微信后台把审批应用的权限"
        "授予本应用，或确认提交人有权发起该审批。"
    ),
}
REFUSED_OTHER = "企业微信拒绝了审批申请（{code}）：{reason}"
REFUSED_TAIL = "\n{name} · {job} 的 offer 仍是草稿，问题解决后请重新发送「发offer {name}」提交。"


def yuan(amount: Decimal | str) -> str:
    return f"{Decimal(amount):,.2f}"


def months(value: Decimal | str) -> str:
    text = format(Decimal(value).normalize(), "f")
    return text


def said(speech: str, who: str) -> str:
    """``审批意见（陈静）：…。`` or nothing."""
    speech = " ".join(speech.split())
    if not speech:
        return ""
    return f"审批意见（{who}）：{speech}。" if who else f"审批意见：{speech}。"


SUB_TITLE_CHARS = 112  # WeCom's advice for a template card's sub_title_text


def _estimate_note(candidate: str, estimate: PackageEstimate) -> str:
    """What the figures are and how to change them; a warning about stale city data comes
    first and the rest is said more briefly, so the whole stays within the card's text."""
    change = f"修改请发送「发offer {candidate} 月薪… 年终…个月 补贴… 入职年-月-日」"
    if not estimate.data_notice:
        return f"税后与成本为薪酬系统估算（{estimate.city_name}社保公积金、个税预扣）。{change}"
    rest = f"税后与成本为估算。{change}"
    return shorten(estimate.data_notice, max_chars=SUB_TITLE_CHARS - len(rest)) + rest


def offer_card(
    offer_id: int,
    version: int,
    candidate: str,
    job: str,
    figures: dict[str, Any],
    estimate: PackageEstimate,
    source: str,
    *,
    state: str = "",
    task_id: str = "",
) -> dict[str, Any]:
    """The draft's card: the package, payroll's estimate, 提交审批 / 取消. With ``state``
    the same card after a click: the same content, the new state on one inert button."""
    start = date.fromisoformat(str(figures["start_date"]))
    card: dict[str, Any] = {
        "card_type": "button_interaction",
        "source": {"desc": "offer 审批"},
        "main_title": {
            "title": shorten(f"发 offer：{candidate} · {job}", max_chars=26),
            "desc": f"草稿 · 薪酬来源：{source}",
        },
        "sub_title_text": _estimate_note(candidate, estimate),
        "horizontal_content_list": [
            {"keyname": "月薪（税前）", "value": f"{yuan(figures['base'])} 元"},
            {
                "keyname": "年终奖",
                "value": f"{months(figures['bonus_months'])} 个月"
                f"（{yuan(estimate.year_end_bonus)} 元）",
            },
            {"keyname": "每月补贴", "value": f"{yuan(figures['allowances'])} 元"},
            {"keyname": "入职", "value": f"{start.isoformat()} · {estimate.city_name}"},
            {"keyname": "预计税后/月", "value": f"约 {yuan(estimate.monthly_net)} 元"},
            {"keyname": "公司成本/月", "value": f"约 {yuan(estimate.monthly_employer_cost)} 元"},
        ],
        "task_id": f"offer-{offer_id}-v{version}",
        "button_list": [
            {
                "type": 0,
                "text": "提交审批",
                "style": 1,
                "key": route_key(SUBMIT_KEY, offer_id, version),
            },
            {
                "type": 0,
                "text": "取消",
                "style": 2,
                "key": route_key(CANCEL_KEY, offer_id, version),
            },
        ],
    }
    if state:
        card["main_title"]["desc"] = state
        card["sub_title_text"] = STATE_NOTES.get(state, f"这份 offer 草稿{state}。")
        card["task_id"] = task_id or card["task_id"]
        card["button_list"] = [
            {
                "type": 0,
                "text": shorten(state, max_chars=10),
                "style": 2,
                "key": route_key(DONE_KEY, offer_id),
            }
        ]
    return card


def settled_card(task_id: str, offer_id: int, label: str) -> dict[str, Any]:
    """What a clicked offer card turns into: its outcome on one inert button."""
    return {
        "card_type": "button_interaction",
        "source": {"desc": "offer 审批"},
        "main_title": {"title": "offer 草稿", "desc": label},
        "task_id": task_id,
        "button_list": [
            {
                "type": 0,
                "text": shorten(label, max_chars=10),
                "style": 2,
                "key": route_key(DONE_KEY, offer_id),
            }
        ],
    }


def offer_letter(
    *,
    candidate: str,
    job: str,
    department: str,
    city: str,
    start: date,
    base: Decimal,
    allowances: Decimal,
    bonus_months: Decimal,
    year_end_bonus: str,
    reply_by: date,
    hr_name: str,
) -> str:
    """The letter to the candidate: role, start, package, and how to accept."""
    role = f"{job}（{department}）" if department else job
    lines = [
        f"{candidate}您好：",
        "很高兴通知您，经公司审批，我们正式向您发出录用邀请（offer）。",
        f"职位：{role}",
        f"工作城市：{city}",
        f"入职日期：{start.year}年{start.month}月{start.day}日",
        f"月薪（税前）：{yuan(base)} 元",
    ]
    if allowances:
        lines.append(f"每月补贴：{yuan(allowances)} 元")
    if bonus_months:
        lines.append(f"年终奖：{months(bonus_months)} 个月月薪（税前约 {yuan(year_end_bonus)} 元）")
    lines += [
        f"请在 {reply_by.year}年{reply_by.month}月{reply_by.day}日前点选「接受offer」或"
        f"「婉拒」答复，也可以直接联系 HR {hr_name}。如有任何疑问，欢迎随时联系我们。",
        "期待与您共事！",
    ]
    return "\n".join(lines)


# The letter's choices; the candidate's tap comes back as ``offer:<id>`` with one of the keys.
OFFER_CHOICES = {"accept": "接受offer", "decline": "婉拒"}
OFFER_ASK = "请点选按钮答复上面这份 offer："
ANSWER_THANKS = {
    "accept": "已收到您接受 offer 的答复，欢迎加入！HR 会尽快与您联系入职事宜。",
    "decline": "已收到您的答复，感谢您花时间了解我们，祝您一切顺利！",
}
ANSWER_ALREADY = "您已答复过这份 offer（{answer}）。如需更改，请直接联系 HR。"
ANSWER_CLOSED = "这份 offer 已不再有效（{status}）。如有疑问，请联系 HR。"
HR_ANSWERED = "候选人{candidate}{verb}了「{job}」的 offer。"
ASK_AGAIN = (
    "请问您是要接受这份 offer 吗？为避免误会，请点选「接受offer」或「婉拒」，"
    "也可以直接回复「接受offer」或「婉拒」。"
)
ASK_AGAIN_FORWARDED = (
    "您的留言已转给 HR{hr}，HR 会尽快回复您。这条留言不会被当作对 offer 的答复："
    "如决定接受，请点选「接受offer」；如决定不接受，请点选「婉拒」。"
)


def answer_choices(offer_id: int, content: str) -> dict[str, Any]:
    """A candidate-channel ``choices`` payload whose taps come back as ``offer:<id>``."""
    return {
        "kind": "choices",
        "content": content,
        "choices": [{"key": k, "label": v} for k, v in OFFER_CHOICES.items()],
        "subject": f"offer:{offer_id}",
    }
