"""Field-level encryption for personal data (AES-256-GCM, key id kept for rotation).

Tokens look like ``v1.<kid>.<base64(nonce ‖ ciphertext)>``. The context (e.g.
``candidate.phone``) is bound as associated data, so a value copied into another field
or table does not decrypt. Old keys stay listed for reading; new writes use the active key.

Identifiers that are looked up by value (openids, external_userids) are sealed
deterministically instead (``s1.<kid>.…``, AES-SIV under a key derived from the same one):
equal values give equal tokens, so an equality filter or a unique index still works, and
the token is a keyed value that says nothing about the identifier without the key. A lookup
matches rows sealed under the active key: re-seal old rows when rotating.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM, AESSIV
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from recruiting.errors import ConfigError, InvalidInput

_SEARCHABLE = b"recruiting searchable v1"  # HKDF label of the deterministic keys
_LOOKUP = b"recruiting lookup hash v1"  # HKDF label of the duplicate-finding hash keys


class UndecryptableData(InvalidInput):
    code = "undecryptable"


class FieldCipher:
    def __init__(self, keys: dict[str, bytes], active_key_id: str) -> None:
        if active_key_id not in keys:
            raise ConfigError(f"security.pii_keys has no key {active_key_id!r}")
        self._keys = {kid: AESGCM(key) for kid, key in keys.items()}
        self._siv = {kid: AESSIV(_derive(key, _SEARCHABLE)) for kid, key in keys.items()}
        self._lookup = {kid: _derive(key, _LOOKUP)[:32] for kid, key in keys.items()}
        self.active_key_id = active_key_id

    def encrypt(self, plaintext: str, context: str) -> str:
        nonce = os.urandom(12)
        sealed = self._keys[self.active_key_id].encrypt(
            nonce, plaintext.encode("utf-8"), context.encode()
        )
        blob = base64.b64encode(nonce + sealed).decode("ascii")
        return f"v1.{self.active_key_id}.{blob}"

    def encrypt_searchable(self, plaintext: str, context: str) -> str:
        """The same value in the same context always gives the same token (see module)."""
        siv = self._siv[self.active_key_id]
        sealed = siv.encrypt(plaintext.encode("utf-8"), [context.encode()])
        return f"s1.{self.active_key_id}.{base64.b64encode(sealed).decode('ascii')}"

    def lookup_hash(self, value: str, purpose: str) -> str:
        """A keyed hash (HMAC-SHA256, 64 hex digits) of an already normalised value: equal
        values match, and without the key the hash cannot be tested against guesses (a
        plain hash of a phone number can, there are only 10^10 of them). Under the active
        key: rehash stored values when rotating (``python -m recruiting intake rehash``)."""
        message = purpose.encode() + b"\0" + value.encode("utf-8")
        return hmac.new(self._lookup[self.active_key_id], message, hashlib.sha256).hexdigest()

    def decrypt(self, token: str, context: str) -> str:
        version, kid, blob = _split(token)
        if version == "s1" and kid in self._siv:
            try:
                raw = base64.b64decode(blob, validate=True)
                return self._siv[kid].decrypt(raw, [context.encode()]).decode("utf-8")
            except (InvalidTag, binascii.Error, ValueError) as exc:
                raise UndecryptableData("value does not decrypt with its key") from exc
        aead = self._keys.get(kid)
        if version != "v1" or aead is None:
            raise UndecryptableData(f"no key {kid!r} for this value (rotated out?)")
        try:
            raw = base64.b64decode(blob, validate=True)
            return aead.decrypt(raw[:12], raw[12:], context.encode()).decode("utf-8")
        except (InvalidTag, binascii.Error, ValueError) as exc:
            raise UndecryptableData("value does not decrypt with its key") from exc

    def is_token(self, value: str) -> bool:
        """Whether ``value`` has the shape of a token under one of this cipher's keys."""
        parts = value.split(".", 2)
        return len(parts) == 3 and parts[0] in ("v1", "s1") and parts[1] in self._keys

    def key_id_of(self, token: str) -> str:
        return _split(token)[1]

    def needs_rotation(self, token: str) -> bool:
        return self.key_id_of(token) != self.active_key_id


def _derive(key: bytes, label: bytes) -> bytes:
    """A separate 64-byte AES-SIV key per purpose, so no key serves two constructions."""
    return HKDF(algorithm=hashes.SHA256(), length=64, salt=None, info=label).derive(key)


def _split(token: str) -> tuple[str, str, str]:
    parts = token.split(".", 2)
    if len(parts) != 3:
        raise UndecryptableData("not an encrypted value")
    return parts[0], parts[1], parts[2]
