"""The callback gateway's logic: verify, decrypt, parse, de-duplicate, store — then answer.

Order matters: the signature is checked on the raw ``Encrypt`` text (a bounded scan) before
anything is parsed or decrypted, so forged traffic of any shape costs one scan and one
SHA-1; the inbox insert happens before the 200, so an acknowledged callback is never lost;
processing happens after, so WeCom's 5-second deadline is met.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from recruiting.errors import InvalidInput, Untrusted
from recruiting.services.messaging.inbox import Accepted, CallbackInbox
from wecom_bot import xmlcodec
from wecom_bot.crypto import WeComCrypto
from wecom_bot.events import parse_event


class StaleCallback(Untrusted):
    code = "stale_timestamp"


class WrongReceiver(Untrusted):
    code = "wrong_corp"


@dataclass(frozen=True)
class SignedQuery:
    msg_signature: str
    timestamp: str
    nonce: str

    @classmethod
    def from_args(cls, args: dict[str, str]) -> SignedQuery:
        missing = [k for k in ("msg_signature", "timestamp", "nonce") if not args.get(k)]
        if missing:
            raise InvalidInput(f"missing query parameters: {', '.join(missing)}")
        return cls(args["msg_signature"], args["timestamp"], args["nonce"])


class CallbackGateway:
    def __init__(
        self,
        crypto: WeComCrypto,
        inbox: CallbackInbox,
        *,
        max_age: int,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self._crypto = crypto
        self._inbox = inbox
        self._max_age = max_age
        self._time = wall_clock

    def verify_url(self, args: dict[str, str]) -> str:
        """The GET handshake: verify the signature over the encrypted echostr, decrypt it."""
        query = SignedQuery.from_args(args)
        echostr = args.get("echostr", "")
        if not echostr:
            raise InvalidInput("missing query parameter: echostr")
        self._crypto.verify(query.msg_signature, query.timestamp, query.nonce, echostr)
        self._check_fresh(query.timestamp)
        try:
            return self._crypto.decrypt(echostr).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InvalidInput("echostr does not decrypt to text") from exc

    async def receive(self, args: dict[str, str], body: bytes) -> Accepted:
        query = SignedQuery.from_args(args)
        text = xmlcodec.decode(body)
        # Scans, not a parse: WeCom's one-level envelope in one regex pass; any other shape
        # only has its Encrypt element picked out.
        envelope = xmlcodec.flat(text)
        encrypted = envelope.get("Encrypt") if envelope else xmlcodec.sole_text(text, "Encrypt")
        if not isinstance(encrypted, str) or not encrypted:
            raise InvalidInput("callback body has no Encrypt element")
        self._crypto.verify(query.msg_signature, query.timestamp, query.nonce, encrypted)
        self._check_fresh(query.timestamp)
        if envelope is None:  # signed by WeCom from here on: the bounded parser decides
            envelope = xmlcodec.parse(text)
            if envelope.get("Encrypt") != encrypted:
                raise xmlcodec.MalformedXml("malformed XML: Encrypt is not an element here")
        to_user = envelope.get("ToUserName")
        if isinstance(to_user, str) and to_user and to_user != self._crypto.receive_id:
            raise WrongReceiver("callback is addressed to another corp")
        plaintext = self._crypto.decrypt(encrypted)
        event = parse_event(xmlcodec.parse(plaintext))
        return await self._inbox.accept(event, plaintext)

    def _check_fresh(self, timestamp: str) -> None:
        try:
            sent = int(timestamp)
        except ValueError as exc:
            raise InvalidInput("timestamp is not an integer") from exc
        if abs(self._time() - sent) > self._max_age:
            raise StaleCallback(f"timestamp is more than {self._max_age}s away from now")
