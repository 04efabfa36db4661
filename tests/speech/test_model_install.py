"""Installing speech models: md5 first, safe extraction, the normalised layout, no network."""

from __future__ import annotations

import argparse
import importlib.util
import shutil
import tarfile
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from interview_core.speech import models
from interview_core.speech.choose import recognizer_from_settings
from interview_core.speech.models import (
    ModelManifest,
    RegistryEntry,
    install_model,
    is_model_dir,
    read_manifest,
    registry_entry,
)
from interview_core.speech.port import UnavailableRecognizer
from interview_core.speech.segments import Segment
from recruiting.errors import ExternalServiceError, InvalidInput, NotFound

if importlib.util.find_spec("paddlespeech") is None:
    pytest.skip("paddlepaddle + paddlespeech are not installed", allow_module_level=True)

from tests.speech import tinyconformer  # needs paddle: after the skip
from tests.speech.tinyconformer import add_member, md5


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tinyconformer.build_archive(tmp_path_factory.mktemp("archive"))


@pytest.fixture
def models_dir(tmp_path: Path) -> Path:
    return tmp_path / "models"


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Any download attempt fails at once, as it does on a machine without network."""
    attempts: list[str] = []

    def urlopen(url: str, *args: object, **kwargs: object) -> None:
        attempts.append(url)
        raise urllib.error.URLError("[Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr(urllib.request, "urlopen", urlopen)
    return attempts


def installed(models_dir: Path) -> list[str]:
    return sorted(p.name for p in models_dir.iterdir()) if models_dir.exists() else []


def repack(archive: Path, target: Path, *, extra: list[tuple[str, dict[str, object]]]) -> Path:
    """A copy of the tiny archive with crafted members added."""
    with tarfile.open(archive) as src, tarfile.open(target, "w:gz") as dst:
        for member in src.getmembers():
            dst.addfile(member, src.extractfile(member) if member.isfile() else None)
        for name, info in extra:
            add_member(dst, name, **info)  # type: ignore[arg-type]
    return target


# -- from a local archive ------------------------------------------------------------------


def test_install_from_archive_normalises_layout_and_loads(archive: Path, models_dir: Path) -> None:
    path = install_model(str(archive), models_dir=models_dir, md5=md5(archive))
    assert path == models_dir / "tiny_conformer"
    assert is_model_dir(path)
    assert (path / "data" / "mean_std.json").is_file()
    assert not (path / "exp").exists(), "the emptied checkpoint directories are removed"
    manifest = read_manifest(path)
    assert manifest.name == "tiny_conformer"
    assert (manifest.model_type, manifest.lang, manifest.sample_rate) == (
        "conformer_local",
        "zh",
        16000,
    )
    assert manifest.archive_md5 == md5(archive)
    assert manifest.checkpoint_md5 == md5(path / "model.pdparams")
    assert (models_dir / "active").read_text().strip() == "tiny_conformer"
    assert installed(models_dir) == ["active", "tiny_conformer"], "no staging directory left"

    recognizer = recognizer_from_settings(str(models_dir))
    assert recognizer.name == "paddlespeech:tiny_conformer"
    transcript = recognizer.transcribe(tinyconformer.synthetic_audio(2.0), 16000, [Segment(0, 2)])
    assert transcript.available and transcript.segments[0].end == 2


def test_md5_from_sidecar_file_and_custom_name(
    archive: Path, tmp_path: Path, models_dir: Path
) -> None:
    copy = tmp_path / archive.name
    shutil.copy(archive, copy)
    copy.with_name(copy.name + ".md5").write_text(f"{md5(archive).upper()}  {copy.name}\n")
    path = install_model(str(copy), models_dir=models_dir, name="interviews-zh")
    assert path.name == "interviews-zh"
    assert read_manifest(path).name == "interviews-zh"


def test_reinstall_replaces_the_previous_copy(archive: Path, models_dir: Path) -> None:
    first = install_model(str(archive), models_dir=models_dir, md5=md5(archive), verify=False)
    (first / "stale.txt").write_text("from the old install")
    second = install_model(str(archive), models_dir=models_dir, md5=md5(archive), verify=False)
    assert second == first and not (second / "stale.txt").exists()
    assert installed(models_dir) == ["active", "tiny_conformer"]


def test_wrong_md5_installs_nothing(archive: Path, models_dir: Path) -> None:
    with pytest.raises(
        InvalidInput, match=r"md5 of .* expected 0{32}.*nothing was installed"
    ) as err:
        install_model(str(archive), models_dir=models_dir, md5="0" * 32)
    assert err.value.code == "model_archive_invalid"
    assert installed(models_dir) == []
    assert isinstance(recognizer_from_settings(str(models_dir)), UnavailableRecognizer)


def test_without_any_md5_nothing_is_installed(
    archive: Path, tmp_path: Path, models_dir: Path
) -> None:
    copy = tmp_path / "unknown.tar.gz"
    shutil.copy(archive, copy)
    with pytest.raises(InvalidInput, match="no md5 to check"):
        install_model(str(copy), models_dir=models_dir)
    assert installed(models_dir) == []


def test_malformed_md5_is_refused(archive: Path, models_dir: Path) -> None:
    with pytest.raises(InvalidInput, match="not an md5"):
        install_model(str(archive), models_dir=models_dir, md5="abc")


def test_missing_archive(models_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(NotFound, match="no such archive"):
        install_model(str(tmp_path / "nope.tar.gz"), models_dir=models_dir, md5="0" * 32)


@pytest.mark.parametrize(
    ("member", "info"),
    [
        ("../evil.txt", {}),
        ("data/../../evil.txt", {}),
        ("/tmp/evil.txt", {}),
        ("data/link", {"type": tarfile.SYMTYPE, "linkname": "../../evil.txt"}),
        ("data/abs-link", {"type": tarfile.SYMTYPE, "linkname": "/etc/passwd"}),
        ("data/hard", {"type": tarfile.LNKTYPE, "linkname": "../evil.txt"}),
        ("data/device", {"type": tarfile.CHRTYPE}),
    ],
)
def test_unsafe_members_are_refused(
    archive: Path, tmp_path: Path, models_dir: Path, member: str, info: dict[str, object]
) -> None:
    bad = repack(archive, tmp_path / "bad.tar.gz", extra=[(member, info)])
    with pytest.raises(InvalidInput, match="refusing to install") as err:
        install_model(str(bad), models_dir=models_dir, md5=md5(bad))
    assert err.value.code == "model_archive_unsafe"
    assert installed(models_dir) == []
    assert not (tmp_path / "evil.txt").exists()


def test_links_inside_the_archive_are_fine(archive: Path, tmp_path: Path, models_dir: Path) -> None:
    ok = repack(
        archive,
        tmp_path / "ok.tar.gz",
        extra=[
            ("data/vocab-link.txt", {"type": tarfile.SYMTYPE, "linkname": "lang_char/vocab.txt"})
        ],
    )
    path = install_model(str(ok), models_dir=models_dir, md5=md5(ok), verify=False)
    assert (path / "data" / "vocab-link.txt").read_text().startswith("<blank>")


def test_not_an_archive(tmp_path: Path, models_dir: Path) -> None:
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"this is not gzip")
    with pytest.raises(InvalidInput, match="not a usable tar archive"):
        install_model(str(junk), models_dir=models_dir, md5=md5(junk))
    assert installed(models_dir) == []


def test_archive_without_checkpoint_or_with_two(tmp_path: Path, models_dir: Path) -> None:
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "model.yaml").write_text("encoder: conformer\nencoder_conf: {}\n")
    for checkpoints in ([], ["exp/a.pdparams", "exp/b.pdparams"]):
        for name in checkpoints:
            (tree / name).parent.mkdir(parents=True, exist_ok=True)
            (tree / name).write_bytes(b"x")
        bad = tmp_path / f"bad{len(checkpoints)}.tar.gz"
        with tarfile.open(bad, "w:gz") as tar:
            tar.add(tree, arcname="model")
        with pytest.raises(InvalidInput, match=r"exactly one \.pdparams"):
            install_model(str(bad), models_dir=models_dir, md5=md5(bad))
        assert installed(models_dir) == []


def test_non_u2_config_is_refused(tmp_path: Path, models_dir: Path) -> None:
    tree = tmp_path / "ds2"
    (tree / "exp").mkdir(parents=True)
    (tree / "model.yaml").write_text("model_type: deepspeech2\nnum_conv_layers: 2\n")
    (tree / "exp" / "avg_1.pdparams").write_bytes(b"x")
    bad = tmp_path / "ds2.tar.gz"
    with tarfile.open(bad, "w:gz") as tar:
        tar.add(tree, arcname=".")
    with pytest.raises(InvalidInput, match="not a U2") as err:
        install_model(str(bad), models_dir=models_dir, md5=md5(bad))
    assert err.value.code == "model_unsupported"


def test_unloadable_model_is_not_installed(archive: Path, tmp_path: Path, models_dir: Path) -> None:
    tree = tmp_path / "tree"
    with tarfile.open(archive) as tar:
        tar.extractall(tree, filter="data")
    next(tree.rglob("*.pdparams")).write_bytes(b"garbage, not a state dict")
    bad = tmp_path / "garbage.tar.gz"
    with tarfile.open(bad, "w:gz") as tar:
        tar.add(tree, arcname=".")
    with pytest.raises(InvalidInput, match="does not hold a loadable model"):
        install_model(str(bad), models_dir=models_dir, md5=md5(bad))
    assert installed(models_dir) == []


# -- from PaddleSpeech's registry -----------------------------------------------------------


def test_registry_lookup_reads_paddlespeech_registry() -> None:
    entry = registry_entry("conformer_wenetspeech-zh-16k")
    assert entry.url.endswith("/asr1_conformer_wenetspeech_ckpt_0.1.1.model.tar.gz")
    assert entry.md5 == "76cb19ed857e6623856b7cd7ebbfeda4"
    assert (entry.cfg_path, entry.ckpt_path) == (
        "model.yaml",
        "exp/conformer/checkpoints/wenetspeech",
    )
    assert (entry.model_type, entry.lang, entry.sample_rate) == (
        "conformer_wenetspeech",
        "zh",
        16000,
    )
    assert registry_entry("conformer_online_multicn-zh-16k@1.0").version == "1.0"


def test_registry_name_without_network_fails_fast_and_says_what_to_do(
    models_dir: Path, no_network: list[str]
) -> None:
    with pytest.raises(ExternalServiceError) as err:
        install_model("conformer_wenetspeech-zh-16k", models_dir=models_dir)
    message = err.value.message
    assert err.value.code == "model_download_failed"
    assert "no network" in message
    assert "install-model /path/to/asr1_conformer_wenetspeech_ckpt_0.1.1.model.tar.gz" in message
    assert "--name conformer_wenetspeech-zh-16k" in message
    assert "76cb19ed857e6623856b7cd7ebbfeda4" in message
    assert no_network == [registry_entry("conformer_wenetspeech-zh-16k").url]
    assert installed(models_dir / "downloads") == [], "no partial download left"
    assert [p for p in installed(models_dir) if p != "downloads"] == []


def test_unknown_and_unsupported_registry_names(models_dir: Path) -> None:
    with pytest.raises(
        NotFound, match=r"not in PaddleSpeech's ASR registry.*conformer_wenetspeech"
    ):
        install_model("whisper_large-zh-16k", models_dir=models_dir)
    with pytest.raises(InvalidInput, match="DeepSpeech2") as err:
        install_model("deepspeech2offline_aishell-zh-16k", models_dir=models_dir)
    assert err.value.code == "model_unsupported"


def fake_registry(monkeypatch: pytest.MonkeyPatch, archive: Path) -> RegistryEntry:
    entry = RegistryEntry(
        tag="conformer_tiny-zh-16k",
        version="1.0",
        url=f"https://example.invalid/asr/{archive.name}",
        md5=md5(archive),
        cfg_path="model.yaml",
        ckpt_path="exp/conformer/checkpoints/avg_1",
    )
    monkeypatch.setattr(models, "registry_entries", lambda: [entry])
    return entry


def test_registry_name_uses_an_archive_already_in_downloads(
    archive: Path, models_dir: Path, monkeypatch: pytest.MonkeyPatch, no_network: list[str]
) -> None:
    entry = fake_registry(monkeypatch, archive)
    (models_dir / "downloads").mkdir(parents=True)
    shutil.copy(archive, models_dir / "downloads" / archive.name)
    path = install_model(entry.tag, models_dir=models_dir)
    assert no_network == []
    assert path == models_dir / "conformer_tiny-zh-16k"
    manifest = read_manifest(path)
    assert manifest == ModelManifest(
        name="conformer_tiny-zh-16k",
        model_type="conformer_tiny",
        lang="zh",
        sample_rate=16000,
        source="conformer_tiny-zh-16k",
        archive_md5=entry.md5,
        checkpoint_md5=manifest.checkpoint_md5,
        installed_at=manifest.installed_at,
    )


def test_archive_named_like_a_registry_entry_takes_its_md5(
    archive: Path, models_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    entry = fake_registry(monkeypatch, archive)
    path = install_model(str(archive), models_dir=models_dir)
    assert path.name == entry.tag and read_manifest(path).model_type == "conformer_tiny"


def test_a_corrupt_cached_download_is_removed(
    archive: Path, models_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    entry = fake_registry(monkeypatch, archive)
    (models_dir / "downloads").mkdir(parents=True)
    (models_dir / "downloads" / archive.name).write_bytes(b"truncated")
    with pytest.raises(InvalidInput, match="md5"):
        install_model(entry.tag, models_dir=models_dir)
    assert installed(models_dir / "downloads") == []


# -- command line ---------------------------------------------------------------------------


def run_cli(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="interview_core")
    models.add_cli(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(list(argv))
    return int(args.func(args))


def test_cli_installs_and_reports(
    archive: Path, models_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run_cli(
        "install-model", str(archive), "--md5", md5(archive), "--models-dir", str(models_dir)
    )
    assert code == 0
    assert f"installed {models_dir / 'tiny_conformer'}" in capsys.readouterr().out


def test_cli_reports_errors_with_exit_code_2(
    archive: Path,
    models_dir: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SPEECH_MODEL_DIR", str(models_dir))
    assert run_cli("install-model", str(archive), "--md5", "f" * 32) == 2
    assert capsys.readouterr().err.startswith("error: md5 of")
    assert installed(models_dir) == []
