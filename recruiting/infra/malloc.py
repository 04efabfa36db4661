"""Keep a long-running process's memory close to what it uses (glibc only).

glibc gives busy threads arenas of their own and keeps freed memory in them; after a burst of
uploads (1 MB buffers passed through the thread pool) a web process stayed at 470 MB though
it needed under 200. Two arenas and an mmap threshold of 128 KB make large buffers go back
to the system when freed. Elsewhere (musl, macOS) this does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys

M_MMAP_THRESHOLD = -3
M_ARENA_MAX = -8


def tame_malloc(arenas: int = 2, mmap_threshold: int = 128 * 1024) -> bool:
    """True when glibc accepted both settings; call before threads are started. The same
    settings go into the environment, where glibc reads them in child processes (Sanic's
    web workers are spawned, not forked); values already set there win."""
    if not sys.platform.startswith("linux"):
        return False
    arenas = int(os.environ.setdefault("MALLOC_ARENA_MAX", str(arenas)))
    mmap_threshold = int(os.environ.setdefault("MALLOC_MMAP_THRESHOLD_", str(mmap_threshold)))
    name = ctypes.util.find_library("c")
    if not name:
        return False
    try:
        libc = ctypes.CDLL(name)
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    return bool(mallopt(M_ARENA_MAX, arenas)) and bool(mallopt(M_MMAP_THRESHOLD, mmap_threshold))
