"""External contacts (客户联系): contact ways, candidates who add a recruiter, group sends.

Candidates are usually plain WeChat users. Here the console plays such a candidate scanning a
recruiter's contact way; the ``state`` set on the contact way comes back in the callback, and
``add_msg_template`` sends wait for the employee's confirmation as they do in WeCom.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

from wecom_bot.sandbox import codes
from wecom_bot.sandbox.directory import Directory
from wecom_bot.sandbox.tokens import Clock

MAX_STATE_CHARS = 30


@dataclass
class Follow:
    userid: str
    state: str
    createtime: int
    add_way: int = 1  # scanning a QR code


@dataclass
class ExternalContact:
    external_userid: str
    name: str
    follows: list[Follow] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "external_contact": {
                "external_userid": self.external_userid,
                "name": self.name,
                "type": 1,
                "avatar": "",
                "gender": 0,
            },
            "follow_user": [
                {
                    "userid": f.userid,
                    "remark": "",
                    "description": "",
                    "createtime": f.createtime,
                    "tags": [],
                    "state": f.state,
                    "add_way": f.add_way,
                }
                for f in self.follows
            ],
        }


class CustomerStore:
    def __init__(self, directory: Directory, clock: Clock) -> None:
        self._directory = directory
        self._clock = clock
        self.contact_ways: dict[str, dict[str, Any]] = {}
        self.contacts: dict[str, ExternalContact] = {}
        self.msg_templates: list[dict[str, Any]] = []

    def add_contact_way(self, body: dict[str, Any]) -> dict[str, Any]:
        if body.get("type") not in (1, 2) or body.get("scene") not in (1, 2):
            raise codes.param_error("type and scene must be 1 or 2")
        users = body.get("user") or []
        if not isinstance(users, list) or not users or any(u not in self._directory for u in users):
            raise codes.ApiError(codes.INVALID_USERID, "user must list members of the corp")
        if body.get("type") == 1 and len(users) != 1:
            raise codes.param_error("a single contact way (type 1) takes exactly one user")
        if len(str(body.get("state") or "")) > MAX_STATE_CHARS:
            raise codes.param_error(f"state exceeds {MAX_STATE_CHARS} characters")
        config_id = secrets.token_hex(16)
        self.contact_ways[config_id] = dict(body)
        answer: dict[str, Any] = {"config_id": config_id}
        if body.get("scene") == 2:
            answer["qr_code"] = f"https://wework.qpic.cn/wwpic/sandbox/{config_id}"
        return answer

    def customer_adds(self, name: str, config_id: str = "", userid: str = "") -> tuple[Follow, str]:
        """Console: a WeChat user adds a member (through a contact way or directly).

        Returns the new follow relation and its ExternalUserID, for the callback.
        """
        state = ""
        if config_id:
            way = self.contact_ways.get(config_id)
            if way is None:
                raise codes.param_error(f"unknown config_id {config_id!r}")
            userid, state = str(way["user"][0]), str(way.get("state") or "")
        self._directory.get(userid)
        contact = next((c for c in self.contacts.values() if c.name == name), None)
        if contact is None:
            contact = ExternalContact("wm" + secrets.token_urlsafe(24), name)
            self.contacts[contact.external_userid] = contact
        follow = Follow(userid, state, int(self._clock()))
        contact.follows.append(follow)
        return follow, contact.external_userid

    def get(self, external_userid: str) -> dict[str, Any]:
        contact = self.contacts.get(external_userid)
        if contact is None:
            raise codes.ApiError(codes.NOT_EXTERNAL_CONTACT, "not external contact")
        return contact.to_json()

    def add_msg_template(self, body: dict[str, Any]) -> dict[str, Any]:
        """Group send: recorded as waiting for the sender's confirmation in the client."""
        sender = str(body.get("sender") or "")
        if sender and sender not in self._directory:
            raise codes.ApiError(codes.INVALID_USERID, f"invalid sender {sender!r}")
        targets = body.get("external_userid") or []
        if not isinstance(targets, list):
            raise codes.param_error("external_userid must be a list")
        if not body.get("text") and not body.get("attachments"):
            raise codes.param_error("text or attachments is required")
        fail = [t for t in targets if not self._follows(t, sender)]
        msgid = "msg" + secrets.token_urlsafe(16)
        self.msg_templates.append(
            {**body, "msgid": msgid, "status": "waiting_confirmation", "fail_list": fail}
        )
        return {"fail_list": fail, "msgid": msgid}

    def _follows(self, external_userid: str, sender: str) -> bool:
        contact = self.contacts.get(external_userid)
        if contact is None:
            return False
        return not sender or any(f.userid == sender for f in contact.follows)
