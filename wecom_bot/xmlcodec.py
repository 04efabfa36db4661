"""Hardened XML in and out for WeCom payloads.

Untrusted XML may carry no DTD. Without one no entity can be declared, so there is nothing
to expand ("billion laughs") or fetch (XXE); expat rejects undeclared entities itself. The
DTD check runs on the decoded text, so a re-encoded (UTF-16) DOCTYPE cannot slip past, and
then the C parser reads the rest: defusedxml's parser subclass forces ElementTree's pure
Python builder, which cost a callback more than its decryption. Elements are read by tag
name; repeated siblings become lists so callers never guess the shape. XML is
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
    """Parse a ``<xml>…</xml>`` document into a dict of its children."""
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
    except UnicodeDecodeError as exc:
        raise MalformedXml("malformed XML: not UTF-8") from exc
    if "<!DOCTYPE" in text or "<!ENTITY" in text:  # XML keywords are case-sensitive
        raise MalformedXml("malformed XML: DTDs and entity declarations are refused")
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


# The callback envelope WeCom posts: <xml> with ToUserName, Encrypt and AgentID, each a
# CDATA or plain text value. Matching that exact shape skips a parser for the part of the
# request whose content the signature check decides on anyway; anything else (other
# elements, attributes, comments, a second Encrypt) goes through ``parse``.
_ENVELOPE_FIELD = re.compile(
    r"<(ToUserName|Encrypt|AgentID)>(?:<!\[CDATA\[([^\]<]*)\]\]>|([^<&]*))</\1>"
)


def parse_envelope(data: bytes) -> dict[str, Any]:
    """The envelope's fields, read without a parser when it has the plain shape WeCom
    sends (the signature is checked over Encrypt next); ``parse`` otherwise. One pass:
    the fields must follow each other with nothing but whitespace between them."""
    try:
        body = data.decode("ascii").strip()
    except UnicodeDecodeError:
        return parse(data)
    if not (body.startswith("<xml>") and body.endswith("</xml>")):
        return parse(data)
    fields: dict[str, Any] = {}
    position, end = 5, len(body) - 6
    for match in _ENVELOPE_FIELD.finditer(body, position, end):
        name = match.group(1)
        if name in fields or body[position : match.start()].strip():
            return parse(data)  # repeated, or something else in between: the parser decides
        value = match.group(2) if match.group(2) is not None else match.group(3)
        fields[name] = value.strip()
        position = match.end()
    if not fields or body[position:end].strip():
        return parse(data)
    return fields


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
