"""Analysis-core benchmark: vision, a 10-minute video, text scoring and speech recognition.

Run from the repository root::

    .venv/bin/python bench/analysis.py            # 10-minute video, about 4 minutes on 2 cores
    .venv/bin/python bench/analysis.py --quick    # 2-minute video, shorter timings
    .venv/bin/python bench/analysis.py --quick --full-asr  # + the full-size speech model

Every figure is measured in a child process pinned to ONE core (``os.sched_setaffinity``,
set before numpy, OpenCV, PyAV or paddle start any thread), next to a naive baseline
measured the same way in the same run. The media are made here first (PyAV/x264, espeak-ng
for speech). Figures are printed, never asserted; the end says whether the issue's minimum
targets were met. See bench/README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import math
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    Image = npt.NDArray[np.uint8]
    Pcm = npt.NDArray[np.float32]

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# -- what is measured ----------------------------------------------------------------------

SIZE = (640, 480)  # width, height
FPS = 30  # phone cameras record 30 frames per second
BITRATE = 1_000_000  # a phone's 480p H.264 is about 1 Mbit/s
SAMPLE_FPS = 2.0  # VisionSettings' default
CLIP_SECONDS = 60
UNIT_SECONDS = 20  # encoded once per variant; longer videos repeat it (packet copy)
AUDIO_RATE = 48000  # what phones record; the pipeline resamples to 16 kHz
ANSWERS = ROOT / "tests/unit/core/answers.yaml"
FULL_ASR_SECONDS = 30.0
DEFAULT_UNITS_PER_SECOND = 4.5  # Mandarin speech: about 4-5 characters per second
TARGET_LONG_SECONDS = 30.0
TARGET_RSS_MB = 500.0
TARGET_ANSWERS_PER_SECOND = 200.0
TINY_LABEL = (
    "tiny random-weight test model: the RTF of a real model will be much higher; "
    "text is meaningless"
)
PINYIN = (
    "qu4 nian2 san1 yue4 wo3 zai4 hua2 dong1 qu1 fu4 ze2 yi4 jia1 lian2 suo3 can1 yin3 ke4 hu4. "
    "lao3 ban3 yi4 zhi2 you2 yu4, dan1 xin1 qie1 huan4 xi4 tong3 hui4 ying3 xiang3 ying2 ye4. "
    "wo3 xian1 yue1 ta1 mian4 tan2, nai4 xin1 qing1 ting1 ta1 de5 gu4 lv4. "
    "ran2 hou4 wo3 xie2 tiao2 shi2 shi1 tuan2 dui4 zhi4 ding4 le5 fen1 pi1 qie1 huan4 fang1 an4. "
    "shi4 dian3 yi4 zhou1 hou4 ling2 gu4 zhang4, lao3 ban3 qian1 xia4 le5 er4 shi2 ba1 jia1 "
    "men2 dian4 de5 he2 tong2, jin1 e2 ba1 shi2 liu4 wan4 yuan2."
)


@dataclass(frozen=True)
class Plan:
    """Sizes of one run (defaults, or --quick)."""

    quick: bool
    long_seconds: int
    asr_seconds: float
    naive_every_frame_seconds: float  # naive detection on every frame is slow: a prefix only
    min_timing_seconds: float  # repeat short measurements until they last this long


def plan_for(quick: bool) -> Plan:
    if quick:
        return Plan(True, 120, 15.0, 2.0, 1.0)
    return Plan(False, 600, 30.0, 2.0, 3.0)


# -- media made by this run ----------------------------------------------------------------


def _scene() -> tuple[Image, Image]:
    """A textured office-like wall and the astronaut's head (a face photo shipped with
    scikit-image), both BGR; the head is half the frame high."""
    import cv2
    import numpy as np
    import skimage.data

    width, height = SIZE
    rng = np.random.default_rng(7)
    wall = np.full((height, width, 3), (150, 160, 170), np.uint8)
    for _ in range(40):
        x, y = int(rng.integers(0, width - 40)), int(rng.integers(0, height - 40))
        w, h = int(rng.integers(20, 120)), int(rng.integers(20, 120))
        colour = tuple(int(c) for c in rng.integers(60, 230, 3))
        cv2.rectangle(wall, (x, y), (x + w, y + h), colour, -1)
    photo: Image = skimage.data.astronaut()  # type: ignore[no-untyped-call]
    crop = cv2.cvtColor(photo[20:215, 135:315], cv2.COLOR_RGB2BGR)
    size = (round(crop.shape[1] * (height // 2) / crop.shape[0]), height // 2)
    head: Image = cv2.resize(crop, size, interpolation=cv2.INTER_AREA).astype(np.uint8)
    return wall, head


def scene_frames(count: int) -> Iterator[Image]:
    """A candidate's head drifting a little in front of a wall, with camera sensor noise
    (so the encoder spends a realistic bit rate and the decoder has real work)."""
    import numpy as np

    wall, head = _scene()
    width, height = SIZE
    hh, hw = head.shape[:2]
    rng = np.random.default_rng(3)

    def noisy(image: Image) -> Image:
        grain = rng.normal(0.0, 6.0, (*image.shape[:2], 1))
        return np.clip(image + grain, 0, 255).astype(np.uint8)

    walls = [noisy(wall) for _ in range(12)]
    heads = [noisy(head) for _ in range(7)]  # coprime counts: the grain pattern rarely repeats
    for i in range(count):
        t = i / FPS
        image = walls[i % len(walls)].copy()
        x0 = width // 2 - hw // 2 + round(12 * math.sin(t * 1.3))
        y0 = (height - hh) // 2 + round(6 * math.cos(t * 0.9))
        image[y0 : y0 + hh, x0 : x0 + hw] = heads[i % len(heads)]
        yield image


def speech_pcm(seconds: float, work: Path) -> tuple[Pcm, str]:
    """Mandarin speech at 16 kHz: espeak-ng sentences with pauses between repeats, or a
    voice-like synthetic signal when espeak-ng is missing. Returns the samples and a label."""
    import numpy as np

    from interview_core.media.audio import SAMPLE_RATE, load_pcm

    total = round(seconds * SAMPLE_RATE)
    exe = shutil.which("espeak-ng")
    if exe is not None:
        wav = work / "espeak.wav"
        if not wav.exists():
            subprocess.run(
                [exe, "-v", "cmn-latn-pinyin", "-s", "160", "-w", str(wav), PINYIN],
                check=True,
                capture_output=True,
            )
        sentence = load_pcm(wav)
        pause = np.zeros(round(0.8 * SAMPLE_RATE), np.float32)
        unit = np.concatenate([sentence, pause])
        return np.resize(unit, total).astype(np.float32), "espeak-ng Mandarin"
    t = np.arange(total) / SAMPLE_RATE
    voice = sum(np.sin(2 * np.pi * k * (140 + 20 * np.sin(1.4 * t)) * t) / k for k in range(1, 6))
    syllables = 0.6 + 0.4 * np.sin(2 * np.pi * 4 * t)
    pauses = (t % 8.0) < 7.0
    signal = 0.25 * voice * syllables * pauses
    return signal.astype(np.float32), "synthetic voice-like signal (espeak-ng not installed)"


def write_wav(path: Path, pcm: Pcm, rate: int) -> Path:
    import av
    import numpy as np

    with av.open(str(path), "w") as container:
        stream = container.add_stream("pcm_s16le", rate=rate, layout="mono")
        _encode_audio(container, stream, np.round(np.clip(pcm, -1, 1) * 32767).astype(np.int16))
    return path


def _encode_audio(container: Any, stream: Any, pcm16: npt.NDArray[np.int16]) -> None:
    import av

    rate = int(stream.rate)
    for offset in range(0, len(pcm16), 1024):
        frame = av.AudioFrame.from_ndarray(pcm16[None, offset : offset + 1024], "s16", "mono")
        frame.sample_rate, frame.pts, frame.time_base = rate, offset, Fraction(1, rate)
        container.mux(stream.encode(frame))
    container.mux(stream.encode(None))


def write_clip(path: Path, seconds: int, *, bframes: int, audio: Pcm | None) -> Path:
    """640x480 H.264 at 30 fps and ~1 Mbit/s (x264 veryfast), optionally AAC audio."""
    import av
    import numpy as np

    with av.open(str(path), "w") as container:
        video = container.add_stream("libx264", rate=FPS)
        video.width, video.height, video.pix_fmt = *SIZE, "yuv420p"
        video.bit_rate = BITRATE
        video.options = {"preset": "veryfast", "x264-params": f"bframes={bframes}"}
        sound = None
        if audio is not None:
            sound = container.add_stream("aac", rate=AUDIO_RATE, layout="mono")
        for image in scene_frames(seconds * FPS):
            container.mux(video.encode(av.VideoFrame.from_ndarray(image, format="bgr24")))
        container.mux(video.encode(None))
        if sound is not None and audio is not None:
            positions = np.linspace(0, len(audio) - 1, round(len(audio) * AUDIO_RATE / 16000))
            upsampled = np.interp(positions, np.arange(len(audio)), audio)
            _encode_audio(container, sound, np.round(upsampled * 32767).astype(np.int16))
    return path


def repeat_clip(src: Path, dst: Path, times: int) -> Path:
    """``src`` played ``times`` times in a row, by copying its packets with shifted
    timestamps (no re-encoding): a long video in a second instead of minutes."""
    import av

    with av.open(str(src)) as source:
        spans: dict[int, tuple[int, int]] = {}
        for packet in source.demux():
            if packet.pts is None:
                continue
            first, end = spans.get(packet.stream.index, (packet.pts, packet.pts))
            spans[packet.stream.index] = (
                min(first, packet.pts),
                max(end, packet.pts + (packet.duration or 0)),
            )
    with av.open(str(dst), "w") as out:
        streams: dict[int, Any] = {}
        for k in range(times):
            with av.open(str(src)) as source:
                for stream in source.streams:
                    if stream.index not in streams:
                        streams[stream.index] = out.add_stream_from_template(stream)
                for packet in source.demux():
                    if packet.pts is None or packet.dts is None:
                        continue
                    first, end = spans[packet.stream.index]
                    shift = k * (end - first)
                    packet.pts += shift
                    packet.dts += shift
                    packet.stream = streams[packet.stream.index]
                    out.mux(packet)
    return dst


@dataclass(frozen=True)
class Media:
    clip_b0: Path  # 60 s, no B-frames (most phone hardware encoders)
    clip_b3: Path  # 60 s, 3 B-frames (x264's default): the sampler skips their decoding
    long_b0: Path
    long_b3: Path
    speech_wav: Path
    speech30_wav: Path  # the full-size model's cost is measured on 30 s whatever the plan
    speech_label: str


def make_media(work: Path, plan: Plan) -> Media:
    """The videos (made once per --media-dir) and the speech for ASR."""
    start = time.perf_counter()
    audio, label = speech_pcm(UNIT_SECONDS, work)
    media = Media(
        clip_b0=work / f"clip{CLIP_SECONDS}-b0.mp4",
        clip_b3=work / f"clip{CLIP_SECONDS}-b3.mp4",
        long_b0=work / f"long{plan.long_seconds}-b0.mp4",
        long_b3=work / f"long{plan.long_seconds}-b3.mp4",
        speech_wav=work / f"speech{plan.asr_seconds:.0f}.wav",
        speech30_wav=work / f"speech{FULL_ASR_SECONDS:.0f}.wav",
        speech_label=label,
    )
    for bframes, clip, long in (
        (0, media.clip_b0, media.long_b0),
        (3, media.clip_b3, media.long_b3),
    ):
        unit = work / f"unit{UNIT_SECONDS}-b{bframes}.mp4"
        if not unit.exists():
            partial = unit.with_suffix(".part.mp4")
            write_clip(partial, UNIT_SECONDS, bframes=bframes, audio=audio)
            partial.replace(unit)
        for target, seconds in ((clip, CLIP_SECONDS), (long, plan.long_seconds)):
            if not target.exists():
                partial = target.with_suffix(".part.mp4")
                repeat_clip(unit, partial, seconds // UNIT_SECONDS)
                partial.replace(target)
    for wav, seconds in (
        (media.speech_wav, plan.asr_seconds),
        (media.speech30_wav, FULL_ASR_SECONDS),
    ):
        if not wav.exists():
            write_wav(wav, speech_pcm(seconds, work)[0], 16000)
    print(f"media ready in {time.perf_counter() - start:.1f} s ({work})", file=sys.stderr)
    return media


def child_media(spec: dict[str, Any]) -> dict[str, Any]:
    """The media, made in a child so that the parent stays small: a child's ru_maxrss
    starts from its parent's RSS at fork (Linux keeps the peak across exec)."""
    media = make_media(Path(spec["work"]), plan_for(bool(spec["quick"])))
    return {k: str(v) for k, v in vars(media).items()}


# -- measuring, in one pinned child process per measurement ---------------------------------


def pin(cpu: int) -> None:
    """Put this process on one core before anything starts threads (they inherit it)."""
    os.sched_setaffinity(0, {cpu})
    if os.sched_getaffinity(0) != {cpu}:
        raise RuntimeError(f"could not pin to CPU {cpu}")


def status_mb(field: str) -> float:
    """A memory figure of this process from /proc/self/status (VmRSS, VmHWM), in MB."""
    text = Path("/proc/self/status").read_text()
    found = re.search(rf"^{field}:\s+(\d+) kB", text, re.MULTILINE)
    return int(found.group(1)) / 1024 if found else float("nan")


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def timed(run: Callable[[], object], min_seconds: float) -> tuple[float, int]:
    """Seconds per call and calls made, repeating ``run`` until ``min_seconds`` passed."""
    calls = 0
    start = time.perf_counter()
    while True:
        run()
        calls += 1
        elapsed = time.perf_counter() - start
        if elapsed >= min_seconds:
            return elapsed / calls, calls


def child_vision(spec: dict[str, Any]) -> dict[str, Any]:
    """analyze_frames on pre-decoded frames and analyze_video end to end, against bare
    OpenCV: gray + one full-frame Haar detectMultiScale per frame, and against the previous
    search schedule."""
    import cv2

    from interview_core.media.video import sample_frames
    from interview_core.vision.signals import VisionSettings, analyze_frames, analyze_video

    cv2.setNumThreads(1)  # pinning already leaves OpenCV one thread; say so explicitly
    min_seconds = float(spec["min_seconds"])
    # The schedule before the scene-change check: a full-frame search every 4th sampled
    # frame whatever the scene did, eyes looked for on every frame with a face.
    previous = VisionSettings(still_full_search_every=4, eyes_every=1)
    frames = list(sample_frames(spec["clip_b0"], fps=SAMPLE_FPS, with_bgr=True))
    analyze_frames(frames[:4])  # loads the cascades
    per_call, _ = timed(lambda: analyze_frames(frames), min_seconds)
    previous_per_call, _ = timed(lambda: analyze_frames(frames, previous), min_seconds)
    ours = analyze_frames(frames)

    folder = cv2.data.haarcascades  # type: ignore[attr-defined]
    naive = cv2.CascadeClassifier(f"{folder}haarcascade_frontalface_default.xml")

    def naive_frames() -> int:
        found = 0
        for frame in frames:
            assert frame.bgr is not None
            gray = cv2.cvtColor(frame.bgr, cv2.COLOR_BGR2GRAY)
            found += len(naive.detectMultiScale(gray)) > 0
        return found

    start = time.perf_counter()
    naive_found = naive_frames()  # slow: one pass is long enough to time
    naive_per_call = time.perf_counter() - start

    videos = {}
    for key in ("clip_b0", "clip_b3"):
        start = time.perf_counter()
        signals = analyze_video(spec[key])
        seconds = time.perf_counter() - start
        start = time.perf_counter()
        analyze_video(spec[key], previous)
        videos[key] = {
            "seconds": seconds,
            "previous_seconds": time.perf_counter() - start,
            "frames": signals.frames_analyzed,
            "face_ratio": signals.face_present_ratio,
            "decode_seconds": _decode_only(spec[key]),
        }

    def naive_video(path: str, limit_seconds: float, every: int) -> dict[str, float]:
        """cv2.VideoCapture decoding every frame; gray + Haar on every ``every``-th frame."""
        capture = cv2.VideoCapture(path)
        decoded = detected = 0
        start = time.perf_counter()
        while decoded < limit_seconds * FPS and capture.grab():
            if decoded % every == 0:
                ok, image = capture.retrieve()
                if ok:
                    naive.detectMultiScale(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY))
                    detected += 1
            decoded += 1
        capture.release()
        return {"seconds": time.perf_counter() - start, "decoded": decoded, "detected": detected}

    return {
        "frames": len(frames),
        "ours_fps": len(frames) / per_call,
        "previous_fps": len(frames) / previous_per_call,
        "work": _work(frames, VisionSettings()),
        "previous_work": _work(frames, previous),
        "ours_face_ratio": ours.face_present_ratio,
        "naive_fps": len(frames) / naive_per_call,
        "naive_face_ratio": naive_found / len(frames),
        "videos": videos,
        "naive_every_frame": naive_video(spec["clip_b0"], spec["naive_seconds"], 1),
        "naive_sampled": naive_video(spec["clip_b0"], CLIP_SECONDS, round(FPS / SAMPLE_FPS)),
    }


def _decode_only(path: str) -> float:
    """Seconds PyAV needs to decode every frame the sampler would decode, and nothing else
    (same threading, non-reference and deblocking skipping as ``sample_frames``): the floor
    of ``analyze_video``."""
    import av

    start = time.perf_counter()
    with av.open(path) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        rate = float(stream.average_rate or FPS)
        if rate > SAMPLE_FPS * 6:  # the sampler's rule (interview_core.media.video)
            stream.codec_context.skip_frame = "NONREF"
            stream.codec_context.options = {"skip_loop_filter": "all", "flags2": "+fast"}
        for _ in container.decode(stream):
            pass
    return time.perf_counter() - start


def _work(frames: list[Any], settings: Any) -> dict[str, int]:
    """Searches made on ``frames``: counts, unlike timings, do not depend on what else the
    machine is doing."""
    from interview_core.vision.signals import _Tally

    tally = _Tally(settings)
    for frame in frames:
        tally.add(frame)
    return {"full_searches": tally.finder.full_searches, "eye_checks": tally.eye_checks}


def child_long(spec: dict[str, Any]) -> dict[str, Any]:
    """Wall time, CPU time and peak RSS of analysing one long video in this process."""
    import cv2

    from interview_core.vision.signals import analyze_video

    cv2.setNumThreads(1)  # pinning already leaves OpenCV one thread; say so explicitly
    result: dict[str, Any] = {"rss_start_mb": status_mb("VmRSS")}
    cpu0, start = cpu_seconds(), time.perf_counter()
    if spec["mode"] == "video":
        signals = analyze_video(spec["path"])
        result.update(frames=signals.frames_analyzed, face_ratio=signals.face_present_ratio)
    else:
        from interview_core.media.probe import MediaLimits
        from interview_core.pipeline import AnalysisSettings, analyze
        from interview_core.speech.port import UnavailableRecognizer
        from interview_core.text.jobs import builtin_job

        settings = AnalysisSettings(limits=MediaLimits(max_seconds=spec["seconds"] + 30))
        none = UnavailableRecognizer("benchmark: no speech model")
        analysis = analyze(spec["path"], builtin_job("sales"), "请讲一次成交经历", none, settings)
        assert analysis.vision is not None and analysis.speech is not None
        result.update(
            frames=analysis.vision.frames_analyzed,
            face_ratio=analysis.vision.face_present_ratio,
            speaking_seconds=analysis.speech.speaking_seconds,
        )
    result.update(
        seconds=time.perf_counter() - start,
        cpu_seconds=cpu_seconds() - cpu0,
        vm_hwm_mb=status_mb("VmHWM"),
        ru_maxrss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    )
    return result


def child_text(spec: dict[str, Any]) -> dict[str, Any]:
    """Answers scored per second (answers.yaml), against jieba.lcut alone on the same texts."""
    import jieba
    import yaml

    from interview_core.text.jobs import builtin_job
    from interview_core.text.scoring import score_answer

    groups = yaml.safe_load(ANSWERS.read_text(encoding="utf-8"))["groups"]
    cases = [
        (re.sub(r"\s+", "", text), group["question"], builtin_job(group["job"]))
        for group in groups
        for text in group["answers"].values()
    ]
    jieba.setLogLevel(60)

    def score_all() -> None:
        for answer, question, job in cases:
            score_answer(answer, question, job)

    def segment_all() -> None:
        for answer, _, _ in cases:
            jieba.lcut(answer)

    score_all()  # warm: the private jieba dictionary, keyword patterns
    segment_all()  # warm: jieba's default dictionary
    score_call, score_passes = timed(score_all, spec["min_seconds"])
    lcut_call, _ = timed(segment_all, spec["min_seconds"])
    return {
        "answers": len(cases),
        "mean_chars": sum(len(a) for a, _, _ in cases) / len(cases),
        "passes": score_passes,
        "score_per_s": len(cases) / score_call,
        "lcut_per_s": len(cases) / lcut_call,
    }


def child_asr(spec: dict[str, Any]) -> dict[str, Any]:
    """Real-time factor of the installed model, else of the tiny random test model."""
    if importlib.util.find_spec("paddlespeech") is None:
        return {"skipped": "paddlespeech is not installed (pip install -r requirements-speech.txt)"}
    from interview_core.errors import ModelUnavailable
    from interview_core.media.audio import SAMPLE_RATE, load_pcm
    from interview_core.speech.choose import recognizer_from_settings
    from interview_core.speech.models import default_models_dir, find_model_dir
    from interview_core.speech.paddle import paddlespeech_modules
    from interview_core.speech.port import UnavailableRecognizer
    from interview_core.speech.vad import split_for_asr, voiced_segments

    try:
        paddlespeech_modules()
    except ModelUnavailable as exc:
        return {"skipped": exc.message}
    where = default_models_dir()
    note = ""
    with tempfile.TemporaryDirectory(prefix="bench-asr-") as tmp:
        start = time.perf_counter()
        recognizer = recognizer_from_settings(None)
        load_seconds = time.perf_counter() - start
        label = f"installed model in {where}"
        if isinstance(recognizer, UnavailableRecognizer):
            if find_model_dir(where) is not None:
                note = f"the installed model in {where} did not load: {recognizer.reason}"
            from tests.speech import tinyconformer

            model_dir = tinyconformer.build_model_dir(Path(tmp) / "tiny-conformer")
            start = time.perf_counter()
            recognizer = recognizer_from_settings(str(model_dir))
            load_seconds = time.perf_counter() - start
            label = TINY_LABEL
        if isinstance(recognizer, UnavailableRecognizer):
            return {"skipped": recognizer.reason}
        pcm = load_pcm(spec["wav"])
        pieces = split_for_asr(voiced_segments([pcm], SAMPLE_RATE), 25.0)
        recognizer.transcribe(pcm, SAMPLE_RATE, pieces[:1])  # warm-up
        start = time.perf_counter()
        transcript = recognizer.transcribe(pcm, SAMPLE_RATE, pieces)
        seconds = time.perf_counter() - start
    audio_seconds = len(pcm) / SAMPLE_RATE
    return {
        "engine": recognizer.name,
        "label": label,
        "note": note,
        "load_seconds": load_seconds,
        "audio_seconds": audio_seconds,
        "voiced_seconds": sum(p.duration for p in pieces),
        "pieces": len(pieces),
        "seconds": seconds,
        "rtf": seconds / audio_seconds,
        "text": transcript.text[:60],
        "vm_hwm_mb": status_mb("VmHWM"),
    }


# -- the full-size speech model's cost (--full-asr) ------------------------------------------

DECODE_METHODS = ("attention_rescoring", "ctc_greedy_search", "ctc_prefix_beam_search", "attention")


def _asr_audio(wav: str) -> tuple[Pcm, list[Any]]:
    """The speech and the pieces the pipeline would give the recogniser (VAD, <= 25 s)."""
    from interview_core.media.audio import SAMPLE_RATE, load_pcm
    from interview_core.speech.vad import split_for_asr, voiced_segments

    pcm = load_pcm(wav)
    return pcm, split_for_asr(voiced_segments([pcm], SAMPLE_RATE), 25.0)


def _int16_pieces(pcm: Pcm, pieces: list[Any]) -> list[npt.NDArray[np.int16]]:
    import numpy as np

    from interview_core.media.audio import SAMPLE_RATE

    return [
        np.round(
            np.clip(pcm[round(p.start * SAMPLE_RATE) : round(p.end * SAMPLE_RATE)], -1, 1) * 32767
        ).astype(np.int16)
        for p in pieces
    ]


def speaking_rate(work: Path) -> tuple[float, str]:
    """Characters per second of the benchmark's speech: espeak-ng's syllables (one Chinese
    character each) over the sentence's length, else a typical Mandarin rate."""
    from interview_core.media.audio import SAMPLE_RATE, load_pcm

    wav = work / "espeak.wav"
    if not wav.exists():
        return DEFAULT_UNITS_PER_SECOND, "typical Mandarin rate (no espeak-ng sentence)"
    syllables = len(re.findall(r"[a-z]+\d", PINYIN))
    seconds = len(load_pcm(wav)) / SAMPLE_RATE
    return syllables / seconds, f"espeak-ng: {syllables} syllables in {seconds:.1f} s"


def child_asr_build(spec: dict[str, Any]) -> dict[str, Any]:
    """The tiny test model and the full-size random model, as installed model directories
    (made once; not measured)."""
    if importlib.util.find_spec("paddlespeech") is None:
        return {"skipped": "paddlespeech is not installed (pip install -r requirements-speech.txt)"}
    from interview_core.errors import ModelUnavailable
    from interview_core.speech.paddle import paddlespeech_modules

    try:
        paddlespeech_modules()
    except ModelUnavailable as exc:
        return {"skipped": exc.message}
    from tests.speech import tinyconformer, wenetspeech_conformer

    work = Path(spec["models"])
    rate, rate_source = speaking_rate(Path(spec["media"]))
    pcm, pieces = _asr_audio(spec["wav"])
    start = time.perf_counter()
    tiny = tinyconformer.build_model_dir(work / "tiny-conformer")
    full, facts = wenetspeech_conformer.build_model_dir(
        work / "conformer-wenetspeech",
        pieces=_int16_pieces(pcm, pieces),
        units_per_second=rate,
    )
    return {
        "tiny": str(tiny),
        "full": str(full),
        "units_per_second": rate,
        "rate_source": rate_source,
        "build_seconds": time.perf_counter() - start,
        "checkpoint_mb": (full / "model.pdparams").stat().st_size / 2**20,
        **facts,
    }


def _peaks() -> dict[str, float]:
    return {
        "ru_maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "vm_hwm_mb": status_mb("VmHWM"),
    }


def child_asr_method(spec: dict[str, Any]) -> dict[str, Any]:
    """One model, one decoding method, through the project's adapter (a fresh process, so
    the peak RSS is this method's own): load, a 2 s warm-up, then the 30 s timed."""
    from interview_core.media.audio import SAMPLE_RATE
    from interview_core.speech.paddle import PaddleSpeechRecognizer
    from interview_core.speech.segments import Segment

    pcm, pieces = _asr_audio(spec["wav"])
    start = time.perf_counter()
    recognizer = PaddleSpeechRecognizer.from_model_dir(
        spec["model_dir"], decode_method=spec["method"]
    )
    load_seconds = time.perf_counter() - start
    first = pieces[0]
    recognizer.transcribe(pcm, SAMPLE_RATE, [Segment(first.start, first.start + 2.0)])
    cpu0, start = cpu_seconds(), time.perf_counter()
    transcript = recognizer.transcribe(pcm, SAMPLE_RATE, pieces)
    seconds = time.perf_counter() - start
    errors = [s.error for s in transcript.segments if s.error]
    return {
        "load_seconds": load_seconds,
        "seconds": seconds,
        "cpu_seconds": cpu_seconds() - cpu0,
        "audio_seconds": len(pcm) / SAMPLE_RATE,
        "pieces": len(pieces),
        "rtf": seconds / (len(pcm) / SAMPLE_RATE),
        "units": len(re.sub(r"\s+", "", transcript.text)),
        "error": errors[0] if errors else "",
        **_peaks(),
    }


def child_asr_export(spec: dict[str, Any]) -> dict[str, Any]:
    """paddle.jit.to_static + paddle.jit.save of the full-size model, as PaddleSpeech's own
    export does it but for the whole utterance: encoder + CTC log-probabilities in one
    program, the attention decoder over n hypotheses (rescoring) in another."""
    import paddle

    from interview_core.speech.paddle import load_executor

    model = load_executor(Path(spec["model_dir"]), decode_method="ctc_greedy_search")
    u2 = model.executor.model
    u2.eval()

    class Encoder(paddle.nn.Layer):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__()
            self.u2 = u2

        def forward(self, feats: Any) -> tuple[Any, Any]:
            # the whole utterance as one chunk with no cache: full context, as offline
            encoded, _, _ = self.u2.encoder.forward_chunk(feats, 0, -1)
            return encoded, self.u2.ctc.log_softmax(encoded)

    class Rescorer(paddle.nn.Layer):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__()
            self.u2 = u2

        def forward(self, hyps: Any, lengths: Any, encoded: Any) -> Any:
            # forward_attention_decoder without the tensor methods paddlespeech patches in
            # (to_static's values do not have them)
            memory = paddle.tile(encoded, [paddle.shape(hyps)[0], 1, 1])
            memory_mask = paddle.ones_like(memory[:, :, 0], dtype="bool").unsqueeze(1)
            decoded, _, _ = self.u2.decoder(memory, memory_mask, hyps, lengths)
            return paddle.nn.functional.log_softmax(decoded, axis=-1)

    spec_ = paddle.static.InputSpec
    start = time.perf_counter()
    out = Path(spec["out"])
    paddle.jit.save(
        paddle.jit.to_static(
            Encoder(),
            input_spec=[spec_([1, None, 80], "float32")],
            full_graph=True,
        ),
        str(out / "encoder"),
    )
    attention = importlib.import_module("paddlespeech.s2t.modules.attention")
    attention.MultiHeadedAttention.forward_attention = _masked_attention
    paddle.jit.save(
        paddle.jit.to_static(
            Rescorer(),
            input_spec=[
                spec_([None, None], "int64"),
                spec_([None], "int64"),
                spec_([1, None, u2.encoder.output_size()], "float32"),
            ],
            full_graph=True,
        ),
        str(out / "rescorer"),
    )
    seconds = time.perf_counter() - start
    files = {p.name: p.stat().st_size / 2**20 for p in out.iterdir()}
    # the exported encoder (one chunk, no cache) computes what the dynamic offline one does
    pcm, pieces = _asr_audio(spec["wav"])
    feats = _fbank()(_int16_pieces(pcm, pieces)[0][: 3 * 16000], train=False)[None]
    with paddle.no_grad():
        lengths = paddle.to_tensor([feats.shape[1]], dtype="int64")
        dynamic, _ = u2._forward_encoder(paddle.to_tensor(feats), lengths, -1, -1, False)
    diffs = {
        key: float(abs(_run(_predictor(out, "encoder", onednn), feats)[0] - dynamic.numpy()).max())
        for key, onednn in (("max_abs_diff", False), ("max_abs_diff_onednn", True))
    }
    return {"export_seconds": seconds, "files_mb": files, **diffs, **_peaks()}


def _fbank() -> Any:
    """The recogniser's features (model.yaml's fbank, no dither), as float32."""
    from paddlespeech.audio.transform.spectrogram import LogMelSpectrogramKaldi

    from tests.speech.tinyconformer import FBANK

    fbank = LogMelSpectrogramKaldi(**{k: v for k, v in FBANK.items() if k != "type"})
    return lambda pcm, train: fbank(pcm, train=train).astype("float32")


def _masked_attention(self: Any, value: Any, scores: Any, mask: Any) -> Any:
    """MultiHeadedAttention.forward_attention for a real mask only. Its branch for the
    streaming export's empty mask has outputs of another rank, which to_static cannot turn
    into one program when the lengths are dynamic; the decoder always has a real mask."""
    import paddle

    keep = mask.unsqueeze(1).astype(scores.dtype)  # (batch, 1, time1 or 1, time2)
    attn = paddle.nn.functional.softmax(scores + (keep - 1.0) * 1e30, axis=-1) * keep
    x = paddle.matmul(attn, value).transpose([0, 2, 1, 3])  # (batch, time1, head, d_k)
    return self.linear_out(x.reshape([0, 0, self.h * self.d_k]))


def _predictor(out: Path, name: str, onednn: bool) -> Any:
    import paddle.inference as inference

    model = next(p for p in (out / f"{name}.json", out / f"{name}.pdmodel") if p.exists())
    config = inference.Config(str(model), str(out / f"{name}.pdiparams"))
    config.disable_gpu()
    config.set_cpu_math_library_num_threads(1)
    config.disable_glog_info()
    if onednn:
        config.enable_mkldnn()
    else:
        config.disable_mkldnn()
    return inference.create_predictor(config)


def _run(predictor: Any, *inputs: Any) -> list[Any]:
    for name, value in zip(predictor.get_input_names(), inputs, strict=True):
        predictor.get_input_handle(name).copy_from_cpu(value)
    predictor.run()
    return [predictor.get_output_handle(n).copy_to_cpu() for n in predictor.get_output_names()]


def _log_add(values: list[float]) -> float:
    top = max(values)
    if top == -math.inf:
        return top
    return top + math.log(sum(math.exp(v - top) for v in values))


def ctc_prefix_beam(
    logp: npt.NDArray[np.float32], beam: int
) -> list[tuple[tuple[int, ...], float]]:
    """CTC prefix beam search (blank 0), the textbook algorithm PaddleSpeech's U2 model runs
    too: the ``beam`` best units of each frame extend the ``beam`` best prefixes."""
    import numpy as np

    hyps: list[tuple[tuple[int, ...], tuple[float, float]]] = [((), (0.0, -math.inf))]
    for frame in logp:
        best = np.argpartition(frame, -beam)[-beam:]
        scores: dict[tuple[int, ...], tuple[float, float]] = {}
        for unit in best.tolist():
            p = float(frame[unit])
            for prefix, (blank, other) in hyps:
                if unit == 0:
                    b, o = scores.get(prefix, (-math.inf, -math.inf))
                    scores[prefix] = (_log_add([b, blank + p, other + p]), o)
                    continue
                longer = (*prefix, unit)
                b, o = scores.get(longer, (-math.inf, -math.inf))
                if prefix and prefix[-1] == unit:
                    scores[longer] = (b, _log_add([o, blank + p]))
                    pb, po = scores.get(prefix, (-math.inf, -math.inf))
                    scores[prefix] = (pb, _log_add([po, other + p]))
                else:
                    scores[longer] = (b, _log_add([o, blank + p, other + p]))
        hyps = sorted(scores.items(), key=lambda kv: _log_add(list(kv[1])), reverse=True)[:beam]
    return [(prefix, _log_add(list(s))) for prefix, s in hyps]


def child_asr_static(spec: dict[str, Any]) -> dict[str, Any]:
    """The exported programs under paddle.inference on one thread: features, encoder + CTC,
    then greedy, prefix beam search (ours, in Python, as PaddleSpeech's) and attention
    rescoring with the exported decoder; oneDNN on or off (``spec["onednn"]``)."""
    import numpy as np

    from interview_core.media.audio import SAMPLE_RATE
    from interview_core.speech.paddle import paddlespeech_modules

    paddlespeech_modules()
    from tests.speech.wenetspeech_conformer import BEAM_SIZE, VOCAB_SIZE

    out = Path(spec["out"])
    pcm, pieces = _asr_audio(spec["wav"])
    clips = _int16_pieces(pcm, pieces)
    fbank = _fbank()
    eos = VOCAB_SIZE - 1
    onednn = bool(spec["onednn"])
    encoder = _predictor(out, "encoder", onednn)
    rescorer = _predictor(out, "rescorer", onednn)
    feats = fbank(clips[0][: 2 * SAMPLE_RATE], train=False)[None].astype(np.float32)
    _run(encoder, feats)  # warm-up
    times = {"encoder": 0.0, "greedy": 0.0, "prefix": 0.0, "rescore": 0.0}
    cpu0, wall0 = cpu_seconds(), time.perf_counter()
    units = {"greedy": 0, "prefix": 0, "rescore": 0}
    for clip in clips:
        start = time.perf_counter()
        feats = fbank(clip, train=False)[None].astype(np.float32)
        encoded, logp = _run(encoder, feats)
        times["encoder"] += time.perf_counter() - start
        start = time.perf_counter()
        best = logp[0].argmax(axis=1)
        greedy = best[np.insert(best[1:] != best[:-1], 0, True)]
        units["greedy"] += int(np.count_nonzero(greedy))
        times["greedy"] += time.perf_counter() - start
        start = time.perf_counter()
        hyps = ctc_prefix_beam(logp[0], BEAM_SIZE)
        times["prefix"] += time.perf_counter() - start
        units["prefix"] += len(hyps[0][0])
        start = time.perf_counter()
        longest = max(len(h) for h, _ in hyps) + 1
        padded = np.full((len(hyps), longest), eos, np.int64)  # <sos> = <eos>
        for i, (hyp, _) in enumerate(hyps):
            padded[i, 1 : len(hyp) + 1] = hyp
        lengths = np.array([len(h) + 1 for h, _ in hyps], np.int64)
        (decoded,) = _run(rescorer, padded, lengths, encoded)
        scores = [
            sum(decoded[i, j, u] for j, u in enumerate(hyp)) + decoded[i, len(hyp), eos] + 0.5 * ctc
            for i, (hyp, ctc) in enumerate(hyps)
        ]
        units["rescore"] += len(hyps[int(np.argmax(scores))][0])
        times["rescore"] += time.perf_counter() - start
    return {
        "audio_seconds": len(pcm) / SAMPLE_RATE,
        "loop_seconds": time.perf_counter() - wall0,
        "loop_cpu_seconds": cpu_seconds() - cpu0,
        "seconds": times,
        "units": units,
        **_peaks(),
    }


CHILDREN: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "media": child_media,
    "vision": child_vision,
    "long": child_long,
    "text": child_text,
    "asr": child_asr,
    "asr_build": child_asr_build,
    "asr_method": child_asr_method,
    "asr_export": child_asr_export,
    "asr_static": child_asr_static,
}


def run_child(kind: str, cpu: int, spec: dict[str, Any], timeout: float = 900) -> dict[str, Any]:
    """Run one measurement in a fresh process pinned to ``cpu``; returns its JSON result."""
    command = [sys.executable, str(Path(__file__).resolve()), "--child", kind, "--cpu", str(cpu)]
    done = subprocess.run(
        [*command, "--spec", json.dumps(spec)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    marker = "BENCH-RESULT "
    lines = [line for line in done.stdout.splitlines() if line.startswith(marker)]
    if done.returncode != 0 or not lines:
        tail = "\n".join(done.stderr.strip().splitlines()[-15:])
        return {"failed": f"exit code {done.returncode}:\n{tail}"}
    result: dict[str, Any] = json.loads(lines[-1].removeprefix(marker))
    return result


def core_ticks() -> dict[int, tuple[int, int]]:
    """(busy, total) clock ticks of each core so far, from /proc/stat; steal counts as busy."""
    found = {}
    for line in Path("/proc/stat").read_text().splitlines():
        name, *values = line.split()
        if name.startswith("cpu") and name[3:].isdigit():
            ticks = [int(v) for v in values[:8]]
            found[int(name[3:])] = (sum(ticks) - ticks[3] - ticks[4], sum(ticks))
    return found


def contention(before: dict[int, tuple[int, int]], cpu: int, own: float) -> dict[str, float]:
    """How busy the machine was apart from us since ``before``: the share of the pinned
    core other processes took, and how busy the other cores were (a busy sibling
    hyperthread, shared caches and memory bandwidth slow the pinned core down too)."""
    after, hz = core_ticks(), os.sysconf("SC_CLK_TCK")
    result = {}
    busy, total = (a - b for a, b in zip(after[cpu], before[cpu], strict=True))
    if total > 0:
        result["others_on_core"] = min(max((busy / hz - own) / (total / hz), 0.0), 1.0)
    rest = [c for c in after if c != cpu and c in before]
    busy = sum(after[c][0] - before[c][0] for c in rest)
    total = sum(after[c][1] - before[c][1] for c in rest)
    if total > 0:
        result["other_cores_busy"] = busy / total
    return result


def child_main(kind: str, cpu: int, spec: dict[str, Any]) -> int:
    if kind == "media":  # encoding uses every core; nothing is measured
        print("BENCH-RESULT " + json.dumps(child_media(spec)), flush=True)
        return 0
    pin(cpu)  # first: numpy, OpenCV, PyAV and paddle size their thread pools on import
    before, own = core_ticks(), cpu_seconds()
    result = CHILDREN[kind](spec)
    result.update(contention(before, cpu, cpu_seconds() - own))
    print("BENCH-RESULT " + json.dumps(result), flush=True)
    return 0


# -- the report ----------------------------------------------------------------------------


def environment(cpu: int) -> list[str]:
    import av
    import cv2
    import numpy as np

    model = "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    paddle = "not installed"
    if importlib.util.find_spec("paddle") is not None:
        from importlib.metadata import version

        paddle = version("paddlepaddle")
    return [
        f"machine: {model}, {len(os.sched_getaffinity(0))} CPUs available; "
        f"each measurement pinned to CPU {cpu} (one core)",
        f"python {platform.python_version()}, PyAV {av.__version__}, OpenCV {cv2.__version__}, "
        f"numpy {np.__version__}, paddlepaddle {paddle}",
    ]


def table(rows: list[tuple[str, ...]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(line.rstrip() for line in lines)


def busy(result: dict[str, Any]) -> str:
    on_core, rest = result.get("others_on_core"), result.get("other_cores_busy")
    return "/".join("?" if share is None else f"{share:.0%}" for share in (on_core, rest))


def problem(result: dict[str, Any]) -> str | None:
    """Why a measurement has no figures (child failed, or skipped), else None."""
    if "failed" in result:
        return "FAILED: " + str(result["failed"]).strip().splitlines()[-1]
    if "skipped" in result:
        return f"not measured: {result['skipped']}"
    return None


@dataclass
class Report:
    rows: list[tuple[str, ...]]
    notes: list[str]
    verdicts: list[str]

    def add(self, measure: str, result: str, baseline: str, ratio: str, others: str) -> None:
        self.rows.append((measure, result, baseline, ratio, others))


def build_report(
    plan: Plan,
    vision: dict[str, Any],
    longs: dict[str, dict[str, Any]],
    text: dict[str, Any],
    asr: dict[str, Any],
) -> Report:
    header = ("measure (one core)", "result", "baseline (same run, same core)", "ratio", "busy*")
    out = Report([header], [], [])
    _vision_rows(out, vision)
    _long_rows(out, plan, longs)
    if why := problem(text):
        out.add("text: score_answer", why, "", "", "")
    else:
        out.add(
            f"text: score_answer ({text['answers']} answers)",
            f"{text['score_per_s']:.0f} answers/s",
            f"jieba.lcut alone: {text['lcut_per_s']:.0f}/s",
            f"{text['lcut_per_s'] / text['score_per_s']:.1f}x cost",
            busy(text),
        )
        out.notes.append(
            f"text: answers.yaml, ~{text['mean_chars']:.0f} characters each; scoring costs "
            f"{text['lcut_per_s'] / text['score_per_s']:.1f}x a bare jieba segmentation "
            "(jieba.lcut with its defaults, HMM on) of the same answers"
        )
        rate = text["score_per_s"]
        out.verdicts.append(
            f"[{'MET' if rate >= TARGET_ANSWERS_PER_SECOND else 'NOT MET'}] text scoring >= "
            f"{TARGET_ANSWERS_PER_SECOND:.0f} answers/s on one core: {rate:.0f}/s"
        )
    _asr_rows(out, asr)
    return out


def _vision_rows(out: Report, vision: dict[str, Any]) -> None:
    if why := problem(vision):
        out.add("vision", why, "", "", "")
        return
    out.add(
        f"vision: analyze_frames, {vision['frames']} frames",
        f"{vision['ours_fps']:.0f} frames/s",
        f"gray + full-frame Haar: {vision['naive_fps']:.1f} frames/s",
        f"{vision['ours_fps'] / vision['naive_fps']:.1f}x",
        busy(vision),
    )
    out.add(
        "",
        "",
        f"previous schedule: {vision['previous_fps']:.0f} frames/s",
        f"{vision['ours_fps'] / vision['previous_fps']:.1f}x",
        "",
    )
    clips = vision["videos"]
    b0, b3 = clips["clip_b0"], clips["clip_b3"]
    sampled, every = vision["naive_sampled"], vision["naive_every_frame"]
    every_seconds = CLIP_SECONDS * FPS * every["seconds"] / every["decoded"]
    for clip, what in ((b0, "no B-frames"), (b3, "3 B-frames")):
        out.add(
            f"vision: analyze_video, 60 s ({what})",
            f"{clip['seconds']:.2f} s ({CLIP_SECONDS / clip['seconds']:.0f}x real time)",
            f"PyAV decode alone (floor): {clip['decode_seconds']:.2f} s",
            f"{clip['seconds'] / clip['decode_seconds']:.1f}x floor",
            "",
        )
        out.add(
            "",
            "",
            f"previous schedule: {clip['previous_seconds']:.2f} s",
            f"{clip['previous_seconds'] / clip['seconds']:.2f}x",
            "",
        )
    out.add(
        "  naive on the 60 s clip (no B-frames)",
        "",
        f"cv2 decode + Haar at 2 fps: {sampled['seconds']:.1f} s",
        f"{sampled['seconds'] / b0['seconds']:.1f}x",
        "",
    )
    out.add(
        "",
        "",
        f"cv2 decode + Haar every frame: ~{every_seconds:.0f} s",
        f"{every_seconds / b0['seconds']:.0f}x",
        "",
    )
    out.notes.append(
        f"vision: {SIZE[0]}x{SIZE[1]} frames sampled at {SAMPLE_FPS:g} fps; face found in "
        f"{vision['ours_face_ratio']:.0%} of frames (naive Haar: {vision['naive_face_ratio']:.0%}"
        f"); analyze_video analysed {b0['frames']} frames per 60 s. 'Haar every frame' is "
        f"timed on the first {every['decoded']} frames and scaled to 60 s."
    )
    ours, before = vision["work"], vision["previous_work"]
    out.notes.append(
        f"vision work on those {vision['frames']} frames: {ours['full_searches']} full-frame "
        f"face searches and {ours['eye_checks']} eye checks; the previous schedule (a full "
        f"search every 4th frame, eyes on every frame) made {before['full_searches']} and "
        f"{before['eye_checks']}"
    )


def _long_rows(out: Report, plan: Plan, longs: dict[str, dict[str, Any]]) -> None:
    minutes = plan.long_seconds // 60
    names = {
        "video_b0": f"{minutes}-min video: analyze_video (no B)",
        "video_b3": f"{minutes}-min video: analyze_video (3 B)",
        "full_b0": f"{minutes}-min video: analyze(), no model (no B)",
    }
    for key, name in names.items():
        result = longs[key]
        if why := problem(result):
            out.add(name, why, "", "", "")
            continue
        out.add(
            name,
            f"{result['seconds']:.1f} s, peak RSS {result['vm_hwm_mb']:.0f} MB",
            f"RSS after imports: {result['rss_start_mb']:.0f} MB",
            f"{plan.long_seconds / result['seconds']:.0f}x real time",
            busy(result),
        )
    maxrss = ", ".join(f"{r['ru_maxrss_mb']:.0f}" for r in longs.values() if "ru_maxrss_mb" in r)
    out.notes.append(
        f"long video: the clip's content repeated to {minutes} min (packet copy), each run in "
        f"a fresh process; peak RSS = its VmHWM, imports included (ru_maxrss: {maxrss} MB); "
        "analyze() = probe, audio decode, VAD, speech metrics, vision, scoring; no speech model"
    )
    for key, what in (("video_b0", "no B-frames"), ("video_b3", "3 B-frames")):
        result = longs[key]
        if "seconds" not in result:
            out.verdicts.append(f"[NOT MEASURED] 10-min video ({what}): the run failed")
        elif plan.quick:
            estimate = result["seconds"] * 600 / plan.long_seconds
            out.verdicts.append(
                f"[n/a: --quick ran a {minutes}-min video] 10-min video <= "
                f"{TARGET_LONG_SECONDS:.0f} s ({what}): {result['seconds']:.1f} s for {minutes} "
                f"min; x{600 // plan.long_seconds} = ~{estimate:.0f} s is an estimate only"
            )
        else:
            met = result["seconds"] <= TARGET_LONG_SECONDS
            out.verdicts.append(
                f"[{'MET' if met else 'NOT MET'}] 10-min 640x480 30 fps video, vision at 2 fps, "
                f"one core, <= {TARGET_LONG_SECONDS:.0f} s ({what}): {result['seconds']:.1f} s"
            )
    peaks = {key: r["vm_hwm_mb"] for key, r in longs.items() if "vm_hwm_mb" in r}
    if peaks:
        worst = max(peaks.values())
        scope = f" ({minutes}-min video, --quick)" if plan.quick else ""
        out.verdicts.append(
            f"[{'MET' if worst < TARGET_RSS_MB else 'NOT MET'}] peak RSS < {TARGET_RSS_MB:.0f} MB "
            f"without the speech model{scope}: {worst:.0f} MB at most"
        )


def _asr_rows(out: Report, asr: dict[str, Any]) -> None:
    if why := problem(asr):
        out.add("ASR: real-time factor", why, "", "", "")
        out.notes.append(f"ASR {why}")
        return
    tiny = asr["label"] == TINY_LABEL
    out.add(
        f"ASR: RTF, {asr['audio_seconds']:.0f} s speech" + (" (TINY MODEL)" if tiny else ""),
        f"RTF {asr['rtf']:.3f} ({asr['seconds']:.2f} s)",
        f"model load: {asr['load_seconds']:.2f} s",
        "",
        busy(asr),
    )
    out.notes.append(
        f"ASR: {asr['engine']}, {asr['label']}; {asr['pieces']} piece(s) of "
        f"{asr['voiced_seconds']:.0f} s voiced speech; peak RSS with paddle "
        f"{asr['vm_hwm_mb']:.0f} MB"
    )
    if asr["note"]:
        out.notes.append(f"ASR: {asr['note']}")
    if not tiny:
        out.notes.append(f"ASR text (first 60 characters): {asr['text']}")


def measure_full_asr(work: Path, media: Media, cpu: int) -> dict[str, Any]:
    """Both models, every decoding method, each in its own pinned process; then the export
    and the exported programs. The models live in a temporary directory (470 MB)."""
    wav = str(media.speech30_wav)
    with tempfile.TemporaryDirectory(prefix="bench-full-asr-") as tmp:
        print("full-size ASR: building the models ...", file=sys.stderr)
        built = run_child("asr_build", cpu, {"media": str(work), "models": tmp, "wav": wav})
        found: dict[str, Any] = {"build": built}
        if problem(built):
            return found
        for model in ("tiny", "full"):
            for method in DECODE_METHODS:
                print(f"full-size ASR: {model} model, {method} ...", file=sys.stderr)
                spec = {"model_dir": built[model], "method": method, "wav": wav}
                found[f"{model}:{method}"] = run_child("asr_method", cpu, spec, timeout=3600)
        print("full-size ASR: static export ...", file=sys.stderr)
        static = Path(tmp) / "static"
        static.mkdir()
        spec = {"model_dir": built["full"], "out": str(static), "wav": wav}
        found["export"] = run_child("asr_export", cpu, spec)
        if not problem(found["export"]):
            for variant, onednn in (("plain", False), ("onednn", True)):
                print(f"full-size ASR: exported programs ({variant}) ...", file=sys.stderr)
                spec = {"out": str(static), "wav": wav, "onednn": onednn}
                found[f"static:{variant}"] = run_child("asr_static", cpu, spec)
    return found


def _rss(result: dict[str, Any]) -> str:
    return f"{result['ru_maxrss_mb']:.0f} MB"


def full_asr_report(found: dict[str, Any]) -> str:
    """The full-size model beside the tiny one, per decoding method, and the static export."""
    built = found["build"]
    title = (
        f"Full-size ASR: PaddleSpeech conformer_wenetspeech architecture, random weights, "
        f"{FULL_ASR_SECONDS:.0f} s of speech, one core"
    )
    if why := problem(built):
        return f"{title}\n{why}"
    rows: list[tuple[str, ...]] = [
        (
            "decoding (beam 10)",
            "tiny: RTF",
            "tiny: peak RSS",
            "full: RTF",
            "full: CPU-time RTF",
            "full: peak RSS",
            "full: units out",
            "full: load",
            "busy*",
        )
    ]
    for method in DECODE_METHODS:
        tiny, full = found[f"tiny:{method}"], found[f"full:{method}"]
        cells = [method]
        for result in (tiny, full):
            if why := problem(result):
                cells += [why[:60], ""] + ([""] if result is full else [])
            elif result is full:  # CPU time: what the process itself used, whoever else ran
                cpu_rtf = result["cpu_seconds"] / result["audio_seconds"]
                cells += [f"{result['rtf']:.3f}", f"{cpu_rtf:.3f}", _rss(result)]
            else:
                cells += [f"{result['rtf']:.3f}", _rss(result)]
        if problem(full):
            cells += ["", "", ""]
        else:
            cells += [str(full["units"]), f"{full['load_seconds']:.1f} s", busy(full)]
        rows.append(tuple(cells))
    lines = [title, table(rows)]
    seconds = FULL_ASR_SECONDS
    export = found.get("export", {})
    variants = {v: found.get(f"static:{v}", {}) for v in ("plain", "onednn")}
    if why := problem(export):
        lines.append(f"static export: {why}")
    else:
        srows: list[tuple[str, ...]] = [
            ("static graph (paddle.inference, 1 thread)", "plain: RTF", "oneDNN: RTF", "units")
        ]
        parts = {
            "encoder + CTC only (features included)": ("encoder",),
            "ctc_greedy_search": ("encoder", "greedy"),
            "ctc_prefix_beam_search (ours, Python)": ("encoder", "prefix"),
            "attention_rescoring": ("encoder", "prefix", "rescore"),
        }
        units = {
            "ctc_greedy_search": "greedy",
            "ctc_prefix_beam_search (ours, Python)": "prefix",
            "attention_rescoring": "rescore",
        }
        for name, keys in parts.items():
            cells = [name]
            for result in variants.values():
                if why := problem(result):
                    cells.append(why[:60])
                else:
                    cells.append(f"{sum(result['seconds'][k] for k in keys) / seconds:.3f}")
            counts = [
                r["units"].get(units.get(name, ""), "") for r in variants.values() if not problem(r)
            ]
            srows.append((*cells, "/".join(str(c) for c in counts)))
        lines.append(table(srows))
        peaks = ", ".join(
            f"{v} {_rss(r)} (busy {busy(r)}; encoder once + greedy + prefix + rescoring: "
            f"wall {r['loop_seconds']:.1f} s, CPU {r['loop_cpu_seconds']:.1f} s)"
            for v, r in variants.items()
            if not problem(r)
        )
        lines.append(
            f"- static: peak RSS {peaks}, each in its own process; export (to_static + "
            f"jit.save) {export['export_seconds']:.0f} s, peak RSS {_rss(export)}; files "
            + ", ".join(f"{k} {v:.0f} MB" for k, v in sorted(export["files_mb"].items()))
            + f"; exported vs dynamic encoder output, max |diff| {export['max_abs_diff']:.1e}"
            f" (oneDNN {export['max_abs_diff_onednn']:.1e})"
        )
        lines.append(
            "- static: attention (autoregressive beam search) is not exported: its step loop "
            "stops on the data (every beam at <eos>), PaddleSpeech's own export has no such "
            "program either (encoder chunk, CTC, decoder over given hypotheses)"
        )
    lines.append(
        f"- full model: {built['parameters'] / 1e6:.1f} M parameters, checkpoint "
        f"{built['checkpoint_mb']:.0f} MB; built in {built['build_seconds']:.0f} s (not timed); "
        "peak RSS = the measuring process's ru_maxrss (load included), each method in a fresh "
        "process; RTF = wall time of transcribe() over the VAD pieces / 30 s, after a 2 s warm-up"
    )
    lines.append(
        f"- hypothesis lengths set to spoken length: {built['units_per_second']:.2f} "
        f"characters/s ({built['rate_source']}) = {built['units']:.0f} for this speech; CTC "
        f"blank bias {built['blank_shift']:+.2f} after centring; the decoder ends every piece "
        f"at {built['decoder_length']:.0f} units (the cost-equivalent length for these pieces) "
        "- see tests/speech/wenetspeech_conformer.py; 'units out' = characters returned"
    )
    lines.append(
        "- the tiny model's attention decoding never ends (random decoder, no <eos>): it "
        "runs to the encoder's length"
    )
    return "\n".join(lines)


# -- main ----------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="2-minute video, shorter timings")
    parser.add_argument(
        "--cpu", type=int, default=None, help="core to pin measurements to (default: the last)"
    )
    parser.add_argument(
        "--media-dir",
        type=Path,
        default=None,
        help="keep the generated media here and reuse them on the next run (default: a temp dir)",
    )
    parser.add_argument(
        "--full-asr",
        action="store_true",
        help="also measure PaddleSpeech's full-size conformer_wenetspeech (random weights) "
        "beside the tiny model, per decoding method, and a static-graph export; ~10 min",
    )
    parser.add_argument("--child", choices=sorted(CHILDREN), help=argparse.SUPPRESS)
    parser.add_argument("--spec", default="{}", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    cpu = args.cpu if args.cpu is not None else max(os.sched_getaffinity(0))
    if args.child:
        return child_main(args.child, cpu, json.loads(args.spec))
    plan = plan_for(args.quick)
    started = time.perf_counter()
    with contextlib.ExitStack() as stack:
        if args.media_dir is not None:
            work = args.media_dir.resolve()
            work.mkdir(parents=True, exist_ok=True)
        else:
            work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-analysis-")))
        print("making the media ...", file=sys.stderr)
        made = run_child("media", cpu, {"work": str(work), "quick": plan.quick})
        if "failed" in made:
            print(f"could not make the media: {made['failed']}", file=sys.stderr)
            return 1
        label = made.pop("speech_label")
        media = Media(**{k: Path(v) for k, v in made.items()}, speech_label=label)
        print("measuring vision on the 60 s clips ...", file=sys.stderr)
        vision = run_child(
            "vision",
            cpu,
            {
                "clip_b0": str(media.clip_b0),
                "clip_b3": str(media.clip_b3),
                "min_seconds": plan.min_timing_seconds,
                "naive_seconds": plan.naive_every_frame_seconds,
            },
        )
        longs = {}
        for key, mode, path in (
            ("video_b0", "video", media.long_b0),
            ("video_b3", "video", media.long_b3),
            ("full_b0", "pipeline", media.long_b0),
        ):
            print(f"measuring {plan.long_seconds // 60}-min video: {key} ...", file=sys.stderr)
            spec = {"mode": mode, "path": str(path), "seconds": plan.long_seconds}
            longs[key] = run_child("long", cpu, spec)
        print("measuring text scoring ...", file=sys.stderr)
        text = run_child("text", cpu, {"min_seconds": plan.min_timing_seconds})
        print("measuring ASR ...", file=sys.stderr)
        asr = run_child("asr", cpu, {"wav": str(media.speech_wav)})
        full_asr = measure_full_asr(work, media, cpu) if args.full_asr else None
    out = build_report(plan, vision, longs, text, asr)
    print("Analysis core benchmark" + (" (--quick: 2-minute long video)" if plan.quick else ""))
    print("\n".join(environment(cpu)))
    print(
        f"media (made by this run): {SIZE[0]}x{SIZE[1]} H.264 {FPS} fps ~{BITRATE / 1e6:.0f} "
        f"Mbit/s (x264 veryfast, sensor noise), AAC {AUDIO_RATE // 1000} kHz mono; speech: "
        f"{media.speech_label}"
    )
    print()
    print(table(out.rows))
    print(
        "* busy: share of the pinned core taken by other processes / how busy the other cores "
        "were, during the measurement; figures taken while either is high are pessimistic"
    )
    print("\n".join(f"- {note}" for note in out.notes))
    if full_asr is not None:
        print()
        print(full_asr_report(full_asr))
    print()
    print("Targets (the issue's minimums; printed, not asserted):")
    print("\n".join(f"  {verdict}" for verdict in out.verdicts))
    print(f"(total {time.perf_counter() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
