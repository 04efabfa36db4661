"""Surveys after an interview: sending them, and taking the answers from every route.

Sending — ``Surveys.send_due_surveys(now)``, called periodically by the scheduler: every
interview completed at least ``surveys.delay_minutes`` ago (and within
``surveys.lookback_days``) gets one survey per respondent, exactly once: the row is unique
per (interview, respondent) and its outbox message is written in the same transaction.

* The candidate gets the first question through the candidate channel (``choices`` with
  ``subject`` ``survey:<response id>:<question>``); each answer brings the next question,
  then an invitation to add a free comment. The same survey is in the mini-app
  (``candidate_form`` / ``submit_candidate``), which answers all of it at once.
* Each interviewer on the panel gets a ``multiple_interaction`` card (three selects, within
  WeCom's limit); the submit is stored and the card updated to show what was recorded.

Answers of the candidate may be changed for ``surveys.edit_hours`` after the first one, then
the survey is closed (409 ``survey_closed``). An interviewer's second submit replaces theirs.

The candidate channel's router hands answers here: ``candidate_answer(candidate_id,
subject, key)`` for a clicked choice whose subject starts with ``survey:`` and
``candidate_text(candidate_id, text)`` for free text (a comment, kept even before the last
question; None when no survey is open, so the router can treat the text otherwise);
``open_survey`` tells the router which survey (and question) is waiting. The first two
return the drafts to store, like every callback handler.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime, timedelta, tzinfo
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from recruiting import clock
from recruiting.domain.inbound import CardClick, Inbound
from recruiting.domain.interview_state import InterviewStatus
from recruiting.domain.routing import parse_key, route_key
from recruiting.domain.surveys import (
    CANDIDATE_QUESTIONS,
    COMMENT_LIMIT,
    INTERVIEWER_QUESTIONS,
    Question,
    clean_comment,
    complete,
    question,
    validate_answers,
)
from recruiting.errors import Conflict
from recruiting.models import (
    Candidate,
    Interview,
    InterviewAssignment,
    Respondent,
    Staff,
    SurveyResponse,
)
from recruiting.ports.candidate_channel import candidate_recipient
from recruiting.ports.outbound import Channel, OutboundDraft
from recruiting.services.after_interview.followups import completed_between, window
from recruiting.services.messaging.conversation import card_update
from recruiting.services.messaging.effects import Effects, Unit
from recruiting.services.shared.access import candidate_interview, job_of, round_of
from recruiting.services.shared.audit import Actor, record
from recruiting.services.shared.sessions import Principal
from recruiting.settings import FollowUpSettings

log = logging.getLogger(__name__)

SUBJECT_PREFIX = "survey:"
SUBMIT = "survey.submit"  # the interviewer card's key: survey.submit:<interview id>
COMMENT_STEP = "comment"
COMMENT_WINDOW = timedelta(hours=48)  # a text this long after the last answer is a comment
_SUBJECT = re.compile(r"^survey:(\d+):([a-z_]+)$")

COMMENT_INVITE = "感谢您的回答！如果还有其他想法或建议，可以直接回复文字告诉我们（可选）。"
COMMENT_THANKS = "已收到您的意见，感谢您的反馈！"
EARLY_COMMENT = "已记下您的意见，谢谢！也请继续点选回答上面的第 {n} 题。"
COMMENT_KEPT = "感谢您的回答！您之前留下的意见也已一并记录。如还有其他想法，可以直接回复文字。"
ALREADY_CLOSED = "这份问卷已经提交并关闭，感谢您的反馈！"
NOT_YOURS = "这份问卷不是发给您的。"


class SurveyNotOpen(Conflict):
    code = "survey_not_open"


class SurveyClosed(Conflict):
    code = "survey_closed"


def candidate_key(candidate_id: int) -> str:
    return f"candidate:{candidate_id}"


def staff_key(staff_id: int) -> str:
    return f"staff:{staff_id}"


class Surveys:
    def __init__(self, settings: FollowUpSettings, effects: Effects, zone: tzinfo) -> None:
        self._settings = settings
        self._effects = effects
        self._zone = zone

    # -- the job ---------------------------------------------------------------------------

    async def send_due_surveys(self, now: datetime | None = None) -> int:
        """Send the surveys that are due; the number of surveys sent by this call.
        Idempotent: run it as often as you like, from any process."""
        if not self._settings.surveys_enabled:
            return 0
        now = now or clock.now()
        delay = timedelta(minutes=self._settings.survey_delay_minutes)
        interviews = await completed_between(*window(now, self._settings.lookback_days, delay))
        if not interviews:
            return 0
        ids = [i.id for i in interviews]
        known: set[tuple[int, str]] = {
            (int(i), str(k))
            for i, k in await SurveyResponse.filter(interview_id__in=ids).values_list(
                "interview_id", "respondent_key"
            )
        }
        panels: dict[int, list[Staff]] = {}
        for a in (
            await InterviewAssignment.filter(interview_id__in=ids)
            .prefetch_related("interviewer")
            .order_by("id")
        ):
            panels.setdefault(int(a.interview_id), []).append(a.interviewer)
        sent = 0
        for interview in interviews:
            sent += await self._send_for(interview, panels.get(interview.id, []), known, now)
        return sent

    async def _send_for(
        self, interview: Interview, panel: list[Staff], known: set[tuple[int, str]], now: datetime
    ) -> int:
        candidate = interview.application.candidate
        todo: list[tuple[str, Staff | None]] = []
        if candidate.erased_at is None:
            todo.append((candidate_key(candidate.id), None))
        todo += [(staff_key(s.id), s) for s in panel if s.active]
        todo = [(key, s) for key, s in todo if (interview.id, key) not in known]
        if not todo:
            return 0
        try:
            async with self._effects.unit() as unit:
                for key, staff in todo:
                    await self._send_one(unit, interview, key, staff, candidate, now)
        except IntegrityError:  # another run sent them meanwhile: nothing to do
            log.info("surveys of interview %s were sent by another run", interview.id)
            return 0
        return len(todo)

    async def _send_one(
        self,
        unit: Unit,
        interview: Interview,
        key: str,
        staff: Staff | None,
        candidate: Candidate,
        now: datetime,
    ) -> None:
        if staff is None:
            first = CANDIDATE_QUESTIONS[0]
            row = await SurveyResponse.create(
                interview=interview,
                respondent=Respondent.CANDIDATE,
                respondent_key=key,
                channel=Channel.CANDIDATE,
                sent_at=now,
                step=first.key,
            )
            what = f"{job_of(interview).title}（{round_of(interview).name}）"
            count = len(CANDIDATE_QUESTIONS)
            intro = f"您好，感谢您参加{what}的面试。想听听您的感受，共 {count} 题，约 1 分钟。"
            draft = _choice_draft(candidate.id, row.id, first, intro)
        else:
            task_id = f"survey-{interview.id}-{staff.id}"
            row = await SurveyResponse.create(
                interview=interview,
                respondent=Respondent.INTERVIEWER,
                respondent_key=key,
                staff=staff,
                channel=Channel.WECOM_MESSAGE,
                sent_at=now,
                task_id=task_id,
            )
            card = survey_card(interview, candidate.name, task_id)
            draft = OutboundDraft(
                Channel.WECOM_MESSAGE,
                staff.wecom_userid,
                {"kind": "template_card", "card": card},
                key,
            )
        await unit.add([draft], cause=f"survey:{interview.id}:{key}")

    # -- the candidate through the candidate channel ---------------------------------------

    async def candidate_answer(
        self, candidate_id: int, subject: str, key: str
    ) -> list[OutboundDraft]:
        """A choice the candidate clicked (``subject`` ``survey:<id>:<question>``); the next
        question or the comment invitation. Repeats and stale clicks change nothing."""
        found = _SUBJECT.match(subject)
        q = question(CANDIDATE_QUESTIONS, found[2]) if found else None
        if found is None or q is None:
            return []
        row = await SurveyResponse.get_or_none(
            id=int(found[1]), respondent_key=candidate_key(candidate_id)
        ).prefetch_related("interview")
        if row is None:
            await record(
                Actor(candidate_key(candidate_id)),
                "survey_answer",
                "survey",
                found[1],
                allowed=False,
            )
            return []
        if q.option(key) is None:
            return [_text(candidate_id, "抱歉，没有识别这个选项，请点选列表中的一项。", "retry")]
        now = clock.now()
        if self._closed(row, now):
            return [_text(candidate_id, ALREADY_CLOSED, "closed")]
        answers = dict(row.answers or {})
        if answers.get(q.key) == key:
            return []  # the same click delivered twice
        answers[q.key] = key
        nxt = next((c for c in CANDIDATE_QUESTIONS if c.key not in answers), None)
        step = nxt.key if nxt else COMMENT_STEP
        done = complete(CANDIDATE_QUESTIONS, answers)
        await SurveyResponse.filter(id=row.id).update(
            answers=answers,
            step=step,
            first_answered_at=row.first_answered_at or now,
            answered_at=(row.answered_at or now) if done else None,
            updated_at=now,
        )
        if nxt is not None:
            return [_choice_draft(candidate_id, row.id, nxt, "")]
        if row.step == COMMENT_STEP:  # an answer changed after the comment invitation
            return [_text(candidate_id, "已更新您的回答，谢谢！", f"updated:{q.key}")]
        if row.comment:  # a comment came before the last question: it is kept
            return [_text(candidate_id, COMMENT_KEPT, "comment")]
        return [_text(candidate_id, COMMENT_INVITE, "comment")]

    async def open_survey(self, candidate_id: int) -> SurveyResponse | None:
        """The candidate's survey still waiting for a chat answer or comment (the newest)."""
        since = clock.now() - COMMENT_WINDOW
        rows = (
            await SurveyResponse.filter(
                respondent_key=candidate_key(candidate_id), updated_at__gte=since
            )
            .exclude(step="")
            .order_by("-updated_at", "-id")
        )
        now = clock.now()
        return next((r for r in rows if not self._closed(r, now)), None)

    async def candidate_text(self, candidate_id: int, text: str) -> list[OutboundDraft] | None:
        """Free text from the candidate while a survey of theirs is open: their comment,
        kept even when it comes before the last question (the questions go on). None when
        no survey is open (the text is someone else's business)."""
        row = await self.open_survey(candidate_id)
        if row is None or not text.strip():
            return None
        comment = "\n".join(c for c in (row.comment, text.strip()) if c)[:COMMENT_LIMIT]
        waiting = question(CANDIDATE_QUESTIONS, row.step)
        await SurveyResponse.filter(id=row.id).update(
            comment=comment, step=row.step if waiting else "", updated_at=clock.now()
        )
        if waiting is None:
            return [_text(candidate_id, COMMENT_THANKS, "thanks")]
        index = CANDIDATE_QUESTIONS.index(waiting) + 1
        return [_text(candidate_id, EARLY_COMMENT.format(n=index), f"early:{waiting.key}")]

    # -- the candidate in the mini-app ------------------------------------------------------

    async def candidate_form(self, principal: Principal, interview_id: int) -> dict[str, Any]:
        """The questions and the candidate's answers so far (and whether they may answer)."""
        interview = await candidate_interview(principal, interview_id)
        row = await SurveyResponse.get_or_none(
            interview_id=interview.id, respondent_key=candidate_key(principal.candidate_id or 0)
        )
        return self._form(interview, row, clock.now())

    async def submit_candidate(
        self, principal: Principal, interview_id: int, answers: Any, comment: Any
    ) -> dict[str, Any]:
        """Answer (or, within the edit window, change) the whole survey at once."""
        interview = await candidate_interview(principal, interview_id)
        chosen = validate_answers(CANDIDATE_QUESTIONS, answers)
        text = clean_comment(comment)
        now = clock.now()
        self._require_open(interview)
        key = candidate_key(principal.candidate_id or 0)
        async with in_transaction():
            row = (
                await SurveyResponse.filter(interview_id=interview.id, respondent_key=key)
                .select_for_update()
                .first()
            )
            if row is None:
                try:
                    row = await SurveyResponse.create(
                        interview=interview,
                        respondent=Respondent.CANDIDATE,
                        respondent_key=key,
                        first_answered_at=now,
                    )
                except IntegrityError as exc:
                    raise Conflict(
                        "the survey was answered at the same moment; try again", code="survey_busy"
                    ) from exc
            if self._closed(row, now):
                raise SurveyClosed("the survey can no longer be changed")
            await SurveyResponse.filter(id=row.id).update(
                answers=chosen,
                comment=text,
                step="",
                updated_at=now,
                first_answered_at=row.first_answered_at or now,
                answered_at=row.answered_at or now,
            )
        await record(
            principal.actor,
            "survey_answer",
            "interview",
            interview.id,
            allowed=True,
            detail="miniapp",
        )
        await row.refresh_from_db()
        return self._form(interview, row, now)

    def _require_open(self, interview: Interview) -> None:
        if not self._settings.surveys_enabled:
            raise SurveyNotOpen("surveys are turned off")
        if interview.status != InterviewStatus.COMPLETED:
            raise SurveyNotOpen("the survey opens when the interview is completed")

    def _closed(self, row: SurveyResponse, now: datetime) -> bool:
        edit = timedelta(hours=self._settings.survey_edit_hours)
        return row.first_answered_at is not None and now > row.first_answered_at + edit

    def _form(
        self, interview: Interview, row: SurveyResponse | None, now: datetime
    ) -> dict[str, Any]:
        enabled = self._settings.surveys_enabled
        is_open = enabled and interview.status == InterviewStatus.COMPLETED
        until = None
        if row is not None and row.first_answered_at is not None:
            until = row.first_answered_at + timedelta(hours=self._settings.survey_edit_hours)
            is_open = is_open and now <= until
        return {
            "interview_id": interview.id,
            "open": is_open,
            "questions": [_question_json(q) for q in CANDIDATE_QUESTIONS],
            "comment_limit": COMMENT_LIMIT,
            "answers": dict(row.answers or {}) if row else {},
            "comment": row.comment if row else "",
            "answered_at": row.answered_at.isoformat() if row and row.answered_at else None,
            "editable_until": until.isoformat() if until else None,
        }

    # -- interviewers on the card -----------------------------------------------------------

    async def on_card_click(self, event: Inbound) -> list[OutboundDraft]:
        """``survey.submit:<interview>`` (``card_routes``): a submitted interviewer survey."""
        if not isinstance(event, CardClick):
            return []
        key = parse_key(event.event_key)
        interview_id = key.number(0) if key is not None and key.prefix == SUBMIT else None
        if interview_id is None:
            return []
        staff = await Staff.get_or_none(wecom_userid=event.from_user, active=True)
        row = None
        if staff is not None:
            row = await SurveyResponse.get_or_none(
                interview_id=interview_id, respondent_key=staff_key(staff.id)
            ).prefetch_related("interview__application__candidate", "interview__round__job")
        if staff is None or row is None:
            await record(
                Actor(event.from_user), "survey_answer", "interview", interview_id, allowed=False
            )
            return [_staff_text(event.from_user, NOT_YOURS)]
        chosen = _selected(event, INTERVIEWER_QUESTIONS)
        if not complete(INTERVIEWER_QUESTIONS, chosen):
            return [_staff_text(staff.wecom_userid, "请回答全部问题后再提交。")]
        now = clock.now()
        await SurveyResponse.filter(id=row.id).update(
            answers=chosen,
            first_answered_at=row.first_answered_at or now,
            answered_at=row.answered_at or now,
            updated_at=now,
        )
        if not event.response_code:
            return []
        interview = row.interview
        name = interview.application.candidate.name
        at = now.astimezone(self._zone).strftime("%H:%M")
        card = survey_card(interview, name, event.task_id or row.task_id, chosen, at)
        return [card_update(staff.wecom_userid, event.response_code, card)]


def survey_card(
    interview: Interview,
    candidate: str,
    task_id: str,
    chosen: dict[str, str] | None = None,
    recorded_at: str = "",
) -> dict[str, Any]:
    """The interviewer's survey card; with ``chosen`` the updated card after a submit."""
    selects = []
    for q in INTERVIEWER_QUESTIONS:
        select: dict[str, Any] = {
            "question_key": q.key,
            "title": q.title,
            "option_list": [{"id": o.key, "text": o.label} for o in q.options],
        }
        if chosen and q.key in chosen:
            select["selected_id"] = chosen[q.key]
        selects.append(select)
    desc = f"{job_of(interview).title} · {round_of(interview).name}，3 个问题，约 30 秒"
    card: dict[str, Any] = {
        "card_type": "multiple_interaction",
        "source": {"desc": "面试助手 · 面试反馈"},
        "main_title": {"title": f"面试反馈问卷：{candidate}", "desc": desc},
        "task_id": task_id,
        "select_list": selects,
        "submit_button": {"text": "提交", "key": route_key(SUBMIT, interview.id)},
    }
    if chosen:
        card["main_title"]["desc"] = f"已提交 {recorded_at}，感谢您的反馈"
        card["submit_button"]["text"] = "已提交"
        card["replace_text"] = "已提交"
    return card


def _question_json(q: Question) -> dict[str, Any]:
    return {
        "key": q.key,
        "title": q.title,
        "options": [{"key": o.key, "label": o.label} for o in q.options],
    }


def _choice_draft(candidate_id: int, row_id: int, q: Question, intro: str) -> OutboundDraft:
    index = CANDIDATE_QUESTIONS.index(q) + 1
    content = f"{intro}\n{index}/{len(CANDIDATE_QUESTIONS)} {q.title}".strip()
    payload = {
        "kind": "choices",
        "content": content,
        "choices": [{"key": o.key, "label": o.label} for o in q.options],
        "subject": f"{SUBJECT_PREFIX}{row_id}:{q.key}",
    }
    return OutboundDraft(
        Channel.CANDIDATE, candidate_recipient(candidate_id), payload, f"survey:{row_id}:{q.key}"
    )


def _text(candidate_id: int, content: str, key: str) -> OutboundDraft:
    return OutboundDraft(
        Channel.CANDIDATE,
        candidate_recipient(candidate_id),
        {"kind": "text", "content": content},
        f"survey:{key}",
    )


def _staff_text(userid: str, content: str) -> OutboundDraft:
    return OutboundDraft(
        Channel.WECOM_MESSAGE, userid, {"kind": "text", "content": content}, "reply"
    )


def _selected(event: CardClick, questions: tuple[Question, ...]) -> dict[str, str]:
    chosen: dict[str, str] = {}
    for item in event.selected:
        q = question(questions, item.question_key)
        if q is not None and len(item.option_ids) == 1 and q.option(item.option_ids[0]):
            chosen[q.key] = item.option_ids[0]
    return chosen
