"""Interviewers' voice notes (WeCom AMR-NB, at most a minute) to text, behind the service's
``SpeechToText`` port (recruiting.ports.voice_notes).

The audio is decoded to 16 kHz mono, its voiced spans found, and those transcribed by the
installed speech model. No model, no speech, or undecodable audio give no text and the
reason instead, so a note never pretends to hold words nobody recognised.
"""

from __future__ import annotations

import logging
import tempfile
import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from interview_core.errors import MediaRejected, MediaTooLong
from interview_core.media.audio import SAMPLE_RATE, load_pcm
from interview_core.speech.choose import recognizer_from_settings
from interview_core.speech.port import SpeechRecognizer
from interview_core.speech.vad import split_for_asr, voiced_segments
from recruiting.domain.assessment_reasons import NoTranscript, no_transcript_label
from recruiting.ports.voice_notes import SpokenText

MAX_SECONDS = 120.0  # WeCom voice messages last at most 60 s
ASR_SEGMENT_SECONDS = 25.0
log = logging.getLogger(__name__)

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
                log.info("voice note not decoded: %s", exc.message)
                return _none(0.0, NoTranscript.UNDECODABLE)
        seconds = round(len(pcm) / SAMPLE_RATE, 1)
        voiced = voiced_segments([pcm], SAMPLE_RATE)
        if not voiced:
            return _none(seconds, NoTranscript.NO_SPEECH)
        recognizer = _recognizer(self.model_dir)
        with _lock:
            result = recognizer.transcribe(
                pcm, SAMPLE_RATE, split_for_asr(voiced, ASR_SEGMENT_SECONDS)
            )
        text = result.text.strip() if result.available else ""
        if not text:  # the recogniser logged the technical reason
            return _none(seconds, result.code or NoTranscript.EMPTY_RESULT, result.engine)
        return SpokenText(True, text, seconds, "", result.engine)


def _none(seconds: float, code: str, engine: str = "") -> SpokenText:
    return SpokenText(False, "", seconds, no_transcript_label(code), engine, code)


@cache
def _recognizer(model_dir: str | None) -> SpeechRecognizer:
    return recognizer_from_settings(model_dir)
