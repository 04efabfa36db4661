"""Fuzz the served OpenAPI document with schemathesis: whatever the input, the service
answers with a documented client error or success, never a 5xx.

The service runs as a real process (``python -m recruiting run``: service + WeCom sandbox on
the embedded default); every generated request is sent once without credentials, once as a
candidate (after redeeming an invitation) and once as an HR member.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.serving import run_process


def _start(tmp: Path) -> tuple[subprocess.Popen[bytes], str, str]:
    return run_process(tmp, {"RECRUITING__ANALYSIS__PROCESSES": "0",
                             # most generated cases would otherwise meet a 429 (test_dos.py)
                             "RECRUITING__RATE_LIMITS__ENABLED": "false"})  # fmt: skip


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    proc, base, sandbox = _start(tmp_path_factory.mktemp("fuzz"))
    try:
        hr_code = httpx.post(f"{sandbox}/sandbox/jscode", json={"userid": "lina"}).json()
        hr = httpx.post(f"{base}/miniapp/v1/login/staff", json=hr_code).json()["token"]
        wx_code = httpx.post(f"{sandbox}/sandbox/wechat_code", json={"openid": "o-fuzz"}).json()
        candidate = httpx.post(f"{base}/miniapp/v1/login/candidate", json=wx_code).json()["token"]
        yield {"base": base, "tokens": [None, hr, candidate]}
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_no_input_makes_the_service_fail(service: dict[str, Any]) -> None:
    """Each operation of the served document gets generated cases (schemathesis's own pytest
    plugin does not run under this pytest, so its strategies are driven directly)."""
    schema = schemathesis.openapi.from_url(f"{service['base']}/docs/openapi.json")
    operations = [r.ok() for r in schema.get_all_operations()]
    assert len(operations) > 20  # the mini-app API and the WeCom callback are documented
    for operation in operations:
        if operation.path.startswith("/docs"):
            continue
        _fuzz(operation, service)


def _fuzz(operation: Any, service: dict[str, Any]) -> None:
    @given(case=operation.as_strategy())
    @settings(
        max_examples=20, deadline=None, suppress_health_check=list(HealthCheck), database=None
    )
    def run(case: Any) -> None:
        for token in service["tokens"]:
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            case.call_and_validate(
                base_url=service["base"],
                headers=headers,
                checks=[schemathesis.checks.not_a_server_error],
                timeout=30,
            )

    run()


def test_document_lists_only_the_service(service: dict[str, Any]) -> None:
    """`run` hosts the sandbox in the same process: its routes are not the service's API."""
    paths = httpx.get(f"{service['base']}/docs/openapi.json").json()["paths"]
    foreign = [p for p in paths if not p.startswith(("/miniapp/", "/wecom/", "/healthz"))]
    assert foreign == []
    assert "/miniapp/v1/uploads" in paths and "/wecom/callback" in paths


def test_docs_page_needs_no_outside_server(service: dict[str, Any]) -> None:
    """On-premise deployments are often offline: the page loads nothing from a CDN."""
    page = httpx.get(f"{service['base']}/docs")
    assert page.status_code == 200
    sources = re.findall(r'(?:src|href|spec-url)="([^"]+)"', page.text)
    assert sources and all(s.startswith("/") for s in sources), sources
    script = httpx.get(f"{service['base']}/docs/redoc.standalone.js")
    assert script.status_code == 200
    assert script.headers["content-type"].startswith("application/javascript")
    assert b"Redoc" in script.content
