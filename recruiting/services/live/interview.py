"""The live interview in WeCom chat: today's list, start, notes with live prompts, finish.

An interviewer says 开始面试 and the interview they sit on that is running, else the nearest
one of theirs starting within two hours (scheduled, invited or confirmed), is in progress.
From then on every text that is not a command is a note, and every voice message is fetched
at once (WeCom keeps it three days), kept encrypted, transcribed and stored as a note; a
note is stored once per WeCom ``MsgId``. 结束面试 completes it, scores the notes with the
advisory engine and sends every panel member their scoring cards (``panel_scoring``).

Live prompts, and the rule that keeps them within WeCom's 30 messages per member per
minute: a note's only message is its prompt, and each interviewer has at most one prompt
per interview waiting to be sent. A note arriving while that prompt is still unsent (the
relay is busy or the member is at WeCom's limit, where the client waits) rewrites the
waiting prompt with the newest state instead of adding a message. Dictating fast therefore
never queues up prompts: the interviewer gets the latest one as soon as WeCom accepts it.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from datetime import UTC, datetime, timedelta, tzinfo
from decimal import Decimal

from recruiting import clock
from recruiting.domain.assessment_reasons import NoTranscript, no_transcript_label
from recruiting.domain.inbound import Inbound, TextMessage, VoiceMessage
from recruiting.domain.interview_state import InterviewStatus, next_status
from recruiting.domain.live_commands import LiveCommand, parse
from recruiting.domain.shorten import shorten
from recruiting.errors import ExternalServiceError, RetryLater
from recruiting.models import (
    Interview,
    InterviewAssignment,
    InterviewNote,
    OutboxMessage,
    ProcessingStatus,
    RaterKind,
    Score,
    Staff,
)
from recruiting.models.interviews import NoteKind
from recruiting.ports.live_prompts import LivePrompts, NoteAssessment
from recruiting.ports.media import MediaStore
from recruiting.ports.outbound import Channel, OutboundDraft
from recruiting.ports.voice_notes import SpeechToText, SpokenText, VoiceSource
from recruiting.services.live import texts as say
from recruiting.services.live.context import (
    KEY_PREFIX,
    LiveContext,
    actor_of,
    competencies,
    in_progress_for,
    load_context,
    local,
    text_draft,
)
from recruiting.services.live.panel_scoring import PanelScoring
from recruiting.services.messaging.effects import Effects, Unit
from recruiting.services.shared.audit import record
from recruiting.services.shared.candidate_brief import candidate_brief

log = logging.getLogger(__name__)

START_WINDOW = timedelta(hours=2)
STARTABLE = (InterviewStatus.SCHEDULED, InterviewStatus.INVITED, InterviewStatus.CONFIRMED)
UNTRANSCRIBED = "〔未转写〕"  # body prefix of a voice note without text: the reason follows
RECENTLY_FINISHED = timedelta(minutes=10)


class LiveInterviews:
    def __init__(
        self,
        zone: tzinfo,
        prompts: LivePrompts,
        voice: VoiceSource,
        speech: SpeechToText,
        scoring: PanelScoring,
        effects: Effects,
        media: MediaStore | None = None,
    ) -> None:
        self._zone = zone
        self._prompts = prompts
        self._voice = voice
        self._speech = speech
        self._scoring = scoring
        self._effects = effects
        self._media = media

    # -- chat entry points ---------------------------------------------------------------

    async def on_text(self, staff: Staff, message: TextMessage) -> list[OutboundDraft] | None:
        """Commands, notes and comments; None when the text is none of them."""
        parsed = parse(message.content)
        running = await in_progress_for(staff)
        if parsed is not None and parsed.command is LiveCommand.CANDIDATE:
            quiet = running is not None or not parsed.explicit
            brief = await candidate_brief(staff, parsed.argument, self._zone, quiet=quiet)
            if brief is not None:
                return [text_draft(staff.wecom_userid, brief, "reply")]
        elif parsed is not None:
            return await self._command(staff, parsed.command, running)
        if running is not None:
            return await self.text_note(staff, running, message)
        return await self._scoring.comment(staff, message.content)

    async def on_voice(self, event: Inbound) -> list[OutboundDraft]:
        """Handler for ``voice``: a note while the sender's interview runs, else ignored
        (outside an interview there is nothing to attach it to, and nothing is kept)."""
        if not isinstance(event, VoiceMessage):
            return []
        staff = await Staff.get_or_none(wecom_userid=event.from_user, active=True)
        running = await in_progress_for(staff) if staff is not None else None
        if staff is None or running is None:
            return []
        source = _source_id(event)
        if await InterviewNote.exists(source_msg_id=source):
            return []  # stored with its prompt in one transaction: nothing left to do
        ctx = await load_context(running)
        spoken, media_ref = await self._hear(ctx, event)
        body = spoken.text if spoken.available else f"{UNTRANSCRIBED}{spoken.reason}"
        line = say.voice_note_line(spoken.seconds, spoken.text, spoken.reason, spoken.code)
        note = InterviewNote(interview_id=ctx.id, author=staff, kind=NoteKind.VOICE, body=body,
                             media_ref=media_ref, source_msg_id=source,
                             taken_at=_taken_at(event))  # fmt: skip
        await self._keep_note(ctx, staff, note, line, spoken.text)
        return []

    async def on_card_click(self, event: Inbound) -> list[OutboundDraft]:
        """Handler for ``card_click``: scoring cards (``panel_scoring``)."""
        return await self._scoring.on_card_click(event)

    # -- commands ------------------------------------------------------------------------

    async def _command(
        self, staff: Staff, command: LiveCommand, running: int | None
    ) -> list[OutboundDraft]:
        if command is LiveCommand.TODAY:
            return [text_draft(staff.wecom_userid, await self.today(staff), "reply")]
        if command is LiveCommand.START:
            return await self.start(staff, running)
        return await self.finish(staff, running)

    async def today(self, staff: Staff) -> str:
        now = clock.now().astimezone(self._zone)
        day = now.replace(hour=0, minute=0, second=0, microsecond=0)
        start, end = day.astimezone(UTC), (day + timedelta(days=1)).astimezone(UTC)
        assignments = (
            await InterviewAssignment.filter(
                interviewer_id=staff.id,
                interview__starts_at__gte=start,
                interview__starts_at__lt=end,
            )
            .prefetch_related("interview__application__candidate", "interview__round__job")
            .order_by("interview__starts_at")
        )
        if not assignments:
            return say.NO_INTERVIEWS_TODAY
        lines = [f"您今天的面试（{len(assignments)} 场）："]
        for a in assignments:
            i: Interview = a.interview
            who = i.application.candidate.name
            job = i.round.job.title
            span = (
                f"{local(i.starts_at, self._zone, '%H:%M')}–{local(i.ends_at, self._zone, '%H:%M')}"
            )
            status = say.status_name(i.status)
            lines.append(f"· {span} {who} · {job} · {i.round.name}（{status}）")
        return shorten("\n".join(lines), say.TEXT_LIMIT)

    async def start(self, staff: Staff, running: int | None) -> list[OutboundDraft]:
        if running is not None:
            ctx = await load_context(running)
            return [text_draft(staff.wecom_userid, say.already_running(ctx.title()), "reply")]
        interview = await self._startable(staff)
        if interview is None:
            text = f"{say.NO_INTERVIEW_TO_START}\n\n{await self.today(staff)}"
            return [text_draft(staff.wecom_userid, shorten(text, say.TEXT_LIMIT), "reply")]
        ctx = await load_context(interview.id)
        names = [b.name for b in await competencies(self._prompts, ctx)]
        target = next_status(InterviewStatus(interview.status), "start")
        async with self._effects.unit() as unit:
            moved = await Interview.filter(id=interview.id, version=interview.version).update(
                status=target, version=interview.version + 1, updated_at=clock.now()
            )
            if moved:
                await record(actor_of(staff), "start_interview", "interview", interview.id,
                             allowed=True)  # fmt: skip
                notices = [text_draft(p.staff.wecom_userid,
                                      say.started_by_colleague(staff.name, ctx.title()),
                                      p.staff.wecom_userid)
                           for p in ctx.panel if p.staff.id != staff.id]  # fmt: skip
                await unit.add(notices, cause=f"{KEY_PREFIX}:{ctx.id}:started")
        if not moved:  # a colleague started (or someone changed) it meanwhile
            return await self.start(staff, await in_progress_for(staff))
        ends = local(interview.ends_at, self._zone, "%H:%M")
        when = f"{local(interview.starts_at, self._zone)}–{ends}"
        return [text_draft(staff.wecom_userid, say.started(ctx.title(), when, names), "reply")]

    async def finish(self, staff: Staff, running: int | None) -> list[OutboundDraft]:
        if running is None:
            return [text_draft(staff.wecom_userid, await self._nothing_running(staff), "reply")]
        ctx = await load_context(running)
        notes = await InterviewNote.filter(interview_id=ctx.id).order_by("taken_at", "id")
        briefs = await competencies(self._prompts, ctx)
        assessment = await asyncio.to_thread(self._prompts.assess, ctx.scope, _texts(notes))
        target = next_status(ctx.status, "finish")
        version = ctx.interview.version
        async with self._effects.unit() as unit:
            moved = await Interview.filter(id=ctx.id, version=version).update(
                status=target, version=version + 1, updated_at=clock.now(), completed_at=clock.now()
            )
            if moved:
                await _store_assessment(ctx.id, assessment)
                await record(actor_of(staff), "finish_interview", "interview", ctx.id,
                             allowed=True, detail=f"{len(notes)} notes")  # fmt: skip
                stamp = int(clock.now().timestamp())
                cards = self._scoring.cards(ctx, briefs, stamp)
                await unit.add(cards, cause=f"{KEY_PREFIX}:{ctx.id}:finish")
        if not moved:
            return [text_draft(staff.wecom_userid, await self._nothing_running(staff), "reply")]
        voice = sum(1 for n in notes if n.kind == NoteKind.VOICE)
        raters = [p.staff.name for p in ctx.panel]
        text = say.finished(ctx.title(), len(notes), voice, raters)
        return [text_draft(staff.wecom_userid, text, "reply")]

    async def _startable(self, staff: Staff) -> Interview | None:
        """The nearest interview of this person starting within ±2 h that may start."""
        now = clock.now()
        options = await Interview.filter(
            assignments__interviewer_id=staff.id,
            status__in=[s.value for s in STARTABLE],
            starts_at__gte=now - START_WINDOW,
            starts_at__lte=now + START_WINDOW,
        )
        return min(options, key=lambda i: abs((i.starts_at or now) - now), default=None)

    async def _nothing_running(self, staff: Staff) -> str:
        """No interview running: say so, or that it was just finished (a repeated 结束面试)."""
        since = clock.now() - RECENTLY_FINISHED
        done = await Interview.filter(
            assignments__interviewer_id=staff.id,
            status=InterviewStatus.COMPLETED,
            updated_at__gte=since,
        ).first()
        if done is None:
            return say.NONE_IN_PROGRESS
        ctx = await load_context(done.id)
        return f"面试已结束：{ctx.title()}。评分卡片已发出，请在卡片中打分。"

    # -- notes and prompts ---------------------------------------------------------------

    async def text_note(
        self, staff: Staff, interview_id: int, message: TextMessage
    ) -> list[OutboundDraft]:
        source = _source_id(message)
        if await InterviewNote.exists(source_msg_id=source):
            return []
        ctx = await load_context(interview_id)
        body = message.content.strip()
        note = InterviewNote(interview_id=ctx.id, author=staff, kind=NoteKind.TEXT, body=body,
                             source_msg_id=source, taken_at=_taken_at(message))  # fmt: skip
        await self._keep_note(ctx, staff, note, say.text_note_line(body), body)
        return []

    async def _keep_note(
        self, ctx: LiveContext, staff: Staff, note: InterviewNote, line: str, text: str
    ) -> None:
        """Store the note and its prompt in one transaction (so a stored note always has had
        its prompt), then queue the prompt if it is a new message."""
        earlier = _texts(await InterviewNote.filter(interview_id=ctx.id).order_by("taken_at", "id"))
        prompt = None
        if text.strip() or earlier:
            latest = text.strip()
            prompt = await asyncio.to_thread(
                self._prompts.prompt, ctx.scope, [*earlier, latest], latest
            )
        async with self._effects.unit() as unit:
            await note.save()
            count = await InterviewNote.filter(interview_id=ctx.id).count()
            content = say.prompt_text(count, line, prompt)
            await self._put_prompt(unit, ctx, staff, note.id, content)

    async def _put_prompt(
        self, unit: Unit, ctx: LiveContext, staff: Staff, note_id: int, content: str
    ) -> None:
        """Rewrite this interviewer's waiting prompt, or add one when none waits."""
        cause = f"{KEY_PREFIX}:{ctx.id}:prompt:{staff.id}"
        payload = {"kind": "text", "content": content}
        waiting = (
            await OutboxMessage.filter(
                channel=Channel.WECOM_MESSAGE,
                recipient=staff.wecom_userid,
                status=ProcessingStatus.PENDING,
                attempts=0,  # never tried: nobody has seen it
                idempotency_key__startswith=f"{cause}:",
            )
            .order_by("-id")
            .first()
        )
        if waiting is not None:
            rewritten = await OutboxMessage.filter(
                id=waiting.id, status=ProcessingStatus.PENDING, attempts=0
            ).update(payload=payload)
            if rewritten:
                return
        draft = text_draft(staff.wecom_userid, content, str(note_id))
        await unit.add([draft], cause=cause)

    async def _hear(self, ctx: LiveContext, event: VoiceMessage) -> tuple[SpokenText, str]:
        """Fetch, keep (encrypted) and transcribe a voice message; a download WeCom refuses
        for good (expired media) becomes the note's reason, a transient one is retried."""
        try:
            audio = await self._voice.download(event.media_id)
        except RetryLater:
            raise
        except ExternalServiceError as exc:
            log.warning("voice note %s of interview %s not fetched: %s", event.msg_id, ctx.id, exc)
            code = NoTranscript.DOWNLOAD_FAILED
            return SpokenText(False, "", 0.0, no_transcript_label(code), code=code), ""
        media_ref = await self._keep_audio(ctx.id, _source_id(event), audio)
        spoken = await asyncio.to_thread(self._speech.transcribe, audio, event.format or "amr")
        return spoken, media_ref

    async def _keep_audio(self, interview_id: int, source: str, audio: bytes) -> str:
        if self._media is None:
            return ""
        key = f"notes/{interview_id}/{hashlib.sha256(source.encode()).hexdigest()[:32]}"
        writer = await self._media.appender(key, 0)
        try:
            await writer.write(audio)
        except BaseException:
            await writer.abort()
            raise
        await writer.close()
        return key


async def _store_assessment(interview_id: int, assessment: NoteAssessment) -> None:
    """The advisory scores of the notes, as the AI rater (replacing an earlier run's)."""
    key = assessment.engine[:64]
    await Score.filter(interview_id=interview_id, rater_key=key).delete()
    for item in assessment.scores:
        await Score.create(
            interview_id=interview_id,
            competency=item.competency[:32],
            rater_kind=RaterKind.AI,
            rater_key=key,
            value=None if item.value is None else _decimal(item.value, 1),
            confidence=None if item.confidence is None else _decimal(item.confidence, 3),
            evidence=item.evidence,
        )


def _decimal(value: float, places: int) -> Decimal:
    return Decimal(str(round(value, places)))


def _texts(notes: list[InterviewNote]) -> list[str]:
    """Note texts the engines may read: untranscribed voice notes hold only a reason."""
    return [n.body for n in notes if n.body.strip() and not n.body.startswith(UNTRANSCRIBED)]


def _source_id(message: TextMessage | VoiceMessage) -> str:
    return (message.msg_id or message.dedup_key)[:64]


def _taken_at(message: Inbound) -> datetime:
    if message.create_time > 0:
        return datetime.fromtimestamp(message.create_time, UTC)
    return clock.now()
