"""Fakes for the live-interview ports (prompts, voice, speech), a booked panel interview to run
the use cases on, and the WeCom messages the interviewers send (text, voice, card clicks)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from itertools import count
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from recruiting import clock
from recruiting.domain.inbound import CardClick, SelectedItem, TextMessage, VoiceMessage
from recruiting.errors import ExternalServiceError
from recruiting.models import (
    Application,
    Candidate,
    Interview,
    InterviewAssignment,
    InterviewRound,
    JobOpening,
    RoundKind,
    Staff,
)
from recruiting.ports.live_prompts import (
    CompetencyBrief,
    LivePrompt,
    LivePrompts,
    LiveScope,
    NoteAssessment,
    NoteScore,
)
from recruiting.ports.voice_notes import SpeechToText, SpokenText, VoiceSource
from recruiting.services.demo import seed_demo_staff
from recruiting.services.live.interview import LiveInterviews
from recruiting.services.live.panel_scoring import PanelScoring
from recruiting.services.messaging.conversation import Conversation
from recruiting.services.messaging.effects import Effects

SH = ZoneInfo("Asia/Shanghai")
MODEL = [
    {"code": "customer_focus", "name": "客户导向", "weight": "0.4"},
    {"code": "communication", "name": "沟通能力", "weight": "0.3"},
    {"code": "results", "name": "结果导向", "weight": "0.3"},
]
_ids = count(1000)


class FakePrompts:
    """``LivePrompts``: competencies from the scope's model; a prompt that records what it was
    asked; an assessment that scores a competency a note names."""

    def __init__(self) -> None:
        self.asked: list[tuple[list[str], str]] = []

    def competencies(self, scope: LiveScope) -> list[CompetencyBrief]:
        anchors = tuple(f"锚点{level}" for level in range(1, 6))
        return [CompetencyBrief(str(i["code"]), str(i["name"]), anchors)
                for i in scope.competency_model]  # fmt: skip

    def prompt(self, scope: LiveScope, notes: Sequence[str], latest: str) -> LivePrompt:
        self.asked.append((list(notes), latest))
        briefs = self.competencies(scope)
        covered = [b.name for b in briefs if any(b.name in n for n in notes)]
        uncovered = [b.name for b in briefs if b.name not in covered]
        focus = next((b for b in briefs if b.name in uncovered), None)
        question = f"你提到“{latest[:8]}”，结果如何？" if latest else ""
        return LivePrompt(covered, uncovered, focus, ["result"] if latest else [], question)

    def assess(self, scope: LiveScope, notes: Sequence[str]) -> NoteAssessment:
        scores = [NoteScore(b.name, 3.0 if any(b.name in n for n in notes) else None, 0.5,
                            [{"quote": n, "why": "fake"} for n in notes if b.name in n])
                  for b in self.competencies(scope)]  # fmt: skip
        return NoteAssessment("ai:fake@1", scores)


@dataclass
class FakeVoice:
    """``VoiceSource``: the voice note's audio (or ``error``), each media id it fetched."""

    audio: bytes = b"#!AMR\n" + bytes(64)
    error: Exception | None = None
    fetched: list[str] = field(default_factory=list)

    async def download(self, media_id: str) -> bytes:
        self.fetched.append(media_id)
        if self.error is not None:
            raise self.error
        return self.audio


@dataclass
class FakeSpeech:
    """``SpeechToText``: always ``result``; the audio it heard."""

    result: SpokenText = field(default_factory=lambda: SpokenText(True, "客户导向很强", 4.0))
    heard: list[bytes] = field(default_factory=list)

    def transcribe(self, audio: bytes, fmt: str) -> SpokenText:
        self.heard.append(audio)
        return self.result


class Gone(ExternalServiceError):
    """What the WeCom adapter raises for an expired media id (not transient)."""


@dataclass(frozen=True)
class Live:
    """The use cases wired with fakes, and a booked panel interview."""

    live: LiveInterviews
    scoring: PanelScoring
    bot: Conversation
    prompts: FakePrompts
    voice: FakeVoice
    speech: FakeSpeech
    interview: Interview
    lead: Staff
    second: Staff


async def live_world(minutes_from_now: int = 20, status: str = "confirmed") -> Live:
    await seed_demo_staff()
    prompts, voice, speech = FakePrompts(), FakeVoice(), FakeSpeech()
    effects = Effects(None)
    scoring = PanelScoring(prompts, effects, SH)
    live = LiveInterviews(SH, prompts, voice, speech, scoring, effects)
    job = await JobOpening.create(code=f"job{next(_ids)}", title="销售代表", competency_model=MODEL)
    round_ = await InterviewRound.create(job=job, name="二面", kind=RoundKind.LIVE, panel_size=2)
    candidate = await Candidate.create(name="周芳")
    application = await Application.create(candidate=candidate, job=job)
    starts = clock.now() + timedelta(minutes=minutes_from_now)
    interview = await Interview.create(application=application, round=round_, status=status,
                                       starts_at=starts, ends_at=starts + timedelta(hours=1))  # fmt: skip
    lead = await Staff.get(wecom_userid="wangqiang")
    second = await Staff.get(wecom_userid="chenjing")
    await InterviewAssignment.create(interview=interview, interviewer=lead, lead=True)
    await InterviewAssignment.create(interview=interview, interviewer=second)
    bot = Conversation(SH, live)
    return Live(live, scoring, bot, prompts, voice, speech, interview, lead, second)


def said(user: str, text: str, msg_id: str | None = None) -> TextMessage:
    msg_id = msg_id or str(next(_ids))
    return TextMessage(kind="text", from_user=user, to_user="corp", agent_id="1",
                       create_time=int(clock.now().timestamp()), msg_type="text", event="",
                       dedup_key=f"msg:{msg_id}", content=text, msg_id=msg_id)  # fmt: skip


def spoke(user: str, msg_id: str | None = None) -> VoiceMessage:
    msg_id = msg_id or str(next(_ids))
    return VoiceMessage(kind="voice", from_user=user, to_user="corp", agent_id="1",
                        create_time=int(clock.now().timestamp()), msg_type="voice", event="",
                        dedup_key=f"msg:{msg_id}", media_id=f"media-{msg_id}", format="amr",
                        msg_id=msg_id)  # fmt: skip


def clicked(user: str, key: str, levels: dict[str, int | str], code: str = "rc") -> CardClick:
    selected = tuple(SelectedItem(q, (str(v),)) for q, v in levels.items())
    return CardClick(kind="card_click", from_user=user, to_user="corp", agent_id="1",
                     create_time=int(clock.now().timestamp()), msg_type="event",
                     event="template_card_event", dedup_key=f"evt:{next(_ids)}", event_key=key,
                     task_id="task-1", card_type="multiple_interaction", response_code=code,
                     selected=selected)  # fmt: skip


if TYPE_CHECKING:  # mypy tests/fakes: each fake implements its port
    _prompts: LivePrompts = FakePrompts()
    _voice: VoiceSource = FakeVoice()
    _speech: SpeechToText = FakeSpeech()
