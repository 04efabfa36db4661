"""Matching résumé files against a job file: what ``python -m recruiting resumes match``
and the benchmark do. The file is read through the ``ResumeReader`` port (whatever reader
the composition root gives), the job's requirements come from a YAML file in the shape of
``JobRequirements`` (``requirements: {must: [...], nice: [...]}``, or the two lists at the
top level)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from recruiting.domain.job_requirements import JobRequirements
from recruiting.domain.resume import ParseStatus
from recruiting.domain.resume_match import match_resume
from recruiting.domain.skill_synonyms import SynonymTable
from recruiting.errors import InvalidInput, NotFound, PayloadTooLarge
from recruiting.ports.resumes import ResumeReader

JOB_FILE_BYTES = 1024 * 1024
RESUME_FILE_BYTES = 64 * 1024 * 1024  # beyond any reader's own limit: refuse before reading


def read_job_file(path: str | Path) -> JobRequirements:
    """A job file's requirements, validated (Chinese errors for HR)."""
    raw = _bytes(Path(path), JOB_FILE_BYTES, "岗位文件")
    try:
        document = yaml.safe_load(raw.decode("utf-8"))
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        raise InvalidInput("岗位文件不是有效的 YAML（UTF-8）文件") from exc
    if not isinstance(document, dict):
        raise InvalidInput("岗位文件应包含 requirements（must / nice 两组要求）")
    section = document.get("requirements", document)
    if isinstance(section, dict):
        section = {k: v for k, v in section.items() if k in ("must", "nice", "flagged")}
    requirements = JobRequirements.from_json(section)
    if requirements.empty:
        raise InvalidInput("岗位文件中没有可用于匹配的要求（must / nice）")
    return requirements


def read_resume_file(path: str | Path) -> bytes:
    return _bytes(Path(path), RESUME_FILE_BYTES, "简历文件")


def match_file(
    reader: ResumeReader,
    table: SynonymTable,
    requirements: JobRequirements,
    data: bytes,
    filename: str,
) -> dict[str, Any]:
    """``{status, reason, score, knocked_out, knockout_reasons, requirements: [{requirement,
    met, evidence, …}], unknown_weight, flagged}``; a file that did not parse has
    ``score``/``knocked_out`` null and no requirements, with the reader's reason."""
    resume = reader.read(data, filename)
    flagged = [
        {"requirement": f.text, "attribute": f.attribute.value, "reason": f.reason}
        for f in requirements.flagged
    ]
    if resume.status is not ParseStatus.PARSED:
        return {"status": resume.status.value, "reason": resume.reason, "score": None,
                "knocked_out": None, "knockout_reasons": [], "requirements": [],
                "flagged": flagged}  # fmt: skip
    result = match_resume(resume, requirements, table).to_json()
    return {"status": resume.status.value, "reason": "", **result, "flagged": flagged}


def _bytes(path: Path, limit: int, what: str) -> bytes:
    try:
        size = path.stat().st_size
        if size > limit:
            raise PayloadTooLarge(f"{what}超过 {limit // (1024 * 1024)} MB，无法读取")
        with path.open("rb") as handle:
            return handle.read(limit + 1)
    except (FileNotFoundError, NotADirectoryError) as exc:
        raise NotFound(f"找不到{what}：{path.name}") from exc
    except IsADirectoryError as exc:
        raise InvalidInput(f"{what}应是一个文件，不是文件夹：{path.name}") from exc
    except PermissionError as exc:
        raise InvalidInput(f"没有权限读取{what}：{path.name}") from exc
