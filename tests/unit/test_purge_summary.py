"""The HR managers' monthly purge summary reads as Chinese written for them: how many
candidates, how many of them on their own request, which kinds of data; never a name."""

from __future__ import annotations

from recruiting.models import ErasureRecord
from recruiting.services.personal_data.purge import summary_text
from tests.people_text import problems


def _record(candidate_id: int, trigger: str, *classes: str) -> ErasureRecord:
    return ErasureRecord(candidate_id=candidate_id, trigger=trigger, classes=list(classes))


def test_requests_and_expired_periods_are_told_apart() -> None:
    """An erasure on request is recorded as ``request:<id>``: it counts as one."""
    text = summary_text(
        "2026 年 5 月",
        [
            _record(1, "request:12", "recordings", "profile"),
            _record(2, "purge", "recordings", "assessments"),
            _record(2, "purge", "notes"),
            _record(3, "purge", "resumes"),
        ],
    )
    lines = text.split("\n")
    assert lines[0] == "**2026 年 5 月个人信息清理汇总**"
    assert lines[1] == (
        "共清理了 3 位候选人的个人信息：2 位的信息保留期已满，由系统按期删除；1 位应本人申请删除。"
    )
    assert "> 录制的回答视频：2 位" in lines and "> 简历：1 位" in lines
    assert problems(text) == [] and "。。" not in text


def test_a_month_of_requests_only_says_nothing_about_expired_periods() -> None:
    text = summary_text("2026 年 6 月", [_record(4, "request:13", "profile")])
    assert "共清理了 1 位候选人的个人信息：1 位应本人申请删除。" in text
    assert "保留期已满" not in text and "0 位" not in text
