"""Gateway CPU per callback: signature first (today) against parse first (the order before).

``bench/callbacks.py`` measures the whole service, and on a shared 2-core box its figures move
with the neighbours. This one times only the gateway's own work, both orders in the same
process (both over today's iterative parser), with the sandbox's real signed and encrypted
payloads:

- *genuine*: a text callback and an approval callback (nested) — decode, find ``Encrypt``,
  verify, parse, decrypt, parse the message;
- *forged*: an unsigned 8 KB envelope of 1,200 nested elements; the order before parsed it
  first (and then answered 500 from a recursive walk), now it costs a scan and one SHA-1.

    .venv/bin/python bench/gateway_order.py [--number 3000] [--repeat 9]
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: make the project importable
    sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from recruiting.errors import RecruitingError  # noqa: E402
from recruiting.settings import load_settings  # noqa: E402
from wecom_bot import xmlcodec  # noqa: E402
from wecom_bot.crypto import WeComCrypto  # noqa: E402
from wecom_bot.events import parse_event  # noqa: E402
from wecom_bot.sandbox.pusher import CallbackPusher  # noqa: E402


def parse_first(crypto: WeComCrypto, query: dict[str, str], body: bytes) -> None:
    envelope = xmlcodec.parse(body)
    encrypted = envelope["Encrypt"]
    crypto.verify(query["msg_signature"], query["timestamp"], query["nonce"], encrypted)
    parse_event(xmlcodec.parse(crypto.decrypt(encrypted)))


def signature_first(crypto: WeComCrypto, query: dict[str, str], body: bytes) -> None:
    """What ``CallbackGateway.receive`` does before the inbox."""
    text = xmlcodec.decode(body)
    envelope = xmlcodec.flat(text)
    encrypted = envelope.get("Encrypt") if envelope else xmlcodec.sole_text(text, "Encrypt")
    crypto.verify(query["msg_signature"], query["timestamp"], query["nonce"], encrypted or "")
    if envelope is None:
        envelope = xmlcodec.parse(text)
        assert envelope.get("Encrypt") == encrypted
    parse_event(xmlcodec.parse(crypto.decrypt(encrypted or "")))


def per_call_us(crypto: WeComCrypto, query: dict[str, str], body: bytes, number: int,
                repeat: int) -> tuple[float, float]:  # fmt: skip
    """Best CPU time per call of each order, the two interleaved so drift hits both."""
    best = {parse_first: float("inf"), signature_first: float("inf")}
    for _ in range(repeat):
        for order in best:
            start = time.process_time()
            for _ in range(number):
                with contextlib.suppress(RecruitingError):  # forged: refused either way
                    order(crypto, query, body)
            best[order] = min(best[order], time.process_time() - start)
    return best[parse_first] / number * 1e6, best[signature_first] / number * 1e6


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--number", type=int, default=3000)
    p.add_argument("--repeat", type=int, default=9)
    args = p.parse_args()
    w = load_settings(None, {"DATA_DIR": "/tmp/gateway-order-bench"}).wecom
    crypto = WeComCrypto(w.token, w.encoding_aes_key, w.corp_id)
    pusher = CallbackPusher("http://unused", w.token, w.encoding_aes_key, w.corp_id,
                            w.agent_id, httpx.AsyncClient())  # fmt: skip
    info = {"SpNo": "202600001", "SpName": "录用审批", "SpStatus": 1, "TemplateId": "t",
            "ApplyTime": 1, "Applyer": {"UserId": "lina", "Party": "1"},
            "SpRecord": [{"SpStatus": 1, "ApproverAttr": 1,
                          "Details": [{"Approver": {"UserId": "zhangwei"}, "SpStatus": 1}]}],
            "StatuChangeEvent": 1}  # fmt: skip
    cases = {
        "genuine text": pusher.envelope(pusher.text("lina", "帮助")),
        "genuine approval": pusher.envelope(pusher.approval_change(info)),
    }
    nested = "<a>" * 1200 + "x" + "</a>" * 1200
    forged_body = f"<xml>{nested}<Encrypt><![CDATA[QUJD]]></Encrypt></xml>".encode()
    print(f"{'case':<18} {'parse first':>12} {'signature first':>16}   (CPU µs per callback)")
    n, r = args.number, args.repeat
    for name, env in cases.items():
        before, after = per_call_us(crypto, dict(env.params), env.body, n, r)
        print(f"{name:<18} {before:>12.1f} {after:>16.1f}   ({after / before:.2f}×)")
    query = dict(cases["genuine text"].params)
    before, after = per_call_us(crypto, query, forged_body, max(1, n // 10), r)
    print(f"{'forged, nested':<18} {before:>12.1f} {after:>16.1f}   ({after / before:.2f}×)")
    print(f"(forged: {len(forged_body)} bytes; before this change its parse ended in a 500)")


if __name__ == "__main__":
    main()
