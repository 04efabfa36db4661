"""Hardened XML in and out for WeCom payloads.

Untrusted XML may carry no DTD. Without one no entity can be declared, so there is nothing
to expand ("billion laughs") or fetch (XXE); expat rejects undeclared entities itself. The
DTD check runs on the decoded text, so a re-encoded (UTF-16) DOCTYPE cannot slip past, and
then the C parser reads the rest: defusedxml's parser subclass forces ElementTree's pure
Python builder, which cost a callback more than its decryption. The common one-level
document skips even the C parser (``flat``; a property test holds the two to the same
answers). Elements are read by tag name; repeated siblings become lists so callers never
guess the shape. The tree becomes that dict without recursion and stops at ``MAX_DEPTH``
levels or ``MAX_ELEMENTS`` elements: 1,200 nested elements cost a 400, not a stack.
``sole_text`` reads one element without parsing, for the signature check that must come
before any parse. XML is written as UTF-8 bytes with CDATA that can never be closed early by
``]]>`` in a value.
"""

from __future__ import annotations

import re
from typing import Any
from xml.etree.ElementTree import Element, ParseError, XMLParser

from recruiting.errors import InvalidInput

XmlValue = str | dict[str, Any] | list[Any]
# WeCom's deepest document is xml/ApprovalInfo/SpRecord/Details/Approver/UserId: 6 levels.
MAX_DEPTH = 16
MAX_ELEMENTS = 4096  # a 64 KB callback of <a/> elements holds 16,384: far past any real one


class MalformedXml(InvalidInput):
    code = "wecom_-40002_xml"


def parse(data: bytes | str) -> dict[str, Any]:
    """Parse a ``<xml>…</xml>`` document into a dict of its children.

    Nearly every callback and envelope is one flat level of CDATA or plain-text elements;
    that exact shape is read in one regex pass (``flat``), which gives what the parser
    gives. Anything else — nesting, repeats, attributes, entities, comments, a prolog,
    characters XML would refuse or normalise — goes to the C parser, which decides."""
    text = decode(data)
    _refuse_dtd(text)
    fields = flat(text)
    return fields if fields is not None else parse_tree(text)


def decode(data: bytes | str) -> str:
    """UTF-8 only (WeCom's encoding): anything else is refused, never guessed."""
    try:
        return data.decode("utf-8") if isinstance(data, bytes) else data
    except UnicodeDecodeError as exc:
        raise MalformedXml("malformed XML: not UTF-8") from exc


def sole_text(text: str, name: str) -> str | None:
    """The text of the one ``<name>`` element, by a bounded scan that parses nothing: None
    when there is none. Refused (MalformedXml): a repeat, a missing end tag, markup or any
    reference (``&``: so no DTD can change the value) inside. A signature can then be checked
    on exactly these characters before any parser sees the document; the caller parses it
    afterwards (refusing DTDs there) and must find the same value: a tag inside a comment or
    CDATA is not an element."""
    open_tag, close_tag = f"<{name}>", f"</{name}>"
    start = text.find(open_tag)
    if start < 0:
        return None
    end = text.find(close_tag, start)
    if end < 0 or text.find(open_tag, start + 1) >= 0 or text.find(close_tag, end + 1) >= 0:
        raise MalformedXml(f"malformed XML: expected one <{name}> element")
    inner = text[start + len(open_tag) : end].strip(" \t\r\n")
    if inner.startswith("<![CDATA[") and inner.endswith("]]>"):
        inner = inner[9:-3]
        if "]]>" in inner:
            raise MalformedXml(f"malformed XML: <{name}> holds more than one CDATA section")
    elif "<" in inner or "&" in inner:
        raise MalformedXml(f"malformed XML: <{name}> holds markup")
    return inner.strip()


def _refuse_dtd(text: str) -> None:
    if "<!DOCTYPE" in text or "<!ENTITY" in text:  # XML keywords are case-sensitive
        raise MalformedXml("malformed XML: DTDs and entity declarations are refused")


def parse_tree(text: str) -> dict[str, Any]:
    """Always the C parser (after the DTD refusal); what the flat fast path must agree with."""
    _refuse_dtd(text)
    try:
        parser = XMLParser()  # noqa: S314 - no DTD (checked above): no entity can be declared
        parser.feed(text)
        root = parser.close()
    except (ParseError, ValueError) as exc:
        raise MalformedXml(f"malformed XML: {type(exc).__name__}") from exc
    value = _to_value(root)
    if not isinstance(value, dict):
        raise MalformedXml("XML root has no child elements")
    return value


# One child of a flat document: optional XML whitespace, then an ASCII-named element holding
# one CDATA section or plain text without markup. A character the parser would refuse (most
# controls, U+FFFE/U+FFFF) or rewrite (CR: line-end normalisation) matches nothing here, so
# such a document goes to the parser, as does "]]>" in plain text (an error there); CDATA
# ends at its first "]]>", as in XML.
_ODD = "\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\r\\ufffe\\uffff"
_FLAT_FIELD = re.compile(
    rf"[ \t\n]*<([A-Za-z_][A-Za-z0-9_]*)>"
    rf"(?:<!\[CDATA\[([^\]{_ODD}]*(?:\](?!\]>)[^\]{_ODD}]*)*)\]\]>|([^<&{_ODD}]*))</\1>"
)


def flat(text: str) -> dict[str, Any] | None:
    """The children of a one-level ``<xml>`` document, or None if it has any other shape.

    One anchored regex pass per child, no parser and no recursion: linear in the text, and
    a nested document fails at its first child. Safe on input nobody has verified yet."""
    start = text.find("<xml>")
    end = text.rfind("</xml>")
    if start < 0 or end < start or text[:start].strip(" \t\n") or text[end + 6 :].strip(" \t\n"):
        return None
    fields: dict[str, Any] = {}
    position, end_of_fields = start + 5, end
    match_at = _FLAT_FIELD.match
    while position < end_of_fields:
        match = match_at(text, position, end_of_fields)
        if match is None:
            if text[position:end_of_fields].strip(" \t\n"):
                return None
            break
        name, cdata_value, plain = match.groups()
        value = cdata_value if cdata_value is not None else plain
        if name in fields or (plain and "]]>" in plain):
            return None  # a repeat becomes a list, a stray "]]>" is an error: the parser's call
        fields[name] = value.strip()
        position = match.end()
    return fields or None


def _to_value(root: Element) -> XmlValue:
    """The element as a value, on an explicit stack (input never drives recursion): a leaf is
    its stripped text, an element with children a dict of them (attributes and text between
    children ignored), a repeated tag a list. Past ``MAX_DEPTH`` levels or ``MAX_ELEMENTS``
    elements it stops. Faster than a recursive walk, and the C builder below it stays."""
    if not len(root):
        return (root.text or "").strip()
    top: dict[str, Any] = {}
    stack = [(iter(root), top)]
    count = 1
    while stack:
        children, result = stack[-1]
        for child in children:
            count += 1
            value: XmlValue
            nested = len(child)
            if count > MAX_ELEMENTS or (nested and len(stack) >= MAX_DEPTH - 1):
                raise MalformedXml(
                    f"malformed XML: over {MAX_DEPTH} levels or {MAX_ELEMENTS} elements"
                )
            if nested:
                value = {}
                stack.append((iter(child), value))
            else:
                value = (child.text or "").strip()
            existing = result.get(child.tag)
            if existing is None:
                result[child.tag] = value
            elif isinstance(existing, list):
                existing.append(value)
            else:
                result[child.tag] = [existing, value]
            if nested:
                break  # descend; this level's iterator resumes after the child is done
        else:
            stack.pop()
    return top


def as_list(value: Any) -> list[Any]:
    """One element parses as a value, several as a list: always give a list."""
    if value is None or value == "":
        return []
    return value if isinstance(value, list) else [value]


def cdata(value: str) -> str:
    return "<![CDATA[" + value.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def build(fields: dict[str, Any], root: str = "xml") -> bytes:
    """Serialise a dict (nested dicts, lists for repeats) to UTF-8 XML bytes."""
    return f"<{root}>{_build_children(fields)}</{root}>".encode()


def _build_children(fields: dict[str, Any]) -> str:
    parts: list[str] = []
    for tag, value in fields.items():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, dict):
                parts.append(f"<{tag}>{_build_children(item)}</{tag}>")
            elif isinstance(item, int):
                parts.append(f"<{tag}>{item}</{tag}>")
            else:
                parts.append(f"<{tag}>{cdata(str(item))}</{tag}>")
    return "".join(parts)
