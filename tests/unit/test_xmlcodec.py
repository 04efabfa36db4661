"""Hardened XML parsing: DTDs and entities are refused, repeats become lists."""

import sys
import threading
import xml.etree.ElementTree as ET

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


ENVELOPES = [
    b"<xml><ToUserName><![CDATA[ww1]]></ToUserName><Encrypt><![CDATA[a+b/c=]]></Encrypt>"
    b"<AgentID><![CDATA[1000002]]></AgentID></xml>",
    b"<xml>\n  <Encrypt>abc</Encrypt>\n  <AgentID>7</AgentID>\n</xml>\n",
    b"<xml><Encrypt>a</Encrypt><Encrypt>b</Encrypt></xml>",  # repeated: the parser decides
    b'<xml><Encrypt a="1">x</Encrypt></xml>',  # attributes: not the plain shape
    b"<xml><Encrypt><!-- c -->x</Encrypt></xml>",
    b"<xml><Other>1</Other><Encrypt>x</Encrypt></xml>",
    b"<xml><Encrypt>&lt;</Encrypt></xml>",
    b"<xml><Encrypt>x</Encrypt>junk</xml>",
    b"<xml>junk<Encrypt>x</Encrypt></xml>",
]


@pytest.mark.parametrize("body", ENVELOPES)
def test_the_flat_fast_path_reads_what_the_parser_reads(body: bytes) -> None:
    assert xmlcodec.parse(body) == xmlcodec.parse_tree(body.decode())


@pytest.mark.parametrize(
    "payload", [BILLION_LAUGHS, XXE, UTF16_XXE, b"<xml><Encrypt>", b"", b"<xml></xml>"]
)
def test_the_flat_fast_path_refuses_what_the_parser_refuses(payload: bytes) -> None:
    with pytest.raises(MalformedXml):
        xmlcodec.parse(payload)


_PIECES = ["<xml>", "</xml>", "<Encrypt>", "</Encrypt>", "<ToUserName>", "</ToUserName>",
           "<![CDATA[", "]]>", "abc", "a+b/=", " ", "\n", "<", "&lt;", "<x/>", "\r", "\t",
           "\x01", "\x0c", "中文", "]]", ">", "&", "<?xml version='1.0'?>", "<Content>",
           "</Content>", "<a-b>", "</a-b>", "\u3000", "\x1c"]  # fmt: skip


@settings(max_examples=600)
@given(st.lists(st.sampled_from(_PIECES), max_size=12))
def test_fast_path_and_parser_agree_on_any_mix(pieces: list[str]) -> None:
    body = "".join(pieces).encode()
    try:
        expected: object = xmlcodec.parse(body)  # the flat fast path where it applies
    except MalformedXml:
        expected = MalformedXml
    try:
        got: object = xmlcodec.parse_tree(body.decode())
    except MalformedXml:
        got = MalformedXml
    assert got == expected


_VALUE = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12)


@settings(max_examples=400)
@given(
    st.lists(
        st.tuples(st.sampled_from(["MsgType", "Content", "Event", "x_1"]), _VALUE, st.booleans()),
        max_size=5,
    ),
    st.sampled_from(["", " ", "\n", "\t\n "]),
)
def test_flat_documents_with_any_values_parse_as_the_parser_says(
    fields: list[tuple[str, str, bool]], gap: str
) -> None:
    """Any text in CDATA or as plain text, any separator: the fast path (``parse``) agrees
    with the C parser, value for value and refusal for refusal."""
    children = "".join(
        f"{gap}<{name}>{'<![CDATA[' + value + ']]>' if cdata else value}</{name}>"
        for name, value, cdata in fields
    )
    body = f"{gap}<xml>{children}{gap}</xml>{gap}".encode()
    outcomes: list[object] = []
    for read in (xmlcodec.parse, lambda b: xmlcodec.parse_tree(b.decode())):
        try:
            outcomes.append(read(body))
        except MalformedXml:
            outcomes.append(MalformedXml)
    assert outcomes[0] == outcomes[1]


# -- bounds: depth, element count, no recursion, the pre-parse scan -------------------------


def _deep(levels: int) -> str:
    """``levels`` elements nested under the root (the root is one more level)."""
    return "<xml>" + "<a>" * levels + "x" + "</a>" * levels + "</xml>"


def test_nesting_is_bounded_at_max_depth() -> None:
    value: object = xmlcodec.parse(_deep(xmlcodec.MAX_DEPTH - 1))
    for _ in range(xmlcodec.MAX_DEPTH - 1):
        assert isinstance(value, dict)
        value = value["a"]
    assert value == "x"
    for levels in (xmlcodec.MAX_DEPTH, 1200, 50_000):
        with pytest.raises(MalformedXml, match="levels"):
            xmlcodec.parse(_deep(levels))


def test_element_count_is_bounded() -> None:
    many = "<xml>" + "<a>1</a>" * xmlcodec.MAX_ELEMENTS + "</xml>"
    with pytest.raises(MalformedXml, match="elements"):
        xmlcodec.parse(many)
    fits = "<xml>" + "<a>1</a>" * (xmlcodec.MAX_ELEMENTS - 1) + "</xml>"
    assert len(xmlcodec.parse(fits)["a"]) == xmlcodec.MAX_ELEMENTS - 1


def test_parsing_never_recurses_on_the_input() -> None:
    """The deepest allowed document parses with a call stack far shallower than its depth."""
    outcome: list[object] = []

    def run() -> None:
        old = sys.getrecursionlimit()
        sys.setrecursionlimit(14)  # a fresh thread starts a few frames deep
        try:
            outcome.append(xmlcodec.parse(_deep(xmlcodec.MAX_DEPTH - 1)))
        except RecursionError as exc:
            outcome.append(exc)
        finally:
            sys.setrecursionlimit(old)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    assert isinstance(outcome[0], dict), outcome


def _reference(elem: ET.Element) -> object:
    """The recursive reading the iterative one replaced (fine on test-sized input)."""
    if not len(elem):
        return (elem.text or "").strip()
    out: dict[str, object] = {}
    for child in elem:
        value = _reference(child)
        if child.tag in out:
            existing = out[child.tag]
            out[child.tag] = [*existing, value] if isinstance(existing, list) else [existing, value]
        else:
            out[child.tag] = value
    return out


_TREES = st.recursive(
    st.sampled_from(["", "1", " 中文 ", "a]]>b"]),
    lambda inner: st.lists(st.tuples(st.sampled_from(["A", "B", "SpRecord"]), inner),
                           min_size=1, max_size=4),
    max_leaves=20,
)  # fmt: skip


def _xml(tree: object) -> str:
    if isinstance(tree, str):
        return xmlcodec.cdata(tree)
    assert isinstance(tree, list)
    return "".join(f"<{tag}>{_xml(child)}</{tag}>" for tag, child in tree)


@settings(max_examples=300)
@given(st.lists(st.tuples(st.sampled_from(["A", "B"]), _TREES), min_size=1, max_size=4))
def test_the_iterative_reading_matches_the_recursive_one(tree: list[tuple[str, object]]) -> None:
    text = f"<xml>{_xml(tree)}</xml>"
    assert xmlcodec.parse_tree(text) == _reference(ET.fromstring(text))


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("<xml><Encrypt><![CDATA[a+b/=]]></Encrypt></xml>", "a+b/="),
        ("<xml>\r\n <Encrypt>\r\n  abc \r\n</Encrypt></xml>", "abc"),
        ("<xml><ToUserName>x</ToUserName></xml>", None),
        ("<xml>" + "<a>" * 1200 + "<Encrypt>k</Encrypt>", "k"),  # not parsed: only scanned
    ],
)
def test_sole_text_scans_one_element_without_parsing(text: str, value: str | None) -> None:
    assert xmlcodec.sole_text(text, "Encrypt") == value


@pytest.mark.parametrize(
    "text",
    [
        "<xml><Encrypt>a</Encrypt><Encrypt>b</Encrypt></xml>",
        "<xml><Encrypt>a</xml>",
        "<xml><Encrypt>a</Encrypt></Encrypt></xml>",
        "<xml><Encrypt><b>a</b></Encrypt></xml>",
        "<xml><Encrypt>&#65;</Encrypt></xml>",
        "<xml><Encrypt><![CDATA[a]]><![CDATA[b]]></Encrypt></xml>",
        '<!DOCTYPE x [<!ENTITY a "b">]><xml><Encrypt>&a;</Encrypt></xml>',
    ],
)
def test_sole_text_refuses_anything_ambiguous(text: str) -> None:
    with pytest.raises(MalformedXml):
        xmlcodec.sole_text(text, "Encrypt")
