"""Live interviews in chat: voice from WeCom, prompts and speech from the analysis core,
voice notes kept encrypted beside the recorded answers (``services.live``)."""

from __future__ import annotations

from dataclasses import dataclass

from interview_core.voice_notes import CoreSpeechToText
from recruiting.services.live.interview import LiveInterviews
from recruiting.services.live.panel_scoring import PanelScoring
from recruiting.wiring.shared import Shared
from wecom_bot.voice import WeComVoiceSource


@dataclass(frozen=True)
class Live:
    interviews: LiveInterviews


def wire_live(shared: Shared) -> Live:
    settings, prompts, effects = shared.settings, shared.prompts, shared.effects
    speech = CoreSpeechToText(shared.scratch, settings.analysis.speech_model_dir or None)
    scoring = PanelScoring(prompts, effects, settings.timezone)
    voice = WeComVoiceSource(shared.wecom.media)
    interviews = LiveInterviews(
        settings.timezone, prompts, voice, speech, scoring, effects, shared.media
    )
    return Live(interviews=interviews)
