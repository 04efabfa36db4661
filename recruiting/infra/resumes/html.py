"""HTML and MHT (web archive) exports of recruiting sites → lines, table cells kept apart.

Exports from 智联 / 前程无忧 / 猎聘 are HTML tables or ``.mht`` web archives; block elements
end a line and cells are joined with `` | `` so a row reads as ``label | value``.
"""

from __future__ import annotations

import email
import re
from email import policy
from html.parser import HTMLParser

from recruiting.infra.resumes.limits import Refused
from recruiting.infra.resumes.text import decode

_BLOCK = {
    "p",
    "div",
    "br",
    "li",
    "tr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "section",
    "table",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "header",
    "footer",
    "article",
    "aside",
    "hr",
    "tbody",
    "thead",
    "blockquote",
    "pre",
    "form",
    "main",
    "nav",
}
_CELL = {"td", "th"}
_SKIP = {"script", "style", "head", "title", "noscript", "template", "svg"}


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[list[str]] = [[]]
        self._skip = 0
        self._cell = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self._skip += 1
        elif tag in _BLOCK:
            self._newline()
        elif tag in _CELL and "".join(self.lines[-1]).strip():
            self.lines[-1].append(" | ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self._skip = max(0, self._skip - 1)
        elif tag in _BLOCK:
            self._newline()

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.lines[-1].append(re.sub(r"\s+", " ", data))

    def _newline(self) -> None:
        if self.lines[-1]:
            self.lines.append([])


def html_lines(text: str) -> list[str]:
    parser = _Text()
    parser.feed(text)
    parser.close()
    out = []
    for parts in parser.lines:
        line = "".join(parts).strip().strip("|").strip()
        if line:
            out.append(line)
    return out


def read_html(data: bytes) -> list[str]:
    head = data[:4096].decode("ascii", errors="ignore")
    found = re.search(r"charset\s*=\s*[\"']?([A-Za-z0-9_\-]+)", head, re.IGNORECASE)
    text: str | None = None
    if found:
        try:
            text = data.decode(found.group(1).lower().replace("gb2312", "gb18030"))
        except (LookupError, UnicodeDecodeError):
            text = None
    return html_lines(text if text is not None else decode(data))


def read_mht(data: bytes) -> list[str]:
    """The first text/html part of a MIME web archive."""
    message = email.message_from_bytes(data, policy=policy.compat32)
    for part in message.walk():
        if part.get_content_type() == "text/html":
            payload = part.get_payload(decode=True)
            if not isinstance(payload, bytes):
                continue
            charset = part.get_content_charset() or ""
            try:
                text = payload.decode(charset.replace("gb2312", "gb18030")) if charset else None
            except (LookupError, UnicodeDecodeError):
                text = None
            return html_lines(text if text is not None else decode(payload))
    raise Refused("网页存档中没有找到简历内容", "mht without a text/html part")
