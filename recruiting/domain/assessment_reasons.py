"""Why an answer has no transcript or a competency no score: a code in the data, a Chinese
label for the people who read it.

The technical detail (a model directory, an install command, an exception) is for operators
and goes to the logs and the health check, never into what a candidate, an interviewer or HR
reads. A missing transcript is never the candidate's fault: when there is no text, each
competency is "not assessed" because of the system or the recording, not for lack of evidence.
"""

from __future__ import annotations

from enum import StrEnum


class NoTranscript(StrEnum):
    """Why a recording or a voice note has no text."""

    MODEL_MISSING = "model_missing"  # no speech model installed (operators: install-model)
    ENGINE_MISSING = "engine_missing"  # the speech engine's packages are not installed
    MODEL_FAILED = "model_failed"  # the model did not load, or failed on every segment
    NO_AUDIO = "no_audio"  # the recording has no sound track
    NO_SPEECH = "no_speech"  # sound, but nobody speaking
    UNDECODABLE = "undecodable"  # the audio could not be decoded
    DOWNLOAD_FAILED = "download_failed"  # WeCom would not hand over the voice message
    EMPTY_RESULT = "empty_result"  # speech was heard but no words recognised


NO_TRANSCRIPT_LABELS: dict[NoTranscript, str] = {
    NoTranscript.MODEL_MISSING: "系统暂未开通语音识别",
    NoTranscript.ENGINE_MISSING: "系统暂未开通语音识别",
    NoTranscript.MODEL_FAILED: "语音识别暂时出现故障",
    NoTranscript.NO_AUDIO: "录音中没有声音",
    NoTranscript.NO_SPEECH: "录音中没有检测到说话声",
    NoTranscript.UNDECODABLE: "录音文件无法读取",
    NoTranscript.DOWNLOAD_FAILED: "语音未能从企业微信取回",
    NoTranscript.EMPTY_RESULT: "没有识别出文字",
}

SYSTEM_CAUSES = frozenset(
    {
        NoTranscript.MODEL_MISSING,
        NoTranscript.ENGINE_MISSING,
        NoTranscript.MODEL_FAILED,
        NoTranscript.DOWNLOAD_FAILED,
    }
)


class NotAssessed(StrEnum):
    """Why a competency has no score (never a 0)."""

    NO_EVIDENCE = "no_evidence"  # the answer's text holds nothing about it
    SYSTEM_NO_TRANSCRIPT = "system_no_transcript"  # the system could not transcribe
    RECORDING_NO_SPEECH = "recording_no_speech"  # the recording holds no usable speech
    HUMAN_REVIEW_ONLY = "human_review_only"  # the candidate declined automated assessment


NOT_ASSESSED_LABELS: dict[NotAssessed, str] = {
    NotAssessed.NO_EVIDENCE: "回答中没有与此项相关的具体描述，未评估（不是 0 分）",
    NotAssessed.SYSTEM_NO_TRANSCRIPT: (
        "系统原因未能转写录音，未评估（与候选人的回答无关，请人工评估）"
    ),
    NotAssessed.RECORDING_NO_SPEECH: "录音中没有可识别的说话声，未评估（请查看录像后人工评估）",
    NotAssessed.HUMAN_REVIEW_ONLY: "候选人选择仅人工评估，系统未评分",
}


def no_transcript_label(code: str) -> str:
    """The Chinese label of a ``NoTranscript`` code (a generic one for unknown codes)."""
    try:
        return NO_TRANSCRIPT_LABELS[NoTranscript(code)]
    except ValueError:
        return "未能转写"


def not_assessed_label(code: str) -> str:
    try:
        return NOT_ASSESSED_LABELS[NotAssessed(code)]
    except ValueError:
        return "未评估"


def not_assessed_for(no_transcript: str) -> NotAssessed:
    """Without a transcript every competency is not assessed: because of the system, or
    because the recording holds no usable speech; never for lack of evidence."""
    try:
        cause = NoTranscript(no_transcript)
    except ValueError:
        return NotAssessed.SYSTEM_NO_TRANSCRIPT
    if cause in SYSTEM_CAUSES:
        return NotAssessed.SYSTEM_NO_TRANSCRIPT
    return NotAssessed.RECORDING_NO_SPEECH
