"""What a file is, read from its bytes: one answer for the upload check
(``services.intake.files``), the zip checker and the résumé reader (``resumes.reader``).

The bytes decide; the name only tells an ``.html`` export without markup near its top from
plain text. Signatures that must open the file come first, so a zip that stores a PDF
uncompressed is a zip; a PDF is then recognised by ``%PDF-`` anywhere in its first 1024
bytes, where PDF readers look for it. Text (no NUL byte, UTF-8 or GB18030) is what is left.
"""

from __future__ import annotations

import io
import re
import zipfile
from enum import Enum

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
PDF_MAGIC = b"%PDF-"
IMAGE_MAGIC = (
    b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"BM", b"II*\x00", b"MM\x00*",
)  # fmt: skip
HTML_SUFFIXES = ("html", "htm", "xhtml")
_MARKUP = re.compile(r"<(?:!doctype html|html|body|div|table|p)[\s>]")
_TEXT_SAMPLE = 65536


class FileType(Enum):
    PDF = "pdf"
    WORD = "docx"  # a zip holding word/document.xml
    ZIP = "zip"  # any other zip whose directory reads
    DAMAGED_ZIP = "damaged zip"  # starts like a zip, its directory does not read
    OLE = "ole"  # legacy .doc (or an encrypted Office file, which is an OLE file too)
    IMAGE = "image"
    RTF = "rtf"
    MHT = "mht"  # a web archive (MIME)
    HTML = "html"
    TEXT = "text"


def sniff(data: bytes, filename: str = "") -> FileType | None:
    """The type ``data`` is; None for no bytes, or bytes that are none of these (nor text)."""
    if not data:
        return None
    if data.startswith(ZIP_MAGIC):
        return _zip_type(data)
    if data.startswith(OLE_MAGIC):
        return FileType.OLE
    head = data[:1024]
    if PDF_MAGIC in head:
        return FileType.PDF
    if data.startswith(IMAGE_MAGIC) or _is_riff_webp(head) or b"ftypheic" in head[:32]:
        return FileType.IMAGE
    if data.startswith(b"{\\rtf"):
        return FileType.RTF
    text_head = head.decode("latin-1").lower()
    if text_head.lstrip().startswith(("mime-version", "from:")) or (
        "content-type: multipart/related" in text_head
    ):
        return FileType.MHT
    if suffix(filename) in HTML_SUFFIXES or _MARKUP.search(text_head):
        return FileType.HTML
    return FileType.TEXT if _is_text(data) else None


def suffix(filename: str) -> str:
    """The extension, lower case, without its dot ("" for none)."""
    return filename.rsplit(".", 1)[-1].lower() if "." in filename else ""


def _zip_type(data: bytes) -> FileType:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        return FileType.DAMAGED_ZIP
    return FileType.WORD if "word/document.xml" in names else FileType.ZIP


def _is_riff_webp(head: bytes) -> bool:
    return head.startswith(b"RIFF") and head[8:12] == b"WEBP"


def _is_text(data: bytes) -> bool:
    """No NUL byte near the top and UTF-8 or GB18030 throughout the sample (a character cut
    at the sample's end does not count against it)."""
    if not data or b"\x00" in data[:4096]:
        return False
    for encoding in ("utf-8", "gb18030"):
        try:
            data[:_TEXT_SAMPLE].decode(encoding, errors="strict")
        except UnicodeDecodeError as exc:
            if exc.start < _TEXT_SAMPLE - 6:
                continue
        return True
    return False


def decode_chinese(data: bytes) -> str:
    """Bytes without a byte-order mark as Chinese exports write them: UTF-8 when they read as
    UTF-8, else ``decode_chinese_legacy``. Raises ``UnicodeDecodeError`` when neither reads."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return decode_chinese_legacy(data)


def decode_chinese_legacy(data: bytes) -> str:
    """Bytes that are not UTF-8, read as GB18030 (mainland Windows) or Big5 (Taiwan, Hong
    Kong: cp950). GB18030 reads almost any bytes, Big5 included, as rare and private-use
    characters, so when both read the one whose characters are mostly its table's frequent
    ones wins; a tie is GB18030. Raises ``UnicodeDecodeError`` when GB18030 cannot read it."""
    simplified = data.decode("gb18030")
    try:
        traditional = data.decode("cp950")
    except UnicodeDecodeError:
        return simplified
    if _frequent_share(traditional, "cp950") > _frequent_share(simplified, "gb2312"):
        return traditional
    return simplified


def _frequent_share(text: str, table: str) -> float:
    """The share of the sample's CJK characters and punctuation that the table lists among
    its frequent ones (GB2312 level 1 and punctuation rows; Big5 A440–C67E and A140–A3BF)."""
    wide = [ch for ch in text[:_TEXT_SAMPLE] if ord(ch) > 0x2E7F]
    if not wide:
        return 1.0
    frequent = 0
    for ch in wide:
        try:
            code = int.from_bytes(ch.encode(table), "big")
        except UnicodeEncodeError:
            continue
        if table == "gb2312":
            frequent += 0xB0A1 <= code <= 0xD7FE or code >> 8 in (0xA1, 0xA3)
        else:
            frequent += 0xA440 <= code <= 0xC67E or 0xA140 <= code <= 0xA3BF
    return frequent / len(wide)
