"""Speech recognition port: the real PaddleSpeech load-and-decode path on a tiny random model.

The tiny model's text is random; these tests check structure (one result per segment, same
timestamps, str text), caching, failure handling and that nothing reaches the network.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from interview_core.speech.choose import recognizer_from_settings
from interview_core.speech.models import ModelManifest, write_manifest
from interview_core.speech.port import (
    SpeechRecognizer,
    Transcript,
    TranscriptSegment,
    UnavailableRecognizer,
)
from interview_core.speech.segments import Segment
from recruiting.errors import InvalidInput

needs_paddle = pytest.mark.skipif(
    importlib.util.find_spec("paddlespeech") is None,
    reason="paddlepaddle + paddlespeech are not installed in this environment",
)
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if importlib.util.find_spec("paddlespeech") is None:
        pytest.skip("paddlepaddle + paddlespeech are not installed in this environment")
    from tests.speech import tinyconformer

    return tinyconformer.build_model_dir(tmp_path_factory.mktemp("asr") / "tiny-conformer")


@pytest.fixture(autouse=True)
def fresh_cache() -> None:
    if importlib.util.find_spec("paddlespeech") is not None:
        from interview_core.speech.paddle import PaddleSpeechRecognizer

        PaddleSpeechRecognizer.clear_cache()


def tone(seconds: float, rate: int = 16000) -> np.ndarray:
    from tests.speech.tinyconformer import synthetic_audio

    audio = synthetic_audio(seconds)
    return audio if rate == 16000 else audio[:: 16000 // rate].copy()


def fake_model_dir(path: Path, *, config: str = "encoder_conf: {}\n") -> Path:
    """The files of a model directory, without a real model in them."""
    path.mkdir(parents=True)
    (path / "model.yaml").write_text(config, "utf-8")
    (path / "model.pdparams").write_bytes(b"not a checkpoint")
    write_manifest(path, ModelManifest(name="fake"))
    return path


# -- the port without a model --------------------------------------------------------------


def test_transcript_joins_text_and_serialises() -> None:
    transcript = Transcript(
        available=True,
        engine="paddlespeech:x",
        segments=[
            TranscriptSegment(0.0, 1.0, "我负责"),
            TranscriptSegment(1.2, 1.25, "", error="too short to decode"),
            TranscriptSegment(2.0, 3.5, "项目管理"),
        ],
    )
    assert transcript.text == "我负责 项目管理"
    data = transcript.to_json()
    assert json.loads(json.dumps(data, ensure_ascii=False)) == data
    assert data["segments"][1] == {
        "start": 1.2,
        "end": 1.25,
        "text": "",
        "error": "too short to decode",
    }


def test_no_model_installed_gives_unavailable_with_reason(tmp_path: Path) -> None:
    where = tmp_path / "models"
    recognizer = recognizer_from_settings(str(where))
    assert isinstance(recognizer, UnavailableRecognizer)
    assert isinstance(recognizer, SpeechRecognizer)
    transcript = recognizer.transcribe(np.zeros(16000, np.float32), 16000, [Segment(0.0, 1.0)])
    assert transcript.available is False
    assert transcript.segments == []
    assert transcript.text == ""
    assert transcript.reason.startswith(f"no speech model installed in {where}; run `python -m")
    assert "install-model" in transcript.reason


def test_default_models_dir_comes_from_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SPEECH_MODEL_DIR", str(tmp_path / "speech"))
    recognizer = recognizer_from_settings(None)
    assert isinstance(recognizer, UnavailableRecognizer)
    assert str(tmp_path / "speech") in recognizer.reason


def test_paddlespeech_missing_gives_unavailable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_model_dir(tmp_path / "fake")
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == "paddlespeech" else real_find_spec(name, *a),
    )
    recognizer = recognizer_from_settings(str(tmp_path / "fake"))
    assert isinstance(recognizer, UnavailableRecognizer)
    assert recognizer.reason.startswith("paddlespeech is not installed")


@needs_paddle
def test_broken_model_gives_unavailable_with_load_error(tmp_path: Path) -> None:
    fake_model_dir(tmp_path / "broken", config="encoder: conformer\nencoder_conf: {}\n")
    recognizer = recognizer_from_settings(str(tmp_path / "broken"))
    assert isinstance(recognizer, UnavailableRecognizer)
    assert recognizer.reason.startswith("model failed to load from")
    transcript = recognizer.transcribe(np.zeros(16000, np.float32), 16000, [Segment(0, 1)])
    assert (transcript.available, transcript.segments) == (False, [])


# -- the real model ------------------------------------------------------------------------


def test_loads_once_per_directory(model_dir: Path) -> None:
    from interview_core.speech.paddle import PaddleSpeechRecognizer

    started = time.perf_counter()
    first = PaddleSpeechRecognizer.from_model_dir(model_dir)
    loaded = time.perf_counter() - started
    assert PaddleSpeechRecognizer.from_model_dir(str(model_dir)) is first
    assert recognizer_from_settings(str(model_dir)) is first
    assert first.name == "paddlespeech:tiny-conformer"
    assert loaded < 10


def test_models_dir_uses_the_active_model(model_dir: Path, tmp_path: Path) -> None:
    from interview_core.speech.paddle import PaddleSpeechRecognizer

    root = tmp_path / "models"
    shutil.copytree(model_dir, root / "tiny")
    fake_model_dir(root / "other")
    (root / "active").write_text("tiny\n")
    recognizer = recognizer_from_settings(str(root))
    assert isinstance(recognizer, PaddleSpeechRecognizer)
    assert recognizer is PaddleSpeechRecognizer.from_model_dir(root / "tiny")


def test_transcribes_each_segment_keeping_timestamps(model_dir: Path) -> None:
    recognizer = recognizer_from_settings(str(model_dir))
    segments = [Segment(0.5, 2.0), Segment(3.0, 6.5), Segment(7.25, 9.9)]
    transcript = recognizer.transcribe(tone(10.0), 16000, segments)
    assert transcript.available is True
    assert transcript.engine == "paddlespeech:tiny-conformer"
    assert transcript.reason == ""
    assert [(s.start, s.end) for s in transcript.segments] == [(s.start, s.end) for s in segments]
    for result in transcript.segments:
        assert isinstance(result.text, str)
        assert result.error == ""
        assert "<unk>" not in result.text
    assert transcript.text == " ".join(s.text for s in transcript.segments if s.text)


def test_no_segments_no_text(model_dir: Path) -> None:
    transcript = recognizer_from_settings(str(model_dir)).transcribe(tone(1.0), 16000, [])
    assert (transcript.available, transcript.segments, transcript.text) == (True, [], "")


def test_too_short_segment_is_marked_not_decoded(model_dir: Path) -> None:
    recognizer = recognizer_from_settings(str(model_dir))
    segments = [Segment(1.0, 1.03), Segment(2.0, 3.0), Segment(12.0, 13.0)]
    transcript = recognizer.transcribe(tone(4.0), 16000, segments)
    short, normal, outside = transcript.segments
    assert (short.text, short.error.startswith("too short to decode")) == ("", True)
    assert normal.error == ""
    assert (outside.text, outside.error.startswith("too short to decode")) == ("", True)
    assert transcript.available is True


def test_other_sample_rates_are_resampled(model_dir: Path) -> None:
    recognizer = recognizer_from_settings(str(model_dir))
    transcript = recognizer.transcribe(tone(3.0, rate=8000), 8000, [Segment(0.2, 2.8)])
    assert transcript.available and transcript.segments[0].error == ""
    assert (transcript.segments[0].start, transcript.segments[0].end) == (0.2, 2.8)


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")
def test_transcribes_synthetic_mandarin_at_22khz(model_dir: Path, tmp_path: Path) -> None:
    import soundfile

    wav = tmp_path / "speech.wav"
    subprocess.run(
        ["espeak-ng", "-v", "cmn-latn-pinyin", "-w", str(wav), "wo3 fu4 ze2 xiang4 mu4"],
        check=True,
        timeout=30,
    )
    pcm, rate = soundfile.read(wav, dtype="float32")
    duration = len(pcm) / rate
    recognizer = recognizer_from_settings(str(model_dir))
    transcript = recognizer.transcribe(pcm, rate, [Segment(0.0, duration)])
    assert rate != 16000
    assert transcript.available and transcript.segments[0].end == duration
    assert isinstance(transcript.segments[0].text, str)


def test_long_segment_is_decoded_in_chunks(
    model_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from interview_core.speech import paddle

    monkeypatch.setattr(paddle, "MAX_CHUNK_SECONDS", 2.0)
    recognizer = paddle.PaddleSpeechRecognizer.from_model_dir(model_dir)
    calls: list[int] = []
    decode = recognizer._decode

    def counting(samples: np.ndarray) -> str:
        calls.append(len(samples))
        return decode(samples)

    monkeypatch.setattr(recognizer, "_decode", counting)
    transcript = recognizer.transcribe(tone(7.0), 16000, [Segment(0.0, 7.0)])
    assert transcript.available
    assert len(calls) == 4 and max(calls) <= 2 * 16000 and sum(calls) == 7 * 16000


def test_a_failing_segment_is_marked_and_the_others_go_on(
    model_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from interview_core.speech.paddle import PaddleSpeechRecognizer

    recognizer = PaddleSpeechRecognizer.from_model_dir(model_dir)
    executor = recognizer._model.executor
    preprocess = executor.preprocess
    calls = {"n": 0}

    def flaky(model_type: str, wav: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("out of memory")
        preprocess(model_type, wav)

    monkeypatch.setattr(executor, "preprocess", flaky)
    segments = [Segment(0.0, 1.0), Segment(1.5, 2.5), Segment(3.0, 4.0)]
    transcript = recognizer.transcribe(tone(4.0), 16000, segments)
    assert transcript.available is True
    assert [s.error for s in transcript.segments] == [
        "",
        "decoding failed: RuntimeError: out of memory",
        "",
    ]
    assert transcript.segments[1].text == ""


def test_decoder_errors_swallowed_by_paddlespeech_still_mark_the_segment(
    model_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ASRExecutor.infer logs and swallows decode errors; a stale result must not leak."""
    from interview_core.speech.paddle import PaddleSpeechRecognizer

    recognizer = PaddleSpeechRecognizer.from_model_dir(model_dir)
    model = recognizer._model.executor.model
    recognizer.transcribe(tone(2.0), 16000, [Segment(0.0, 2.0)])  # leaves a result behind

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise ValueError("decoder exploded")

    monkeypatch.setattr(model, "decode", broken)
    transcript = recognizer.transcribe(tone(2.0), 16000, [Segment(0.0, 1.0), Segment(1.0, 2.0)])
    assert transcript.available is False
    assert transcript.reason.startswith("the model failed on every segment: decoding failed")
    assert [s.text for s in transcript.segments] == ["", ""]
    assert [(s.start, s.end) for s in transcript.segments] == [(0.0, 1.0), (1.0, 2.0)]


def test_rejects_multichannel_pcm(model_dir: Path) -> None:
    recognizer = recognizer_from_settings(str(model_dir))
    with pytest.raises(InvalidInput):
        recognizer.transcribe(np.zeros((16000, 2), np.float32), 16000, [Segment(0, 1)])


# -- offline: no usage-statistics ping, no runtime pip, no stray files ---------------------


class NetworkRecorder:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.connections: list[Any] = []
        self.threads: list[str] = []
        start = threading.Thread.start

        def connect(sock: socket.socket, address: Any) -> None:
            self.connections.append(address)
            raise OSError("network blocked by the test")

        def create_connection(address: Any, *args: Any, **kwargs: Any) -> socket.socket:
            self.connections.append(address)
            raise OSError("network blocked by the test")

        def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
            self.connections.append(host)  # offline, a ping dies here, before any connect
            raise socket.gaierror("name resolution blocked by the test")

        def record_start(thread: threading.Thread) -> None:
            self.threads.append(f"{type(thread).__name__}:{getattr(thread, '_target', None)}")
            start(thread)

        monkeypatch.setattr(socket.socket, "connect", connect)
        monkeypatch.setattr(socket, "create_connection", create_connection)
        monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
        monkeypatch.setattr(threading.Thread, "start", record_start)


def test_no_usage_statistics_ping_in_process(
    model_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import soundfile
    import yaml

    from interview_core.speech.paddle import PaddleSpeechRecognizer, paddlespeech_modules
    from tests.speech.tinyconformer import config

    record = NetworkRecorder(monkeypatch)
    recognizer = PaddleSpeechRecognizer.from_model_dir(model_dir)
    recognizer.transcribe(tone(3.0), 16000, [Segment(0.0, 1.5), Segment(1.5, 3.0)])

    # Even PaddleSpeech's own entry point (wrapped in stats_wrapper) no longer pings.
    wav = tmp_path / "a.wav"
    soundfile.write(wav, tone(2.0), 16000, subtype="PCM_16")
    absolute = config(
        str(model_dir / "data/lang_char/vocab.txt"), str(model_dir / "data/mean_std.json")
    )
    (tmp_path / "model.yaml").write_text(yaml.safe_dump(absolute, allow_unicode=True), "utf-8")
    executor = paddlespeech_modules()["ASRExecutor"]()
    text = executor(
        audio_file=str(wav),
        model="conformer_tiny",
        config=str(tmp_path / "model.yaml"),
        ckpt_path=str(model_dir / "model"),
        device="cpu",
    )
    assert isinstance(text, str)
    from paddlespeech.cli import utils

    utils.StatsWorker(task="asr").start()

    assert record.connections == []
    assert record.threads == []


def test_fresh_process_stays_offline_and_writes_no_log_files(
    model_dir: Path, tmp_path: Path
) -> None:
    """Import-time behaviour needs a new interpreter: guards, pip, loguru's ./exp/log sink."""
    script = """
import json, socket, sys, threading
connections, threads = [], []
def connect(sock, address):
    connections.append(str(address)); raise OSError("blocked")
socket.socket.connect = connect
socket.create_connection = lambda address, *a, **k: connect(None, address)
socket.getaddrinfo = lambda host, *a, **k: connect(None, host)
start = threading.Thread.start
def record(thread):
    target = getattr(thread, "_target", None)
    if "loguru" not in type(getattr(target, "__self__", None)).__module__:
        threads.append(repr(target))
    start(thread)
threading.Thread.start = record
import numpy as np
from interview_core.speech.choose import recognizer_from_settings
from interview_core.speech.segments import Segment
recognizer = recognizer_from_settings(sys.argv[1])
t = np.arange(32000) / 16000
transcript = recognizer.transcribe((0.3 * np.sin(2 * np.pi * 200 * t)).astype(np.float32),
                                   16000, [Segment(0.0, 1.0), Segment(1.0, 2.0)])
print(json.dumps({"engine": transcript.engine, "available": transcript.available,
                  "connections": connections, "threads": threads,
                  "pip": "pip._internal" in sys.modules}))
"""
    done = subprocess.run(
        [sys.executable, "-c", script, str(model_dir)],
        cwd=tmp_path,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin", "HOME": str(Path.home())},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report == {
        "engine": "paddlespeech:tiny-conformer",
        "available": True,
        "connections": [],
        "threads": [],
        "pip": False,
    }
    assert list(tmp_path.iterdir()) == [], "paddlespeech wrote files into the working directory"
