"""Installing speech models, and the model directory layout the recogniser loads.

A model directory (one per installed model, ``<models dir>/<name>/``)::

    manifest.json     what it is: name, model_type, lang, sample_rate, source, md5s
    model.yaml        the PaddleSpeech inference config (vocab, preprocessing, decoding);
                      relative paths in it are relative to this directory
    model.pdparams    the checkpoint (paddle state dict)
    ...               any file model.yaml refers to (e.g. data/mean_std.json), where the
                      archive had it

The models directory (``$SPEECH_MODEL_DIR``, default ``var/models/speech``) holds model
directories, an ``active`` file naming the one to use, and ``downloads/`` for archives.

Sources: a name from PaddleSpeech's registry (``conformer_wenetspeech-zh-16k``, optionally
``@version``), or a local ``.tar.gz`` whose md5 is checked first (``--md5``, a ``<file>.md5``
sidecar, or the registry entry with the same archive name). Only U2 models (conformer,
transformer) are supported: DeepSpeech2 needs ``paddlespeech_ctcdecoders``, which has no
Python 3.11 wheel. Installing never leaves a half-written model behind.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import os
import re
import shutil
import sys
import tarfile
import tempfile
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass, fields
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from types import ModuleType
from typing import Any

from interview_core.errors import ModelUnavailable
from recruiting.errors import ExternalServiceError, InvalidInput, NotFound, RecruitingError

MANIFEST = "manifest.json"
CONFIG = "model.yaml"
CHECKPOINT = "model.pdparams"
ACTIVE = "active"
DOWNLOADS = "downloads"
DEFAULT_MODELS_DIR = "var/models/speech"
RECOMMENDED_MODEL = "conformer_wenetspeech-zh-16k"
SUPPORTED_MODEL_TYPES = ("conformer", "conformer_online", "conformer_u2pp_online", "transformer")
DOWNLOAD_TIMEOUT = 10.0
_MD5 = re.compile(r"^[0-9a-f]{32}$")
_ARCHIVE_SUFFIXES = (".tar.gz", ".tgz", ".tar")


def default_models_dir() -> Path:
    return Path(os.environ.get("SPEECH_MODEL_DIR") or DEFAULT_MODELS_DIR)


def install_hint() -> str:
    return (
        f"run `python -m interview_core install-model {RECOMMENDED_MODEL}` "
        "(or `install-model /path/to/model.tar.gz` on a machine without network)"
    )


@dataclass(frozen=True)
class ModelManifest:
    """``manifest.json``: what the model is and where it came from."""

    name: str
    model_type: str = "conformer_local"
    lang: str = "zh"
    sample_rate: int = 16000
    source: str = ""
    archive_md5: str = ""
    checkpoint_md5: str = ""
    installed_at: str = ""
    format: int = 1

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ModelManifest:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


def read_manifest(model_dir: Path) -> ModelManifest:
    try:
        data = json.loads((model_dir / MANIFEST).read_text(encoding="utf-8"))
        return ModelManifest.from_json(data)
    except (OSError, ValueError, TypeError) as exc:
        raise ModelUnavailable(f"no valid {MANIFEST} in {model_dir}: {exc}") from exc


def write_manifest(model_dir: Path, manifest: ModelManifest) -> None:
    text = json.dumps(manifest.to_json(), ensure_ascii=False, indent=2) + "\n"
    (model_dir / MANIFEST).write_text(text, encoding="utf-8")


def is_model_dir(path: Path) -> bool:
    return all((path / f).is_file() for f in (MANIFEST, CONFIG, CHECKPOINT))


def find_model_dir(path: Path) -> Path | None:
    """``path`` itself if it is a model directory, else the active (or only) model in it."""
    if is_model_dir(path):
        return path
    active = path / ACTIVE
    if active.is_file():
        chosen = path / active.read_text(encoding="utf-8").strip()
        return chosen if is_model_dir(chosen) else None
    if not path.is_dir():
        return None
    candidates = [
        p for p in path.iterdir() if not p.name.startswith(".") and p.is_dir() and is_model_dir(p)
    ]
    return candidates[0] if len(candidates) == 1 else None


# -- PaddleSpeech's registry -------------------------------------------------------------


@dataclass(frozen=True)
class RegistryEntry:
    tag: str
    version: str
    url: str
    md5: str
    cfg_path: str
    ckpt_path: str

    @property
    def archive_name(self) -> str:
        return self.url.rsplit("/", 1)[-1]

    @property
    def model_type(self) -> str:
        return self.tag.split("-")[0]

    @property
    def lang(self) -> str:
        return self.tag.split("-")[1].removeprefix("codeswitch_")

    @property
    def sample_rate(self) -> int:
        return 8000 if self.tag.endswith("-8k") else 16000


def _registry_module() -> ModuleType:
    """PaddleSpeech's ``resource/pretrained_models.py``, read without importing paddle."""
    spec = importlib.util.find_spec("paddlespeech")
    if spec is None or not spec.submodule_search_locations:
        raise ModelUnavailable(
            "paddlespeech is not installed, so registry names are unknown; "
            "install from a local archive: `install-model /path/to/model.tar.gz --md5 <md5>`"
        )
    path = Path(next(iter(spec.submodule_search_locations))) / "resource" / "pretrained_models.py"
    module_spec = importlib.util.spec_from_file_location("_paddlespeech_registry", path)
    if module_spec is None or module_spec.loader is None:
        raise ModelUnavailable(f"cannot read PaddleSpeech's model registry at {path}")
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    return module


def registry_entries() -> list[RegistryEntry]:
    """The ASR models (dynamic graph) PaddleSpeech knows, every version."""
    models: dict[str, dict[str, dict[str, str]]] = _registry_module().asr_dynamic_pretrained_models
    return [
        RegistryEntry(tag, version, r["url"], r["md5"], r["cfg_path"], r["ckpt_path"])
        for tag, versions in models.items()
        for version, r in versions.items()
    ]


def registry_entry(name: str) -> RegistryEntry:
    """``tag`` (latest version) or ``tag@version``."""
    tag, _, version = name.partition("@")
    matches = [e for e in registry_entries() if e.tag == tag]
    if version:
        matches = [e for e in matches if e.version == version]
    if not matches:
        known = ", ".join(sorted({e.tag for e in registry_entries() if _supported(e.model_type)}))
        raise NotFound(f"{name!r} is not in PaddleSpeech's ASR registry; supported: {known}")
    return matches[-1]


def _supported(model_type: str) -> bool:
    return model_type.rpartition("_")[0] in SUPPORTED_MODEL_TYPES


# -- installing ----------------------------------------------------------------------------


def install_model(
    source: str,
    *,
    models_dir: Path,
    name: str | None = None,
    md5: str | None = None,
    verify: bool = True,
    activate: bool = True,
) -> Path:
    """Install a registry model or a local archive as ``models_dir/<name>``; returns that dir.

    The archive's md5 is checked before anything is extracted. With ``verify`` (and
    paddlespeech importable) the model is loaded once before it replaces a previous
    install. ``activate`` makes it the model ``recognizer_from_settings`` picks.
    """
    archive, entry = _resolve_source(source, models_dir=models_dir, name=name)
    expected = _expected_md5(archive, md5, entry)
    actual = file_md5(archive)
    if actual != expected:
        if archive.parent == models_dir / DOWNLOADS:
            archive.unlink()  # a bad download must not be found again as the cached copy
        raise InvalidInput(
            f"md5 of {archive} is {actual}, expected {expected}: the archive is corrupt, "
            "incomplete or not the one meant; nothing was installed",
            code="model_archive_invalid",
        )
    model_name = _model_name(name, entry, archive)
    models_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".staging-{model_name}-", dir=models_dir))
    staging.chmod(0o755)  # mkdtemp's 0700 would hide the model from workers run as other users
    try:
        root = _extract(archive, staging)
        _normalise(root, entry)
        manifest = _manifest(root, model_name, entry, source=str(source), archive_md5=actual)
        write_manifest(root, manifest)
        if verify:
            _verify_loads(root)
        target = _put_in_place(root, models_dir / model_name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    if activate:
        _write_atomically(models_dir / ACTIVE, model_name + "\n")
    return target


def file_md5(path: Path) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _resolve_source(
    source: str, *, models_dir: Path, name: str | None
) -> tuple[Path, RegistryEntry | None]:
    path = Path(source)
    if path.is_file():
        return path, _entry_for_archive(path, name)
    if source.endswith(_ARCHIVE_SUFFIXES) or os.sep in source:
        raise NotFound(f"no such archive: {source}")
    entry = registry_entry(source)
    if not _supported(entry.model_type):
        raise InvalidInput(
            f"{entry.tag} is not a U2 (conformer/transformer) model; DeepSpeech2 models need "
            "paddlespeech_ctcdecoders, which has no Python 3.11 wheel",
            code="model_unsupported",
        )
    return _cached_or_downloaded(entry, models_dir), entry


def _entry_for_archive(archive: Path, name: str | None) -> RegistryEntry | None:
    """The registry entry ``name`` names, or the one whose archive has this file name."""
    if importlib.util.find_spec("paddlespeech") is None:
        return None
    if name and any(e.tag == name.partition("@")[0] for e in registry_entries()):
        return registry_entry(name)
    same_file = [e for e in registry_entries() if e.archive_name == archive.name]
    return same_file[-1] if same_file else None


def _paddlespeech_home() -> Path:
    return Path(os.environ.get("PPSPEECH_HOME") or Path.home() / ".paddlespeech")


def _cached_or_downloaded(entry: RegistryEntry, models_dir: Path) -> Path:
    """The registry archive from a local cache, else downloaded into ``downloads/``."""
    downloads = models_dir / DOWNLOADS
    for candidate in (
        downloads / entry.archive_name,
        _paddlespeech_home() / "models" / entry.tag / entry.version / entry.archive_name,
    ):
        if candidate.is_file():
            return candidate
    downloads.mkdir(parents=True, exist_ok=True)
    target = downloads / entry.archive_name
    try:
        _download(entry.url, target)
    except (OSError, urllib.error.URLError) as exc:
        why = (
            "the server refused it"
            if isinstance(exc, urllib.error.HTTPError)
            else "this machine seems to have no network access"
        )
        raise ExternalServiceError(
            f"could not download {entry.url} ({exc}); {why}. Fetch the archive elsewhere "
            f"(md5 {entry.md5}), then either put it in {downloads}/ and rerun, or run "
            f"`python -m interview_core install-model /path/to/{entry.archive_name} "
            f"--name {entry.tag}`",
            code="model_download_failed",
        ) from exc
    return target


def _download(url: str, target: Path, timeout: float = DOWNLOAD_TIMEOUT) -> None:
    if not url.startswith(("https://", "http://")):
        raise urllib.error.URLError(f"refusing to fetch {url!r}")
    partial = target.with_name(target.name + ".part")
    # S310: the scheme is checked above.
    response = urllib.request.urlopen(url, timeout=timeout)  # noqa: S310
    try:
        with response, partial.open("wb") as out:
            shutil.copyfileobj(response, out, 1 << 20)
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)


def _expected_md5(archive: Path, md5: str | None, entry: RegistryEntry | None) -> str:
    sidecar = archive.with_name(archive.name + ".md5")
    if md5:
        expected = md5
    elif sidecar.is_file():
        expected = (sidecar.read_text(encoding="utf-8").split() or [""])[0]
    elif entry is not None:
        expected = entry.md5
    else:
        raise InvalidInput(
            f"no md5 to check {archive} against: pass --md5, put it in {sidecar.name} next to "
            "the archive, or name the registry model it is with --name",
            code="model_archive_invalid",
        )
    expected = expected.strip().lower()
    if not _MD5.match(expected):
        raise InvalidInput(f"{expected!r} is not an md5 (32 hex digits)", code="invalid_md5")
    return expected


def _model_name(name: str | None, entry: RegistryEntry | None, archive: Path) -> str:
    if name:
        chosen = name.partition("@")[0]
    elif entry is not None:
        chosen = entry.tag
    else:
        chosen = archive.name
        for suffix in (*_ARCHIVE_SUFFIXES, ".model"):
            chosen = chosen.removesuffix(suffix)
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}", chosen) or chosen == ACTIVE:
        raise InvalidInput(f"{chosen!r} cannot name a model directory", code="invalid_name")
    if chosen == DOWNLOADS:
        raise InvalidInput(f"{chosen!r} is reserved", code="invalid_name")
    return chosen


def _extract(archive: Path, staging: Path) -> Path:
    """Extract after checking every member; returns the archive's root directory."""
    try:
        with tarfile.open(archive, "r:*") as tar:
            members = tar.getmembers()
            for member in members:
                _check_member(member)
            tar.extractall(staging, members=members, filter="data")
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise InvalidInput(
            f"{archive} is not a usable tar archive: {exc}", code="model_archive_invalid"
        ) from exc
    entries = list(staging.iterdir())
    if len(entries) == 1 and entries[0].is_dir():
        return entries[0]
    return staging


def _check_member(member: tarfile.TarInfo) -> None:
    def refuse(why: str) -> InvalidInput:
        return InvalidInput(
            f"archive member {member.name!r} {why}; refusing to install",
            code="model_archive_unsafe",
        )

    path = PurePosixPath(member.name)
    if path.is_absolute() or member.name.startswith(("/", "\\")) or ".." in path.parts:
        raise refuse("points outside the model directory")
    if member.issym() or member.islnk():
        target = PurePosixPath(member.linkname)
        base = path.parent if member.issym() else PurePosixPath()
        depth = len(base.parts)
        for part in target.parts:
            depth = depth - 1 if part == ".." else depth + (part != ".")
            if depth < 0:
                break
        if target.is_absolute() or depth < 0:
            raise refuse(f"links to {member.linkname!r}, outside the model directory")
    elif not (member.isfile() or member.isdir()):
        raise refuse("is a device or fifo")


def _normalise(root: Path, entry: RegistryEntry | None) -> None:
    """Put the config at ``model.yaml`` and the checkpoint at ``model.pdparams``."""
    config = _find_config(root, entry)
    text = config.read_text(encoding="utf-8")
    if not re.search(r"^encoder_conf:", text, re.MULTILINE):
        raise InvalidInput(
            f"{config.relative_to(root)} is not a U2 (conformer/transformer) config "
            "(no encoder_conf); only those models are supported",
            code="model_unsupported",
        )
    if config != root / CONFIG:
        config.replace(root / CONFIG)
    checkpoint = _find_checkpoint(root, entry)
    if checkpoint != root / CHECKPOINT:
        checkpoint.replace(root / CHECKPOINT)
        _remove_empty_dirs(checkpoint.parent, root)


def _find_config(root: Path, entry: RegistryEntry | None) -> Path:
    if entry is not None and (root / entry.cfg_path).is_file():
        return root / entry.cfg_path
    if (root / CONFIG).is_file():
        return root / CONFIG
    yamls = [p for p in root.rglob("*.yaml") if "encoder_conf" in p.read_text(encoding="utf-8")]
    if len(yamls) != 1:
        found = ", ".join(str(p.relative_to(root)) for p in yamls) or "none"
        raise InvalidInput(
            f"cannot tell which file is the model config (found: {found}); "
            f"the archive should have {CONFIG} at its top",
            code="model_archive_invalid",
        )
    return yamls[0]


def _find_checkpoint(root: Path, entry: RegistryEntry | None) -> Path:
    if entry is not None and (root / f"{entry.ckpt_path}.pdparams").is_file():
        return root / f"{entry.ckpt_path}.pdparams"
    if (root / CHECKPOINT).is_file():
        return root / CHECKPOINT
    found = sorted(root.rglob("*.pdparams"))
    if len(found) != 1:
        listed = ", ".join(str(p.relative_to(root)) for p in found) or "none"
        raise InvalidInput(
            f"the archive should hold exactly one .pdparams checkpoint (found: {listed})",
            code="model_archive_invalid",
        )
    return found[0]


def _remove_empty_dirs(directory: Path, root: Path) -> None:
    while directory != root and directory.is_dir() and not any(directory.iterdir()):
        directory.rmdir()
        directory = directory.parent


def _manifest(
    root: Path, name: str, entry: RegistryEntry | None, *, source: str, archive_md5: str
) -> ModelManifest:
    if entry is not None:
        model_type, lang, rate = entry.model_type, entry.lang, entry.sample_rate
    else:
        found = re.search(r"^\s*fs:\s*(\d+)", (root / CONFIG).read_text(encoding="utf-8"), re.M)
        model_type, lang, rate = "conformer_local", "zh", int(found.group(1)) if found else 16000
    return ModelManifest(
        name=name,
        model_type=model_type,
        lang=lang,
        sample_rate=rate,
        source=source,
        archive_md5=archive_md5,
        checkpoint_md5=file_md5(root / CHECKPOINT),
        installed_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )


def _verify_loads(model_dir: Path) -> None:
    if importlib.util.find_spec("paddlespeech") is None:
        return
    from interview_core.speech.paddle import load_executor

    try:
        load_executor(model_dir, device="cpu")
    except ModelUnavailable as exc:
        raise InvalidInput(
            f"the archive does not hold a loadable model ({exc.message}); nothing was installed",
            code="model_archive_invalid",
        ) from exc


def _put_in_place(root: Path, target: Path) -> Path:
    """Move the finished model to ``target``, replacing an older install only at the end."""
    old: Path | None = None
    if target.exists():
        old = target.with_name(f".old-{target.name}-{os.getpid()}")
        shutil.rmtree(old, ignore_errors=True)
        target.replace(old)
    root.replace(target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    return target


def _write_atomically(path: Path, text: str) -> None:
    partial = path.with_name(path.name + ".tmp")
    partial.write_text(text, encoding="utf-8")
    partial.replace(path)


# -- command line --------------------------------------------------------------------------


def add_cli(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Register ``install-model``; the handler is ``args.func(args) -> exit code``."""
    parser = subparsers.add_parser(
        "install-model",
        help="install a speech recognition model (registry name or local .tar.gz)",
        description="Install a PaddleSpeech U2 model (conformer/transformer) from PaddleSpeech's "
        "registry or from a local .tar.gz whose md5 is checked, and make it the active one.",
    )
    parser.add_argument("source", help=f"registry name (e.g. {RECOMMENDED_MODEL}) or .tar.gz")
    parser.add_argument("--md5", help="expected md5 of the archive")
    parser.add_argument("--name", help="model directory name / registry name of the archive")
    parser.add_argument(
        "--models-dir",
        type=Path,
        default=None,
        help=f"where models live (default: $SPEECH_MODEL_DIR or {DEFAULT_MODELS_DIR})",
    )
    parser.add_argument("--no-verify", action="store_true", help="do not test-load the model")
    parser.set_defaults(func=run_install_model)


def run_install_model(args: argparse.Namespace) -> int:
    try:
        path = install_model(
            args.source,
            models_dir=args.models_dir or default_models_dir(),
            name=args.name,
            md5=args.md5,
            verify=not args.no_verify,
        )
    except RecruitingError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 2
    print(f"installed {path} (active)")
    return 0
