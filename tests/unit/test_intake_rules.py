"""Candidate intake rules: validation, header aliases, spreadsheet encodings and limits."""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import Workbook

from recruiting.domain.intake import (
    CandidateEntry,
    check_entry,
    education_level,
    header_key,
    normalise_email,
    normalise_phone,
    read_header,
    years_of_experience,
)
from recruiting.errors import InvalidInput, PayloadTooLarge
from recruiting.infra.contact_hashes import email_hash, phone_hash
from recruiting.infra.spreadsheets import TableLimits, read_table
from tests.conftest import TEST_CIPHER


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("13800138000", "13800138000"),
        ("138-0013-8000", "13800138000"),
        ("+86 138 0013 8000", "13800138000"),
        ("008613800138000", "13800138000"),
        ("８６13800138000", "13800138000"),  # full-width digits from a Chinese IME
        ("12800138000", None),  # no 12x mobile block
        ("1380013800", None),
        ("010-88886666", None),
        ("", None),
    ],
)
def test_phone_normalisation(raw: str, expected: str | None) -> None:
    assert normalise_phone(raw) == expected


def test_email_normalisation() -> None:
    assert normalise_email(" Zhao.Min@Example.COM ") == "zhao.min@example.com"
    for bad in ("zhao", "zhao@", "@x.cn", "a b@x.cn", "a@x", "a@@x.cn", "a@" + "x" * 120 + ".cn"):
        assert normalise_email(bad) is None, bad


def test_education_and_years() -> None:
    assert education_level("统招本科") == "本科"
    assert education_level("硕士研究生") == "硕士"
    assert education_level("专科") == "大专"
    assert education_level("MBA") == "硕士"
    assert education_level("未知") is None
    assert years_of_experience("3") == 3
    assert years_of_experience("3年") == 3
    assert years_of_experience("3-5年") == 3
    assert years_of_experience("10年以上") == 10
    assert years_of_experience("2.5") == 2
    assert years_of_experience("应届生") == 0
    assert years_of_experience("很多年") is None
    assert years_of_experience("三年") is None


def test_check_entry_reports_every_problem_in_chinese() -> None:
    problems = check_entry(
        {"name": "", "phone": "123", "email": "x@", "education": "火星大学?", "years": "99"}
    )
    assert isinstance(problems, list)
    columns = {p.column for p in problems}
    assert columns == {"姓名", "手机", "邮箱", "应聘岗位", "工作年限"} | (
        {"学历"} if education_level("火星大学?") is None else set()
    )
    assert all(not p.reason.isascii() for p in problems)


def test_check_entry_needs_a_way_to_reach_them_and_limits_lengths() -> None:
    problems = check_entry({"name": "赵敏", "job": "销售代表"})
    assert isinstance(problems, list) and problems[0].reason == "手机和邮箱至少填写一项"
    long = check_entry({"name": "赵" * 41, "phone": "13800138000", "job": "x"})
    assert isinstance(long, list) and long[0].column == "姓名"
    cell = check_entry({"name": "赵敏", "phone": "13800138000", "job": "x", "source": "字" * 600})
    assert isinstance(cell, list) and cell[0].column == "来源" and "过长" in cell[0].reason


def test_check_entry_normalises() -> None:
    entry = check_entry(
        {"name": " 赵敏 ", "phone": "+86 138-0013-8000", "email": "ZM@X.CN", "job": "S01",
         "education": "统招本科", "years": "3-5年", "source": "BOSS直聘"}
    )  # fmt: skip
    assert entry == CandidateEntry("赵敏", "13800138000", "zm@x.cn", "S01", "BOSS直聘", "本科", 3)


def test_header_aliases() -> None:
    assert header_key("手机号码（必填）") == "phone"
    assert header_key("*姓名") == "name"
    assert header_key("电子邮件") == "email"
    assert header_key("E-mail") == "email"
    assert header_key("职位") == "job"
    assert header_key("渠道") == "source"
    assert header_key("最高学历") == "education"
    assert header_key("工作经验") == "years"
    assert header_key("性别") is None  # protected attributes are never read
    assert header_key("年龄") is None
    assert read_header(["名字", "联系电话", "性别", "应聘职位"]) == {
        0: "name",
        1: "phone",
        3: "job",
    }
    problems = read_header(["手机", "手机号码"])
    assert isinstance(problems, list)
    assert {p.reason for p in problems} >= {"缺少「姓名」列", "与「手机」表示同一项，请只保留一列"}


def test_hashes_match_across_formats_and_are_keyed() -> None:
    assert phone_hash(TEST_CIPHER, "+86 138-0013-8000") == phone_hash(TEST_CIPHER, "13800138000")
    assert email_hash(TEST_CIPHER, "ZM@X.CN ") == email_hash(TEST_CIPHER, "zm@x.cn")
    assert phone_hash(TEST_CIPHER, "13800138000") != email_hash(TEST_CIPHER, "13800138000")
    import hashlib

    assert phone_hash(TEST_CIPHER, "13800138000") != hashlib.sha256(b"13800138000").hexdigest()
    assert phone_hash(TEST_CIPHER, None) is None and email_hash(TEST_CIPHER, " ") is None


CSV = "姓名,手机,邮箱,应聘岗位\n赵敏,13800138000,zm@x.cn,销售代表\n\n钱多多,13900139000,,销售代表\n"


@pytest.mark.parametrize(
    "data",
    [
        CSV.encode("utf-8"),
        b"\xef\xbb\xbf" + CSV.encode("utf-8"),
        CSV.encode("gb18030"),
        CSV.encode("gbk"),
    ],
    ids=["utf-8", "utf-8-bom", "gb18030", "gbk"],
)
def test_csv_encodings(data: bytes) -> None:
    table = read_table(data, "export.csv")
    assert table.header == ["姓名", "手机", "邮箱", "应聘岗位"]
    assert table.rows == [
        (2, ["赵敏", "13800138000", "zm@x.cn", "销售代表"]),
        (4, ["钱多多", "13900139000", "", "销售代表"]),  # row numbers as the sheet shows them
    ]


def test_a_big5_csv_reads_as_traditional_chinese_not_as_gb18030_noise() -> None:
    """Excel on Taiwan or Hong Kong Windows saves Big5, which GB18030 also reads (as rare
    and private-use characters): the frequent characters decide, GB18030 on a tie."""
    big5 = "姓名,手機,應聘崗位\n陳志明,0912345678,軟體工程師\n"
    table = read_table(big5.encode("cp950"), "export.csv")
    assert table.header == ["姓名", "手機", "應聘崗位"]
    assert table.rows == [(2, ["陳志明", "0912345678", "軟體工程師"])]
    assert read_table("姓名\n李\n".encode("gb18030"), "a.csv").rows == [(2, ["李"])]


def test_a_big5_zip_entry_name_is_read_as_its_author_wrote_it() -> None:
    from recruiting.services.intake.files import _name

    member = zipfile.ZipInfo("陳志明履歷.pdf".encode("cp950").decode("cp437"))
    assert _name(member) == "陳志明履歷.pdf"
    member = zipfile.ZipInfo("张三简历.pdf".encode("gbk").decode("cp437"))
    assert _name(member) == "张三简历.pdf"


def xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_xlsx_numbers_read_as_text() -> None:
    table = read_table(
        xlsx([["姓名", "手机"], ["赵敏", 13800138000], ["钱多多", 13900139000.0]]), "a.xlsx"
    )
    assert table.rows == [(2, ["赵敏", "13800138000"]), (3, ["钱多多", "13900139000"])]


def test_refusals() -> None:
    with pytest.raises(InvalidInput, match="旧版 Excel"):
        read_table(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "old.xls")
    with pytest.raises(InvalidInput, match="损坏"):
        read_table(b"PK\x03\x04garbage", "broken.xlsx")
    with pytest.raises(InvalidInput, match="只有表头"):
        read_table("姓名,手机\n".encode(), "a.csv")
    with pytest.raises(InvalidInput, match="编码"):
        read_table(b"\xff\xfe\x00\x00\xff" * 10, "a.csv")
    with pytest.raises(InvalidInput, match="编码"):
        read_table(b"\xef\xbb\xbf\xe5\xa7\x93\xff\x00,\xff\x00\n", "a.csv")
    with pytest.raises(PayloadTooLarge, match="最多导入 3 行"):
        read_table(("姓名\n" + "赵\n" * 4).encode(), "a.csv", TableLimits(max_rows=3))
    with pytest.raises(PayloadTooLarge, match="文件过大"):
        read_table(b"x" * 101, "a.csv", TableLimits(max_bytes=100))
    with pytest.raises(InvalidInput, match="只支持"):
        read_table(b"hello", "a.pdf")


def test_zip_bomb_inside_xlsx_is_refused_before_parsing() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * (20 * 1024 * 1024))  # ~20 KB packed
    with pytest.raises(InvalidInput, match="压缩炸弹"):
        read_table(out.getvalue(), "bomb.xlsx")
    with pytest.raises(InvalidInput, match="不是 Excel"):
        plain = io.BytesIO()
        with zipfile.ZipFile(plain, "w") as z:
            z.writestr("a.txt", "hi")
        read_table(plain.getvalue(), "a.xlsx")


def test_resume_types_are_read_from_the_bytes() -> None:
    from recruiting.services.intake.files import display_name as _display_name
    from recruiting.services.intake.files import sniff

    docx = io.BytesIO()
    with zipfile.ZipFile(docx, "w") as z:
        z.writestr("word/document.xml", "<w:document/>")
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("a.txt", "简历")
    assert sniff(b"%PDF-1.7\n...", "cv.docx") == "application/pdf"  # the bytes decide
    assert sniff(docx.getvalue(), "cv.zip").endswith("wordprocessingml.document")
    assert sniff(archive.getvalue(), "batch.zip") == "zip"
    assert sniff(archive.getvalue(), "cv.docx") is None  # a zip posing as Word
    assert sniff(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "cv.doc") == "application/msword"
    assert sniff("<html><body>赵敏</body></html>".encode(), "cv.txt") == "text/html"
    assert sniff("赵敏 简历".encode("gb18030"), "cv.txt") == "text/plain"
    assert sniff(b"MZ\x90\x00\x03\x00\x00\x00", "cv.exe") is None
    assert sniff(b"", "empty.txt") is None
    assert _display_name("C:\\Users\\hr\\赵敏.pdf") == "赵敏.pdf"
    assert _display_name("../../etc/passwd") == "passwd"
    assert _display_name("\x00\x07") == "简历"


def test_the_upload_check_and_the_reader_take_a_file_for_the_same_type() -> None:
    from recruiting.infra.filetypes import FileType
    from recruiting.infra.filetypes import sniff as file_type

    stored = io.BytesIO()
    with zipfile.ZipFile(stored, "w", zipfile.ZIP_STORED) as z:
        z.writestr("a.pdf", b"%PDF-1.7\n" + b"x" * 100)  # the PDF's bytes sit near the top
    assert file_type(stored.getvalue(), "batch.zip") is FileType.ZIP
    assert file_type(b"\r\n \n%PDF-1.4\n...", "cv.pdf") is FileType.PDF  # as PDF readers do
    assert file_type(b"PK\x03\x04 not a zip", "a.zip") is FileType.DAMAGED_ZIP
    assert file_type(b"\x89PNG\r\n\x1a\n\x00\x00", "photo.png") is FileType.IMAGE
    assert file_type(b"MIME-Version: 1.0\r\nContent-Type: multipart/related", "a") is FileType.MHT
    assert file_type("<div>赵敏</div>".encode(), "cv.txt") is FileType.HTML
    assert file_type(b"\xff\xfe\x00\x00binary", "a.bin") is None


def test_channel_codes_read_as_chinese_and_named_sources_as_written() -> None:
    from recruiting.domain.intake import channel_name

    assert channel_name("direct") == "直接投递"
    assert channel_name("resume") == "简历上传"
    assert channel_name("BOSS直聘") == "BOSS直聘"
    assert channel_name("") == "未注明"


def test_a_refusal_quotes_what_was_typed_without_cutting_a_word() -> None:
    """The quoted value is shortened at a space or a mark (with …), never inside a word or
    a number (``[:20]`` quoted ``13800138000 or 13900``, half a phone number)."""
    found = check_entry(
        {
            "name": "赵敏",
            "phone": "13800138000 or 13900139000 xxx",
            "email": "zhao.min.from.the.sales.team at example dot com, please write",
            "job": "S01",
            "education": "某个很长很长的学历名称 不在列表里的那一种",
        }
    )
    assert isinstance(found, list)
    reasons = {p.column: p.reason for p in found}
    assert reasons["手机"].startswith("「13800138000 or…」")
    assert reasons["邮箱"].startswith("「zhao.min.from.the.sales.team at example…」")
    assert reasons["学历"].startswith("无法识别学历「某个很长很长的学历名称…」")
