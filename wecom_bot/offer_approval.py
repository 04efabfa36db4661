"""Submit offers to WeCom 审批 (``oa/applyevent``) through the outbox, with a configured
template-to-control mapping (``data/offer_approval.yaml``).

The mapping turns the use case's plain figures into the template's controls in WeCom's
value shapes (wecom-protocol.md §5): Money ``{"new_money": "25000.00"}`` and Number
``{"new_number": "2"}`` as strings, Date ``{"date": {"type": "day", "s_timestamp": "…"}}``
with the timestamp as a string (midnight of the day in the tenant's zone).

``applyevent`` has no idempotency key, so a retried row first asks whether the offer already
has its approval number; a submit that went through but whose number was not saved before a
crash is the one case that can still open a second approval. A refusal for good (301025 bad
parameters, 301055 no permission, any other non-transient errcode) goes back to the use
case, which tells HR and keeps the offer a draft; transient failures are retried.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from zoneinfo import ZoneInfo

import yaml

from recruiting.domain.shorten import shorten
from recruiting.errors import ConfigError, RetryLater
from recruiting.ports.approval import ApprovalOutcomes, OfferApprovalRequest
from recruiting.ports.outbound import OutboundMessage
from wecom_bot.client.errors import WeComApiError, WeComTokenInvalid

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
    }
)
CONTROLS = frozenset({"Text", "Textarea", "Number", "Money", "Date"})
SUMMARY_LINES = 3
SHANGHAI = ZoneInfo("Asia/Shanghai")


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

    def body(self, request: OfferApprovalRequest, zone: dt.tzinfo) -> dict[str, Any]:
        """The ``oa/applyevent`` request for one offer."""
        fields = _fields(request)
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


class WeComOfferApprovalSender:
    """Sender of the ``wecom.approval`` outbox channel."""

    def __init__(
        self,
        api: _ApprovalApi,
        template: OfferTemplate,
        outcomes: ApprovalOutcomes,
        zone: dt.tzinfo = SHANGHAI,
    ) -> None:
        self._api = api
        self._template = template
        self._outcomes = outcomes
        self._zone = zone

    async def deliver(self, message: OutboundMessage) -> dict[str, Any]:
        request = OfferApprovalRequest.from_payload(message.payload)
        known = await self._outcomes.submitted_number(request.offer_id)
        if known:
            return {"sp_no": known}
        try:
            sp_no = await self._api.apply_event(self._template.body(request, self._zone))
        except (RetryLater, WeComTokenInvalid):
            raise
        except WeComApiError as exc:
            await self._outcomes.refused(request.offer_id, exc.errcode, exc.errmsg)
            return {"refused": exc.errcode, "errmsg": exc.errmsg[:200]}
        await self._outcomes.submitted(request.offer_id, sp_no)
        return {"sp_no": sp_no}
