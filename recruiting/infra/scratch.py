"""Per-process scratch space for decrypted media while it is probed or analysed.

Plaintext recordings exist on disk only here and only while a decoder needs them. A process
that crashes cannot clean up after itself, so each process works in ``<root>/<pid>`` and on
start removes the folders of processes that no longer run.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path


def prepare_scratch(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for folder in root.iterdir():
        if folder.is_dir() and folder.name.isdigit() and not _alive(int(folder.name)):
            shutil.rmtree(folder, ignore_errors=True)
    mine = root / str(os.getpid())
    mine.mkdir(mode=0o700, exist_ok=True)
    return mine


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: not ours to clean
        return True
    return True
