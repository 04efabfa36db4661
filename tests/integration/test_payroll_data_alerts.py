"""HR managers hear once per stale city per month, whoever runs the job how often."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from recruiting.models import OutboxMessage, Staff
from recruiting.ports.payroll import CityDataGap
from recruiting.services.demo import seed_demo_staff
from recruiting.services.messaging.effects import Effects
from recruiting.services.offers.payroll_data_alerts import PayrollDataAlerts
from tests.fakes.payroll import FakePackages

TZ = ZoneInfo("Asia/Shanghai")
SHANGHAI = CityDataGap(
    "shanghai", "上海", "stale", "上海2026年12月的社保公积金基数和比例尚未收录。"
)
CHENGDU = CityDataGap("chengdu", "成都", "unverified", "成都的社保公积金数据尚未与官方通知核对。")


async def messages() -> list[dict[str, Any]]:
    rows = await OutboxMessage.filter(channel="wecom.message").order_by("id")
    return [
        {"to": r.recipient, "text": r.payload["content"], "key": r.idempotency_key} for r in rows
    ]


async def test_one_message_per_stale_city_per_month_to_each_hr_manager(database: str) -> None:
    await seed_demo_staff()
    managers = [s.wecom_userid for s in await Staff.all() if "hr_manager" in s.role_set()]
    assert managers
    packages = FakePackages()
    packages.gaps = [SHANGHAI, CHENGDU]
    alerts = PayrollDataAlerts(packages, Effects(None), TZ)
    # 2026-11-30 23:30 UTC is already December in Shanghai
    now = datetime(2026, 11, 30, 23, 30, tzinfo=UTC)
    assert await alerts.send_due(now) == 2 * len(managers)
    assert await alerts.send_due(now) == 0  # the hourly rerun stores nothing new
    assert await alerts.send_due(datetime(2026, 12, 20, tzinfo=UTC)) == 0
    sent = await messages()
    assert {m["to"] for m in sent} == set(managers)
    assert {m["text"] for m in sent} == {SHANGHAI.notice, CHENGDU.notice}
    assert all(":2026-12:" in m["key"] for m in sent)
    # next month: told again; a city that was fixed is not
    packages.gaps = [CHENGDU]
    assert await alerts.send_due(datetime(2027, 1, 2, tzinfo=UTC)) == len(managers)
    packages.gaps = []
    assert await alerts.send_due(datetime(2027, 2, 2, tzinfo=UTC)) == 0


async def test_no_manager_no_message(database: str) -> None:
    packages = FakePackages()
    packages.gaps = [SHANGHAI]
    alerts = PayrollDataAlerts(packages, Effects(None), TZ)
    assert await alerts.send_due(datetime(2026, 12, 6, tzinfo=UTC)) == 0
    assert await messages() == []
