"""Candidates in: by hand, spreadsheet, résumé files; duplicates and merging
(``services.intake``).

Uploaded résumés are read by the file reader (``wiring.resumes.resume_reader``); a test may
pass another ``ResumeReader``. (``ResumeUploads`` without a reader keeps files as 未解析 and
needs the candidate named or typed.)
"""

from __future__ import annotations

from dataclasses import dataclass

from recruiting.ports.resumes import ResumeReader
from recruiting.services.intake.candidates import CandidateIntake
from recruiting.services.intake.cards import IntakeCards
from recruiting.services.intake.resumes import ResumeUploads
from recruiting.services.intake.spreadsheet import SpreadsheetImport
from recruiting.wiring.invitations import Invitations
from recruiting.wiring.pipeline import Pipeline
from recruiting.wiring.recorded import Recorded
from recruiting.wiring.resumes import resume_reader
from recruiting.wiring.screening import ScreeningWiring
from recruiting.wiring.shared import Shared


@dataclass(frozen=True)
class Intake:
    candidates: CandidateIntake
    spreadsheets: SpreadsheetImport
    resumes: ResumeUploads
    cards: IntakeCards  # its ``on_card_click`` serves the intake.* card keys


def wire_intake(
    shared: Shared,
    invitations: Invitations,
    recorded: Recorded,
    pipeline: Pipeline,
    screening: ScreeningWiring,
    *,
    reader: ResumeReader | None = None,
) -> Intake:
    """The card's 不合适 rejects through the pipeline's ``Rejections``; its match is the
    screening's own (``Screening.match_application``)."""
    settings = shared.settings
    candidates = CandidateIntake(shared.cipher)
    cards = IntakeCards(
        pipeline.rejections,
        recorded.miniapp.links,
        invitations.chat,
        settings.timezone,
        settings.miniapp.appid,
        screening=screening.screening,
    )
    return Intake(
        candidates=candidates,
        spreadsheets=SpreadsheetImport(candidates, shared.effects, cards, shared.kv, shared.cipher),
        resumes=ResumeUploads(
            shared.media, candidates, shared.effects, cards, reader or resume_reader()
        ),
        cards=cards,
    )
