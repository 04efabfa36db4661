"""WeCom callback crypto against the official test vector and hostile inputs."""

import base64
import json
from pathlib import Path

import pytest

from recruiting.errors import InvalidInput, Untrusted
from wecom_bot.crypto import (
    DecryptFailed,
    ReceiverMismatch,
    SignatureMismatch,
    WeComCrypto,
    signature,
)

VECTOR = json.loads((Path(__file__).parent.parent / "data" / "wecom-test-vector.json").read_text())


@pytest.fixture
def crypto() -> WeComCrypto:
    return WeComCrypto(VECTOR["token"], VECTOR["encoding_aes_key"], VECTOR["corp_id"])


def test_official_vector_signature_and_plaintext(crypto: WeComCrypto) -> None:
    crypto.verify(VECTOR["msg_signature"], VECTOR["timestamp"], VECTOR["nonce"], VECTOR["encrypt"])
    plain = crypto.decrypt(VECTOR["encrypt"]).decode()
    for tag, value in VECTOR["expected_plaintext_fields"].items():
        assert f"<{tag}>" in plain and value in plain


def test_signature_is_sha1_of_sorted_parts() -> None:
    sig = signature(VECTOR["token"], VECTOR["timestamp"], VECTOR["nonce"], VECTOR["encrypt"])
    assert sig == VECTOR["msg_signature"]


def test_tampered_signature_is_refused(crypto: WeComCrypto) -> None:
    with pytest.raises(SignatureMismatch):
        crypto.verify("0" * 40, VECTOR["timestamp"], VECTOR["nonce"], VECTOR["encrypt"])
    with pytest.raises(Untrusted):
        crypto.verify(VECTOR["msg_signature"], "1409659814", VECTOR["nonce"], VECTOR["encrypt"])


def test_wrong_receiver_is_refused() -> None:
    other = WeComCrypto(VECTOR["token"], VECTOR["encoding_aes_key"], "wwsomeoneelse")
    with pytest.raises(ReceiverMismatch):
        other.decrypt(VECTOR["encrypt"])


def test_round_trip_keeps_multibyte_text(crypto: WeComCrypto) -> None:
    message = "<xml><Content><![CDATA[面试安排 ✓]]></Content></xml>".encode()
    assert crypto.decrypt(crypto.encrypt(message)) == message


def test_padding_is_to_32_bytes(crypto: WeComCrypto) -> None:
    for size in range(0, 70):
        raw = base64.b64decode(crypto.encrypt(b"x" * size))
        assert len(raw) % 32 == 0


@pytest.mark.parametrize(
    "ciphertext",
    [
        "not base64!!",
        "",
        base64.b64encode(b"short").decode(),
        base64.b64encode(b"\0" * 32).decode(),
    ],
)
def test_garbage_ciphertext_is_a_clear_error(crypto: WeComCrypto, ciphertext: str) -> None:
    with pytest.raises((DecryptFailed, ReceiverMismatch)) as info:
        crypto.decrypt(ciphertext)
    assert isinstance(info.value, InvalidInput | Untrusted)


def test_bad_aes_key_length() -> None:
    with pytest.raises(InvalidInput):
        WeComCrypto("t", "abc", "corp")
