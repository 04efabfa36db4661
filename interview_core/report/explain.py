"""The plain-language explanation a candidate may request: what was assessed, how, and
that a person decides. Built only from the analysis itself, never from templates that
claim more than was done."""

from __future__ import annotations

from typing import Any

from recruiting.domain.assessment_reasons import NotAssessed, no_transcript_label


def candidate_explanation(analysis: dict[str, Any]) -> list[str]:
    """Paragraphs in Chinese, suitable for the candidate's own view."""
    score = analysis.get("score") or {}
    competencies = score.get("competencies") or {}
    assessed = [n for n, c in competencies.items() if c.get("score") is not None]
    not_assessed: dict[str, list[str]] = {}
    for name, c in competencies.items():
        if c.get("score") is None:
            code = str(c.get("not_assessed_code") or NotAssessed.NO_EVIDENCE)
            not_assessed.setdefault(code, []).append(name)
    transcript = analysis.get("transcript") or {}
    paragraphs = [
        "本次录制面试由系统辅助分析，分析结果只作为面试官的参考，是否录用由招聘人员综合判断后决定。",
        _what_was_assessed(assessed, not_assessed),
        _how(transcript),
        "系统不会根据面部表情或画面推断情绪、性格或自信程度；画面信息只用于检查录制质量"
        "（如光线、是否看向镜头）和作答过程是否独立完成，不参与任何能力评分。",
        "如对结果有疑问，您可以通过招聘人员申请人工复核，或要求删除录制内容及分析结果。",
    ]
    return paragraphs


WHY_NOT_ASSESSED: dict[str, str] = {
    NotAssessed.NO_EVIDENCE: "以下能力项因回答中没有相关依据而未评估（不等于低分）",
    NotAssessed.SYSTEM_NO_TRANSCRIPT: (
        "由于系统原因，您的录音没能转写为文字，以下能力项未评估；这与您的回答无关，"
        "招聘人员会人工查看您的录像"
    ),
    NotAssessed.RECORDING_NO_SPEECH: (
        "录音中没有识别到说话声，以下能力项未评估（不等于低分），招聘人员会人工查看您的录像"
    ),
}


def _what_was_assessed(assessed: list[str], not_assessed: dict[str, list[str]]) -> str:
    listed = "、".join(assessed) if assessed else "无"
    text = f"本次评估的能力项：{listed}。"
    for code, names in not_assessed.items():
        why = WHY_NOT_ASSESSED.get(code) or "以下能力项未评估（不等于低分）"
        text += f"{why}：{'、'.join(names)}。"
    return text


def _how(transcript: dict[str, Any]) -> str:
    if transcript.get("available"):
        source = "系统先将您的语音转写为文字，"
    else:  # the code's label only: the stored reason may be an operator's note
        reason = no_transcript_label(str(transcript.get("reason_code") or ""))
        source = f"本次没有语音转写（{reason}），仅依据可用的文字内容，"
    return (
        source + "再对照岗位的能力模型，查找回答中描述的具体情境、任务、行动和结果，"
        "以及可量化的成果；每个分数都附有引用自您回答原文的依据。"
    )
