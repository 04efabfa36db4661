"""The pure parts of the candidate's data requests: contact values checked before anything
is stored, masking for readable pages, the HR card's buttons per kind, the talent-pool
question and its answer keys."""

from __future__ import annotations

import zoneinfo
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from recruiting.domain import data_requests as rules
from recruiting.domain.routing import parse_key
from recruiting.errors import InvalidInput
from recruiting.models import DataRequest, DataRequestKind, DataRequestStatus
from recruiting.services.messaging.effects import Effects
from recruiting.services.personal_data import requests as req
from recruiting.services.personal_data import talent_pool as tp
from tests.conftest import TEST_CIPHER


def test_contact_values_are_checked_and_normalised() -> None:
    assert rules.contact_value("phone", "+86 139-0013-9000") == "13900139000"
    assert rules.contact_value("phone", "0086 13900139000") == "13900139000"
    assert rules.contact_value("email", " Zhao.Min@Example.com ") == "zhao.min@example.com"
    for field, bad in (("phone", "12345"), ("phone", "23800138000"), ("phone", "139001390001"),
                       ("email", "a@b"), ("email", "赵@例子.中国"), ("email", "x" * 250 + "@a.cn"),
                       ("phone", 138), ("phone", "   "), ("name", "赵敏"), ("id_number", "1")):  # fmt: skip
        with pytest.raises(InvalidInput) as refused:
            rules.contact_value(field, bad)
        assert any("\u4e00" <= ch <= "\u9fff" for ch in refused.value.message)


def test_a_corrected_contact_is_normalised_as_intake_normalises_it() -> None:
    from recruiting.domain.intake import normalise_email, normalise_phone

    for raw in ("８６13800138000", "(138) 0013-8000", "8613800138000"):
        assert rules.contact_value("phone", raw) == normalise_phone(raw) == "13800138000"
    assert rules.contact_value("email", "Ｚhao@Example.cn") == normalise_email("Ｚhao@Example.cn")


def test_masking_and_ways_in() -> None:
    assert rules.mask("phone", "13800138000") == "138****8000"
    assert rules.mask("email", "zhao@example.com") == "z***@example.com"
    assert rules.mask("phone", None) is None and rules.mask("phone", "") is None
    assert rules.via("letter") == "letter"
    with pytest.raises(InvalidInput) as refused:
        rules.via("fax")
    assert "电话" in refused.value.message and "phone" not in refused.value.message
    assert set(rules.STATUS_NAMES) == set(DataRequestStatus)
    assert set(rules.KIND_NAMES) == set(DataRequestKind)


class Eraser:
    async def erase(self, candidate_id: int, classes: Any = (), *, actor: Any,
                    trigger: str = "") -> None:  # fmt: skip
        raise AssertionError("not called by these tests")


def requests() -> req.DataRequests:
    async def held(candidate_id: int) -> bool:
        return False

    return req.DataRequests(Effects(None), TEST_CIPHER, Eraser(), held, due_days=15,
                            zone=zoneinfo.ZoneInfo("Asia/Shanghai"))  # fmt: skip


def row(kind: DataRequestKind, **values: Any) -> DataRequest:
    now = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
    return DataRequest(id=7, candidate_id=3, kind=kind, status=DataRequestStatus.RECEIVED,
                       via="phone", created_at=now, due_at=now + timedelta(days=15),
                       **values)  # fmt: skip


def test_the_card_offers_what_each_kind_allows() -> None:
    service = requests()
    cases = {
        DataRequestKind.CORRECTION: [req.CONFIRM, req.REFUSE],
        DataRequestKind.DELETION: [req.ERASE, req.NOTED],
        DataRequestKind.ACCESS: [req.ANSWERED],
    }
    for kind, prefixes in cases.items():
        r = row(kind, field="phone", new_value="13900139000")
        card = service._card(r, "赵敏", "销售代表")
        keys = [parse_key(b["key"]) for b in card["button_list"]]
        assert [k.prefix for k in keys if k] == prefixes and all(
            k and k.number(0) == 7 for k in keys
        )
        assert card["main_title"]["title"] == "个人信息申请：赵敏"
        facts = {f["keyname"]: f["value"] for f in card["horizontal_content_list"]}
        assert facts["来源"] == "电话" and facts["处理期限"] == "2026-12-16"
    correction = service._card(row(DataRequestKind.CORRECTION, field="phone",
                                   new_value="13900139000"), "赵敏", "")  # fmt: skip
    assert "139****9000" in str(correction) and "13900139000" not in str(correction)
    receipt = service._receipt(row(DataRequestKind.DELETION))
    assert "通过电话" in receipt and "2026年12月16日 前删除" in receipt


def test_the_talent_pool_question() -> None:
    draft = tp.offer_draft(42)
    assert draft.recipient == "candidate:42" and draft.payload["kind"] == "choices"
    assert draft.payload["subject"] == "pool:42"
    assert draft.payload["consent_version"] == tp.current_version()
    assert "加入人才库" in draft.payload["content"] and "撤回" in draft.payload["content"]
    assert [c["label"] for c in draft.payload["choices"]] == ["同意加入人才库", "不同意"]
    assert tp.choice_key(42, "grant") == "pool.grant:42"
    assert tp.choice_key(42, "decline") == "pool.decline:42"
