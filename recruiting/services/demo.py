"""Demo staff for the sandbox corp, so a newcomer can talk to the bot on the first run.

Only ever used when the service runs against the built-in WeCom sandbox. The sandbox's
member ``visitor`` is deliberately left out: it shows what an unregistered member sees.
"""

from __future__ import annotations

from recruiting.models import Staff

DEMO_STAFF = [
    ("zhangwei", "张伟", "HR经理", ["hr_manager"]),
    ("lina", "李娜", "招聘专员", ["hr"]),
    ("wangqiang", "王强", "技术面试官", ["interviewer"]),
    ("chenjing", "陈静", "销售总监", ["interviewer"]),
]


async def seed_demo_staff() -> int:
    """Create the demo staff that are missing; returns how many were created."""
    created = 0
    for userid, name, title, roles in DEMO_STAFF:
        _, is_new = await Staff.get_or_create(
            wecom_userid=userid, defaults={"name": name, "title": title, "roles": roles}
        )
        created += int(is_new)
    return created
