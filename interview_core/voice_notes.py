"""Interviewers' voice notes (WeCom AMR-NB, at most a minute) to text, behind the service's
``SpeechToText`` port (recruiting.ports.voice_notes).

The audio is decoded to 16 kHz mono, its voiced spans found, and those transcribed by the
installed speech model. No model, no speech, or undecodable audio give no text and the
reason instead, so a note never pretends to hold words nobody recognised.
"""

from __future__ import annotations

import tempfile
import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from interview_core.errors import MediaRejected, MediaTooLong
from interview_core.media.audio import SAMPLE_RATE, load_pcm
from interview_core.speech.port import SpeechRecognizer, recognizer_from_settings
from interview_core.speech.vad import split_for_asr, voiced_segments
from recruiting.ports.voice_notes import SpokenText

MAX_SECONDS = 120.0  # WeCom voice messages last at most 60 s
ASR_SEGMENT_SECONDS = 25.0
NO_SPEECH = "没有检测到说话声"
EMPTY_RESULT = "语音识别没有得到文字"

_lock = threading.Lock()  # one decode at a time per process: the model is shared


@dataclass(frozen=True)
class CoreSpeechToText:
    """``model_dir`` None: ``$SPEECH_MODEL_DIR``; ``scratch`` holds the audio while decoded."""

    scratch: Path
    model_dir: str | None = None

    def transcribe(self, audio: bytes, fmt: str) -> SpokenText:
        suffix = "." + (fmt if fmt.isascii() and fmt.isalnum() else "amr")
        with tempfile.NamedTemporaryFile(dir=self.scratch, suffix=suffix) as file:
            file.write(audio)
            file.flush()
            try:
                pcm = load_pcm(file.name, MAX_SECONDS)
            except (MediaRejected, MediaTooLong) as exc:
                return SpokenText(False, "", 0.0, f"语音无法解码：{exc.message}")
        seconds = round(len(pcm) / SAMPLE_RATE, 1)
        voiced = voiced_segments([pcm], SAMPLE_RATE)
        if not voiced:
            return SpokenText(False, "", seconds, NO_SPEECH)
        recognizer = _recognizer(self.model_dir)
        with _lock:
            result = recognizer.transcribe(
                pcm, SAMPLE_RATE, split_for_asr(voiced, ASR_SEGMENT_SECONDS)
            )
        text = result.text.strip() if result.available else ""
        if not text:
            return SpokenText(False, "", seconds, result.reason or EMPTY_RESULT, result.engine)
        return SpokenText(True, text, seconds, "", result.engine)


@cache
def _recognizer(model_dir: str | None) -> SpeechRecognizer:
    return recognizer_from_settings(model_dir)
