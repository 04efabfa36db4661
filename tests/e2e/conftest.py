"""The e2e suite's shared fixture: the service + sandbox stack on each backend."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.e2e.stack import Stack, running


@pytest.fixture(params=["sqlite", "postgres+redis"])
async def stack(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Stack]:
    """Service + sandbox on SQLite, then on PostgreSQL + Redis (modules that need another
    stack, such as the mini-app's, define their own ``stack``)."""
    async with running(request.param, tmp_path, "svc") as stack:
        yield stack
