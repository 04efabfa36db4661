"""The candidate's inbox (``/miniapp/v1/messages``): every message the service sent them,
whatever route carried it, and answering a message's choices (确认 / 改期 / 拒绝, or one
of the offered times). Answering the same choice twice is harmless."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json

from miniapp_api import schemas as s
from miniapp_api.edge import documented, principal_of
from recruiting.services.candidate_channel.answers import CandidateAnswers
from recruiting.web import services_of

bp = Blueprint("miniapp_messages", url_prefix="/miniapp/v1")


@dataclass
class ChoiceOut:
    key: str
    label: str


@dataclass
class MessageOut:
    id: int
    kind: str
    content: str
    subject: str
    route: str
    created_at: str
    choices: list[ChoiceOut] = field(default_factory=list)
    answer: str | None = None


@dataclass
class AnswerBody:
    key: str


@dataclass
class AnswerOut:
    result: str
    message: str
    invitation_id: int | None = None


def _answers(request: Request) -> CandidateAnswers:
    return services_of(request).candidate_channel.answers


@bp.get("/messages")
@documented("The candidate's messages, newest first", "messages", list[MessageOut])
async def messages(request: Request) -> HTTPResponse:
    found: list[dict[str, Any]] = await _answers(request).inbox(await principal_of(request))
    return json(found)


@bp.post("/messages/<message_id:int>/answer")
@documented("Answer a message's choice (确认 / 改期 / 拒绝, or an offered time)", "messages",
            AnswerOut, body=AnswerBody)  # fmt: skip
async def answer(request: Request, message_id: int) -> HTTPResponse:
    body = s.parse(AnswerBody, request.json)
    outcome = await _answers(request).answer_in_app(
        await principal_of(request), message_id, body.key[:64]
    )
    return json({"result": outcome.result, "message": outcome.message,
                 "invitation_id": outcome.invitation_id})  # fmt: skip
