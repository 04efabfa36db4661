"""New hires for the adapter tests."""

from datetime import date
from decimal import Decimal as D

from payroll_bridge.offer import Offer
from payroll_bridge.port import NewHire, new_hire


def hire(employee_id: str = "E1001", name: str = "李娜", base: str = "20000") -> NewHire:
    offer = Offer(
        city="shanghai",
        base=D(base),
        performance_pct=D(10),
        allowances=D(1000),
        bonus_months=D(2),
        probation_months=3,
        probation_pct=D(80),
    )
    return new_hire(employee_id, name, date(2025, 3, 1), offer)
