"""Hardened XML in and out for WeCom payloads.

Untrusted XML may carry no DTD. Without one no entity can be declared, so there is nothing
to expand ("billion laughs") or fetch (XXE); expat rejects undeclared entities itself. The
DTD check runs on the decoded text, so a re-encoded (UTF-16) DOCTYPE cannot slip past, and
then the C parser reads the rest: defusedxml's parser subclass forces ElementTree's pure
Python builder, which cost a callback more than its decryption. The common one-level
document skips even the C parser (``_flat``; a property test holds the two to the same
answers). Elements are read by tag name; repeated siblings become lists so callers never
guess the shape. XML is
written as UTF-8 bytes with CDATA that can never be closed early by ``]]>`` in a value.
"""

from __future__ import annotations

import re
from typing import Any
from xml.etree.ElementTree import Element, ParseError, XMLParser

from recruiting.errors import InvalidInput

XmlValue = str | dict[str, Any] | list[Any]


class MalformedXml(InvalidInput):
    code = "wecom_-40002_xml"


def parse(data: bytes | str) -> dict[str, Any]:
    """Parse a ``<xml>…</xml>`` document into a dict of its children.

    Nearly every callback and envelope is one flat level of CDATA or plain-text elements;
    that exact shape is read in one regex pass (``_flat``), which gives what the parser
    gives. Anything else — nesting, repeats, attributes, entities, comments, a prolog,
    characters XML would refuse or normalise — goes to the C parser, which decides."""
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
    except UnicodeDecodeError as exc:
        raise MalformedXml("malformed XML: not UTF-8") from exc
    _refuse_dtd(text)
    flat = _flat(text)
    return flat if flat is not None else parse_tree(text)


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


def _flat(text: str) -> dict[str, Any] | None:
    """The children of a one-level ``<xml>`` document, or None if it has any other shape."""
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


def _to_value(elem: Element) -> XmlValue:
    children = list(elem)
    if not children:
        return (elem.text or "").strip()
    result: dict[str, Any] = {}
    for child in children:
        value = _to_value(child)
        if child.tag in result:
            existing = result[child.tag]
            if isinstance(existing, list):
                existing.append(value)
            else:
                result[child.tag] = [existing, value]
        else:
            result[child.tag] = value
    return result


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
