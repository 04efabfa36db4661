"""What the console needs from the service behind it: the demo's candidates with their
invitation codes, and the demo clock. The service provides it (``recruiting.services.demo.
SandboxDemo``) only when it runs in the same process as the sandbox, with the sandbox corp,
on loopback; a sandbox started alone has none and the console says so.
"""

from __future__ import annotations

from typing import Any, Protocol


class DemoWorld(Protocol):
    def offset_seconds(self) -> float:
        """How far the service's clock runs ahead of real time."""

    async def advance(self, seconds: float) -> dict[str, Any]:
        """Move the service's clock forward and run what became due; the new clock view."""

    async def restore(self, offset_seconds: float) -> None:
        """Run ahead again by a saved offset (after a restart)."""

    async def clock_view(self) -> dict[str, Any]:
        """Now, the offset and the next things the demo can jump to."""

    async def candidates(self) -> list[dict[str, Any]]:
        """Candidates with job, interview state, invitation code and 微信客服 binding."""
