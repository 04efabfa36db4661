"""Vision signals on real encoded videos of a real face photo (scikit-image's astronaut)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest
import skimage.data

from interview_core.errors import MediaRejected
from interview_core.media.video import Frame
from interview_core.vision.cascades import cascade, frontal_faces
from interview_core.vision.faces import FaceFinder, FaceObservation, shrink
from interview_core.vision.signals import (
    VisionSettings,
    VisionSignals,
    analyze_frames,
    analyze_video,
)
from tests.unit.core import mediafactory as mf

FORBIDDEN = ("情绪", "emotion", "自信", "confidence", "性格", "personality", "紧张", "nervous")


def _frames(images: list[np.ndarray], fps: float = 2.0) -> list[Frame]:
    return [
        Frame(t=i / fps, gray=cv2.cvtColor(im, cv2.COLOR_BGR2GRAY), bgr=im)
        for i, im in enumerate(images)
    ]


def _codes(signals: VisionSignals) -> set[str]:
    return {flag.code for flag in signals.flags}


def _observe(images: list[np.ndarray], finder: FaceFinder) -> list[FaceObservation]:
    seen = []
    for image in images:
        small, scale = shrink(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY), 320)
        seen.append(finder.observe(small, scale))
    return seen


@pytest.fixture(scope="module")
def videos(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("vision")
    kinds: dict[str, dict[str, Any]] = {
        "one": {},
        "two": {"faces": 2},
        "none": {"faces": 0},
        "dark": {"dark": True},
        "blur": {"blur": True},
    }
    return {name: mf.face_video(folder / f"{name}.mp4", 6.0, **kw) for name, kw in kinds.items()}


def test_one_centred_face_is_present_facing_and_unflagged(videos: dict[str, Path]) -> None:
    s = analyze_video(videos["one"])

    assert s.frames_analyzed == 12
    assert s.face_present_ratio >= 0.9 and s.facing_camera_ratio >= 0.9
    assert s.eyes_visible_ratio is not None and s.eyes_visible_ratio >= 0.8
    assert s.multiple_faces_ratio == 0.0
    assert s.head_movement is not None and s.head_movement < 0.15
    assert s.flags == []
    assert s.not_scored is True and s.to_json()["not_scored"] is True


def test_second_face_raises_the_integrity_flag(videos: dict[str, Path]) -> None:
    s = analyze_video(videos["two"])

    assert s.multiple_faces_ratio > 0.5
    flag = next(f for f in s.flags if f.code == "multiple_faces")
    assert flag.kind == "integrity" and "第二张人脸" in flag.message_zh
    assert s.head_movement is not None and s.head_movement < 0.15  # follows one person


def test_second_person_sitting_down_mid_answer_is_flagged(tmp_path: Path) -> None:
    """Two of 24 seconds alone, then someone beside the candidate for 8 s, then alone again."""
    path = mf.face_video(tmp_path / "visitor.mp4", 24.0, second_between=(10.0, 18.0))

    s = analyze_video(path)

    assert (8 - 2) / 24 <= s.multiple_faces_ratio <= (8 + 2) / 24  # seen within 2 s both ways
    assert "multiple_faces" in _codes(s)
    assert s.face_present_ratio >= 0.9
    assert s.head_movement is not None and s.head_movement < 0.15  # follows one person


@pytest.mark.parametrize("arrives", [8, 9, 10, 11])
def test_a_second_face_is_found_within_full_search_every_frames(arrives: int) -> None:
    """Whenever they come into view relative to the last full search."""
    images = mf.face_frames(12.0, fps=2, second_between=(arrives / 2, 99.0))

    seen = _observe(images, FaceFinder(full_every=4, still_full_every=12))

    first = next(i for i, o in enumerate(seen) if len(o.frontal) > 1)
    assert arrives <= first < arrives + 4
    assert all(len(o.frontal) == 2 for o in seen[first:])


def test_a_still_scene_is_searched_in_full_rarely_a_changing_one_as_often_as_before() -> None:
    still = mf.face_frames(12.0, fps=2)
    busy = [im.copy() for im in still]
    for i, im in enumerate(busy):  # something moving in a corner, away from the face
        cv2.rectangle(im, (10 + 9 * (i % 5), 10), (70 + 9 * (i % 5), 90), (20, 20, 20), -1)

    still_finder, busy_finder = FaceFinder(), FaceFinder()  # every 4 frames, or 20 when still
    still_seen, busy_seen = _observe(still, still_finder), _observe(busy, busy_finder)

    assert [i for i, o in enumerate(still_seen) if o.full_search] == [0, 20]
    assert [i for i, o in enumerate(busy_seen) if o.full_search] == [0, 4, 8, 12, 16, 20]
    assert still_finder.full_searches == 2 and busy_finder.full_searches == 6
    assert all(len(o.frontal) == 1 for o in still_seen + busy_seen)


def test_the_still_schedule_finds_a_face_the_change_check_missed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(
        "interview_core.vision.faces.CHANGE_SHARE", 1.0
    )  # no change is ever big enough
    images = mf.face_frames(12.0, fps=2, second_between=(1.0, 99.0))

    seen = _observe(images, FaceFinder(full_every=4, still_full_every=12))

    assert [len(o.frontal) for o in seen] == [1] * 12 + [2] * 12


def test_eyes_are_looked_for_on_every_eyes_every_th_frame_with_a_face(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[float] = []
    monkeypatch.setattr(
        "interview_core.vision.signals.eyes_visible", lambda gray, face: calls.append(1) or True
    )
    frames = _frames(mf.face_frames(6.0, fps=2))

    every_other = analyze_frames(frames)
    count_default = len(calls)
    each = analyze_frames(frames, VisionSettings(eyes_every=1))

    assert (count_default, len(calls) - count_default) == (6, 12)
    assert every_other.eyes_visible_ratio == each.eyes_visible_ratio == 1.0


def test_no_face_is_flagged(videos: dict[str, Path]) -> None:
    s = analyze_video(videos["none"])

    assert s.face_present_ratio <= 0.1 and s.facing_camera_ratio <= 0.1
    assert s.eyes_visible_ratio is None and s.head_movement is None
    assert "face_missing" in _codes(s)


def test_dark_video_gets_the_lighting_flag(videos: dict[str, Path]) -> None:
    s = analyze_video(videos["dark"])

    assert "too_dark" in _codes(s) and "blurry" not in _codes(s)
    assert s.mean_brightness is not None and s.mean_brightness < 50


def test_blurred_video_gets_the_blur_flag(videos: dict[str, Path]) -> None:
    s = analyze_video(videos["blur"])

    assert "blurry" in _codes(s) and "too_dark" not in _codes(s)


def test_light_from_one_side_is_uneven() -> None:
    ramp = np.linspace(0.15, 1.0, mf.VIDEO_SIZE[0])[None, :, None]
    images = [(im * ramp).astype(np.uint8) for im in mf.face_frames(3.0, fps=2)]

    s = analyze_frames(_frames(images))

    assert "uneven_lighting" in _codes(s)


def test_jumping_face_is_flagged_as_unsteady_framing() -> None:
    images = [
        np.roll(im, 150 if i % 2 else -150, axis=1)
        for i, im in enumerate(mf.face_frames(4.0, fps=2))
    ]

    s = analyze_frames(_frames(images))

    assert s.face_present_ratio >= 0.9
    assert s.head_movement is not None and s.head_movement > 1.0
    assert "unsteady_framing" in _codes(s)


def test_phone_video_stored_sideways_is_analysed_upright(tmp_path: Path) -> None:
    stored = [np.rot90(im).copy() for im in mf.face_frames(3.0, fps=10)]
    path = mf.rotate_mp4(mf.write_video(tmp_path / "s.mp4", stored, 10), tmp_path / "r.mp4")

    assert analyze_video(path).face_present_ratio >= 0.9


def test_smile_count_only_when_enabled() -> None:
    frames = _frames(mf.face_frames(2.0, fps=2))

    off = analyze_frames(frames)
    on = analyze_frames(frames, VisionSettings(smile_count_enabled=True))

    assert off.neutral_expression_count is None
    assert any("未启用" in note for note in off.notes)
    assert on.neutral_expression_count is not None
    assert 0 <= on.neutral_expression_count <= 1  # the astronaut smiles in every frame


def test_no_frames_is_a_flag_not_a_crash() -> None:
    s = analyze_frames([])

    assert s.frames_analyzed == 0 and _codes(s) == {"no_frames"}


def test_analyze_video_rejects_non_video(tmp_path: Path) -> None:
    fake = tmp_path / "answer.mp4"
    fake.write_text("not a video", encoding="utf-8")

    with pytest.raises(MediaRejected):
        analyze_video(fake)


def test_haar_detector_on_labelled_face_crops() -> None:
    """scikit-image's 100 LFW face crops and 100 non-face crops, upscaled from 25x25."""
    lfw_subset: Callable[[], np.ndarray] = skimage.data.lfw_subset
    crops = lfw_subset()

    def has_face(crop: np.ndarray) -> bool:
        image = cv2.resize((crop * 255).astype(np.uint8), (100, 100), interpolation=cv2.INTER_CUBIC)
        return bool(frontal_faces(cv2.equalizeHist(image)))

    hits = sum(has_face(c) for c in crops[:100])
    false_alarms = sum(has_face(c) for c in crops[100:])

    assert hits >= 80
    assert false_alarms <= 5


def test_nothing_reads_mood_or_character(videos: dict[str, Path]) -> None:
    results = [analyze_video(path) for path in videos.values()]
    results.append(
        analyze_frames(_frames(mf.face_frames(1.0)), VisionSettings(smile_count_enabled=True))
    )

    for signals in results:
        text = json.dumps(signals.to_json(), ensure_ascii=False).lower()
        assert not [word for word in FORBIDDEN if word in text]


def test_cascades_load_lazily_and_once() -> None:
    code = (
        "import interview_core.vision.signals, interview_core.vision.cascades as c;"
        "print(c.cascade.cache_info().currsize)"
    )
    loaded_at_import = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()

    assert loaded_at_import == "0"
    assert cascade("frontalface_alt2") is cascade("frontalface_alt2")
