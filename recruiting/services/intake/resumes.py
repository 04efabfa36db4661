"""Résumé files uploaded in the workbench (WeCom does not hand chat files to an app).

Each file is checked (type by its bytes, not its name; size; a zip is opened within
limits), stored encrypted in the private media store, and read by the ``ResumeReader`` port
in a worker thread when one is configured. Without a reader the file is kept as 未解析 and
must be attached to a candidate HR names or enters by hand: nothing is guessed. With one, a
file that parsed into a name and a phone or e-mail becomes a new candidate, or is attached
to the existing one with that phone or e-mail (reported, never a second record).

After an upload HR gets a card in chat per candidate (``IntakeCards``), written in the same
transaction as the rows (the effects unit).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import secrets
from collections.abc import AsyncIterator, Mapping
from dataclasses import asdict, dataclass, field

from recruiting.domain.intake import (
    EDUCATION_LEVELS,
    MAX_YEARS,
    CandidateEntry,
    check_entry,
    education_level,
)
from recruiting.domain.resume import ParsedResume, ParseStatus
from recruiting.domain.roles import Permission, allows
from recruiting.domain.shorten import shorten
from recruiting.errors import AccessDenied, InvalidInput, NotFound, PayloadTooLarge
from recruiting.models import Application, Candidate, JobOpening, JobStatus, ResumeFile, ResumeParse
from recruiting.ports.media import MediaStore
from recruiting.ports.resumes import ResumeReader
from recruiting.services.intake.candidates import (
    NOT_HR,
    Added,
    CandidateIntake,
    DuplicateCandidate,
    hold_intake,
    live_candidate,
)
from recruiting.services.intake.cards import IntakeCards
from recruiting.services.intake.files import (
    MB,
    ZipLimits,
    chat_name,
    display_name,
    open_zip,
    sniff,
)
from recruiting.services.messaging.conversation import text_reply
from recruiting.services.messaging.effects import Effects
from recruiting.services.shared.access import require_hr
from recruiting.services.shared.audit import record
from recruiting.services.shared.sessions import Principal

log = logging.getLogger(__name__)

UNPARSED_REASON = "未解析：简历解析功能尚未开通"
NAME_CHARS = 200  # an original file name kept (sealed)
REASON_CHARS = 200  # ResumeFile.parse_reason: HR reads it, so cut at a boundary
SUMMARY_LINES = 20
PARSE_WORDS = {"unparsed": "未解析", "parsed": "已解析", "needs_ocr": "需文字识别",
               "refused": "无法读取"}  # fmt: skip


@dataclass(frozen=True)
class ResumeLimits:
    max_bytes: int = 10 * MB  # one file
    max_files: int = 20  # one upload, after opening zips
    max_zip_inflated: int = 100 * MB  # one zip's entries together
    max_zip_ratio: int = 100
    max_total: int = 100 * MB  # every file of one upload together, zips opened

    def zips(self) -> ZipLimits:
        return ZipLimits(
            max_entries=self.max_files,
            max_bytes=self.max_bytes,
            max_inflated=self.max_zip_inflated,
            max_ratio=self.max_zip_ratio,
        )


@dataclass(frozen=True)
class UploadedFile:
    filename: str
    data: bytes


@dataclass(frozen=True)
class FileOutcome:
    filename: str
    stored: bool
    reason: str = ""  # Chinese: why refused, or how it was read
    resume_id: int | None = None
    candidate_id: int | None = None
    parse_status: str = ""
    duplicate_of: int | None = None  # attached to this existing candidate (same phone/e-mail)
    archive: str = ""  # the zip the file came out of


@dataclass(frozen=True)
class UploadResult:
    files: list[FileOutcome]
    added: list[Added] = field(default_factory=list)  # candidates created by this upload


@dataclass(frozen=True)
class _Accepted:
    filename: str
    data: bytes
    content_type: str
    archive: str = ""  # the zip it came out of


class ResumeUploads:
    def __init__(
        self,
        media: MediaStore,
        intake: CandidateIntake,
        effects: Effects,
        cards: IntakeCards,
        reader: ResumeReader | None,
        limits: ResumeLimits = ResumeLimits(),
    ) -> None:
        self._media = media
        self._intake = intake
        self._effects = effects
        self._cards = cards
        self._reader = reader
        self._limits = limits

    @property
    def parses(self) -> bool:
        """Whether uploaded files are read (else HR must name the candidate)."""
        return self._reader is not None

    async def upload(
        self,
        principal: Principal,
        files: list[UploadedFile],
        *,
        candidate_id: int | None = None,
        job_id: int | None = None,
        entry: Mapping[str, str] | None = None,
    ) -> UploadResult:
        """Store ``files`` for an existing candidate (``candidate_id``), a new one HR typed
        (``entry``), or, when a reader is configured, the person each file names."""
        await require_hr(
            principal, "upload_resume", "candidate", candidate_id or "-", refusal=NOT_HR
        )
        if not files:
            raise InvalidInput("请选择要上传的简历文件", code="no_files")
        job = await _job(job_id)
        accepted, outcomes = self._accept(files)
        if not accepted:  # nothing to keep: no candidate is made for it either
            return UploadResult(outcomes)
        target: Candidate | None = None
        new_entry: CandidateEntry | None = None
        if candidate_id is not None:
            target = await live_candidate(candidate_id)
        elif entry is not None and any((v or "").strip() for v in entry.values()):
            new_entry = self._intake.check(entry, job_required=False)
            duplicates = await self._intake.duplicates_of(new_entry.phone, new_entry.email)
            if duplicates:
                raise DuplicateCandidate(duplicates)
        elif self._reader is None:
            raise InvalidInput(
                "简历解析尚未开通：请先选择已有候选人，或填写候选人姓名和联系方式",
                code="candidate_required",
            )
        parsed = [await self._parse(a) for a in accepted]
        keys: list[str] = []
        try:
            for a in accepted:
                keys.append(await self._store(a.data))
            return await self._record(
                principal, accepted, parsed, keys, outcomes, target, new_entry, job
            )
        except BaseException:
            for key in keys:  # the rows rolled back: no orphan ciphertext either
                await self._media.delete(key)
            raise

    async def _record(
        self,
        principal: Principal,
        accepted: list[_Accepted],
        parsed: list[ParsedResume | None],
        keys: list[str],
        outcomes: list[FileOutcome],
        target: Candidate | None,
        new_entry: CandidateEntry | None,
        job: JobOpening | None,
    ) -> UploadResult:
        added: list[Added] = []
        touched: dict[int, int | None] = {}  # candidate → application for the card
        files: dict[int, str] = {}  # candidate → the file (and how it read) for the card
        async with self._effects.unit() as unit:
            await hold_intake()  # the duplicate checks here see any intake just committed
            if new_entry is not None:
                duplicates = await self._intake.duplicates_of(new_entry.phone, new_entry.email)
                if duplicates:  # came in since the check before the files were stored
                    raise DuplicateCandidate(duplicates)
                created = await self._intake.create(new_entry, job, channel="resume")
                added.append(created)
                target = await Candidate.get(id=created.candidate_id)
            for a, facts, key in zip(accepted, parsed, keys, strict=True):
                owner, duplicate_of, reason = target, None, ""
                if owner is None:
                    owner, duplicate_of, reason = await self._owner(facts, job, added)
                if owner is None:
                    await self._media.delete(key)
                    outcomes.append(
                        FileOutcome(a.filename, False, reason, parse_status=_status(facts),
                                    archive=a.archive)
                    )  # fmt: skip
                    continue
                application_id = await _application(owner, job)
                row = await ResumeFile.create(
                    candidate_id=owner.id,
                    application_id=application_id,
                    object_key=key,
                    filename=a.filename[:NAME_CHARS],
                    content_type=a.content_type,
                    size=len(a.data),
                    sha256=hashlib.sha256(a.data).hexdigest(),
                    parse_status=_status(facts),
                    parse_reason=shorten(_reason(facts), max_chars=REASON_CHARS),
                    parsed=_document(facts),
                    uploaded_by=principal.userid[:64],
                )
                touched.setdefault(owner.id, application_id)
                files.setdefault(
                    owner.id, f"{chat_name(a.filename)} · {PARSE_WORDS[_status(facts).value]}"
                )
                outcomes.append(
                    FileOutcome(
                        a.filename, True, reason or _reason(facts), row.id, owner.id,
                        _status(facts), duplicate_of, a.archive,
                    )
                )  # fmt: skip
                await record(
                    principal.actor, "upload_resume", "resume_file", row.id, allowed=True,
                    detail=f"candidate={owner.id} size={len(a.data)} parse={_status(facts)}",
                )  # fmt: skip
            cards = [Added(cid, app_id) for cid, app_id in touched.items()]
            new = {a.candidate_id for a in added}
            known = frozenset(cid for cid in touched if cid not in new)
            drafts = await self._cards.after_intake(
                principal.userid, cards, how="上传简历", existing=known, files=files
            )
            if drafts and (len(outcomes) > 1 or not all(o.stored for o in outcomes)):
                drafts.append(text_reply(principal.userid, summary(outcomes)))
            if drafts:
                await unit.add(drafts, cause=f"intake:resume:{keys[0] if keys else '-'}")
        return UploadResult(outcomes, added)

    async def _owner(
        self, facts: ParsedResume | None, job: JobOpening | None, added: list[Added]
    ) -> tuple[Candidate | None, int | None, str]:
        """Who a parsed file belongs to: an existing candidate with its phone or e-mail, or
        a new one made from it; (None, None, reason) when it names nobody usable."""
        if facts is None:
            return None, None, "未解析：请选择已有候选人或填写候选人后再上传"
        if facts.status is not ParseStatus.PARSED:
            return None, None, f"{_reason(facts)}，请填写候选人后再上传"
        checked = check_entry(_facts_entry(facts), job_required=False)
        if isinstance(checked, list):
            what = "；".join(f"{p.column}：{p.reason}" for p in checked[:2])
            return None, None, f"简历中读出的信息不完整（{what}），请填写候选人后再上传"
        duplicates = await self._intake.duplicates_of(checked.phone, checked.email)
        if duplicates:
            existing = await Candidate.get(id=duplicates[0].candidate_id)
            by = duplicates[0].by
            return existing, existing.id, f"已归入已有候选人{existing.name}（{by}相同）"
        created = await self._intake.create(checked, job, channel="resume")
        added.append(created)
        return await Candidate.get(id=created.candidate_id), None, "已根据简历新建候选人"

    def _accept(self, files: list[UploadedFile]) -> tuple[list[_Accepted], list[FileOutcome]]:
        """Each file (a zip's entries one by one) kept or refused with its reason; more
        than ``max_files`` résumés or ``max_total`` bytes refuse the whole upload."""
        accepted: list[_Accepted] = []
        refused: list[FileOutcome] = []
        too_big = f"文件超过 {self._limits.max_bytes // MB} MB"
        for f in files:
            name = display_name(f.filename)
            if len(f.data) > self._limits.max_bytes:
                refused.append(FileOutcome(name, False, too_big))
                continue
            kind = sniff(f.data, name)
            if kind == "zip":
                inner, problems = open_zip(f.data, name, self._limits.zips())
                accepted += [_Accepted(i.name, i.data, i.content_type, name) for i in inner]
                refused += [
                    FileOutcome(p.name, False, p.reason, archive=name if p.name != name else "")
                    for p in problems
                ]
            elif kind is None:
                refused.append(
                    FileOutcome(name, False, "不支持的文件类型（支持 PDF、Word、TXT、HTML 和 ZIP）")
                )
            else:
                accepted.append(_Accepted(name, f.data, kind))
        if len(accepted) > self._limits.max_files:
            raise PayloadTooLarge(
                f"一次最多上传 {self._limits.max_files} 份简历", code="too_many_files"
            )
        if sum(len(a.data) for a in accepted) > self._limits.max_total:
            raise PayloadTooLarge(
                f"一次上传的简历解压后共超过 {self._limits.max_total // MB} MB，请分批上传",
                code="upload_too_large",
            )
        return accepted, refused

    async def _parse(self, accepted: _Accepted) -> ParsedResume | None:
        if self._reader is None:
            return None
        reader = self._reader
        try:
            return await asyncio.to_thread(reader.read, accepted.data, accepted.filename)
        except Exception:  # a reader must not raise; if it does, HR is told it was refused
            log.exception("the résumé reader raised on a %s file", accepted.content_type)
            return ParsedResume(ParseStatus.REFUSED, "简历无法读取")

    async def _store(self, data: bytes) -> str:
        key = f"resumes/{secrets.token_hex(16)}"
        writer = await self._media.appender(key, 0)
        try:
            await writer.write(data)
            await writer.close()
        except BaseException:
            await writer.abort()
            await self._media.delete(key)
            raise
        return key

    async def read(
        self, principal: Principal, resume_id: int
    ) -> tuple[str, str, AsyncIterator[bytes]]:
        """(original name, content type, the plaintext) for HR; audited either way."""
        if not allows(principal.roles, Permission.VIEW_CONTACT):  # before the id: no oracle
            await record(principal.actor, "read_resume", "resume_file", resume_id, allowed=False)
            raise AccessDenied("你的角色不能查看简历")
        row = await ResumeFile.get_or_none(id=resume_id)
        await record(
            principal.actor, "read_resume", "resume_file", resume_id, allowed=row is not None
        )
        if row is None:
            raise NotFound("没有找到该简历文件")
        return row.filename, row.content_type, self._media.read(row.object_key)


def summary(outcomes: list[FileOutcome]) -> str:
    """HR's chat line per uploaded file (the upload page shows the same list)."""
    stored = sum(1 for o in outcomes if o.stored)
    lines = [f"本次上传 {len(outcomes)} 个简历文件：{stored} 个已保存，"
             f"{len(outcomes) - stored} 个未保存。"]  # fmt: skip
    for o in outcomes[:SUMMARY_LINES]:
        where = f"，来自{chat_name(o.archive)}" if o.archive else ""
        state = "已保存" if o.stored else "未保存"
        line = f"· {chat_name(o.filename)}{where}：{state}，{o.reason}"
        lines.append(shorten(line, max_chars=80))
    if len(outcomes) > SUMMARY_LINES:
        lines.append(f"……另 {len(outcomes) - SUMMARY_LINES} 个文件请在工作台查看")
    return shorten("\n".join(lines), 2000)


def _facts_entry(facts: ParsedResume) -> dict[str, str]:
    """The form values a parsed résumé fills: who, how to reach them, the highest degree
    it names (read as a level; one it cannot read is left out, not refused) and whole
    years of experience."""
    levels = [lv for e in facts.education if e.degree and (lv := education_level(e.degree))]
    best = min(levels, key=EDUCATION_LEVELS.index) if levels else ""
    months = facts.months_experience
    return {
        "name": facts.name or "",
        "phone": facts.phone or "",
        "email": facts.email or "",
        "education": best,
        "years": "" if months is None else str(min(months // 12, MAX_YEARS)),
        "source": "简历上传",
    }


async def _job(job_id: int | None) -> JobOpening | None:
    if job_id is None:
        return None
    job = await JobOpening.get_or_none(id=job_id)
    if job is None:
        raise NotFound("没有找到该岗位")
    if job.status == JobStatus.CLOSED:
        raise InvalidInput(f"岗位「{job.title}」已关闭", code="job_closed")
    return job


async def _application(candidate: Candidate, job: JobOpening | None) -> int | None:
    if job is None:
        first = await Application.filter(candidate_id=candidate.id).order_by("-id").first()
        return first.id if first else None
    application, _ = await Application.get_or_create(
        candidate_id=candidate.id, job_id=job.id, defaults={"channel": "resume"}
    )
    return int(application.id)


def _status(facts: ParsedResume | None) -> ResumeParse:
    return ResumeParse.UNPARSED if facts is None else ResumeParse(facts.status.value)


def _reason(facts: ParsedResume | None) -> str:
    if facts is None:
        return UNPARSED_REASON
    if facts.status is ParseStatus.PARSED:
        return "已解析"
    return facts.reason or (
        "需要文字识别（扫描件）" if facts.status is ParseStatus.NEEDS_OCR else "简历无法读取"
    )


def _document(facts: ParsedResume | None) -> dict[str, object] | None:
    if facts is None or facts.status is not ParseStatus.PARSED:
        return None
    return asdict(facts)
