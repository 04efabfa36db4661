"""Write a short sample answer video (mp4) for trying the mini-app API by hand.

Usage: .venv/bin/python scripts/sample_answer.py answer.mp4 [seconds]

The picture is a plain test card; the sound is a Mandarin sentence from espeak-ng when it is
installed (apt-get install espeak-ng), otherwise silence, which the analysis reports as "no
speech" rather than guessing.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

SENTENCE = (
    "wo3 fu4 ze2 le0 ke4 hu4 tou2 su4 chu3 li3, "
    "xian1 ting1 ke4 hu4 shuo1 wan2, ran2 hou4 jie3 jue2."
)
RATE = 16000


def speech(seconds: float) -> np.ndarray:
    exe = shutil.which("espeak-ng")
    samples = np.zeros(int(seconds * RATE), np.int16)
    if exe is None:
        return samples
    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "s.wav"
        command = [exe, "-v", "cmn-latn-pinyin", "-w", str(wav), SENTENCE]
        subprocess.run(command, check=True)  # noqa: S603 - fixed arguments
        with av.open(str(wav)) as src:
            resampler = av.AudioResampler(format="s16", layout="mono", rate=RATE)
            pcm = [
                f.to_ndarray().reshape(-1)
                for frame in src.decode(audio=0)
                for f in resampler.resample(frame)
            ]
    voice = np.concatenate(pcm)[: len(samples)]
    samples[: len(voice)] = voice
    return samples


def main(out: Path, seconds: float) -> None:
    fps, audio = 10, speech(seconds)
    with av.open(str(out), "w") as container:
        video = container.add_stream("libx264", rate=fps)
        video.width, video.height, video.pix_fmt = 320, 240, "yuv420p"
        sound = container.add_stream("aac", rate=RATE, layout="mono")
        for i in range(int(seconds * fps)):
            image = np.full((240, 320, 3), (90 + i % 60, 120, 150), np.uint8)
            container.mux(video.encode(av.VideoFrame.from_ndarray(image, format="bgr24")))
        container.mux(video.encode(None))
        for start in range(0, len(audio), 1024):
            frame = av.AudioFrame.from_ndarray(
                audio[start : start + 1024].reshape(1, -1), format="s16", layout="mono"
            )
            frame.sample_rate, frame.pts, frame.time_base = RATE, start, Fraction(1, RATE)
            container.mux(sound.encode(frame))
        container.mux(sound.encode(None))


if __name__ == "__main__":
    main(Path(sys.argv[1]), float(sys.argv[2]) if len(sys.argv) > 2 else 6.0)
