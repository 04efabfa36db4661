"""Plain-text résumés: decoding only (UTF-8 with or without BOM, UTF-16 with BOM, GB18030,
Big5)."""

from __future__ import annotations

from recruiting.infra.filetypes import decode_chinese
from recruiting.infra.resumes.limits import Refused


def decode(data: bytes) -> str:
    """Bytes → text in the encodings Chinese exports use; refuse what is not text."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    try:
        text = decode_chinese(data)
    except UnicodeDecodeError:
        text = ""
    if _looks_like_text(text):
        return text
    raise Refused("无法识别的文件格式，请上传 PDF、Word（.docx）、网页或文本格式的简历", "not text")


def _looks_like_text(text: str) -> bool:
    sample = text[:4000]
    if not sample.strip():
        return False
    control = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\r\n\t\f")
    return control <= len(sample) * 0.01


def read_text(data: bytes) -> list[str]:
    return decode(data).splitlines()
