"""Measure `mlkaizen assess` wall time, peak RSS and the share of the tree's bytes it read.

    python bench/bench_assess.py                 # (a) the bundled example
    python bench/bench_assess.py --synthetic     # (b) a generated 50,000-file monorepo
    python bench/bench_assess.py PATH [PATH...]  # (c) any repositories
    python bench/bench_assess.py --synthetic --cold-warm --jobs 1   # cache and pool figures

Each target runs the real console command in a fresh process (interpreter start included),
``--repeat`` times; wall time is the median, RSS the maximum. Prints one line per target and
the targets it is held to. A measurement, not a test: it never fails on a slow machine.

The runs use a user cache folder of their own (``MLKAIZEN_CACHE_DIR``), kept across the
repeats (warm). With ``--cold-warm`` each target also gets runs with that folder emptied
first (cold: nothing cached, not even the catalogue) and right after one (warm); ``--jobs``
is passed to ``assess``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
EXAMPLE = ROOT / "examples" / "churn-prediction"
SYNTH = HERE / "out" / "monorepo-50k"


def command() -> list[str]:
    exe = shutil.which("mlkaizen")
    return [exe] if exe else [sys.executable, "-m", "mlkaizen"]


EXTRA: list[str] = []  # extra assess arguments (--jobs N)
ENV: dict[str, str] = {}


def run_once(path: Path, report: Path) -> tuple[float, int]:
    """(wall seconds, peak RSS in bytes) of one assess run, measured with wait4."""
    start = time.perf_counter()
    proc = subprocess.Popen([*command(), "assess", str(path), "--format", "json", "--out",
                             str(report), *EXTRA], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, env={**os.environ, **ENV})
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        err = proc.stderr.read().decode() if proc.stderr else ""
        raise SystemExit(f"assess failed on {path}: {err}")
    return wall, usage.ru_maxrss * 1024


def cold_warm(path: Path, report: Path, repeat: int) -> tuple[float, float, int]:
    """Median cold and warm wall seconds over ``repeat`` pairs, and the peak RSS."""
    cache = Path(ENV["MLKAIZEN_CACHE_DIR"])
    cold, warm, rss = [], [], 0
    for _ in range(repeat):
        shutil.rmtree(cache, ignore_errors=True)
        wall, peak = run_once(path, report)
        cold.append(wall)
        wall2, peak2 = run_once(path, report)
        warm.append(wall2)
        rss = max(rss, peak, peak2)
    return statistics.median(cold), statistics.median(warm), rss


def measure(label: str, path: Path, repeat: int, with_cold: bool = False) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "r.json"
        extra: dict[str, object] = {}
        if with_cold:
            cold, warm, peak = cold_warm(path, report, repeat)
            extra = {"cold_s": round(cold, 3), "warm_s": round(warm, 3),
                     "cold_warm_peak_rss_mb": round(peak / 2**20, 1)}
            print(f"{label:<28} cold={cold:6.3f}s warm={warm:6.3f}s "
                  f"rss={peak / 2**20:6.1f}MB (median of {repeat} pairs)", flush=True)
        runs = [run_once(path, report) for _ in range(repeat)]
        scan = json.loads(report.read_text())["scan"]
    wall = statistics.median(w for w, _ in runs)
    rss = max(r for _, r in runs)
    share = scan["bytes_read"] / scan["bytes_total"] if scan["bytes_total"] else 0.0
    row = {"target": label, "files": scan["files_listed"], "wall_s": round(wall, 3),
           "peak_rss_mb": round(rss / 2**20, 1), "bytes_read_share": round(share, 4),
           "files_read": scan["files_read"], "listing": scan["listing"], **extra}
    print(f"{label:<28} files={scan['files_listed']:>6} wall={wall:6.3f}s "
          f"rss={rss / 2**20:6.1f}MB read={share:6.2%} ({scan['files_read']} files, "
          f"{scan['listing']} listing)")
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="*", type=Path)
    parser.add_argument("--synthetic", action="store_true", help="also the 50k-file monorepo")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", type=Path, help="also write the rows as JSON here")
    parser.add_argument("--cold-warm", action="store_true",
                        help="also time runs with an emptied cache and right after one")
    parser.add_argument("--jobs", type=int, help="passed to assess as --jobs")
    args = parser.parse_args()
    if args.jobs:
        EXTRA[:] = ["--jobs", str(args.jobs)]
    cache_root = tempfile.mkdtemp(prefix="mlk-bench-cache-")
    ENV["MLKAIZEN_CACHE_DIR"] = str(Path(cache_root) / "cache")
    print(f"machine: {platform.machine()} {os.cpu_count()} cores, Python "
          f"{platform.python_version()}, {platform.system()} {platform.release()}")
    print("targets: small repo <= 0.6 s; 50k files <= 5 s and <= 300 MB RSS, reading <= 5% "
          "of bytes")
    rows = []
    if not args.paths or args.synthetic:
        rows.append(measure("example (churn-prediction)", EXAMPLE, args.repeat, args.cold_warm))
    if args.synthetic:
        if not SYNTH.exists():
            print(f"generating {SYNTH} ...", flush=True)
            subprocess.run([sys.executable, str(HERE / "synth_monorepo.py"), str(SYNTH)],
                           check=True)
        rows.append(measure("synthetic monorepo (50k)", SYNTH, max(1, args.repeat // 2),
                            args.cold_warm))
    for path in args.paths:
        rows.append(measure(str(path), path, args.repeat, args.cold_warm))
    shutil.rmtree(cache_root, ignore_errors=True)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n")


if __name__ == "__main__":
    main()
