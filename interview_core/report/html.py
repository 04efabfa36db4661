"""The per-interview HTML report for HR: scores with their evidence, what was not assessed
and why, the answer's gaming flags (a keyword list, an echo of the question…) with their
reasons, integrity flags, the timed transcript, and the candidate's explanation.

Rendered from the analysis JSON (``AnalysisResult.to_json()``), so a stored analysis can be
re-rendered later without re-running anything. Every value is escaped.
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any

from interview_core.engines.describe import engine_label
from interview_core.report.explain import candidate_explanation
from interview_core.report.radar import radar_png
from recruiting.domain.assessment_reasons import no_transcript_label
from recruiting.domain.coverage import overall_of

_CSS = """
body{font-family:"WenQuanYi Micro Hei","Noto Sans CJK SC","PingFang SC",sans-serif;
max-width:980px;margin:24px auto;color:#222;line-height:1.6;padding:0 16px}
h1{font-size:22px}h2{font-size:18px;border-bottom:1px solid #ddd;padding-bottom:4px;margin-top:28px}
.advisory{background:#fff7e0;border:1px solid #f0d48a;padding:8px 12px;border-radius:6px}
table{border-collapse:collapse;width:100%}
td,th{border:1px solid #e3e3e3;padding:6px 8px;vertical-align:top}
th{background:#f6f8fa;text-align:left}.na{color:#888}.flag{color:#a33}.quote{color:#1d4f91}
.seg{font-family:monospace;color:#666;margin-right:8px}.muted{color:#777;font-size:13px}
.headline{display:flex;gap:16px;flex-wrap:wrap;margin:8px 0 12px}
.metric{flex:1 1 200px;border:1px solid #e3e3e3;border-radius:6px;padding:10px 14px}
.metric .value{font-size:32px;font-weight:bold;line-height:1.2}
.metric .label{display:block;color:#555;font-size:14px}
.metric.withheld .value{color:#888}.metric.low .value{color:#a33}
table.competencies{table-layout:fixed}
table.competencies col.name{width:10em}table.competencies col.score{width:7.5em}
table.competencies col.anchor{width:30%}
table.competencies td:first-child{word-break:keep-all;overflow-wrap:anywhere}
table.competencies ul{margin:0;padding-left:1.2em}
"""


def render_report(analysis: dict[str, Any], out_dir: Path, *, title: str = "面试分析报告") -> Path:
    """Write ``report.html`` and ``radar.png`` into ``out_dir``; returns the HTML path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    score = analysis.get("score") or {}
    competencies = score.get("competencies") or {}
    radar_png({n: c.get("score") for n, c in competencies.items()}, out_dir / "radar.png")
    sections = [
        f"<h1>{escape(title)}</h1>",
        _header(analysis),
        _overall(score),
        _gaming(score.get("flags") or []),
        _competency_table(competencies),
        _star(score.get("star") or {}),
        _speech(analysis.get("speech")),
        _vision(analysis.get("vision")),
        _transcript(analysis.get("transcript") or {}),
        _explanation(analysis),
    ]
    page = (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{_CSS}</style></head><body>"
        + "".join(sections)
        + "</body></html>"
    )
    path = out_dir / "report.html"
    path.write_text(page, encoding="utf-8")
    return path


def _header(analysis: dict[str, Any]) -> str:
    rows = [
        ("岗位", analysis.get("job", "")),
        ("问题", analysis.get("question", "")),
        ("分析方法", engine_label(analysis.get("score") or {})),
    ]
    cells = "".join(f"<tr><th>{escape(k)}</th><td>{escape(str(v))}</td></tr>" for k, v in rows)
    note = (
        '<p class="advisory">AI 分析仅供参考：每个分数都附有原文依据，录用与否由面试官和 HR 决定。'
        "没有依据的能力项显示为「未评估」，不计为零分。</p>"
    )
    return f"<table>{cells}</table>{note}"


def _overall(score: dict[str, Any]) -> str:
    """The overall score and the coverage it rests on, side by side at the same size; below
    the coverage threshold no overall is shown at all."""
    shown = overall_of(score)
    coverage, threshold = shown.coverage, shown.threshold
    low = coverage < threshold
    if coverage == 0 or (shown.value is None and not shown.withheld):
        value, label, css = "未评估", "综合分：没有可评估的能力项", " withheld"
    elif shown.value is None:
        value, css = "不给出", " withheld"
        label = f"综合分：评估覆盖低于 {threshold:.0%}，分数不具代表性"
    else:
        value, label, css = f"{shown.value:.0f} / 100", "综合分（仅供参考）", ""
    note = ""
    if low and coverage > 0:
        note = (
            f'<p class="advisory">本次回答只覆盖了岗位能力权重的 {coverage:.0%}'
            f"（低于 {threshold:.0%}），综合分不具代表性，未给出；"
            "请查看下方各能力项的分数和依据。</p>"
        )
    cover_css = " low" if low else ""
    return (
        '<h2>综合</h2><div class="headline">'
        f'<div class="metric{css}"><span class="value">{escape(value)}</span>'
        f'<span class="label">{escape(label)}</span></div>'
        f'<div class="metric{cover_css}"><span class="value">{coverage:.0%}</span>'
        '<span class="label">评估覆盖（已评估能力项占岗位权重）</span></div>'
        f"</div>{note}"
        '<img src="radar.png" alt="能力雷达图" width="420">'
    )


def _gaming(flags: list[dict[str, Any]]) -> str:
    """Why the answer's scores were lowered for what it is (keywords, an echo…), with the
    words behind each flag, so the reader can disagree."""
    if not flags:
        return ""
    items = []
    for flag in flags:
        quotes = "".join(
            f'<span class="quote">“{escape(str(q))}”</span> ' for q in flag.get("quotes") or []
        )
        items.append(
            f"<li class='flag'><b>{escape(str(flag.get('label', '')))}</b>："
            f"{escape(str(flag.get('reason', '')))}<br>{quotes}</li>"
        )
    return (
        "<h2>回答提示</h2><p class='advisory'>系统认为这段回答可能不是在讲述亲身经历，"
        "相关能力项的分数和置信度已调低。请对照原文判断，您可以不同意。</p>"
        f"<ul>{''.join(items)}</ul>"
    )


def _competency_table(competencies: dict[str, Any]) -> str:
    rows = []
    for name, item in competencies.items():
        value = item.get("score")
        if value is None:
            reason = item.get("not_assessed_reason") or "回答中没有相关依据"
            rows.append(
                f'<tr><td>{escape(name)}</td><td class="na">未评估</td><td class="na" colspan="2">'
                f"{escape(reason)}</td></tr>"
            )
            continue
        evidence = "".join(
            f'<li><span class="quote">“{escape(str(e.get("quote", "")))}”</span>'
            f'<span class="muted"> — {escape(str(e.get("why", "")))}</span></li>'
            for e in item.get("evidence") or []
        )
        confidence = item.get("confidence")
        conf = (
            "" if confidence is None else f"<br><span class='muted'>置信度 {confidence:.2f}</span>"
        )
        rows.append(
            f"<tr><td>{escape(name)}</td><td>{value}{conf}</td>"
            f"<td>{escape(str(item.get('anchor') or ''))}</td><td><ul>{evidence}</ul></td></tr>"
        )
    cols = (
        '<colgroup><col class="name"><col class="score"><col class="anchor"><col class="evidence">'
        "</colgroup>"
    )
    head = "<tr><th>能力项</th><th>分数 (1–5)</th><th>对应评分锚点</th><th>原文依据</th></tr>"
    return f'<h2>能力评分与依据</h2><table class="competencies">{cols}{head}{"".join(rows)}</table>'


def _star(star: dict[str, Any]) -> str:
    names = {"situation": "情境 S", "task": "任务 T", "action": "行动 A", "result": "结果 R"}
    items = []
    for key, label in names.items():
        quotes = star.get(key) or []
        body = "；".join(f"“{escape(str(q))}”" for q in quotes) or '<span class="na">未提及</span>'
        items.append(f"<li><b>{label}</b>：{body}</li>")
    return f"<h2>STAR 结构</h2><ul>{''.join(items)}</ul>"


def _speech(speech: dict[str, Any] | None) -> str:
    if not speech:
        return "<h2>表达</h2><p class='na'>无音频或未分析。</p>"
    notes = "".join(f"<li>{escape(str(n))}</li>" for n in speech.get("notes") or [])
    rate = speech.get("speaking_rate_cpm")
    rate_text = "无转写，无法计算" if rate is None else f"{rate:.0f} 字/分钟"
    return (
        "<h2>表达</h2>"
        f"<p>作答时长 {speech.get('total_seconds', 0):.0f} 秒，其中说话 "
        f"{speech.get('speaking_seconds', 0):.0f} 秒；语速 {escape(rate_text)}。</p>"
        f"<ul>{notes}</ul>"
    )


def _vision(vision: dict[str, Any] | None) -> str:
    head = (
        "<h2>画面质量与诚信提示</h2>"
        "<p class='muted'>仅作反馈与诚信提示，不参与能力评分，也不推断情绪或性格。</p>"
    )
    if not vision:
        return head + "<p class='na'>无视频或未分析。</p>"
    flags = vision.get("flags") or []
    if not flags:
        return head + "<p>未发现需要注意的情况。</p>"
    items = "".join(f"<li class='flag'>{escape(str(f.get('message_zh', f)))}</li>" for f in flags)
    return head + f"<ul>{items}</ul>"


def _transcript(transcript: dict[str, Any]) -> str:
    if not transcript.get("available"):
        reason = no_transcript_label(str(transcript.get("reason_code") or ""))
        return f"<h2>转写</h2><p class='na'>转写不可用：{escape(str(reason))}</p>"
    lines = "".join(
        f"<p><span class='seg'>{_clock(s.get('start', 0))}–{_clock(s.get('end', 0))}</span>"
        f"{escape(str(s.get('text', '')))}</p>"
        for s in transcript.get("segments") or []
    )
    engine = escape(str(transcript.get("engine", "")))
    return f"<h2>转写</h2><p class='muted'>引擎：{engine}</p>{lines}"


def _explanation(analysis: dict[str, Any]) -> str:
    paragraphs = "".join(f"<p>{escape(p)}</p>" for p in candidate_explanation(analysis))
    return f"<h2>给候选人的说明</h2>{paragraphs}"


def _clock(seconds: float) -> str:
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes:02d}:{rest:02d}"
