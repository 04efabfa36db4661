"""Vision signals of a recorded answer: is the candidate in view, alone, lit and in focus?

These are feedback on the recording and integrity flags for HR, nothing more. They are
**not scored**: no vision signal feeds a competency score, and nothing here reads mood,
character or ability from a face. Frames are sampled (2 per second by default) and analysed
one at a time, so memory stays flat however long the video is.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from interview_core.media.video import Frame, sample_frames
from interview_core.vision.cascades import Box
from interview_core.vision.faces import FaceFinder, FaceObservation, eyes_visible, shrink, smiling
from interview_core.vision.quality import FrameQuality, frame_quality

CENTRE_REGION = (0.2, 0.8)  # the face centre must lie in this share of width and height
MOSTLY = 0.5  # a quality flag needs more than this share of frames
FACE_MISSING_BELOW = 0.7
FACING_BELOW = 0.5
EYES_BELOW = 0.3
HEAD_MOVEMENT_ABOVE = 0.35  # face widths per sampled frame


@dataclass(frozen=True)
class VisionSettings:
    """Knobs of the analysis. The defaults analyse a 10-minute 640x480 answer in under 20 s
    on one core, most of it decoding (see bench/README.md)."""

    sample_fps: float = 2.0
    max_width: int = 640
    smile_count_enabled: bool = False
    detect_width: int = 320
    # Sampled frames between full-frame searches for faces: at most ``full_search_every``
    # while the scene away from the candidate's face changes (a second person is seen within
    # that many frames of coming into view), ``still_full_search_every`` while it stays still.
    # Between them the candidate's face is followed near where it was.
    full_search_every: int = 4
    still_full_search_every: int = 20
    eyes_every: int = 2  # look for eyes on every n-th frame with a frontal face
    multiple_faces_threshold: float = 0.1


@dataclass(frozen=True)
class VisionFlag:
    """``kind`` is "integrity" (worth a look by HR) or "quality" (advice on the recording)."""

    code: str
    kind: str
    message_zh: str


@dataclass(frozen=True)
class VisionSignals:
    """What the camera showed. Not scored: kept apart from competency scores by design.

    Ratios are shares of analysed frames, except ``eyes_visible_ratio`` (share of the frames
    with a frontal face that were checked for eyes, every ``eyes_every``-th of them).
    ``multiple_faces_ratio`` counts a frame when more than one frontal face was in view; between
    full-frame searches the other faces found by the last one count as still in view.
    ``head_movement`` is the mean shift of the face centre between consecutive sampled
    frames, in face widths.
    """

    frames_analyzed: int
    seconds_analyzed: float
    face_present_ratio: float
    multiple_faces_ratio: float
    facing_camera_ratio: float
    eyes_visible_ratio: float | None
    head_movement: float | None
    mean_brightness: float | None
    mean_contrast: float | None
    mean_sharpness: float | None
    dark_ratio: float
    bright_ratio: float
    uneven_light_ratio: float
    blurry_ratio: float
    neutral_expression_count: int | None
    flags: list[VisionFlag] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    not_scored: bool = True

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        return {k: round(v, 3) if isinstance(v, float) else v for k, v in data.items()}


def analyze_video(path: str | Path, settings: VisionSettings | None = None) -> VisionSignals:
    """Sample ``path`` and analyse it; raises MediaRejected for unusable video."""
    settings = settings or VisionSettings()
    frames = sample_frames(path, fps=settings.sample_fps, max_width=settings.max_width)
    return analyze_frames(frames, settings)


def analyze_frames(
    frames: Iterable[Frame], settings: VisionSettings | None = None
) -> VisionSignals:
    """Analyse frames one by one (pure: no file access), then summarise and flag."""
    settings = settings or VisionSettings()
    tally = _Tally(settings)
    for frame in frames:
        tally.add(frame)
    return tally.summary()


class _Tally:
    """Running counts over the frames; holds no frame after it has been looked at."""

    def __init__(self, settings: VisionSettings) -> None:
        self.settings = settings
        self.finder = FaceFinder(settings.full_search_every, settings.still_full_search_every)
        self.eyes_every = max(settings.eyes_every, 1)
        self.frames = self.with_face = self.multiple = self.facing = 0
        self.frontal = self.eye_checks = self.eyes = self.neutral = 0
        self.dark = self.bright = self.uneven = self.blurry = 0
        self.brightness = self.contrast = self.sharpness = 0.0
        self.moves: list[float] = []
        self.previous: Box | None = None
        self.last_t = 0.0

    def add(self, frame: Frame) -> None:
        small, scale = shrink(frame.gray, self.settings.detect_width)
        seen = self.finder.observe(small, scale)
        self._count_faces(frame, seen)
        self._count_quality(frame_quality(frame.gray, small, seen.primary))
        self.frames += 1
        self.last_t = frame.t

    def _count_faces(self, frame: Frame, seen: FaceObservation) -> None:
        face = seen.primary
        self.with_face += face is not None
        self.multiple += len(seen.frontal) > 1
        if seen.frontal:
            self.frontal += 1
            self.facing += _centred(seen.frontal[0], frame.gray.shape[1], frame.gray.shape[0])
            if (self.frontal - 1) % self.eyes_every == 0:  # a share: a sample of frames will do
                self.eye_checks += 1
                self.eyes += eyes_visible(frame.gray, seen.frontal[0])
            if self.settings.smile_count_enabled:
                self.neutral += not smiling(frame.gray, seen.frontal[0])
        if face is not None and self.previous is not None:
            (x0, y0), (x1, y1) = self.previous.centre, face.centre
            width = (self.previous.w + face.w) / 2
            self.moves.append(((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5 / width)
        self.previous = face

    def _count_quality(self, quality: FrameQuality) -> None:
        self.dark += quality.dark
        self.bright += quality.bright
        self.uneven += quality.uneven
        self.blurry += quality.blurry
        self.brightness += quality.brightness
        self.contrast += quality.contrast
        self.sharpness += quality.sharpness

    def summary(self) -> VisionSignals:
        n = max(self.frames, 1)
        smiles_on = self.settings.smile_count_enabled
        signals = VisionSignals(
            frames_analyzed=self.frames,
            seconds_analyzed=self.last_t,
            face_present_ratio=self.with_face / n,
            multiple_faces_ratio=self.multiple / n,
            facing_camera_ratio=self.facing / n,
            eyes_visible_ratio=self.eyes / self.eye_checks if self.eye_checks else None,
            head_movement=sum(self.moves) / len(self.moves) if self.moves else None,
            mean_brightness=self.brightness / n if self.frames else None,
            mean_contrast=self.contrast / n if self.frames else None,
            mean_sharpness=self.sharpness / n if self.frames else None,
            dark_ratio=self.dark / n,
            bright_ratio=self.bright / n,
            uneven_light_ratio=self.uneven / n,
            blurry_ratio=self.blurry / n,
            neutral_expression_count=self.neutral if smiles_on else None,
        )
        signals.flags.extend(flags_for(signals, self.settings))
        signals.notes.append("视觉信号仅用于录制质量反馈和诚信提示，不参与任何能力评分。")
        if not smiles_on:
            signals.notes.append("微笑/中性表情统计未启用。")
        return signals


def _centred(face: Box, width: int, height: int) -> bool:
    low, high = CENTRE_REGION
    cx, cy = face.centre
    return low * width <= cx <= high * width and low * height <= cy <= high * height


def flags_for(s: VisionSignals, settings: VisionSettings) -> list[VisionFlag]:
    """Plain-language flags for HR; each one names what was seen, never what it means."""
    if s.frames_analyzed == 0:
        return [VisionFlag("no_frames", "quality", "未能从视频中取到可分析的画面。")]
    flags = _integrity_flags(s, settings)
    if s.face_present_ratio >= FACE_MISSING_BELOW and s.facing_camera_ratio < FACING_BELOW:
        flags.append(
            VisionFlag("not_facing_camera", "quality", "多数画面中人脸未正对镜头或不在画面中央。")
        )
    if s.eyes_visible_ratio is not None and s.eyes_visible_ratio < EYES_BELOW:
        flags.append(
            VisionFlag(
                "eyes_not_visible", "quality", "多数画面中看不清眼睛（可能低头、反光或光线不足）。"
            )
        )
    if s.head_movement is not None and s.head_movement > HEAD_MOVEMENT_ABOVE:
        flags.append(
            VisionFlag(
                "unsteady_framing", "quality", "人脸在画面中位置变化较大（设备不稳或频繁移动）。"
            )
        )
    return flags + _lighting_flags(s)


def _integrity_flags(s: VisionSignals, settings: VisionSettings) -> list[VisionFlag]:
    flags = []
    if s.face_present_ratio < FACE_MISSING_BELOW:
        share = round((1 - s.face_present_ratio) * 100)
        flags.append(
            VisionFlag(
                "face_missing",
                "integrity",
                f"约 {share}% 的画面中未检测到人脸（可能离开镜头或摄像头被遮挡）。",
            )
        )
    if s.multiple_faces_ratio > settings.multiple_faces_threshold:
        flags.append(
            VisionFlag(
                "multiple_faces", "integrity", "画面中多次出现第二张人脸（可能有他人在场）。"
            )
        )
    return flags


def _lighting_flags(s: VisionSignals) -> list[VisionFlag]:
    checks = [
        (s.dark_ratio, "too_dark", "画面过暗，建议在光线充足的地方录制。"),
        (s.bright_ratio, "too_bright", "画面过亮（曝光过度），面部细节可能看不清。"),
        (s.uneven_light_ratio, "uneven_lighting", "光线不均匀（一侧偏暗或逆光），人脸可能看不清。"),
        (s.blurry_ratio, "blurry", "画面模糊（可能对焦不准或镜头不干净）。"),
    ]
    return [VisionFlag(code, "quality", text) for ratio, code, text in checks if ratio > MOSTLY]
