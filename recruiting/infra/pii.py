"""Field-level encryption for personal data (AES-256-GCM, key id kept for rotation).

Tokens look like ``v1.<kid>.<base64(nonce ‖ ciphertext)>``. The context (e.g.
``candidate.phone``) is bound as associated data, so a value copied into another field
or table does not decrypt. Old keys stay listed for reading; new writes use the active key.
"""

from __future__ import annotations

import base64
import binascii
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from recruiting.errors import ConfigError, InvalidInput


class UndecryptableData(InvalidInput):
    code = "undecryptable"


class FieldCipher:
    def __init__(self, keys: dict[str, bytes], active_key_id: str) -> None:
        if active_key_id not in keys:
            raise ConfigError(f"security.pii_keys has no key {active_key_id!r}")
        self._keys = {kid: AESGCM(key) for kid, key in keys.items()}
        self.active_key_id = active_key_id

    def encrypt(self, plaintext: str, context: str) -> str:
        nonce = os.urandom(12)
        sealed = self._keys[self.active_key_id].encrypt(
            nonce, plaintext.encode("utf-8"), context.encode()
        )
        blob = base64.b64encode(nonce + sealed).decode("ascii")
        return f"v1.{self.active_key_id}.{blob}"

    def decrypt(self, token: str, context: str) -> str:
        version, kid, blob = _split(token)
        aead = self._keys.get(kid)
        if version != "v1" or aead is None:
            raise UndecryptableData(f"no key {kid!r} for this value (rotated out?)")
        try:
            raw = base64.b64decode(blob, validate=True)
            return aead.decrypt(raw[:12], raw[12:], context.encode()).decode("utf-8")
        except (InvalidTag, binascii.Error, ValueError) as exc:
            raise UndecryptableData("value does not decrypt with its key") from exc

    def key_id_of(self, token: str) -> str:
        return _split(token)[1]

    def needs_rotation(self, token: str) -> bool:
        return self.key_id_of(token) != self.active_key_id


def _split(token: str) -> tuple[str, str, str]:
    parts = token.split(".", 2)
    if len(parts) != 3:
        raise UndecryptableData("not an encrypted value")
    return parts[0], parts[1], parts[2]
