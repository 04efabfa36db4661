"""Time in one place, timezone-aware, so tests can move it.

The sandbox demo may move it forward too (``advance``), so reminders, surveys, summaries and
deadlines can be watched without waiting: only ``recruiting.services.demo.SandboxTime``
calls it, and only when the settings say the service runs against the sandbox on loopback.
The offset lives in this process: ``run`` (service + sandbox in one process) follows it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

_offset = timedelta(0)


def now() -> datetime:
    return datetime.now(UTC) + _offset


def offset() -> timedelta:
    """How far this process's clock runs ahead of real time (zero unless the demo moved it)."""
    return _offset


def advance(by: timedelta) -> datetime:
    """Move this process's clock forward by ``by`` (never back: what happened stays past)."""
    global _offset
    if by < timedelta(0):
        raise ValueError("the clock only moves forward")
    _offset += by
    return now()


def rewind() -> None:
    """Real time again (tests, after playing the demo)."""
    global _offset
    _offset = timedelta(0)
