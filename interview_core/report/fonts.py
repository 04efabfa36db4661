"""Find a font that can draw Chinese, so chart labels are not empty boxes.

Looked up in this order: the ``REPORT_CJK_FONT`` environment variable (a .ttf/.ttc/.otf
path), then fonts matplotlib knows that cover CJK (Debian: ``fonts-wqy-microhei`` or
``fonts-noto-cjk``). Without one, charts fall back to ASCII labels and say so.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

KNOWN_CJK_FAMILIES = (
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "SimHei",
    "Microsoft YaHei",
    "PingFang SC",
)


@functools.cache
def cjk_font_path() -> Path | None:
    configured = os.environ.get("REPORT_CJK_FONT")
    if configured and Path(configured).is_file():
        return Path(configured)
    from matplotlib import font_manager

    by_name = {entry.name: entry.fname for entry in font_manager.fontManager.ttflist}
    for family in KNOWN_CJK_FAMILIES:
        if family in by_name:
            return Path(by_name[family])
    return None
