"""Everything the service writes to disk is for its own user only: folders 0700, files 0600.

The process umask (``restrict_umask``, set first thing at start) covers files made by
libraries (SQLite's -wal/-shm, logs, temporary files); the helpers here set the modes
explicitly as well, and tighten what an older version left readable, so the guarantee does
not hang on how the process was started (tests, an embedding app).
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import IO, Any

PRIVATE_UMASK = 0o077
DIR_MODE = 0o700
FILE_MODE = 0o600


def restrict_umask() -> None:
    """New files and folders of this process get no group or other permissions."""
    os.umask(PRIVATE_UMASK)


def private_dir(path: Path, *, ours: bool = True) -> Path:
    """Create ``path`` (and missing parents) as 0700. An existing ``path`` is tightened
    only when it is the service's own folder (``ours``): a folder an operator named, e.g.
    the one holding a SQLite file, may be shared and is left as it is."""
    missing = []
    folder = path
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for created in reversed(missing):
        with contextlib.suppress(FileExistsError):
            created.mkdir(mode=DIR_MODE)
        _chmod(created, DIR_MODE)  # mkdir's mode is filtered by the umask
    if ours:
        _chmod(path, DIR_MODE)
    return path


def private_file(path: Path) -> Path:
    """Create ``path`` empty as 0600 if missing (so whoever opens it next inherits the
    mode, as SQLite's -wal/-shm do), tighten it if it exists."""
    private_dir(path.parent, ours=False)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, FILE_MODE)
    try:
        os.fchmod(fd, FILE_MODE)
    finally:
        os.close(fd)
    return path


def tighten(path: Path) -> None:
    """0600 for a file, 0700 for a folder, if it exists."""
    if path.is_dir():
        _chmod(path, DIR_MODE)
    elif path.exists():
        _chmod(path, FILE_MODE)


def open_private(
    path: Path, mode: str, *, encoding: str | None = None, newline: str | None = None
) -> IO[Any]:
    """``open()`` whose file, when it creates one, is 0600 (and is tightened if older)."""
    writes = any(c in mode for c in "wax+")
    flags = os.O_RDWR if "+" in mode else os.O_WRONLY if writes else os.O_RDONLY
    if writes and "r" not in mode:
        flags |= os.O_CREAT  # "r"/"r+" open what exists, like open()
    if "a" in mode:
        flags |= os.O_APPEND
    if "w" in mode:
        flags |= os.O_TRUNC
    if "x" in mode:
        flags |= os.O_EXCL
    fd = os.open(path, flags, FILE_MODE)
    try:
        if writes:
            os.fchmod(fd, FILE_MODE)
        return os.fdopen(fd, mode, encoding=encoding, newline=newline)
    except BaseException:
        os.close(fd)
        raise


def _chmod(path: Path, mode: int) -> None:
    with contextlib.suppress(PermissionError):  # not ours (a shared parent): leave it
        path.chmod(mode)
