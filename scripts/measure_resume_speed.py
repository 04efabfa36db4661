"""Parse speed of the résumé reader over a corpus: files per minute by format, peak RSS.

    python scripts/measure_resume_speed.py CORPUS [--processes 1] [--rounds 3]

Reads every file of the corpus ``rounds`` times (parse only; bench/resumes.py adds the
matcher). With ``--processes N`` the files are spread over N worker processes.
"""

from __future__ import annotations

import argparse
import resource
import time
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from recruiting.wiring.resumes import resume_reader


def _parse_all(paths: list[str]) -> list[tuple[str, float]]:
    """(path, CPU seconds) per file: CPU time, since a shared machine makes wall time noisy."""
    reader = resume_reader(as_of="2025-06")
    out = []
    for path in paths:
        data = Path(path).read_bytes()
        started = time.process_time()
        reader.read(data, Path(path).name)
        out.append((path, time.process_time() - started))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--processes", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    files = sorted(str(p) for p in args.corpus.iterdir() if not p.name.endswith(".json"))
    work = files * args.rounds
    started = time.perf_counter()
    if args.processes == 1:
        timings = _parse_all(work)
    else:
        chunks = [work[i :: args.processes] for i in range(args.processes)]
        with ProcessPoolExecutor(args.processes) as pool:
            timings = [t for part in pool.map(_parse_all, chunks) for t in part]
    wall = time.perf_counter() - started
    by_format: dict[str, list[float]] = defaultdict(list)
    for path, seconds in timings:
        by_format[path.rsplit(".", 1)[-1]].append(seconds)
    cpu = sum(seconds for _, seconds in timings)
    print(f"{len(work)} files in {wall:.1f}s wall on {args.processes} process(es): "
          f"{len(work) / wall * 60:.0f} files/min; CPU {cpu:.1f}s = "
          f"{len(work) / cpu * 60:.0f} files/min per busy core")  # fmt: skip
    for fmt, values in sorted(by_format.items()):
        mean = sum(values) / len(values)
        rate = f"{60 / mean:8.0f} files/min/core" if mean else ""
        print(f"  {fmt:<5} {len(values):>5} files  {mean * 1000:7.1f} ms CPU/file  {rate}")
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
    print(f"peak RSS: {own} MB (this process), {children} MB (largest worker)")


if __name__ == "__main__":
    main()
