"""WeCom callback cryptography (path/90238, path/91144) on top of wechatpy's AES core.

wechatpy does the AES-256-CBC work; this module adds what a public endpoint needs around
it: constant-time signature checks, strict layout and padding validation, and one typed
error per failure (carrying the reference library's error code) instead of a stack trace.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import string
import struct

from wechatpy.crypto.cryptography import WeChatCipher

from recruiting.errors import InvalidInput, Untrusted

_BLOCK = 32  # WeCom pads PKCS#7 to 32 bytes, not AES's 16.
_NONCE_ALPHABET = string.ascii_letters + string.digits


class SignatureMismatch(Untrusted):
    code = "wecom_-40001_signature"


class ReceiverMismatch(Untrusted):
    code = "wecom_-40005_receiveid"


class DecryptFailed(InvalidInput):
    code = "wecom_-40007_decrypt"


def signature(token: str, timestamp: str, nonce: str, encrypted: str) -> str:
    """``sha1`` over the sorted concatenation, lowercase hex."""
    joined = "".join(sorted([token, timestamp, nonce, encrypted]))
    return hashlib.sha1(joined.encode("utf-8")).hexdigest()  # noqa: S324 - the protocol says sha1


class WeComCrypto:
    """Sign, verify, encrypt and decrypt for one (token, EncodingAESKey, receiveid)."""

    def __init__(self, token: str, encoding_aes_key: str, receive_id: str) -> None:
        key = base64.b64decode(encoding_aes_key + "=")
        if len(key) != 32:
            raise InvalidInput("EncodingAESKey must decode to 32 bytes", code="wecom_-40004")
        self._token = token
        self._cipher = WeChatCipher(key)
        self.receive_id = receive_id

    def verify(self, msg_signature: str, timestamp: str, nonce: str, encrypted: str) -> None:
        expected = signature(self._token, timestamp, nonce, encrypted)
        if not hmac.compare_digest(expected, msg_signature.lower()):
            raise SignatureMismatch("callback signature does not match")

    def decrypt(self, encrypted: str) -> bytes:
        """Return the plaintext message bytes after checking layout and receiveid."""
        try:
            raw = base64.b64decode(encrypted, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise DecryptFailed("ciphertext is not base64", code="wecom_-40010_base64") from exc
        if not raw or len(raw) % _BLOCK:
            raise DecryptFailed("ciphertext length is not a multiple of 32")
        try:
            plain: bytes = self._cipher.decrypt(raw)
        except ValueError as exc:
            raise DecryptFailed("AES decryption failed") from exc
        pad = plain[-1]
        if not 1 <= pad <= _BLOCK or plain[-pad:] != bytes([pad]) * pad:
            raise DecryptFailed("bad PKCS#7 padding")
        body = plain[16:-pad]
        if len(body) < 4:
            raise DecryptFailed("plaintext too short")
        (length,) = struct.unpack(">I", body[:4])
        if length > len(body) - 4:
            raise DecryptFailed("message length exceeds plaintext")
        message, receive_id = body[4 : 4 + length], body[4 + length :]
        if not hmac.compare_digest(receive_id, self.receive_id.encode("utf-8")):
            raise ReceiverMismatch("receiveid does not match this corp")
        return message

    def encrypt(self, message: bytes) -> str:
        """Encrypt ``message`` (UTF-8 bytes) the way WeCom does; used by replies and the sandbox."""
        body = (
            secrets.token_bytes(16)
            + struct.pack(">I", len(message))
            + message
            + self.receive_id.encode("utf-8")
        )
        pad = _BLOCK - len(body) % _BLOCK
        return base64.b64encode(self._cipher.encrypt(body + bytes([pad]) * pad)).decode("ascii")

    def sign(self, timestamp: str, nonce: str, encrypted: str) -> str:
        return signature(self._token, timestamp, nonce, encrypted)

    @staticmethod
    def new_nonce() -> str:
        return "".join(secrets.choice(_NONCE_ALPHABET) for _ in range(16))
