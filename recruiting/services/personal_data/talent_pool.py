"""Talent-pool consent: whether a candidate who was not hired agrees to be kept for future
openings (PIPL Art. 14: a separate, explicit consent for a purpose beyond this hiring).

It is its own versioned purpose (``talent_pool`` in ``recruiting/data/consents.yaml``,
``stage: decision``), asked when an application ends without a hire: in the message that
tells the candidate of a rejection (the released rejection summary, or the decision when HR
records it) or that confirms their withdrawal (declining an offer), as the choices 同意加入人才库
/ 不同意, and at any time in the mini-app (``/miniapp/v1/me/talent-pool``): grant, decline,
withdraw later. Every decision is a new ``Consent`` row and audited.

How retention reads it: ``in_talent_pool(candidate_id)``, ``talent_pool_ids(ids)`` (who is
in the pool) and ``talent_pool_periods(ids)`` (since when, and when it last ended): the
newest ``consent`` row of purpose ``talent_pool`` for the current text version is granted
and not withdrawn. Without that, the retention clock for candidates who were not hired runs
from the decision (restarting when a yes is withdrawn).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from recruiting import clock
from recruiting.domain.consent import consent_texts
from recruiting.domain.routing import answer_key
from recruiting.errors import InvalidInput
from recruiting.models import Candidate, Consent, ConsentPurpose
from recruiting.ports.candidate_channel import candidate_recipient
from recruiting.ports.outbound import Channel, OutboundDraft
from recruiting.services.invitations.lifecycle import Outcome
from recruiting.services.messaging.effects import Effects, Unit
from recruiting.services.shared.audit import Actor, record

POOL = ConsentPurpose.TALENT_POOL
SUBJECT = "pool"  # choices come back as pool.grant:<candidate> / pool.decline:<candidate>
GRANT, DECLINE = "grant", "decline"
CHOICES = {GRANT: "同意加入人才库", DECLINE: "不同意"}
THANKS = {
    GRANT: "已记录您同意加入人才库。今后有合适的岗位我们会联系您；"
    "您可以随时在小程序「我的信息」中撤回。",
    DECLINE: "已记录您不同意加入人才库。您的信息会在招聘结束后按期删除，不会用于其他岗位。",
}


def current_version() -> str:
    return consent_texts()[POOL].version


async def in_talent_pool(candidate_id: int) -> bool:
    """Whether the candidate's standing talent-pool decision, on the current text, is yes."""
    return candidate_id in await talent_pool_ids([candidate_id])


async def talent_pool_ids(candidate_ids: list[int]) -> set[int]:
    """Of ``candidate_ids``, those in the talent pool (``talent_pool_periods``' rule)."""
    periods = await talent_pool_periods(candidate_ids)
    return {cid for cid, period in periods.items() if period.since is not None}


@dataclass(frozen=True)
class PoolPeriod:
    """What retention needs of one candidate's talent-pool consent: since when it stands
    (None: not in the pool) and when it last ended (withdrawn or declined after a yes)."""

    since: datetime | None
    ended_at: datetime | None


async def talent_pool_periods(candidate_ids: list[int]) -> dict[int, PoolPeriod]:
    """The one rule of who is in the talent pool, which everything else reads (the purge,
    ``in_talent_pool``, ``talent_pool_ids``): the newest talent-pool decision is a yes on the
    current text version and not withdrawn. Per candidate (only those with any talent-pool
    decision): ``since`` is the time of that standing yes, ``ended_at`` the time a yes was
    withdrawn (or declined after). A yes on an older text keeps nobody: the candidate did
    not agree to what the text says now."""
    version = current_version()
    rows = await Consent.filter(purpose=POOL, candidate_id__in=candidate_ids).order_by("id")
    periods: dict[int, PoolPeriod] = {}
    for row in rows:
        before = periods.get(row.candidate_id, PoolPeriod(None, None))
        standing = row.granted and row.withdrawn_at is None and row.text_version == version
        if standing:
            periods[row.candidate_id] = PoolPeriod(row.decided_at, before.ended_at)
            continue
        ended = row.withdrawn_at or (row.decided_at if before.since else None)
        periods[row.candidate_id] = PoolPeriod(None, ended or before.ended_at)
    return periods


def offer_draft(candidate_id: int, lead: str = "") -> OutboundDraft:
    """The question to the candidate (choices), with the consent text they agree to."""
    text = consent_texts()[POOL]
    content = "\n\n".join(
        part for part in (lead, f"【{text.title}】\n{text.text}", "请点选是否同意：") if part
    )
    payload: dict[str, Any] = {
        "kind": "choices",
        "content": content,
        "choices": [{"key": k, "label": v} for k, v in CHOICES.items()],
        "subject": f"{SUBJECT}:{candidate_id}",
        "consent_version": text.version,
    }
    key = f"pool:{candidate_id}"  # one per candidate under a cause
    return OutboundDraft(Channel.CANDIDATE, candidate_recipient(candidate_id), payload, key)


async def offer_if_undecided(unit: Unit, candidate_id: int, lead: str = "") -> bool:
    """Ask, in ``unit``'s transaction, unless the candidate already decided on this text;
    asked once per text version whatever the number of rejections (the outbox key)."""
    version = current_version()
    if await Consent.exists(candidate_id=candidate_id, purpose=POOL, text_version=version):
        return False
    new = await unit.add([offer_draft(candidate_id, lead)], cause=f"pool-offer:{version}")
    return bool(new)


def choice_key(candidate_id: int, choice: str) -> str:
    return answer_key(f"{SUBJECT}:{candidate_id}", choice)


class TalentPool:
    def __init__(self, effects: Effects) -> None:
        self._effects = effects

    async def state(self, candidate_id: int) -> dict[str, Any]:
        text = consent_texts()[POOL]
        row = await Consent.filter(candidate_id=candidate_id, purpose=POOL).order_by("-id").first()
        decided = row is not None and row.text_version == text.version
        return {
            "purpose": POOL.value,
            "version": text.version,
            "title": text.title,
            "text": text.text,
            "decided": decided,
            "granted": await in_talent_pool(candidate_id),
            "decided_at": row.decided_at.isoformat() if row and decided else None,
        }

    async def decide(
        self, candidate_id: int, granted: bool, version: str, actor: Actor, via: str
    ) -> dict[str, Any]:
        """Record a decision on the current text (a stale version is refused: the candidate
        must see what they agree to); a no after a yes withdraws it."""
        if version != current_version():
            raise InvalidInput(
                "人才库说明已更新，请重新阅读后再选择。", code="stale_consent_version"
            )
        candidate = await Candidate.get_or_none(id=candidate_id)
        if candidate is None or candidate.erased_at is not None:
            raise InvalidInput("找不到您的信息。", code="unknown_candidate")
        was = await in_talent_pool(candidate_id)
        async with self._effects.unit():
            if was and not granted:
                await Consent.filter(
                    candidate_id=candidate_id, purpose=POOL, withdrawn_at=None
                ).update(withdrawn_at=clock.now())
            await Consent.create(
                candidate_id=candidate_id, purpose=POOL, text_version=version, granted=granted
            )
            await record(
                actor,
                "consent",
                "candidate",
                candidate_id,
                allowed=True,
                detail=f"{POOL.value}@{version} granted={granted} via={via}",
            )
        return await self.state(candidate_id)

    async def answer(
        self, candidate_id: int, subject: str, key: str, *, source_id: str, text: str
    ) -> Outcome:
        """A tapped 同意加入人才库 / 不同意 (``answer_routes``: ``pool.grant``/``pool.decline``);
        only the candidate the question was sent to can answer it."""
        actor = Actor(f"candidate:{candidate_id}")
        target = subject.partition(":")[2]
        if key not in CHOICES or target != str(candidate_id):
            await record(
                actor,
                "consent",
                "candidate",
                target or "-",
                allowed=False,
                detail=f"{POOL.value} answer {key!r}",
            )
            return Outcome("not_understood", "请点选「同意加入人才库」或「不同意」。")
        await self.decide(candidate_id, key == GRANT, current_version(), actor, "message")
        reply = THANKS[key]
        payload = {"kind": "text", "content": reply}
        draft = OutboundDraft(Channel.CANDIDATE, candidate_recipient(candidate_id), payload, key)
        async with self._effects.unit() as unit:
            await unit.add([draft], cause=f"pool-answer:{source_id}")
        return Outcome(f"pool_{key}", reply)
