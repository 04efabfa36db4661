"""Hardened XML parsing: DTDs and entities are refused, repeats become lists."""

import pytest

from wecom_bot import xmlcodec
from wecom_bot.xmlcodec import MalformedXml

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">]>
<xml><Content>&lol2;</Content></xml>"""
XXE = b"""<?xml version="1.0"?>
<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><xml><Content>&xxe;</Content></xml>"""


UTF16_XXE = XXE.decode().replace('"1.0"', '"1.0" encoding="UTF-16"').encode("utf-16")
UNDECLARED = b"<xml><Content>&xxe;</Content></xml>"
LATIN1 = "<xml><Content>caf\xe9</Content></xml>".encode("latin-1")


@pytest.mark.parametrize(
    "payload",
    [BILLION_LAUGHS, XXE, UTF16_XXE, UNDECLARED, LATIN1, b"<xml><a></xml>", b"", b"plain"],
)
def test_hostile_or_broken_xml_is_refused(payload: bytes) -> None:
    with pytest.raises(MalformedXml):
        xmlcodec.parse(payload)


def test_tags_are_read_by_name_not_position() -> None:
    doc = b"<xml><Encrypt><![CDATA[abc]]></Encrypt><ToUserName>x</ToUserName></xml>"
    assert xmlcodec.parse(doc) == {"Encrypt": "abc", "ToUserName": "x"}


def test_cdata_cannot_be_closed_early_by_a_value() -> None:
    built = xmlcodec.build({"Content": "a]]><evil/>b"})
    assert xmlcodec.parse(built) == {"Content": "a]]><evil/>b"}


def test_repeated_siblings_become_lists_and_nesting_is_kept() -> None:
    built = xmlcodec.build({"R": [{"D": "1"}, {"D": ["2", "3"]}], "N": 5})
    assert xmlcodec.parse(built) == {"R": [{"D": "1"}, {"D": ["2", "3"]}], "N": "5"}
    assert xmlcodec.as_list("x") == ["x"] and xmlcodec.as_list(None) == []
