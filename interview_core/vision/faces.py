"""Face finding across a sequence of frames, kept cheap enough for ten-minute answers.

A full-frame search costs about twenty times a search near the last face, so it runs only
when it can learn something new:

- no face is being followed, or the followed one is not found again near where it was;
- ``full_every`` frames have passed and the scene outside the followed face has changed
  since the last full search (someone may have come into view);
- ``still_full_every`` frames have passed, whatever the scene did (a face may have turned
  towards the camera without moving much).

Between full searches the other faces seen by the last one are taken to be still in view,
so every frame tells how many people are in view. Faces are detected on a copy about
``detect_width`` pixels wide; eyes and smiles are looked for only inside the face, on the
sharper analysis frame.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from interview_core.vision.cascades import Box, detect, frontal_faces, profile_face

MIN_FACE_FRACTION = 0.1  # of the detection width: smaller faces are background noise
NEAR_MARGIN = 0.3  # of the last face's width: the first, cheap search around it
ROI_MARGIN = 0.75  # of the last face's width: the second search, when it moved further
ROI_FACE_WIDTH = 40  # the neighbourhood is scaled so the face is this wide (at 32, boxes
# jitter more and eyes are missed more often in noisy frames)
PROFILE_WIDTH = 128  # profiles are looked for on a smaller copy still: a fallback, and big
PART_WIDTH = 80  # face crops are scaled to this width before looking for eyes or a smile
# The scene is compared with the one at the last full search on a copy this wide, where
# sensor noise and compression blur average out; a pixel of it has changed when it moved
# by CHANGE_LEVEL gray levels, and the scene has when over CHANGE_SHARE of them did. A face
# of the smallest size looked for covers ~1.3% of the copy, a person entering far more.
CHANGE_WIDTH = 80
CHANGE_LEVEL = 20
CHANGE_SHARE = 0.005


@dataclass(frozen=True)
class FaceObservation:
    """Faces in one frame, in that frame's pixels.

    ``frontal`` lists frontal faces, the one being followed first. After a full search
    (``full_search``) they are what it found; in between, the followed face is found again
    near where it was and the others are those of the last full search.
    """

    frontal: tuple[Box, ...]
    profile: Box | None
    full_search: bool

    @property
    def primary(self) -> Box | None:
        return self.frontal[0] if self.frontal else self.profile


class FaceFinder:
    """Stateful per video: remembers the last faces and scene to decide what to search."""

    def __init__(self, full_every: int = 4, still_full_every: int = 20) -> None:
        self.full_every = max(full_every, 1)
        self.still_full_every = max(still_full_every, self.full_every)
        self.full_searches = 0  # work done, for benchmarks and tests
        self._last: Box | None = None  # the followed face, in detection pixels
        self._width = 0  # its width at the last full search (see _search_around)
        self._others: tuple[Box, ...] = ()  # other faces of the last full search, frame pixels
        self._since_full = 0
        self._scene: np.ndarray | None = None  # CHANGE_WIDTH copy at the last full search
        self._scene_face: Box | None = None  # the followed face then

    def observe(self, small: np.ndarray, scale: float) -> FaceObservation:
        """Faces in a frame given as its ``shrink``-ed copy; boxes come back in frame pixels."""
        equalized = cv2.equalizeHist(small)
        if self._last is not None and not self._full_search_due(small):
            box = _search_around(equalized, self._last, self._width)
            if box is not None:
                self._last, self._since_full = box, self._since_full + 1
                return FaceObservation(
                    (box.scaled(1 / scale), *self._others), None, full_search=False
                )
        self.full_searches += 1
        self._since_full = 0
        min_size = max(round(small.shape[1] * MIN_FACE_FRACTION), 20)
        faces = _tracked_first(frontal_faces(equalized, min_size), self._last)
        self._last = faces[0] if faces else None
        self._width = self._last.w if self._last else 0
        self._others = tuple(b.scaled(1 / scale) for b in faces[1:])
        self._scene, self._scene_face = _scene_copy(small), self._last
        return FaceObservation(
            tuple(b.scaled(1 / scale) for b in faces),
            None if faces else _profile(equalized, scale),
            full_search=True,
        )

    def _full_search_due(self, small: np.ndarray) -> bool:
        done = self._since_full + 1
        if done >= self.still_full_every:
            return True
        return done >= self.full_every and self._scene_changed(small)

    def _scene_changed(self, small: np.ndarray) -> bool:
        """Whether the scene moved since the last full search, away from the followed face
        (whose own moves are followed by the search around it)."""
        if self._scene is None:
            return True
        scene = _scene_copy(small)
        if scene.shape != self._scene.shape:
            return True
        moved = cv2.absdiff(scene, self._scene) > CHANGE_LEVEL
        factor = scene.shape[1] / small.shape[1]
        for face in (self._last, self._scene_face):
            if face is not None:
                x0, y0, x1, y1 = _around(face, ROI_MARGIN, small.shape)
                rows = slice(math.floor(y0 * factor), math.ceil(y1 * factor))
                moved[rows, math.floor(x0 * factor) : math.ceil(x1 * factor)] = False
        return int(np.count_nonzero(moved)) > CHANGE_SHARE * moved.size


def shrink(gray: np.ndarray, width: int) -> tuple[np.ndarray, float]:
    """A copy at most ``width`` pixels wide, and its scale relative to ``gray``."""
    scale = min(1.0, width / gray.shape[1])
    if scale < 1.0:
        size = (round(gray.shape[1] * scale), round(gray.shape[0] * scale))
        gray = cv2.resize(gray, size, interpolation=cv2.INTER_AREA)
    return gray, scale


def _scene_copy(small: np.ndarray) -> np.ndarray:
    return shrink(small, CHANGE_WIDTH)[0]


def _tracked_first(faces: list[Box], last: Box | None) -> list[Box]:
    """Keep following the same person when several faces are in view."""
    if last is None or len(faces) < 2:
        return faces
    lx, ly = last.centre
    nearest = min(faces, key=lambda b: (b.centre[0] - lx) ** 2 + (b.centre[1] - ly) ** 2)
    return [nearest, *(b for b in faces if b is not nearest)]


def _around(box: Box, margin: float, shape: tuple[int, ...]) -> tuple[int, int, int, int]:
    """``box`` grown by ``margin`` of its width on each side, clipped to an image of ``shape``."""
    grow = round(box.w * margin)
    x0, y0 = max(box.x - grow, 0), max(box.y - grow, 0)
    return x0, y0, min(box.x + box.w + grow, shape[1]), min(box.y + box.h + grow, shape[0])


def _search_around(small: np.ndarray, last: Box, width: int) -> Box | None:
    """The last face again, about ``width`` wide: first close to where it was (most faces
    hardly move in half a second), then in a wider neighbourhood.

    ``width`` is the face's width at the last full search, not the last box's: found this
    way a box comes out a little bigger (~8%), and chained searches would let it grow.
    """
    return _search_near(small, last, width, NEAR_MARGIN) or _search_near(
        small, last, width, ROI_MARGIN
    )


def _search_near(small: np.ndarray, last: Box, width: int, margin: float) -> Box | None:
    x0, y0, x1, y1 = _around(last, margin, small.shape)
    roi, factor = shrink(small[y0:y1, x0:x1], round((x1 - x0) * ROI_FACE_WIDTH / width))
    size = width * factor
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
