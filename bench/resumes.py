"""Résumé screening benchmark: read (PDF, Word, HTML, text) + match against a job, in a
process pool of 2, beside a same-process baseline (bare text extraction of the same files).

    .venv/bin/python bench/resumes.py                  # 1,200 files, pool of 2
    .venv/bin/python bench/resumes.py --count 300      # quicker
    .venv/bin/python bench/resumes.py --keep DIR       # keep (and reuse) the generated files

Target (printed, never asserted): ≥ 1,000 files per minute on 2 cores with peak RSS < 500 MB.
No database, no network. See bench/README.md ("Résumé benchmark").
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

FONT = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
JOB = {
    "must": [{"工作年限": 3}, {"学历": "本科"}, {"技能": "数据分析"}],
    "nice": [{"证书": "PMP"}, {"行业": "互联网"}, {"地点": "上海"}, {"技能": "Python"},
             {"技能": "项目管理"}],
}  # fmt: skip
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN = ["伟", "芳", "娜", "敏", "静", "磊", "洋", "艳", "勇", "军", "杰", "娟", "涛", "明", "超"]
CITIES = ["上海", "北京", "杭州", "深圳", "广州", "成都", "南京", "武汉"]
SCHOOLS = [
    "复旦大学",
    "华东师范大学",
    "浙江大学",
    "武汉大学",
    "南京大学",
    "上海大学",
    "某职业技术学院",
]
DEGREES = ["本科", "硕士", "大专", "博士", "本科"]
COMPANIES = ["上海某网络科技有限公司", "北京某电子商务有限公司", "招商银行上海分行",
             "某汽车零部件有限公司", "杭州某软件有限公司", "某连锁零售有限公司"]  # fmt: skip
TITLES = ["数据分析师", "产品经理", "运营专员", "软件工程师", "项目经理", "财务专员"]
SKILLS = ["SQL", "MySQL", "Python", "Excel", "数据透视表", "Tableau", "Power BI", "Java",
          "项目管理", "SPSS", "Hive", "Linux", "抖音运营", "AutoCAD"]  # fmt: skip
CERTS = ["PMP", "CET-6", "CET-4", "CPA", "驾驶证", "初级会计师"]


# -- the corpus ----------------------------------------------------------------------------


def resume_lines(rng: random.Random) -> list[str]:
    name = rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.choice([1, 2])))
    phone = "1" + rng.choice("3578") + "".join(rng.choice("0123456789") for _ in range(9))
    start_year = rng.randint(2005, 2020)
    lines = [
        name,
        f"{rng.choice(['男', '女'])} | {rng.randint(22, 50)}岁 | {phone} | "
        f"u{rng.randint(1, 10**6)}@example.com",
        f"现居：{rng.choice(CITIES)}",
        "教育经历",
        f"{start_year - 4}.09-{start_year}.06 {rng.choice(SCHOOLS)} 统计学 {rng.choice(DEGREES)}",
        "工作经历",
    ]
    year = start_year
    for n in range(rng.randint(1, 4)):
        end = min(year + rng.randint(1, 4), 2026)
        until = "至今" if n == 0 else f"{end}.06"
        lines.append(f"{year}.07-{until} {rng.choice(COMPANIES)} {rng.choice(TITLES)}")
        lines.append(f"负责用 {rng.choice(SKILLS)} 和 {rng.choice(SKILLS)} 完成业务分析与报表，"
                     f"推动转化率提升 {rng.randint(5, 40)}%")  # fmt: skip
        year = end
    lines += ["专业技能", "、".join(rng.sample(SKILLS, rng.randint(2, 6)))]
    if rng.random() < 0.6:
        lines += ["证书", "、".join(rng.sample(CERTS, rng.randint(1, 2)))]
    lines += ["自我评价", "工作认真负责，善于沟通，" * rng.randint(1, 4)]
    return lines


def write_corpus(folder: Path, count: int, seed: int = 16) -> list[Path]:
    from docx import Document
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(TTFont("wqy", FONT, subfontIndex=0))
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n in range(count):
        lines = resume_lines(rng)
        kind = ("pdf", "docx", "pdf", "docx", "html", "txt")[n % 6]
        path = folder / f"r{n:05d}.{kind}"
        if kind == "pdf":
            pdf = canvas.Canvas(str(path), pagesize=A4)
            pdf.setFont("wqy", 10)
            y = 800
            for line in lines:
                pdf.drawString(50, y, line)
                y -= 16
            pdf.save()
        elif kind == "docx":
            document = Document()
            for line in lines:
                document.add_paragraph(line)
            document.save(str(path))
        elif kind == "html":
            body = "".join(f"<p>{line}</p>" for line in lines)
            path.write_text(f"<!DOCTYPE html><html><body>{body}</body></html>", "utf-8")
        else:
            path.write_text("\n".join(lines), "utf-8")
        paths.append(path)
    return paths


# -- the work ------------------------------------------------------------------------------

_state: dict[str, Any] = {}


def _init() -> None:
    from recruiting.domain.job_requirements import JobRequirements
    from recruiting.domain.skill_synonyms import SynonymTable
    from recruiting.wiring.resumes import resume_reader

    _state["reader"] = resume_reader()
    _state["table"] = SynonymTable.load()
    _state["requirements"] = JobRequirements.from_json(JOB)


def screen(path: str) -> tuple[float, str, int | None]:
    """One file: read through the ResumeReader port, then match (the CLI's use case)."""
    from recruiting.services.screening.files import match_file

    started = time.perf_counter()
    data = Path(path).read_bytes()
    out = match_file(
        _state["reader"], _state["table"], _state["requirements"], data, Path(path).name
    )
    return time.perf_counter() - started, str(out["status"]), out["score"]


def bare_text(path: str) -> float:
    """Baseline: the text layer only (pdfminer / python-docx / decode), no facts, no match."""
    started = time.perf_counter()
    suffix = path.rsplit(".", 1)[-1]
    if suffix == "pdf":
        from pdfminer.high_level import extract_text

        extract_text(path)
    elif suffix == "docx":
        from docx import Document

        "\n".join(p.text for p in Document(path).paragraphs)
    else:
        Path(path).read_text("utf-8")
    return time.perf_counter() - started


def baseline(files: list[str]) -> tuple[float, list[float], float]:
    """In a process of its own (the parent stays small): wall time, per-file times, peak RSS."""
    started = time.perf_counter()
    times = [bare_text(f) for f in files]
    return time.perf_counter() - started, times, _peak_rss_mb()


def _peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _worker_peak(_: int) -> tuple[int, float]:
    time.sleep(0.2)  # so each worker takes one of these
    return os.getpid(), _peak_rss_mb()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--count", type=int, default=1200, help="résumé files to generate")
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--keep", help="folder for the files (kept, reused if complete)")
    args = parser.parse_args()

    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench_resumes_"))
    try:
        existing = sorted(folder.glob("r*.*")) if folder.exists() else []
        made = time.perf_counter()
        context = multiprocessing.get_context("spawn")
        if len(existing) == args.count:
            paths = existing
        else:
            with context.Pool(1) as helper:
                paths = helper.apply(write_corpus, (folder, args.count))
        kinds: dict[str, int] = {}
        for p in paths:
            kinds[p.suffix] = kinds.get(p.suffix, 0) + 1
        print(f"corpus: {len(paths)} files in {folder} {kinds} "
              f"(made in {time.perf_counter() - made:.1f} s)")  # fmt: skip
        files = [str(p) for p in paths]
        print(f"load average before: {os.getloadavg()[0]:.2f}, cpus: {os.cpu_count()}")

        # Baseline: bare text extraction, one process, same files, same run.
        with context.Pool(1) as helper:
            bare_wall, bare, bare_rss = helper.apply(baseline, (files,))

        with context.Pool(args.processes, initializer=_init) as pool:
            pool.map(_worker_peak, range(args.processes))  # warm: imports and tables loaded
            cpu0 = os.times()
            started = time.perf_counter()
            results = pool.map(screen, files, chunksize=8)
            wall = time.perf_counter() - started
            peaks = dict(pool.map(_worker_peak, range(args.processes * 4), chunksize=1))
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = children.ru_utime + children.ru_stime - (cpu0.children_user + cpu0.children_system)

        times = [r[0] for r in results]
        statuses: dict[str, int] = {}
        for _, status, _score in results:
            statuses[status] = statuses.get(status, 0) + 1
        scores = [r[2] for r in results if r[2] is not None]
        rate = len(files) / wall * 60
        per_worker = max(peaks.values()) if peaks else children.ru_maxrss / 1024
        total_rss = _peak_rss_mb() + sum(peaks.values())
        print()
        print(f"== parse + match, pool of {args.processes} ==")
        print(f"files: {len(files)} in {wall:.2f} s = {rate:,.0f} files/min "
              f"(workers CPU {cpu:.1f} s, start-up included)")  # fmt: skip
        print(
            f"CPU per file {cpu / len(files) * 1000:.1f} ms → "
            f"{len(files) / cpu * 60 * args.processes:,.0f} files/min on {args.processes} "
            "idle cores (what the wall figure reaches on a quiet machine)"
        )
        print(
            f"per file: p50 {percentile(times, 0.5) * 1000:.1f} ms, "
            f"p95 {percentile(times, 0.95) * 1000:.1f} ms, max {max(times) * 1000:.1f} ms"
        )
        print(
            f"statuses: {statuses}; scores: min {min(scores, default=0)}, "
            f"median {statistics.median(scores) if scores else 0}, max {max(scores, default=0)}"
        )
        print(
            f"peak RSS (VmHWM): worker max {per_worker:.0f} MB, "
            f"parent {_peak_rss_mb():.0f} MB, parent + workers {total_rss:.0f} MB"
        )
        print()
        print("== baseline: bare text extraction, one process ==")
        print(f"files: {len(files)} in {bare_wall:.2f} s = {len(files) / bare_wall * 60:,.0f} "
              f"files/min; p50 {percentile(bare, 0.5) * 1000:.1f} ms, "
              f"p95 {percentile(bare, 0.95) * 1000:.1f} ms; "
              f"peak RSS {bare_rss:.0f} MB")  # fmt: skip
        print()
        print("== verdicts (printed, not asserted) ==")
        print(
            f"≥ 1,000 files/min on {args.processes} processes: "
            f"{'yes' if rate >= 1000 else 'NO'} ({rate:,.0f})"
        )
        print(
            f"peak RSS < 500 MB (parent + {args.processes} workers together): "
            f"{'yes' if total_rss < 500 else 'NO'} ({total_rss:.0f} MB)"
        )
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
