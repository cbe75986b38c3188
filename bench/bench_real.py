"""Measure `mlkaizen assess` on real, checked-out repositories (the calibration corpus).

    python bench/bench_real.py                        # every folder of $HOME/.cache/mlk-corpus
    python bench/bench_real.py --corpus DIR --repeat 5 --json rows.json
    python bench/bench_real.py --only nanoGPT,MAPIE   # folders whose name contains any of these
    python bench/bench_real.py --jobs 1               # serial parsing (no worker pool)

Per repository: files listed, wall time (a fresh process each run, interpreter start
included; median of ``--repeat``), CPU time (user + system: on a busy machine closer to what
an idle one would take than wall time), peak RSS (maximum over the runs, from ``wait4``), bytes
read (from the JSON report's ``scan`` block), and the share of the wall time spent listing
the tree, parsing files (``parsed()``: read + parse) and in detectors (their own time, parsing
excluded), from one extra run with ``MLKAIZEN_PROFILE`` set (see ``mlkaizen.profiling``); the
rest is start-up, the engine and the report. Cold/warm columns compare a run with an empty
user cache (catalogue and per-file parses) to one right after it; the main columns are warm.
``--jobs N`` is passed to ``assess`` (default: the command's own, the usable cores).

A measurement, not a test: it never fails on a slow machine. Targets (issue 12): every
repository <= 1.0 s cold and <= 0.5 s warm on a 2-core machine.
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

DEFAULT_CORPUS = Path.home() / ".cache" / "mlk-corpus"
PER_FILE_CACHE = True  # per-file facts are cached: cold/warm are measured
JOBS: list[str] = []  # extra assess arguments (--jobs N)


def command() -> list[str]:
    exe = shutil.which("mlkaizen")
    return [exe] if exe else [sys.executable, "-m", "mlkaizen"]


def run_once(path: Path, report: Path, env: dict[str, str]) -> tuple[float, int, float]:
    """(wall seconds, peak RSS in bytes, CPU seconds) of one assess run, from wait4."""
    start = time.perf_counter()
    proc = subprocess.Popen([*command(), "assess", str(path), "--format", "json", "--out",
                             str(report), *JOBS], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
    if proc.stderr:
        proc.stderr.close()
    if code not in (0, 1):
        raise RuntimeError(f"assess exited {code} on {path}: {err.strip()[:300]}")
    return wall, usage.ru_maxrss * 1024, usage.ru_utime + usage.ru_stime


def measure(path: Path, repeat: int, cache_dir: Path) -> dict[str, object]:
    env = {**os.environ, "MLKAIZEN_CACHE_DIR": str(cache_dir)}
    with tempfile.TemporaryDirectory() as tmp:
        report, profile = Path(tmp) / "r.json", Path(tmp) / "profile.json"
        cold = warm = None
        if PER_FILE_CACHE:
            shutil.rmtree(cache_dir, ignore_errors=True)
            cold = run_once(path, report, env)
            warm = run_once(path, report, env)
        run_once(path, report, env)  # warm the OS page cache and the catalogue cache
        runs = [run_once(path, report, env) for _ in range(repeat)]
        run_once(path, report, {**env, "MLKAIZEN_PROFILE": str(profile)})
        scan = json.loads(report.read_text())["scan"]
        phases = json.loads(profile.read_text())
    wall = statistics.median(w for w, _, _ in runs)
    cpu = statistics.median(c for _, _, c in runs)
    share = {k: phases[f"{k}_s"] / wall for k in ("listing", "parsing", "detectors")}
    return {
        "repository": path.name,
        "files": scan["files_listed"],
        "files_read": scan["files_read"],
        "wall_s": round(wall, 3),
        "cpu_s": round(cpu, 3),
        "peak_rss_mb": round(max(r for _, r, _ in runs) / 2**20, 1),
        "bytes_read": scan["bytes_read"],
        "bytes_total": scan["bytes_total"],
        "listing": scan["listing"],
        **{f"{k}_share": round(v, 3) for k, v in share.items()},
        "cold_s": None if cold is None else round(cold[0], 3),
        "warm_s": None if warm is None else round(warm[0], 3),
        "cold_cpu_s": None if cold is None else round(cold[2], 3),
        "warm_cpu_s": None if warm is None else round(warm[2], 3),
        "slowest_detectors": list(phases["detectors"])[:3],
    }


def _fmt(seconds: object) -> str:
    return "n/a" if seconds is None else f"{seconds:.3f}"


HEADER = (f"{'repository':<58} {'files':>6} {'wall s':>7} {'CPU s':>6} {'RSS MB':>7} "
          f"{'read MB':>8} {'list':>5} {'parse':>6} {'detect':>6} {'cold s':>7} {'warm s':>7} "
          f"{'coldCPU':>7} {'warmCPU':>7}")


def line(row: dict[str, object]) -> str:
    return (f"{row['repository']!s:<58} {row['files']:>6} {row['wall_s']:>7.3f} "
            f"{row['cpu_s']:>6.3f} "
            f"{row['peak_rss_mb']:>7.1f} {int(row['bytes_read']) / 2**20:>8.2f} "  # type: ignore[call-overload]
            f"{row['listing_share']:>5.0%} {row['parsing_share']:>6.0%} "
            f"{row['detectors_share']:>6.0%} {_fmt(row['cold_s']):>7} {_fmt(row['warm_s']):>7} "
            f"{_fmt(row['cold_cpu_s']):>7} {_fmt(row['warm_cpu_s']):>7}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS,
                        help=f"folder of checked-out repositories (default {DEFAULT_CORPUS})")
    parser.add_argument("--only", default="", help="comma-separated name fragments")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", type=Path, help="also write the rows as JSON here")
    parser.add_argument("--jobs", type=int, help="passed to assess as --jobs")
    args = parser.parse_args()
    if args.jobs:
        JOBS[:] = ["--jobs", str(args.jobs)]
    if not args.corpus.is_dir():
        raise SystemExit(f"bench_real: no corpus folder at {args.corpus}")
    only = [p for p in args.only.split(",") if p]
    repos = sorted(p for p in args.corpus.iterdir() if p.is_dir()
                   and (not only or any(o in p.name for o in only)))
    print(f"machine: {platform.machine()} {os.cpu_count()} cores, Python "
          f"{platform.python_version()}, {platform.system()} {platform.release()}, "
          f"load average {os.getloadavg()[0]:.1f}")
    print(f"command: {' '.join(command())} assess REPO --format json --out FILE "
          f"{' '.join(JOBS)} (median of {args.repeat})")
    print("shares: of the median wall time; the rest is start-up, engine and report")
    print(HEADER)
    rows = []
    with tempfile.TemporaryDirectory() as cache:
        for repo in repos:
            try:
                row = measure(repo, args.repeat, Path(cache) / "cache")
            except RuntimeError as exc:
                print(f"{repo.name:<58} failed: {exc}")
                continue
            rows.append(row)
            print(line(row), flush=True)
    if rows:
        walls = sorted(float(r["wall_s"]) for r in rows)  # type: ignore[arg-type]
        print(f"{len(rows)} repositories: median {statistics.median(walls):.3f} s, "
              f"max {walls[-1]:.3f} s; over 1.0 s: "
              f"{sum(w > 1.0 for w in walls)}")
        cold = sorted(float(r["cold_s"]) for r in rows if r["cold_s"] is not None)  # type: ignore[arg-type]
        warm = sorted(float(r["warm_s"]) for r in rows if r["warm_s"] is not None)  # type: ignore[arg-type]
        if cold and warm:
            print(f"cold: median {statistics.median(cold):.3f} s, max {cold[-1]:.3f} s; "
                  f"warm: median {statistics.median(warm):.3f} s, max {warm[-1]:.3f} s")
            ccpu = sorted(float(r["cold_cpu_s"]) for r in rows)  # type: ignore[arg-type]
            wcpu = sorted(float(r["warm_cpu_s"]) for r in rows)  # type: ignore[arg-type]
            print(f"CPU cold: median {statistics.median(ccpu):.3f} s, max {ccpu[-1]:.3f} s; "
                  f"CPU warm: median {statistics.median(wcpu):.3f} s, max {wcpu[-1]:.3f} s")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n")


if __name__ == "__main__":
    main()
