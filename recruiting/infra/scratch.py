"""Per-process scratch space for decrypted media while it is probed or analysed.

Plaintext recordings exist on disk only here and only while a decoder needs them; the code
that writes a copy deletes it in a ``finally``. A process killed with ``kill -9`` cannot do
that, so each process works in ``<root>/<pid>`` (0700) and the folders of processes that no
longer run are wiped: when a process starts, on every recovery sweep of a running worker
(``wipe_stale``), and a process removes its own folder when it exits. A folder records its
process's start time, so a pid reused by another program does not keep a dead one's files.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
from pathlib import Path

from recruiting.infra.private_files import open_private, private_dir

_STARTED = ".started"


def prepare_scratch(root: Path) -> Path:
    """This process's scratch folder (created once, removed at exit); stale ones wiped."""
    private_dir(root)
    wipe_stale(root)
    mine = private_dir(root / str(os.getpid()))
    if not (mine / _STARTED).exists():
        atexit.register(release_scratch, mine)
    with open_private(mine / _STARTED, "w", encoding="ascii") as marker:
        marker.write(_start_time(os.getpid()))
    return mine


def wipe_stale(root: Path) -> int:
    """Remove the scratch folders of processes that are gone; returns how many."""
    wiped = 0
    with contextlib.suppress(FileNotFoundError):
        for folder in root.iterdir():
            if folder.is_dir() and folder.name.isdigit() and not _owner_alive(folder):
                shutil.rmtree(folder, ignore_errors=True)
                wiped += 1
    return wiped


def release_scratch(folder: Path) -> None:
    """Remove this process's own folder (at exit: nothing decrypted outlives it)."""
    shutil.rmtree(folder, ignore_errors=True)


def _owner_alive(folder: Path) -> bool:
    pid = int(folder.name)
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: not ours to clean
        return True
    try:
        recorded = (folder / _STARTED).read_text(encoding="ascii")
    except OSError:
        return True  # being created right now, or by an older version: keep it
    return recorded == _start_time(pid)


def _start_time(pid: int) -> str:
    """The process's start time in clock ticks since boot ("" where /proc is missing)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii")
    except OSError:
        return ""
    return stat.rsplit(")", 1)[1].split()[19]
