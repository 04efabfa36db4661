"""Face finding across a sequence of frames, kept cheap enough for ten-minute answers.

A full-frame search is the expensive part of the analysis, so it runs on every
``full_every``-th frame and whenever the face is lost; in between only the neighbourhood of
the last face is searched. Faces are detected on a copy about ``detect_width`` pixels wide;
eyes and smiles are looked for only inside the face, on the sharper analysis frame.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from interview_core.vision.cascades import Box, detect, frontal_faces, profile_face

MIN_FACE_FRACTION = 0.1  # of the detection width: smaller faces are background noise
ROI_MARGIN = 0.75  # of the last face's width, on each side of it
ROI_FACE_WIDTH = 40  # the neighbourhood is scaled so the last face is this wide
PROFILE_WIDTH = 128  # profiles are looked for on a smaller copy still: a fallback, and big
PART_WIDTH = 80  # face crops are scaled to this width before looking for eyes or a smile


@dataclass(frozen=True)
class FaceObservation:
    """Faces in one frame, in that frame's pixels.

    ``frontal`` lists frontal faces, the one being followed first; ``full_search`` says
    whether the whole frame was searched (only those can tell how many people are in view).
    """

    frontal: tuple[Box, ...]
    profile: Box | None
    full_search: bool

    @property
    def primary(self) -> Box | None:
        return self.frontal[0] if self.frontal else self.profile


class FaceFinder:
    """Stateful per video: remembers the last face to search around it next time."""

    def __init__(self, full_every: int = 4) -> None:
        self.full_every = max(full_every, 1)
        self._last: Box | None = None  # in detection pixels
        self._since_full = 0

    def observe(self, small: np.ndarray, scale: float) -> FaceObservation:
        """Faces in a frame given as its ``shrink``-ed copy; boxes come back in frame pixels."""
        small = cv2.equalizeHist(small)
        if self._last is not None and self._since_full < self.full_every - 1:
            box = _search_around(small, self._last)
            if box is not None:
                self._last, self._since_full = box, self._since_full + 1
                return FaceObservation((box.scaled(1 / scale),), None, full_search=False)
        self._since_full = 0
        min_size = max(round(small.shape[1] * MIN_FACE_FRACTION), 20)
        faces = _tracked_first(frontal_faces(small, min_size), self._last)
        self._last = faces[0] if faces else None
        return FaceObservation(
            tuple(b.scaled(1 / scale) for b in faces),
            None if faces else _profile(small, scale),
            full_search=True,
        )


def shrink(gray: np.ndarray, width: int) -> tuple[np.ndarray, float]:
    """A copy at most ``width`` pixels wide, and its scale relative to ``gray``."""
    scale = min(1.0, width / gray.shape[1])
    if scale < 1.0:
        size = (round(gray.shape[1] * scale), round(gray.shape[0] * scale))
        gray = cv2.resize(gray, size, interpolation=cv2.INTER_AREA)
    return gray, scale


def _tracked_first(faces: list[Box], last: Box | None) -> list[Box]:
    """Keep following the same person when several faces are in view."""
    if last is None or len(faces) < 2:
        return faces
    lx, ly = last.centre
    nearest = min(faces, key=lambda b: (b.centre[0] - lx) ** 2 + (b.centre[1] - ly) ** 2)
    return [nearest, *(b for b in faces if b is not nearest)]


def _search_around(small: np.ndarray, last: Box) -> Box | None:
    """The last face again, searched near where it was and at about the size it had."""
    margin = round(last.w * ROI_MARGIN)
    x0, y0 = max(last.x - margin, 0), max(last.y - margin, 0)
    x1 = min(last.x + last.w + margin, small.shape[1])
    y1 = min(last.y + last.h + margin, small.shape[0])
    roi, factor = shrink(small[y0:y1, x0:x1], round((x1 - x0) * ROI_FACE_WIDTH / last.w))
    size = last.w * factor
    found = detect("frontalface_alt2", roi, min_size=round(size * 0.7), max_size=round(size * 1.4))
    if not found:
        return None
    return max(found, key=lambda b: b.w).scaled(1 / factor, x0, y0)


def _profile(small: np.ndarray, scale: float) -> Box | None:
    tiny, factor = shrink(small, PROFILE_WIDTH)
    box = profile_face(tiny, min_size=20)
    return box.scaled(1 / (scale * factor)) if box is not None else None


def eyes_visible(gray: np.ndarray, face: Box) -> bool:
    """At least one open-looking eye in the upper part of the face (glasses allowed)."""
    upper = _part(gray, face, top=0.15, bottom=0.6)
    return bool(detect("eye_tree_eyeglasses", upper, min_size=16, max_size=36, min_neighbors=3))


def smiling(gray: np.ndarray, face: Box) -> bool:
    """A smile in the lower half of the face; the cascade is noisy, so it must be sure."""
    lower = _part(gray, face, top=0.55, bottom=1.0)
    return bool(detect("smile", lower, min_size=20, scale_factor=1.2, min_neighbors=20))


def _part(gray: np.ndarray, face: Box, *, top: float, bottom: float) -> np.ndarray:
    """A horizontal band of the face, scaled to PART_WIDTH so cascade sizes are fixed."""
    y0, y1 = face.y + round(face.h * top), face.y + round(face.h * bottom)
    crop = gray[max(y0, 0) : max(y1, 0), max(face.x, 0) : max(face.x + face.w, 0)]
    if crop.size == 0:
        return crop
    height = max(round(crop.shape[0] * PART_WIDTH / crop.shape[1]), 1)
    return cv2.resize(crop, (PART_WIDTH, height), interpolation=cv2.INTER_AREA)
