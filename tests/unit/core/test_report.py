"""The HTML report and radar chart: evidence shown, not-assessed never shown as zero,
vision never presented as emotion, candidate explanation honest about what was done."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from interview_core.report.explain import candidate_explanation
from interview_core.report.fonts import cjk_font_path
from interview_core.report.html import render_report
from interview_core.report.radar import radar_png
from recruiting.domain.assessment_reasons import NotAssessed

ANALYSIS = {
    "job": "销售代表",
    "question": "请讲一个你说服难缠客户的经历",
    "score": {
        "overall": 72.5,
        "coverage": 0.7,
        "method": "rules-v2 (jieba)",
        "competencies": {
            "沟通能力": {
                "score": 4,
                "confidence": 0.8,
                "anchor": "能根据对象调整表达",
                "evidence": [{"quote": "我先听他把顾虑说完<script>", "why": "倾听"}],
            },
            "客户导向": {"score": 3, "confidence": 0.5, "anchor": "关注客户需求", "evidence": []},
            "数据分析": {"score": None, "not_assessed_reason": "回答中没有相关依据"},
        },
        "star": {
            "situation": ["去年双十一"],
            "task": [],
            "action": ["我先听他把顾虑说完"],
            "result": ["签下了30万的订单"],
            "missing": ["task"],
        },
    },
    "transcript": {
        "available": True,
        "engine": "paddlespeech:test",
        "segments": [
            {"start": 0.0, "end": 4.2, "text": "去年双十一"},
            {"start": 65.0, "end": 70.0, "text": "签下了30万的订单"},
        ],
    },
    "speech": {
        "total_seconds": 90,
        "speaking_seconds": 70,
        "speaking_rate_cpm": 180.0,
        "notes": ["停顿较多"],
    },
    "vision": {"flags": [{"code": "multiple_faces", "message_zh": "画面中多次出现第二张人脸"}]},
}


def test_report_shows_scores_evidence_and_not_assessed(tmp_path: Path) -> None:
    html_path = render_report(ANALYSIS, tmp_path)
    page = html_path.read_text(encoding="utf-8")
    assert (tmp_path / "radar.png").stat().st_size > 5000
    assert "我先听他把顾虑说完&lt;script&gt;" in page and "<script>" not in page  # escaped
    row = re.search(r"<td>数据分析</td>(.*?)</tr>", page)
    assert row and "未评估" in row.group(1) and "回答中没有相关依据" in row.group(1)
    assert "72 / 100" in page and "70%" in page
    assert "01:05–01:10" in page  # transcript timestamps
    assert "不参与能力评分" in page and "第二张人脸" in page
    assert "由招聘人员综合判断后决定" in page


def test_unavailable_transcript_is_said_not_hidden(tmp_path: Path) -> None:
    # an analysis stored before reason codes: its English operator note is never shown
    old = "no speech model installed in var/models/speech; run `python -m interview_core …`"
    transcript = {"available": False, "reason_code": "model_missing", "reason": old}
    analysis = {**ANALYSIS, "transcript": transcript}
    page = render_report(analysis, tmp_path).read_text(encoding="utf-8")
    assert "转写不可用：系统暂未开通语音识别" in page and "install" not in page
    text = "".join(candidate_explanation(analysis))
    assert "本次没有语音转写（系统暂未开通语音识别）" in text
    assert "install" not in text and "var/" not in text


def test_explanation_without_transcript_does_not_blame_the_candidate() -> None:
    code = NotAssessed.SYSTEM_NO_TRANSCRIPT
    unassessed = {"score": None, "not_assessed_code": code, "not_assessed_reason": "x"}
    score = {**ANALYSIS["score"], "competencies": {"沟通能力": unassessed, "客户导向": unassessed}}  # type: ignore[dict-item]
    analysis = {
        **ANALYSIS,
        "score": score,
        "transcript": {"available": False, "reason_code": "model_missing"},
    }
    text = "".join(candidate_explanation(analysis))
    assert "本次评估的能力项：无。" in text
    assert "由于系统原因，您的录音没能转写为文字" in text and "与您的回答无关" in text
    assert "没有相关依据" not in text


def test_explanation_lists_assessed_and_not_assessed() -> None:
    text = "".join(candidate_explanation(ANALYSIS))
    assert "本次评估的能力项：沟通能力、客户导向。" in text
    assert "未评估（不等于低分）：数据分析" in text
    assert "不会根据面部表情或画面推断情绪、性格或自信程度" in text
    assert "不参与任何能力评分" in text


def test_radar_draws_with_or_without_cjk_font(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = radar_png({"沟通能力": 4.0, "数据分析": None}, tmp_path / "r.png", title="雷达")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    cjk_font_path.cache_clear()
    monkeypatch.setenv("REPORT_CJK_FONT", str(tmp_path / "missing.ttf"))
    import interview_core.report.fonts as fonts

    monkeypatch.setattr(fonts, "KNOWN_CJK_FAMILIES", ())
    try:
        assert cjk_font_path() is None
        assert radar_png({"沟通能力": 4.0}, tmp_path / "ascii.png").exists()
    finally:
        cjk_font_path.cache_clear()


def _headline(page: str) -> list[tuple[str, str]]:
    """(value, label) of each headline metric, in order."""
    return re.findall(
        r'<div class="metric[^"]*"><span class="value">([^<]*)</span>'
        r'<span class="label">([^<]*)</span>',
        page,
    )


def test_coverage_is_as_prominent_as_the_score_and_low_coverage_withholds_it(
    tmp_path: Path,
) -> None:
    page = render_report(ANALYSIS, tmp_path).read_text(encoding="utf-8")
    assert _headline(page) == [("72 / 100", "综合分（仅供参考）"),
                               ("70%", "评估覆盖（已评估能力项占岗位权重）")]  # fmt: skip
    narrow = {**ANALYSIS["score"], "overall": 90.0, "coverage": 0.25}  # type: ignore[dict-item]
    page = render_report({**ANALYSIS, "score": narrow}, tmp_path).read_text(encoding="utf-8")
    assert "90 / 100" not in page and "90" not in "".join(v for v, _ in _headline(page))
    assert _headline(page)[0][0] == "不给出" and _headline(page)[1][0] == "25%"
    assert "只覆盖了岗位能力权重的 25%（低于 40%）" in page
    configured = {**narrow, "overall": 90.0, "min_coverage": 0.2}
    page = render_report({**ANALYSIS, "score": configured}, tmp_path).read_text(encoding="utf-8")
    assert _headline(page)[0][0] == "90 / 100"


def test_competency_column_keeps_its_width(tmp_path: Path) -> None:
    """With an auto layout a long evidence column squeezed the names to two characters a
    line; the table now has fixed column widths, the names column wide enough for a name."""
    page = render_report(ANALYSIS, tmp_path).read_text(encoding="utf-8")
    assert '<table class="competencies"><colgroup><col class="name"><col class="score">' in page
    css = page[page.index("<style>") : page.index("</style>")]
    assert "table.competencies{table-layout:fixed}" in css
    width = re.search(r"table\.competencies col\.name\{width:(\d+(?:\.\d+)?)em\}", css)
    assert width and float(width.group(1)) >= 8  # eight CJK characters on one line
    assert "table.competencies td:first-child{word-break:keep-all" in css


def test_competency_names_render_on_one_line_in_a_browser(tmp_path: Path) -> None:
    """Chromium lays the report out: a 6-character name next to long evidence stays on one
    line (it used to wrap every two characters)."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        pytest.skip("no Chromium on this machine")
    long = "我拉了产品、研发和客服三个部门每周开一次会，把客户投诉的问题逐条跟进到关闭。" * 4
    competencies = {**ANALYSIS["score"]["competencies"],  # type: ignore[index]
                    "跨部门协作": {"score": 4, "confidence": 0.7, "anchor": long,
                                   "evidence": [{"quote": long, "why": "推动"}]}}  # fmt: skip
    score = {**ANALYSIS["score"], "competencies": competencies}  # type: ignore[dict-item]
    page = render_report({**ANALYSIS, "score": score}, tmp_path)
    probe = (
        "<script>const h=[...document.querySelectorAll('h2')].find(e=>e.textContent=='能力评分与依据');"
        "for(const td of h.nextElementSibling.querySelectorAll('td:first-child'))"
        "{const r=document.createRange();r.selectNodeContents(td);"
        "td.dataset.lines=String(r.getClientRects().length);}</script></body>"
    )
    page.write_text(page.read_text(encoding="utf-8").replace("</body>", probe), encoding="utf-8")
    done = subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--window-size=1000,1400",
         "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=90, check=True,
    )  # fmt: skip
    found = re.findall(r'<td data-lines="(\d+)">([^<]+)</td>', done.stdout)
    assert {name: n for n, name in found} == {
        "沟通能力": "1", "客户导向": "1", "数据分析": "1", "跨部门协作": "1"
    }  # fmt: skip


def test_gaming_flags_are_shown_with_their_reason_and_quotes(tmp_path: Path) -> None:
    flag = {
        "code": "keyword_list",
        "label": "罗列能力词语，没有讲述具体经历",
        "reason": "回答罗列了4个能力词语（客户导向、沟通能力），没有讲述一次具体经历",
        "quotes": ["客户导向<b>", "沟通能力"],
    }
    page = render_report({**ANALYSIS, "score": {**ANALYSIS["score"], "flags": [flag]}}, tmp_path)
    text = page.read_text(encoding="utf-8")
    assert "<h2>回答提示</h2>" in text and "罗列能力词语，没有讲述具体经历" in text
    assert "回答罗列了4个能力词语" in text and "“客户导向&lt;b&gt;”" in text
    assert "回答提示" not in render_report(ANALYSIS, tmp_path).read_text(encoding="utf-8")


def test_gaming_flags_are_laid_out_and_readable_in_a_browser(tmp_path: Path) -> None:
    """Chromium renders the 回答提示 section: visible, in order after the scores, with the
    quoted markup shown as text (not run)."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        pytest.skip("no Chromium on this machine")
    flag = {
        "code": "self_description",
        "label": "只有自我评价，没有具体事例",
        "reason": "回答是自我评价，没有能说明这一点的具体事例",
        "quotes": ["我是一个抗压能力很强的人<script>document.title='x'</script>"],
    }
    page = render_report({**ANALYSIS, "score": {**ANALYSIS["score"], "flags": [flag]}}, tmp_path)
    probe = (
        "<script>const h=[...document.querySelectorAll('h2')].find(e=>e.textContent=='回答提示');"
        "const list=h.nextElementSibling.nextElementSibling;"
        "document.body.dataset.flags=String(list.getBoundingClientRect().height>0)+'|'"
        "+list.innerText.replace(/\\s+/g,' ')+'|'+document.title;</script></body>"
    )
    page.write_text(page.read_text(encoding="utf-8").replace("</body>", probe), encoding="utf-8")
    done = subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--window-size=1000,1400",
         "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=90, check=True,
    )  # fmt: skip
    found = re.search(r'data-flags="([^"]*)"', done.stdout)
    assert found is not None
    visible, text, title = found.group(1).split("|")
    assert visible == "true" and title != "x"
    assert "只有自我评价，没有具体事例" in text and "回答是自我评价" in text
    assert "&lt;script&gt;" in text or "<script>" in text  # shown as text, not executed
