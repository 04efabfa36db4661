"""In-memory payroll: keeps hand-offs in a dict. The fake for tests and the embedded demo."""

from __future__ import annotations

from payroll_bridge.port import HandOffReceipt, NewHire
from recruiting.errors import Conflict


class InMemoryPayroll:
    def __init__(self) -> None:
        self.hires: dict[str, NewHire] = {}
        self.calls = 0

    async def hand_off(self, new_hire: NewHire) -> HandOffReceipt:
        self.calls += 1
        key = new_hire.idempotency_key
        known = self.hires.get(key)
        if known is not None and known.record() != new_hire.record():
            raise Conflict(f"payroll holds a different record under {key}")
        self.hires[key] = new_hire
        return HandOffReceipt(new_hire.employee_id, reference=key, duplicate=known is not None)
