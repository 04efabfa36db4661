"""Approvals (审批): templates, ``applyevent``, details, and decisions made in the console.

An approval keeps WeCom's shape (SpRecord per approval step, Details per approver) so the
callback built from it has the repeated sibling elements a parser must normalise.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass, field
from typing import Any

from wecom_bot.sandbox import codes
from wecom_bot.sandbox.directory import Directory
from wecom_bot.sandbox.tokens import Clock

OFFER_TEMPLATE_ID = "sandbox-offer-approval"
PENDING, APPROVED, REJECTED, WITHDRAWN, WITHDRAWN_AFTER_APPROVAL = 1, 2, 3, 4, 6
# Status the console sets -> the StatuChangeEvent WeCom reports with it.
_EVENTS = {APPROVED: 2, REJECTED: 3, WITHDRAWN: 6, WITHDRAWN_AFTER_APPROVAL: 8}
_TZ = zoneinfo.ZoneInfo("Asia/Shanghai")


def _bad(text: str) -> codes.ApiError:
    return codes.ApiError(codes.APPROVAL_BAD_PARAMS, text)


@dataclass(frozen=True)
class Control:
    id: str
    control: str
    title: str
    require: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "property": {
                "control": self.control,
                "id": self.id,
                "title": [{"text": self.title, "lang": "zh_CN"}],
                "placeholder": [],
                "require": int(self.require),
                "un_print": 0,
            },
            "config": {},
        }


@dataclass(frozen=True)
class Template:
    template_id: str
    name: str
    controls: tuple[Control, ...]
    approvers: tuple[tuple[int, tuple[str, ...]], ...]  # the console's flow: (attr, userids)


OFFER_TEMPLATE = Template(
    OFFER_TEMPLATE_ID,
    "录用审批",
    (
        Control("Text-candidate", "Text", "候选人"),
        Control("Text-position", "Text", "应聘职位"),
        Control("Text-city", "Text", "工作城市"),
        Control("Money-salary", "Money", "月薪"),
        Control("Number-bonus-months", "Number", "年终奖（月数）"),
        Control("Money-allowance", "Money", "每月补贴"),
        Control("Date-start", "Date", "入职日期"),
        Control("Textarea-note", "Textarea", "备注"),
        Control("Text-reference", "Text", "系统编号"),
    ),
    ((1, ("zhangwei",)), (1, ("chenjing",))),
)


@dataclass
class Detail:
    approver: str
    speech: str = ""
    sp_status: int = PENDING
    sp_time: int = 0


@dataclass
class SpRecord:
    approver_attr: int
    details: list[Detail]
    sp_status: int = PENDING


@dataclass
class Approval:
    sp_no: str
    template: Template
    applyer: str
    party: int
    apply_time: int
    records: list[SpRecord]
    notifyer: list[str]
    apply_data: dict[str, Any]
    sp_status: int = PENDING
    last_event: int = 1
    comments: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The ``info`` object of ``oa/getapprovaldetail``."""
        return {
            "sp_no": self.sp_no,
            "sp_name": self.template.name,
            "sp_status": self.sp_status,
            "template_id": self.template.template_id,
            "apply_time": self.apply_time,
            "applyer": {"userid": self.applyer, "partyid": str(self.party)},
            "sp_record": [
                {
                    "sp_status": r.sp_status,
                    "approverattr": r.approver_attr,
                    "details": [
                        {
                            "approver": {"userid": d.approver},
                            "speech": d.speech,
                            "sp_status": d.sp_status,
                            "sptime": d.sp_time,
                            "media_id": [],
                        }
                        for d in r.details
                    ],
                }
                for r in self.records
            ],
            "notifyer": [{"userid": u} for u in self.notifyer],
            "apply_data": self.apply_data,
            "comments": self.comments,
        }

    def callback_info(self) -> dict[str, Any]:
        """``ApprovalInfo`` of the ``sys_approval_change`` callback (lists become siblings)."""
        return {
            "SpNo": self.sp_no,
            "SpName": self.template.name,
            "SpStatus": self.sp_status,
            "TemplateId": self.template.template_id,
            "ApplyTime": self.apply_time,
            "Applyer": {"UserId": self.applyer, "Party": str(self.party)},
            "SpRecord": [
                {
                    "SpStatus": r.sp_status,
                    "ApproverAttr": r.approver_attr,
                    "Details": [
                        {
                            "Approver": {"UserId": d.approver},
                            "Speech": d.speech,
                            "SpStatus": d.sp_status,
                            "SpTime": d.sp_time,
                        }
                        for d in r.details
                    ],
                }
                for r in self.records
            ],
            "Notifyer": [{"UserId": u} for u in self.notifyer],
            "StatuChangeEvent": self.last_event,
        }


_VALUE_KEYS = {
    "Text": "text",
    "Textarea": "text",
    "Number": "new_number",
    "Money": "new_money",
}


def check_value(control: str, value: Any) -> None:
    """The value shapes of path/91853; numbers and timestamps travel as strings."""
    if not isinstance(value, dict):
        raise _bad(f"{control} value must be an object")
    key = _VALUE_KEYS.get(control)
    if key is not None and not isinstance(value.get(key), str):
        raise _bad(f"{control} value needs a string {key!r}")
    if control == "Date":
        date = value.get("date")
        if not isinstance(date, dict) or date.get("type") not in ("day", "hour"):
            raise _bad("Date value needs date.type day|hour")
        if not isinstance(date.get("s_timestamp"), str):
            raise _bad("Date s_timestamp must be a string")
    if control == "Selector":
        selector = value.get("selector")
        if not isinstance(selector, dict) or selector.get("type") not in ("single", "multi"):
            raise _bad("Selector value needs selector.type single|multi and options")
    people = value.get("members", value.get("departments"))
    if control == "Contact" and not isinstance(people, list):
        raise _bad("Contact value needs members[]")
    if control == "File" and not isinstance(value.get("files"), list):
        raise _bad("File value needs files[]")


class ApprovalStore:
    def __init__(self, directory: Directory, clock: Clock) -> None:
        self._directory = directory
        self._clock = clock
        self.templates: dict[str, Template] = {OFFER_TEMPLATE_ID: OFFER_TEMPLATE}
        self.approvals: dict[str, Approval] = {}

    def register_template(self, template: Template) -> None:
        self.templates[template.template_id] = template

    def template(self, template_id: str) -> Template:
        template = self.templates.get(template_id)
        if template is None:
            known = ", ".join(sorted(self.templates))
            raise _bad(f"invalid template_id {template_id!r}; the sandbox knows: {known}")
        return template

    def template_detail(self, body: dict[str, Any]) -> dict[str, Any]:
        t = self.template(str(body.get("template_id") or ""))
        return {
            "template_names": [{"text": t.name, "lang": "zh_CN"}],
            "template_content": {"controls": [c.to_json() for c in t.controls]},
        }

    def apply(self, body: dict[str, Any]) -> dict[str, Any]:
        """``oa/applyevent``: validate like WeCom, open the approval at 审批中."""
        creator = str(body.get("creator_userid") or "")
        if creator not in self._directory:
            raise _bad(f"invalid creator_userid {creator!r}")
        template = self.template(str(body.get("template_id") or ""))
        records = self._records(body, template)
        notifyer = self._members(body.get("notifyer") or [], "notifyer")
        if notifyer and body.get("notify_type", 1) not in (1, 2, 3):
            raise _bad("notify_type must be 1, 2 or 3")
        apply_data = self._apply_data(body.get("apply_data"), template)
        summary = body.get("summary_list") or []
        if not isinstance(summary, list) or len(summary) > 3:
            raise _bad("summary_list takes at most 3 lines")
        approval = Approval(
            sp_no=self._next_sp_no(),
            template=template,
            applyer=creator,
            party=self._directory.get(creator).department,
            apply_time=int(self._clock()),
            records=records,
            notifyer=notifyer,
            apply_data=apply_data,
        )
        self.approvals[approval.sp_no] = approval
        return {"sp_no": approval.sp_no}

    def _members(self, userids: Any, name: str) -> list[str]:
        if not isinstance(userids, list) or not all(u in self._directory for u in userids):
            raise _bad(f"{name} must list members of the corp")
        return [str(u) for u in userids]

    def _records(self, body: dict[str, Any], template: Template) -> list[SpRecord]:
        steps: list[tuple[Any, Any]]
        use_template = body.get("use_template_approver", 0)
        if use_template not in (0, 1):
            raise _bad("use_template_approver must be 0 or 1")
        if use_template == 1:
            steps = [(attr, list(users)) for attr, users in template.approvers]
        else:
            approver = body.get("approver")
            if not isinstance(approver, list) or not approver:
                raise _bad("approver is required when use_template_approver is 0")
            steps = [(a.get("attr"), a.get("userid")) for a in approver if isinstance(a, dict)]
        records = []
        for attr, users in steps:
            if attr not in (1, 2) or not users:
                raise _bad("approver[].attr must be 1 or 2 with a userid list")
            users = self._members(users, "approver[].userid")
            records.append(SpRecord(int(attr), [Detail(u) for u in users]))
        return records

    def _apply_data(self, data: Any, template: Template) -> dict[str, Any]:
        contents = data.get("contents") if isinstance(data, dict) else None
        if not isinstance(contents, list):
            raise _bad("apply_data.contents must be a list")
        by_id = {c.id: c for c in template.controls}
        for item in contents:
            if not isinstance(item, dict) or not item.get("control") or not item.get("id"):
                raise _bad("apply_data.contents[] needs control, id and value")
            known = by_id.get(str(item["id"]))
            if known is not None and known.control != item["control"]:
                raise _bad(f"control {item['id']} is a {known.control}, not {item['control']}")
            check_value(str(item["control"]), item.get("value"))
        given = {str(item["id"]) for item in contents}
        missing = [c.id for c in template.controls if c.require and c.id not in given]
        if missing:
            raise _bad(f"required controls missing: {missing}")
        return {"contents": contents}

    def _next_sp_no(self) -> str:
        day = dt.datetime.fromtimestamp(self._clock(), _TZ).strftime("%Y%m%d")
        return f"{day}{len(self.approvals) + 1:06d}"

    def get(self, sp_no: str) -> Approval:
        approval = self.approvals.get(sp_no)
        if approval is None:
            raise _bad(f"invalid sp_no {sp_no!r}")
        return approval

    def detail(self, body: dict[str, Any]) -> dict[str, Any]:
        return {"info": self.get(str(body.get("sp_no") or "")).to_json()}

    def numbers(self, body: dict[str, Any]) -> dict[str, Any]:
        """``oa/getapprovalinfo``: sp_no of approvals submitted in [starttime, endtime]
        (≤ 31 days), filtered (same key: or; different keys: and), ``size`` ≤ 100 a page,
        continued with ``new_cursor`` = the previous ``new_next_cursor``."""
        start, end = _seconds(body.get("starttime")), _seconds(body.get("endtime"))
        if start is None or end is None or not 0 <= end - start <= MAX_LIST_SPAN:
            raise _bad("get approval param error:invalid starttime or endtime")
        size = body.get("size", 100)
        if not isinstance(size, int) or not 1 <= size <= MAX_LIST_SIZE:
            raise _bad(f"size must be 1..{MAX_LIST_SIZE}")
        wanted = _filters(body.get("filters") or [])
        found = [
            a.sp_no
            for a in sorted(self.approvals.values(), key=lambda a: (a.apply_time, a.sp_no))
            if start <= a.apply_time <= end and _matches(a, wanted)
        ]
        cursor = str(body.get("new_cursor") or "")
        offset = int(cursor) if cursor.isdigit() else 0
        page = found[offset : offset + size]
        more = offset + size < len(found)
        return {"sp_no_list": page, "new_next_cursor": str(offset + size) if more else ""}

    def decide(self, sp_no: str, status: int, speech: str = "", step: bool = False) -> Approval:
        """The console's approver acts: 2 agree, 3 reject, 4 withdraw, 6 withdraw after approval.

        ``step`` agrees to one SpRecord only (an intermediate callback with SpStatus still 1).
        """
        approval = self.get(sp_no)
        wanted_from = APPROVED if status == WITHDRAWN_AFTER_APPROVAL else PENDING
        if status not in _EVENTS or approval.sp_status != wanted_from:
            raise codes.param_error(f"cannot move {sp_no} from {approval.sp_status} to {status}")
        now = int(self._clock())
        pending = [r for r in approval.records if r.sp_status == PENDING]
        if status == APPROVED:
            for record in pending[:1] if step else pending:
                _settle(record, APPROVED, speech, now)
            done = all(r.sp_status == APPROVED for r in approval.records)
            approval.sp_status = APPROVED if done else PENDING
        elif status == REJECTED and pending:
            _settle(pending[0], REJECTED, speech, now)
            approval.sp_status = REJECTED
        else:
            approval.sp_status = status
        approval.last_event = _EVENTS[status]
        return approval


MAX_LIST_SPAN = 31 * 86400
MAX_LIST_SIZE = 100
_FILTER_KEYS = frozenset({"template_id", "creator", "department", "sp_status", "record_type"})


def _seconds(value: Any) -> int | None:
    """WeCom's example sends the times as strings of Unix seconds; numbers work too."""
    text = str(value) if isinstance(value, int | str) else ""
    return int(text) if text.isdigit() and len(text) <= 10 else None


def _filters(items: Any) -> dict[str, set[str]]:
    if not isinstance(items, list):
        raise _bad("filters must be a list")
    wanted: dict[str, set[str]] = {}
    for item in items:
        key = item.get("key") if isinstance(item, dict) else None
        if key not in _FILTER_KEYS:
            raise _bad(f"unknown filter key {key!r}")
        wanted.setdefault(str(key), set()).add(str(item.get("value")))
    return wanted


def _matches(approval: Approval, wanted: dict[str, set[str]]) -> bool:
    facts = {
        "template_id": approval.template.template_id,
        "creator": approval.applyer,
        "department": str(approval.party),
        "sp_status": str(approval.sp_status),
    }
    return all(facts.get(key) in values for key, values in wanted.items())


def _settle(record: SpRecord, status: int, speech: str, now: int) -> None:
    """或签 (attr 1) needs one approver, 会签 (attr 2) all of them."""
    deciders = record.details[:1] if record.approver_attr == 1 else record.details
    for detail in deciders:
        detail.sp_status, detail.speech, detail.sp_time = status, speech, now
    record.sp_status = status
