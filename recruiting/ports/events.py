"""Turning a stored raw callback back into a typed event (implemented by the WeCom adapter)."""

from __future__ import annotations

from typing import Protocol

from recruiting.domain.inbound import Inbound


class EventDecoder(Protocol):
    def __call__(self, plaintext: bytes) -> Inbound: ...
