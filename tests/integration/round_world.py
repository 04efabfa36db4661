"""What the round-version and recording-link tests share: HR (as an actor and as a
session), the round's first question, an identity port never asked, and a candidate who has
given every consent, applying to an opening."""

from __future__ import annotations

from typing import Any

from recruiting.domain.roles import Role
from recruiting.models import Application, Candidate, Consent, ConsentPurpose, SubjectKind
from recruiting.services.shared.audit import Actor
from recruiting.services.shared.sessions import Principal

HR = Actor("lina", frozenset({Role.HR}))
HR_PRINCIPAL = Principal(1, SubjectKind.STAFF, userid="lina", roles=frozenset({Role.HR}))
OLD = {"text": "请讲一次你说服客户的经历。", "competencies": ["沟通能力"], "answer_seconds": 120}


class NoLogin:
    """Inviting never logs anyone in; the session service needs an identity port anyway."""

    async def candidate(self, code: str) -> Any:
        raise AssertionError("not used")

    async def staff(self, code: str) -> Any:
        raise AssertionError("not used")


async def consenting_candidate(job_id: int, name: str) -> tuple[Application, Principal]:
    """``name`` applying to ``job_id`` with every consent given, and her mini-app session."""
    candidate = await Candidate.create(name=name)
    for purpose in ConsentPurpose:
        await Consent.create(candidate=candidate, purpose=purpose, text_version="2026-11-01",
                             granted=True)  # fmt: skip
    application = await Application.create(candidate=candidate, job_id=job_id)
    return application, Principal(10 + candidate.id, SubjectKind.CANDIDATE,
                                  candidate_id=candidate.id)  # fmt: skip
