"""The request the LLM engine sends: rating rules, the competencies with their anchors, the
question and the answer — nothing about the candidate.

The port never hands the engine a name or a contact, and contact data the candidate spoke
into the answer (phone, e-mail, ID number) is masked before it leaves the process. A change
to the wording or the schema is a new ``PROMPT_VERSION``: cached verdicts of the old prompt
are then never read again.
"""

from __future__ import annotations

import hashlib
import json
import re
from functools import cache
from pathlib import Path
from string import Template
from typing import Any

from interview_core.text.flags import GAMING_LABELS
from interview_core.text.jobs import JobCompetency, JobModel

PROMPT_VERSION = "prompt-v1"
SCHEMA_VERSION = "answer-score/1"
MASK = "［联系方式已隐去］"
MAX_QUOTES = 3
MAX_QUOTE_CHARS = 80

_CONTACT = re.compile(
    r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"  # e-mail
    r"|(?<!\d)\d{17}[\dXx](?!\d)"  # resident ID number
    r"|(?<!\d)(?:\+?86[-\s]?)?1[3-9]\d(?:[-\s]?\d{4}){2}(?!\d)"  # mobile
    r"|(?<!\d)0\d{2,3}-?\d{7,8}(?!\d)"  # landline
)


@cache
def system_prompt() -> str:
    """The rating rules (a summary of ``data/rating-guidelines.md``) and the schema."""
    flags = "\n".join(f"   {code.value}：{label}" for code, label in GAMING_LABELS.items())
    template = Template((Path(__file__).parent / f"{PROMPT_VERSION}.txt").read_text("utf-8"))
    return template.substitute(
        flags=flags,
        schema=SCHEMA_VERSION,
        max_quotes=MAX_QUOTES,
        max_quote_chars=MAX_QUOTE_CHARS,
    ).strip()


def focus_of(job: JobModel, question: str) -> frozenset[str]:
    """Names of the competencies the question assesses (every one when the job's questions
    do not list it)."""
    for item in job.questions:
        if item.text.strip() == question.strip() and item.competencies:
            return frozenset(item.competencies)
    return frozenset(c.name for c in job.competencies)


def build_messages(answer: str, question: str, job: JobModel) -> list[dict[str, str]]:
    focus = focus_of(job, question)
    task = {
        "question": question,
        "competencies": [_competency(item, item.name in focus) for item in job.competencies],
        "answer": redact_contacts(answer),
    }
    return [
        {"role": "system", "content": system_prompt()},
        {"role": "user", "content": json.dumps(task, ensure_ascii=False)},
    ]


def input_hash(messages: list[dict[str, str]]) -> str:
    """What a verdict depends on besides the model: the answer, question and competencies."""
    return hashlib.sha256(_canonical(messages)).hexdigest()


def input_secret(messages: list[dict[str, str]]) -> bytes:
    """A key only someone holding the same answer can derive (domain-separated from
    ``input_hash``, which is stored in the clear as the cache key): cached verdicts quote the
    candidate, so they are sealed with it."""
    return hashlib.sha256(b"answer-score seal\0" + _canonical(messages)).digest()


def _canonical(messages: list[dict[str, str]]) -> bytes:
    return json.dumps(messages, ensure_ascii=False, sort_keys=True).encode()


def redact_contacts(text: str) -> str:
    return _CONTACT.sub(MASK, text)


def _competency(item: JobCompetency, focus: bool) -> dict[str, Any]:
    c = item.competency
    return {
        "code": c.code,
        "name": c.name,
        "focus": focus,
        "definition": c.definition,
        "indicators": list(c.indicators),
        "anchors": {str(level): text for level, text in enumerate(c.anchors, start=1)},
    }
