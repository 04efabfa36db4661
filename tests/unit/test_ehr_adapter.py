"""EHR adapters without a database: mappings, HTTP error translation, signatures, files."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest

from ehr_adapter.auth import HmacAuth, string_to_sign
from ehr_adapter.config import DEFAULT_MAPPINGS, load_ehr_config
from ehr_adapter.files import FileExchange, read_table, write_table
from ehr_adapter.mapping import load_mapping
from ehr_adapter.records import MASK
from ehr_adapter.rest import IDEMPOTENCY_HEADER, RestEhr, retry_after
from ehr_adapter.xinrenxinshi import XinrenxinshiEhr, sign
from recruiting.errors import ConfigError, ExternalServiceError, InvalidInput, RetryLater
from recruiting.ports.ehr import (
    CandidateArchive,
    ehr_draft,
    record_from_payload,
)
from tests.unit.ehr_records import ARCHIVE, EMPLOYEE, unseal


def test_payload_round_trip_and_candidate_order() -> None:
    draft = ehr_draft(ARCHIVE, "ehr.archive")
    assert draft.recipient == "candidate:3" and draft.channel == "ehr"
    assert record_from_payload(json.loads(json.dumps(draft.payload))) == ARCHIVE
    assert record_from_payload(ehr_draft(EMPLOYEE, "e").payload) == EMPLOYEE
    with pytest.raises(InvalidInput):
        record_from_payload({"op": "archive", "record": {"x": 1}})


def test_generic_mapping_renders_nested_lists_and_enums() -> None:
    mapping = load_mapping(DEFAULT_MAPPINGS["rest"])
    from ehr_adapter.records import record_source

    body = mapping.section("archive").render(record_source(ARCHIVE, unseal))
    assert body["candidate"] == {"name": "刘洋", "mobile": "13800001111", "email": None}
    assert body["decision"] == "HIRED" and body["source"] == "wecom-interviews"
    score = body["interviews"][0]["scores"][0]
    assert score["evidence"] == [{"quote": "我先分析了数据", "source": "a1"}]
    masked = mapping.section("archive").render(record_source(ARCHIVE, None))
    assert masked["candidate"]["mobile"] == MASK
    odd = CandidateArchive(**{**ARCHIVE.__dict__, "decision": "on_hold"})
    with pytest.raises(InvalidInput, match="no entry"):
        mapping.section("archive").render(record_source(odd, None))


def test_bad_mapping_names_the_key(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text("archive:\n  fields:\n    name: {from: 3}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"archive\.fields\.name"):
        load_mapping(path)
    path.write_text("endpoints:\n  delete: {method: DELETE, path: /x}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="endpoints"):
        load_mapping(path)


def test_config_defaults_and_errors(tmp_path: Path) -> None:
    config = load_ehr_config(tmp_path, env={})
    assert config.adapter == "file" and config.exchange_dir == tmp_path / "ehr"
    assert config.max_attempts == 20 and config.backoff_cap >= config.backoff_base
    with pytest.raises(ConfigError, match=r"ehr\.base_url \(EHR_BASE_URL\)"):
        load_ehr_config(tmp_path, env={"EHR_ADAPTER": "rest"})
    with pytest.raises(ConfigError, match=r"ehr\.client_secret"):
        load_ehr_config(tmp_path, env={"EHR_ADAPTER": "rest", "EHR_BASE_URL": "https://e.x",
                                        "RECRUITING__EHR__AUTH": "oauth2"})  # fmt: skip


def test_retry_after_header_forms() -> None:
    assert retry_after("120") == 120.0
    assert retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0) == 10.0
    assert retry_after("soon") == 0.0 and retry_after(None) == 0.0


def _rest(handler: Any) -> RestEhr:
    mapping = load_mapping(DEFAULT_MAPPINGS["rest"])
    return RestEhr("https://ehr.example", mapping, unseal, transport=httpx.MockTransport(handler))


@pytest.mark.parametrize(
    ("status", "headers", "error", "wait"),
    [
        (429, {"Retry-After": "7"}, RetryLater, 7.0),
        (503, {}, RetryLater, 0.0),
        (422, {}, InvalidInput, None),
        (409, {}, InvalidInput, None),
        (403, {}, ExternalServiceError, None),
    ],
)
async def test_rest_translates_status_codes(
    status: int, headers: dict[str, str], error: type[Exception], wait: float | None
) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(status, headers=headers, json={"error": "x"})

    with pytest.raises(error) as info:
        await _rest(handler).push_archive(ARCHIVE, idempotency_key="k-1")
    assert type(info.value) is error or issubclass(type(info.value), error)
    if wait is not None:
        assert isinstance(info.value, RetryLater) and info.value.retry_after == wait
    assert seen[0].headers[IDEMPOTENCY_HEADER] == "k-1"


async def test_rest_timeout_is_transient_and_success_keeps_the_id() -> None:
    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("no answer", request=request)

    with pytest.raises(RetryLater):
        await _rest(slow).create_employee(EMPLOYEE, idempotency_key="k")

    def created(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        assert body["employmentType"] == "INTERN" and body["mobile"] == "13800001111"
        return httpx.Response(201, json={"id": "E42"})

    assert await _rest(created).create_employee(EMPLOYEE, idempotency_key="k") == {
        "external_id": "E42"
    }


async def test_hmac_signs_what_is_sent() -> None:
    request = httpx.Request("POST", "https://e.x/v1/employees?a=1", content=b'{"x":1}')
    await HmacAuth("app", "secret").apply(request, httpx.AsyncClient())
    message = string_to_sign("POST", "/v1/employees?a=1", request.headers["X-Ehr-Timestamp"],
                             request.headers["X-Ehr-Nonce"], b'{"x":1}')  # fmt: skip
    from ehr_adapter.auth import signature

    assert request.headers["X-Ehr-Signature"] == signature("secret", message)


def test_xinrenxinshi_signature_matches_the_documented_sample() -> None:
    # api.xinrenxinshi.com/doc/v1/page/flow.html: "hello" with key "123456"
    assert sign("123456", "hello") == "NYSQUfYBHG0EZ6pU%2Br%2BIw4CvPIQ%3D"


async def test_xinrenxinshi_create_is_idempotent_by_lookup() -> None:
    created: list[dict[str, Any]] = []
    existing: dict[str, str] = {}

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/authorize/oauth/token":
            return httpx.Response(200, json={"access_token": "t", "expires_in": 7200})
        assert request.headers["access_token"] == "t" and request.url.params["sign"]
        body = json.loads(request.content)
        if request.url.path == "/v5/employee/getId":
            assert body["type"] == 0 and body["status"] == 2
            return httpx.Response(200, json={"errcode": 0, "errmsg": "ok", "data": existing})
        created.append(body)
        existing["13800001111"] = "emp-1"
        return httpx.Response(200, json={"errcode": 0, "data": {"employeeId": "emp-1"}})

    ehr = XinrenxinshiEhr("https://api.x", "key", "secret", unseal,
                          transport=httpx.MockTransport(handler))  # fmt: skip
    first = await ehr.create_employee(EMPLOYEE, idempotency_key="k")
    again = await ehr.create_employee(EMPLOYEE, idempotency_key="k")  # retry after a lost answer
    assert first == {"external_id": "emp-1"} and again["existing"] is True
    assert len(created) == 1
    assert created[0]["hireType"] == 1 and created[0]["laborType"] == 10
    assert XinrenxinshiEhr.preview(EMPLOYEE)["mobile"] == MASK


async def test_file_exchange_spools_once_and_exports(tmp_path: Path) -> None:
    exchange = FileExchange(tmp_path, load_mapping(DEFAULT_MAPPINGS["file"]), unseal)
    await exchange.push_archive(ARCHIVE, idempotency_key="a")
    assert (await exchange.push_archive(ARCHIVE, idempotency_key="a"))["duplicate"]
    await exchange.create_employee(EMPLOYEE, idempotency_key="e")
    result = exchange.export("xlsx", tmp_path / "out")
    assert (result.archives, result.employees) == (1, 1)
    header, rows = read_table(result.files[0])
    assert header[:2] == ["申请编号", "姓名"] and rows[0][1]["手机"] == "13800001111"
    assert rows[0][1]["结论"] == "已录用"
    assert (result.files[0].stat().st_mode & 0o077) == 0  # owner only: personal data
    assert exchange.export("csv").files == []  # moved to exported/: nothing twice
    assert (await exchange.push_archive(ARCHIVE, idempotency_key="a"))["duplicate"]
    await exchange.create_employee(EMPLOYEE, idempotency_key="e2")
    csv_files = exchange.export("csv", tmp_path / "out").files
    assert csv_files[0].read_bytes().startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
async def test_import_reports_every_bad_row(tmp_path: Path, suffix: str) -> None:
    exchange = FileExchange(tmp_path, load_mapping(DEFAULT_MAPPINGS["file"]), unseal)
    header = ["岗位编码", "岗位名称", "部门", "城市", "状态", "胜任力编码", "胜任力名称", "权重"]
    path = tmp_path / f"job_openings{suffix}"
    write_table(path, header, [
        ["DEV-01", "后端工程师", "研发", "杭州", "招聘中", "CODE", "编码能力", "0.7"],
        ["DEV-01", "后端工程师", "研发", "杭州", "招聘中", "COMM", "沟通能力", "0.3"],
        ["OPS-01", "运维", "研发", "杭州", "招聘中", "LEAD", "领导力", "abc"],
        ["", "无编码", "", "", "招聘中", "", "", ""],
        ["PM-01", "产品经理", "产品", "北京", "进行中", "COMM", "沟通能力", "1"],
        ["QA-01", "测试", "研发", "杭州", "招聘中", "CODE", "编码能力", "0.5"],
    ])  # fmt: skip
    report = exchange.import_file(path)
    assert report.kind == "job_openings"
    assert [e.row for e in report.errors] == [4, 5, 6, 7]
    assert "能力模型的权重合计须为 100%" in report.errors[-1].message
    good = next(o for o in report.openings if o.code == "DEV-01")
    assert [c.code for c in good.competencies] == ["CODE", "COMM"] and good.status == "open"
    path.write_text("员工编号,考核周期,绩效等级,绩效分数\nE1,2026-H1,A,95\nE2,,B,x\n", "utf-8")
    if suffix == ".csv":
        ratings = exchange.import_file(path)
        assert ratings.kind == "performance" and len(ratings.ratings) == 1
        assert [e.row for e in ratings.errors] == [3]


def test_start_date_is_iso() -> None:
    assert date.fromisoformat(EMPLOYEE.start_date)


def test_unknown_ehr_key_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"ehr\.basurl is not a setting"):
        load_ehr_config(tmp_path, env={"RECRUITING__EHR__BASURL": "http://x"})
