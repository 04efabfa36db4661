"""The sandbox corp's member directory (通讯录).

Five members by default: four staff and "visitor", a corp member the service will not know as
staff, so a newcomer can see how the bot treats someone who is in WeCom but not in its roster.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any

from wecom_bot.sandbox import codes

DEPARTMENTS: dict[int, str] = {
    1: "沙箱科技",
    2: "人力资源部",
    3: "技术部",
    4: "销售部",
    5: "行政部",
}


STATUSES = frozenset({1, 2, 4, 5})
USERID_EXISTS = 60102
DEPARTMENT_NOT_FOUND = 60003


@dataclass(frozen=True)
class Member:
    userid: str
    name: str
    department: int
    title: str
    status: int = 1  # 1 active, 2 disabled, 4 not activated, 5 quit

    @property
    def department_name(self) -> str:
        return DEPARTMENTS.get(self.department, "")

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "department_name": self.department_name}


DEFAULT_MEMBERS: tuple[Member, ...] = (
    Member("zhangwei", "张伟", 2, "HR经理"),
    Member("lina", "李娜", 2, "招聘专员"),
    Member("wangqiang", "王强", 3, "技术面试官"),
    Member("chenjing", "陈静", 4, "销售总监"),
    Member("visitor", "访客", 5, "访客"),
)


class Directory:
    """Members by userid, and WeCom's rules for turning ``touser`` into recipients."""

    def __init__(self, members: tuple[Member, ...] = DEFAULT_MEMBERS) -> None:
        self._members = {m.userid: m for m in members}

    def __contains__(self, userid: object) -> bool:
        return userid in self._members

    def all(self) -> list[Member]:
        return list(self._members.values())

    def get(self, userid: str) -> Member:
        member = self._members.get(userid)
        if member is None:
            raise codes.ApiError(codes.USERID_NOT_FOUND, f"userid not found: {userid}")
        return member

    def change(
        self, userid: str, *, delete: bool = False, new_userid: str = "",
        department: int | None = None, status: int | None = None,
    ) -> Member | None:  # fmt: skip
        """The admin edits 通讯录: delete, rename, move or change a member's status.
        Returns the member as it now is (``None`` once deleted)."""
        member = self.get(userid)
        if delete:
            del self._members[userid]
            return None
        if new_userid and new_userid != userid and new_userid in self._members:
            raise codes.ApiError(USERID_EXISTS, f"userid existed: {new_userid}")
        if department is not None and department not in DEPARTMENTS:
            raise codes.ApiError(DEPARTMENT_NOT_FOUND, f"department not found: {department}")
        if status is not None and status not in STATUSES:
            raise codes.param_error(f"status must be one of {sorted(STATUSES)}")
        changed = replace(
            member,
            userid=new_userid or userid,
            department=member.department if department is None else department,
            status=member.status if status is None else status,
        )
        self._members = {
            (changed.userid if k == userid else k): (changed if k == userid else m)
            for k, m in self._members.items()
        }
        return changed

    def resolve(self, touser: str) -> tuple[list[str], list[str]]:
        """Split ``"a|b"`` (or ``"@all"``) into known and unknown userids, order kept."""
        if touser.strip() == "@all":
            return list(self._members), []
        valid: list[str] = []
        invalid: list[str] = []
        for userid in touser.split("|"):
            if not userid:
                continue
            target = valid if userid in self._members else invalid
            if userid not in target:
                target.append(userid)
        return valid, invalid

    def resolve_parties(self, toparty: str) -> tuple[list[str], list[str]]:
        """Members of the departments in ``"2|3"`` (1 is the root: everyone), and unknown ids."""
        members: list[str] = []
        invalid: list[str] = []
        for part in filter(None, toparty.split("|")):
            dept = int(part) if part.isdigit() else -1
            if dept not in DEPARTMENTS:
                invalid.append(part)
                continue
            members += [u for u, m in self._members.items() if dept in (1, m.department)]
        return list(dict.fromkeys(members)), invalid

    def user_get(self, userid: str) -> dict[str, Any]:
        """The shape of ``GET /cgi-bin/user/get`` (the fields this project may read)."""
        if not userid:
            raise codes.ApiError(41009, "missing userid")
        m = self.get(userid)
        return {
            "userid": m.userid,
            "name": m.name,
            "department": [m.department],
            "main_department": m.department,
            "position": m.title,
            "status": m.status,
        }
