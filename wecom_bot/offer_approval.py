"""Submit offers to WeCom 审批 (``oa/applyevent``) through the outbox, with a configured
template-to-control mapping (``data/offer_approval.yaml``).

The mapping turns the use case's plain figures into the template's controls in WeCom's
value shapes (wecom-protocol.md §5): Money ``{"new_money": "25000.00"}`` and Number
``{"new_number": "2"}`` as strings, Date ``{"date": {"type": "day", "s_timestamp": "…"}}``
with the timestamp as a string (midnight of the day in the tenant's zone).

``applyevent`` has no idempotency key, so each submission is marked: an attempt row is
committed before the call, and its marker (系统编号) goes into a text control (``reference``,
or else the end of the ``note`` textarea). A redelivered row first asks whether the offer
already has its approval number; if not and an attempt was recorded, it lists the template's
approvals by the same creator since then (``oa/getapprovalinfo``) and reads each
(``oa/getapprovaldetail``) for the marker, adopting the one it finds instead of submitting
twice. A refusal for good (301025 bad parameters, 301055 no permission, any other
non-transient errcode) goes back to the use case, which tells HR and keeps the offer a
draft; transient failures are retried.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from zoneinfo import ZoneInfo

import yaml

from recruiting import clock
from recruiting.domain.shorten import shorten
from recruiting.errors import ConfigError, RetryLater
from recruiting.infra.send_attempts import Attempt, AttemptLog, SendAttempts
from recruiting.ports.approval import ApprovalOutcomes, OfferApprovalRequest
from recruiting.ports.outbound import OutboundMessage
from wecom_bot.client.errors import WeComApiError, WeComTokenInvalid, WeComUnavailable

log = logging.getLogger(__name__)

DEFAULT_MAPPING = Path(__file__).resolve().parent / "data" / "offer_approval.yaml"
FIELDS = frozenset(
    {
        "candidate",
        "job",
        "department",
        "city",
        "base_salary",
        "bonus_months",
        "year_end_bonus",
        "allowances",
        "start_date",
        "note",
        "reference",
    }
)
CONTROLS = frozenset({"Text", "Textarea", "Number", "Money", "Date"})
SUMMARY_LINES = 3
SHANGHAI = ZoneInfo("Asia/Shanghai")
REFERENCE_LABEL = "系统编号："
LOOKUP_BEFORE = dt.timedelta(days=1)  # approvals listed from this long before the attempt
LOOKUP_AFTER = dt.timedelta(hours=1)  # … to this long after now (clocks differ)
LIST_SPAN = dt.timedelta(days=31)  # the longest period oa/getapprovalinfo takes


@dataclass(frozen=True)
class ControlMap:
    field: str
    id: str
    control: str


@dataclass(frozen=True)
class OfferTemplate:
    template_id: str
    creator: str
    use_template_approver: int
    approver: tuple[dict[str, Any], ...]
    notifyer: tuple[str, ...]
    notify_type: int
    controls: tuple[ControlMap, ...]
    summary: tuple[str, ...]

    def body(
        self, request: OfferApprovalRequest, zone: dt.tzinfo, reference: str = ""
    ) -> dict[str, Any]:
        """The ``oa/applyevent`` request for one offer, ``reference`` in a text control."""
        fields = _fields(request)
        if reference and not any(c.field == "reference" for c in self.controls):
            line = f"{REFERENCE_LABEL}{reference}"
            fields["note"] = f"{fields['note']}\n{line}" if fields["note"] else line
        fields["reference"] = reference
        body: dict[str, Any] = {
            "creator_userid": self.creator or request.creator,
            "template_id": self.template_id,
            "use_template_approver": self.use_template_approver,
            "apply_data": {
                "contents": [
                    {
                        "control": c.control,
                        "id": c.id,
                        "value": _value(c.control, fields[c.field], zone),
                    }
                    for c in self.controls
                    if fields[c.field] != ""
                ]
            },
            "summary_list": [
                {
                    "summary_info": [
                        {"text": shorten(line.format(**fields), max_chars=64), "lang": "zh_CN"}
                    ]
                }
                for line in self.summary
            ],
        }
        if self.use_template_approver == 0:
            body["approver"] = [dict(a) for a in self.approver]
        if self.notifyer:
            body.update(notifyer=list(self.notifyer), notify_type=self.notify_type)
        return body


def _fields(request: OfferApprovalRequest) -> dict[str, str]:
    values = request.payload()
    return {name: str(values.get(name, "")) for name in FIELDS}


def _value(control: str, text: str, zone: dt.tzinfo) -> dict[str, Any]:
    if control == "Money":
        return {"new_money": text}
    if control == "Number":
        return {"new_number": text}
    if control == "Date":
        day = dt.date.fromisoformat(text)
        midnight = dt.datetime(day.year, day.month, day.day, tzinfo=zone)
        return {"date": {"type": "day", "s_timestamp": str(int(midnight.timestamp()))}}
    return {"text": text}


def load_offer_template(path: Path | None = None) -> OfferTemplate:
    """The mapping at ``path`` (or the packaged default); ConfigError names the problem."""
    path = path or DEFAULT_MAPPING
    try:
        data: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
        template = _template(data)
    except (OSError, yaml.YAMLError, AttributeError, KeyError, TypeError, ValueError) as exc:
        raise ConfigError(f"{path}: {exc}") from exc
    return template


def _template(data: Any) -> OfferTemplate:
    controls = tuple(
        ControlMap(str(c["field"]), str(c["id"]), str(c["control"])) for c in data["controls"]
    )
    for c in controls:
        if c.field not in FIELDS or c.control not in CONTROLS:
            raise ValueError(
                f"control {c.id}: field must be one of {sorted(FIELDS)} and "
                f"control one of {sorted(CONTROLS)}"
            )
    mapped = {c.field: c.control for c in controls}
    if mapped.get("reference") not in ("Text", "Textarea") and mapped.get("note") != "Textarea":
        raise ValueError(
            "map reference to a Text control (or note to a Textarea): the submission's "
            "reference is how a retry finds an approval submitted before a crash"
        )
    use_template = int(data.get("use_template_approver", 1))
    approver = tuple(dict(a) for a in data.get("approver") or ())
    if use_template not in (0, 1) or (use_template == 0 and not approver):
        raise ValueError("use_template_approver is 1, or 0 with an approver list")
    summary = tuple(str(s) for s in data.get("summary") or ())
    if len(summary) > SUMMARY_LINES:
        raise ValueError(f"summary takes at most {SUMMARY_LINES} lines")
    probe = dict.fromkeys(FIELDS, "")
    for line in summary:
        line.format(**probe)  # a KeyError names an unknown placeholder
    template_id = str(data["template_id"] or "")
    if not template_id:
        raise ValueError("template_id is required")
    return OfferTemplate(
        template_id=template_id,
        creator=str(data.get("creator") or ""),
        use_template_approver=use_template,
        approver=approver,
        notifyer=tuple(str(u) for u in data.get("notifyer") or ()),
        notify_type=int(data.get("notify_type", 1)),
        controls=controls,
        summary=summary,
    )


class _ApprovalApi(Protocol):
    async def apply_event(self, payload: dict[str, Any]) -> str: ...

    async def get_approval_info(
        self, start: int, end: int, filters: dict[str, str], cursor: str = ""
    ) -> dict[str, Any]: ...

    async def get_approval_detail(self, sp_no: str) -> dict[str, Any]: ...


class WeComOfferApprovalSender:
    """Sender of the ``wecom.approval`` outbox channel."""

    def __init__(
        self,
        api: _ApprovalApi,
        template: OfferTemplate,
        outcomes: ApprovalOutcomes,
        zone: dt.tzinfo = SHANGHAI,
        attempts: AttemptLog | None = None,
    ) -> None:
        self._api = api
        self._template = template
        self._outcomes = outcomes
        self._zone = zone
        self._attempts = attempts or SendAttempts()

    async def deliver(self, message: OutboundMessage) -> dict[str, Any]:
        request = OfferApprovalRequest.from_payload(message.payload)
        known = await self._outcomes.submitted_number(request.offer_id)
        if known:
            return {"sp_no": known}
        key = f"approval:{message.idempotency_key or message.id}"
        attempt = await self._attempts.begin(key)
        body = self._template.body(request, self._zone, attempt.marker)
        found = attempt.outcome or (await self._find(body, attempt) if attempt.earlier else "")
        if found:
            log.warning("offer %s: adopting approval %s submitted before", request.offer_id, found)
            await self._outcomes.submitted(request.offer_id, found)
            return {"sp_no": found, "adopted": True}
        try:
            sp_no = await self._api.apply_event(body)
        except WeComUnavailable:
            raise  # no answer: the approval may exist; the redelivery looks for it
        except (RetryLater, WeComTokenInvalid):
            await self._attempts.forget(key)  # WeCom answered: nothing was opened
            raise
        except WeComApiError as exc:
            await self._attempts.forget(key)
            await self._outcomes.refused(request.offer_id, exc.errcode, exc.errmsg)
            return {"refused": exc.errcode, "errmsg": exc.errmsg[:200]}
        await self._attempts.settle(key, sp_no)
        await self._outcomes.submitted(request.offer_id, sp_no)
        return {"sp_no": sp_no}

    async def _find(self, body: dict[str, Any], attempt: Attempt) -> str:
        """The approval carrying the attempt's marker, among the template's approvals by
        the same creator since shortly before the attempt ("" when there is none)."""
        end = max(clock.now(), attempt.started) + LOOKUP_AFTER
        start = max(attempt.started - LOOKUP_BEFORE, end - LIST_SPAN)
        filters = {"template_id": body["template_id"], "creator": body["creator_userid"]}
        cursor = ""
        while True:
            page = await self._api.get_approval_info(
                int(start.timestamp()), int(end.timestamp()), filters, cursor
            )
            for sp_no in page.get("sp_no_list") or []:
                detail = await self._api.get_approval_detail(str(sp_no))
                if _carries(detail.get("info") or {}, attempt.marker):
                    return str(sp_no)
            cursor = str(page.get("new_next_cursor") or "")
            if not cursor:
                return ""


def _carries(info: dict[str, Any], marker: str) -> bool:
    contents = (info.get("apply_data") or {}).get("contents") or []
    return any(
        marker in str((item.get("value") or {}).get("text") or "")
        for item in contents
        if isinstance(item, dict) and item.get("control") in ("Text", "Textarea")
    )
