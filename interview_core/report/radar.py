"""Radar chart of competency scores (PNG, matplotlib Agg).

Competencies that were not assessed are drawn at the centre with a hollow marker and a
"未评估" label, so a missing score is never mistaken for a low one.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path

from interview_core.report.fonts import cjk_font_path


def radar_png(scores: Mapping[str, float | None], path: Path, *, title: str = "") -> Path:
    """Draw ``scores`` (name → 1..5 or None) to ``path``; returns the path."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import font_manager
    from matplotlib import pyplot as plt

    font_path = cjk_font_path()
    font = font_manager.FontProperties(fname=str(font_path)) if font_path else None
    names = list(scores)
    labels = [_label(n, scores[n], cjk=font is not None, index=i) for i, n in enumerate(names)]
    angles = [2 * math.pi * i / max(len(names), 1) for i in range(len(names))]
    values = [scores[n] or 0.0 for n in names]
    fig = plt.figure(figsize=(5.2, 5.2), dpi=110)
    ax = fig.add_subplot(projection="polar")
    if names:
        ax.plot([*angles, angles[0]], [*values, values[0]], color="#2f6fdb", linewidth=2)
        ax.fill([*angles, angles[0]], [*values, values[0]], color="#2f6fdb", alpha=0.18)
        for angle, name in zip(angles, names, strict=True):
            value = scores[name]
            if value is None:  # hollow: not assessed, not a low score
                ax.plot([angle], [0.0], marker="o", color="#999", markerfacecolor="white")
            else:
                ax.plot([angle], [value], marker="o", color="#2f6fdb")
    ax.set_xticks(angles)
    ax.set_xticklabels(labels, fontproperties=font, fontsize=9)
    ax.set_ylim(0, 5)
    ax.set_yticks([1, 2, 3, 4, 5])
    if title:
        ax.set_title(title if font else "Competency scores", fontproperties=font, pad=18)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return path


def _label(name: str, value: float | None, *, cjk: bool, index: int) -> str:
    shown = name if cjk or name.isascii() else f"C{index + 1}"
    if value is None:
        return f"{shown}\n({'未评估' if cjk else 'n/a'})"
    return f"{shown}\n{value:.1f}"
