"""The guard over what people read: no developer text and no cut word in any message the
WeCom sandbox recorded (app messages, card updates, 微信客服, external-contact sends).

Forbidden in a display field (links, keys, ids and task ids are not display fields):

* developer words: ``error``, ``exception``, ``Traceback``, ``None``, ``null``, ``failed``,
  ``install``, ``python`` … (whole ASCII words, any case), and an English sentence (three or
  more English words in a row);
* identifiers and files: ``snake_case`` names, ``camelCase`` names, file paths
  (``var/models/speech``, ``pages/x/index``), file names (``x.py``), backticks, ``{name}``
  placeholders left unfilled;
* a cut: brackets or quotes left open (``…（北京时间``) or an ellipsis right after a Latin
  letter (a word cut in the middle).

Allowed: Chinese, numbers, dates and times, ``offer``, ``HR``, ``AI``, names, and URLs (they
are removed before the check; a URL is how people reach the full text).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

DISPLAY_KEYS = frozenset(
    {
        "content",
        "title",
        "desc",
        "description",
        "sub_title_text",
        "keyname",
        "value",
        "text",
        "btntxt",
        "head_content",
        "tail_content",
        "replace_text",
        "replace_name",
    }
)
DEVELOPER_WORDS = frozenset(
    [
        "error",
        "errors",
        "errcode",
        "errmsg",
        "exception",
        "traceback",
        "none",
        "null",
        "nan",
        "undefined",
        "true",
        "false",
        "failed",
        "failure",
        "install",
        "installed",
        "pip",
        "python",
        "module",
        "model",
        "models",
        "speech",
        "assessed",
        "evidence",
        "invalid",
        "missing",
        "timeout",
        "unknown",
        "status",
        "reason",
        "detail",
        "json",
        "dict",
        "str",
        "int",
        "debug",
        "warning",
        "stack",
        "trace",
        "payload",
    ]
)
PAIRS = {"（": "）", "(": ")", "【": "】", "[": "]", "「": "」", "『": "』", "“": "”", "《": "》"}
_URL = re.compile(r"https?://\S+|weixin://\S+")
_WORD = re.compile(r"[A-Za-z]+")
_SENTENCE = re.compile(r"[A-Za-z]{2,}(?:[ ,;:'-]+[A-Za-z]{2,}){2,}")
_SNAKE = re.compile(r"\b[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)+\b")
_CAMEL = re.compile(r"\b[a-z]+[A-Z][A-Za-z]*\b")
_PATH = re.compile(r"[A-Za-z_.~-]*[A-Za-z]/[A-Za-z0-9_./-]*[A-Za-z]")
_FILE = re.compile(r"\b[\w-]+\.(?:py|pyc|yaml|yml|json|log|txt|tar|gz|tgz|sqlite3?|html)\b")
_PLACEHOLDER = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*\}")
_CUT_WORD = re.compile(r"[A-Za-z]…")


def problems(text: str) -> list[str]:
    """What is wrong with one display string, in words a test failure can show."""
    found: list[str] = []
    plain = _URL.sub(" ", text)
    for word in _WORD.findall(plain):
        if word.lower() in DEVELOPER_WORDS:
            found.append(f"developer word {word!r}")
    for pattern, what in (
        (_SENTENCE, "English sentence"),
        (_SNAKE, "identifier"),
        (_CAMEL, "identifier"),
        (_PATH, "file path"),
        (_FILE, "file name"),
        (_PLACEHOLDER, "unfilled placeholder"),
        (_CUT_WORD, "word cut before the ellipsis"),
    ):
        found += [f"{what} {m.group(0)!r}" for m in pattern.finditer(plain)]
    if "`" in plain:
        found.append("backtick")
    found += _open_brackets(plain)
    return found


def _open_brackets(text: str) -> list[str]:
    closers = {close: open_ for open_, close in PAIRS.items()}
    stack: list[str] = []
    for ch in text:
        if ch in PAIRS:
            stack.append(ch)
        elif ch in closers and stack and stack[-1] == closers[ch]:
            stack.pop()
    return [f"bracket {opened!r} never closed (a cut?)" for opened in stack]


def display_strings(value: Any, key: str = "") -> Iterator[str]:
    """The strings a person sees in a message body or card (recursively)."""
    if isinstance(value, str):
        if key in DISPLAY_KEYS:
            yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            if k in DISPLAY_KEYS or isinstance(v, dict | list):
                yield from display_strings(v, str(k))
    elif isinstance(value, list):
        for item in value:
            yield from display_strings(item, key)


def sandbox_findings(state: Any) -> list[str]:
    """Every problem in what the sandbox ``state`` recorded, with who would have read it."""
    found: list[str] = []

    def check(who: str, body: Any) -> None:
        for text in display_strings(body):
            found.extend(f"{who}: {p} in {text!r}" for p in problems(text))

    for message in state.messages.sent:
        check(f"app message to {message.touser}", message.payload.get(message.msgtype))
    for view in state.cards.views.values():
        check(f"card {view.task_id} as {view.userid} sees it", view.card)
        check(f"card {view.task_id} as {view.userid} sees it", {"text": view.finished_text})
    for kf in state.kf.outbox:
        check(f"微信客服 message to {kf.external_userid}", kf.content)
    for template in state.customers.msg_templates:
        check(f"external-contact message to {template.get('external_userid')}", template)
    return found
