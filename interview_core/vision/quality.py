"""Recording quality of one frame: light level, evenness of light, sharpness.

These tell HR (and the candidate, as advice) whether the picture was usable, so a dim or
blurry recording is not mistaken for anything about the person in it.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from interview_core.vision.cascades import Box

DARK_BELOW = 50.0  # mean gray level
BRIGHT_ABOVE = 205.0
SIDE_IMBALANCE_ABOVE = 60.0  # gray levels between the left and right thirds
BACKLIT_FACE_RATIO = 0.6  # face mean below this share of the frame mean
BLUR_BELOW = 30.0  # variance of the Laplacian on the ~320 px detection image


@dataclass(frozen=True)
class FrameQuality:
    brightness: float
    contrast: float
    sharpness: float
    dark: bool
    bright: bool
    uneven: bool
    blurry: bool


def frame_quality(gray: np.ndarray, small: np.ndarray, face: Box | None) -> FrameQuality:
    """Judge ``gray`` (analysis frame) and ``small`` (un-equalised detection-size copy)."""
    mean, std = (float(v[0][0]) for v in cv2.meanStdDev(gray))
    sharpness = float(cv2.meanStdDev(cv2.Laplacian(small, cv2.CV_32F))[1][0][0]) ** 2  # variance
    dark, bright = mean < DARK_BELOW, mean > BRIGHT_ABOVE
    return FrameQuality(
        brightness=mean,
        contrast=std,
        sharpness=sharpness,
        dark=dark,
        bright=bright,
        uneven=not dark and (_sides_differ(gray) or _backlit(gray, face, mean)),
        blurry=not dark and sharpness < BLUR_BELOW,
    )


def _sides_differ(gray: np.ndarray) -> bool:
    third = gray.shape[1] // 3
    left, right = cv2.mean(gray[:, :third])[0], cv2.mean(gray[:, -third:])[0]  # faster than numpy
    return abs(left - right) > SIDE_IMBALANCE_ABOVE


def _backlit(gray: np.ndarray, face: Box | None, frame_mean: float) -> bool:
    if face is None:
        return False
    crop = gray[max(face.y, 0) : face.y + face.h, max(face.x, 0) : face.x + face.w]
    return crop.size > 0 and float(crop.mean()) < BACKLIT_FACE_RATIO * frame_mean
