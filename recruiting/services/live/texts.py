"""The bot's words during a live interview, in Chinese, each within WeCom's 2048-byte text.

Kept apart from the use cases so the wording can change without touching the rules.
"""

from __future__ import annotations

from collections.abc import Sequence

from recruiting.domain.assessment_reasons import SYSTEM_CAUSES
from recruiting.domain.interview_state import STATUS_NAMES, InterviewStatus
from recruiting.domain.panel_summary import PanelSummary
from recruiting.domain.shorten import shorten
from recruiting.ports.live_prompts import LivePrompt

TEXT_LIMIT = 2048  # bytes (WeCom text messages)
ANCHOR_CHARS = 40
GAP_NAMES = {
    "situation": "情境",
    "task": "任务",
    "action": "行动",
    "result": "结果",
    "ownership": "个人贡献",
    "quantification": "量化结果",
}
LEVEL_NAMES = {1: "明显不足", 2: "有待提高", 3: "达到要求", 4: "良好", 5: "卓越"}

NO_INTERVIEW_TO_START = "您在当前前后 2 小时内没有可以开始的面试。"
NONE_IN_PROGRESS = "您目前没有进行中的面试。说「开始面试」开始当前的面试。"
NO_INTERVIEWS_TODAY = "您今天没有面试。"
NOTES_HINT = (
    "此后您发来的文字和语音都会记为本场笔记，每条笔记后会收到追问提示；说「结束面试」结束并打分。"
)
ONLY_PANEL_SCORES = "只有本场面试的面试官可以打分。"
NOT_SCORABLE = "这场面试尚未结束，还不能打分。"
ADVISORY = "AI 参考分由面试笔记按规则计算，仅供参考，结论由面试官决定。"


def status_name(status: str) -> str:
    return STATUS_NAMES.get(InterviewStatus(status), status)


def started(title: str, when: str, competencies: Sequence[str]) -> str:
    lines = [f"已开始面试：{title}（{when}）", NOTES_HINT]
    if competencies:
        lines.append("本轮考察：" + "、".join(competencies))
    return shorten("\n".join(lines), TEXT_LIMIT)


def started_by_colleague(who: str, title: str) -> str:
    return shorten(f"{who} 已开始面试：{title}。\n{NOTES_HINT}", TEXT_LIMIT)


def already_running(title: str) -> str:
    return shorten(f"面试正在进行：{title}。\n{NOTES_HINT}", TEXT_LIMIT)


def finished(title: str, notes: int, voice: int, raters: Sequence[str]) -> str:
    return shorten(
        f"已结束面试：{title}。\n共记录 {notes} 条笔记（其中语音 {voice} 条）。\n"
        f"评分卡片已发给：{'、'.join(raters) or '（本场没有分配面试官）'}。"
        "请为每项胜任力打 1–5 分；提交后 30 分钟内发来的文字会作为您的评语。\n"
        "所有面试官打完分后，汇总（含仅供参考的 AI 分）会发给 HR 和主面试官。",
        TEXT_LIMIT,
    )


def prompt_text(
    count: int, note_line: str, prompt: LivePrompt | None, *, unscored: str = ""
) -> str:
    """The live prompt after a note: coverage, the follow-up, the focus's anchors."""
    lines = [f"【笔记】本场已记录 {count} 条。{note_line}"]
    if prompt is None:
        lines.append(unscored or "本条没有可分析的文字，追问提示基于此前的笔记。")
        return shorten("\n".join(lines), TEXT_LIMIT)
    if prompt.uncovered:
        covered = f"（已有证据：{'、'.join(prompt.covered)}）" if prompt.covered else ""
        lines.append(f"尚缺证据：{'、'.join(prompt.uncovered)}{covered}")
    elif prompt.covered:
        lines.append(f"各项胜任力都已有证据：{'、'.join(prompt.covered)}")
    lines.extend(f"⚠ {shorten(flag, max_chars=80, inline=True)}" for flag in prompt.flags)
    if prompt.question:
        gaps = "、".join(GAP_NAMES.get(g, g) for g in prompt.missing)
        lines.append(f"追问（缺{gaps}）：{prompt.question}" if gaps else f"追问：{prompt.question}")
    head = "\n".join(lines)
    if prompt.focus is None:
        return shorten(head, TEXT_LIMIT)
    anchors = [f"{level} {shorten(text, max_chars=ANCHOR_CHARS, inline=True)}" for level, text in
               enumerate(prompt.focus.anchors, start=1)]  # fmt: skip
    body = f"{head}\n关注「{prompt.focus.name}」评分锚点：\n" + "\n".join(anchors)
    return shorten(body + "\n（AI 提示，仅供参考）", TEXT_LIMIT)


def text_note_line(body: str) -> str:
    return f"最新：“{shorten(body, max_chars=30, inline=True)}”"


def voice_note_line(seconds: float, transcript: str, reason: str, code: str = "") -> str:
    """The note's line in the prompt: its words, or why there are none (``reason`` is the
    Chinese label of ``code``); a system cause asks for the point in writing instead."""
    if transcript:
        return f"语音 {seconds:.0f} 秒，转写：“{shorten(transcript, max_chars=60, inline=True)}”"
    line = f"语音 {seconds:.0f} 秒已保存，未能转写：{shorten(reason, max_chars=60, inline=True)}。"
    if code in SYSTEM_CAUSES:
        line += "请用文字补记要点。"
    return line


def panel_text(summary: PanelSummary) -> str:
    """The panel's consolidation for HR and the lead interviewer."""
    names = "、".join(f"{name}（主面试官）" if lead else name for name, lead in summary.raters)
    lines = [f"【面试汇总】{summary.title}", f"面试官：{names}"]
    for line in summary.lines:
        people = "｜".join(f"{name} {_score(value)}" for name, value in line.ratings)
        ai = (
            f"AI 参考 {_score(line.ai)}"
            if line.ai is not None
            else "AI 参考 未评估（笔记中无证据）"
        )
        flag = f"  ⚠ 相差 {line.spread:g} 分" if line.disagreement and line.spread else ""
        lines.append(f"{line.name}：{people}｜{ai}{flag}")
        if line.ai is not None and line.ai_quotes:
            lines.append(f"  AI 依据：“{shorten(line.ai_quotes[0], max_chars=40, inline=True)}”")
    if summary.disagreements:
        lines.append(
            f"⚠ 面试官评分相差 ≥2 分：{'、'.join(summary.disagreements)}。"
            "建议面试官一起开一次校准讨论，对照评分锚点和笔记再定结论。"
        )
    if summary.comments:
        lines.append("评语：")
        lines += [
            f"· {name}：{shorten(text, max_chars=120, inline=True)}"
            for name, text in summary.comments
        ]
    lines.append(ADVISORY)
    return shorten("\n".join(lines), TEXT_LIMIT)


def _score(value: float | None) -> str:
    return "—" if value is None else f"{value:g}"
