"""Which speech recogniser runs: the PaddleSpeech adapter for an installed model, else an
:class:`~interview_core.speech.port.UnavailableRecognizer` saying why.

Kept out of the port so the port depends on none of its implementations (the model installer,
the Paddle adapter); callers that need a recogniser built from settings import this module.
"""

from __future__ import annotations

import importlib.util
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from interview_core.errors import ModelUnavailable
from interview_core.speech.models import default_models_dir, find_model_dir, install_hint
from interview_core.speech.port import SpeechRecognizer, UnavailableRecognizer
from recruiting.domain.assessment_reasons import NoTranscript

log = logging.getLogger(__name__)


def recognizer_from_settings(model_dir: str | None, *, device: str = "cpu") -> SpeechRecognizer:
    """The PaddleSpeech recogniser for an installed model, else an UnavailableRecognizer.

    ``model_dir`` is a model directory or a models directory holding installed models (the
    active one is used); None means ``$SPEECH_MODEL_DIR`` or ``var/models/speech``. Loading
    happens here, once per process and directory, so a broken model shows at start-up.
    """
    ready = speech_readiness(model_dir)
    if ready.code:
        log.warning("speech recognition unavailable (%s): %s", ready.code, ready.detail)
        return UnavailableRecognizer(ready.detail, ready.code)
    from interview_core.speech.paddle import PaddleSpeechRecognizer

    try:
        return PaddleSpeechRecognizer.from_model_dir(Path(ready.model_dir), device=device)
    except ModelUnavailable as exc:
        log.warning("speech model did not load: %s", exc.message)
        return UnavailableRecognizer(exc.message, NoTranscript.MODEL_FAILED)


@dataclass(frozen=True)
class SpeechReadiness:
    """Whether speech can be recognised, found cheaply (no model is loaded): ``code`` empty
    when a model is installed and the engine present, else a ``NoTranscript`` code with the
    operator's ``detail`` (where the model should be, how to install it)."""

    code: str
    detail: str
    model_dir: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "status": "missing" if self.code else "ok",
            "code": str(self.code) or None,
            "detail": self.detail,
        }


def speech_readiness(model_dir: str | None) -> SpeechReadiness:
    where = Path(model_dir) if model_dir else default_models_dir()
    found = find_model_dir(where)
    if found is None:
        detail = f"no speech model installed in {where}; {install_hint()}"
        return SpeechReadiness(NoTranscript.MODEL_MISSING, detail)
    if importlib.util.find_spec("paddlespeech") is None:
        detail = (
            "paddlespeech is not installed (pip install paddlepaddle==3.1.1 paddlespeech==1.5.0)"
        )
        return SpeechReadiness(NoTranscript.ENGINE_MISSING, detail, str(found))
    return SpeechReadiness("", f"speech model installed in {found}", str(found))
