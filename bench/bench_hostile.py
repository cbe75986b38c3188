"""Hostile trees at full size: wall time and peak RSS of `mlkaizen assess` on each.

    python bench/bench_hostile.py OUT [--only NAME ...] [--scale 1.0]

Builds each probe under OUT (reused when present) and runs the installed command on it in a
child process (``--no-cache``; the Python probe also with ``--jobs 2``), then prints one row
per run: wall seconds, peak RSS of the largest process (``wait4``, pool workers included
through ``RUSAGE_CHILDREN`` of the child), exit code and the limits named in warnings. The
figures are in BENCHMARKS.md. Each probe stands for one way a tree could make the work
explode: template fan-out (Azure Pipelines, composite GitHub actions), GitLab wildcard
includes, tens of thousands of workflows, large dense Python files (100 of 2 MB, and 400 of 250 KB:
just under the size a syntax tree is refused at), a long line of template openers,
and a collection of sub-projects laid out with ``map --projects``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

TRAIN = "import mlflow\n\nmlflow.log_metric('auc', 0.9)\n"


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def azure_fanout(root: Path, scale: float) -> None:
    steps = int(20_000 * scale)
    _write(root / "t" / "steps.yml",
           "steps:\n" + "".join(f"- script: echo step {i} {'x' * 40}\n" for i in range(steps)))
    for n in range(int(500 * scale)):
        _write(root / "pipes" / f"p{n}.yml",
               "trigger: none\npool: {vmImage: ubuntu-latest}\nsteps:\n"
               "- template: ../t/steps.yml\n" * 1)
    _write(root / "train.py", TRAIN)


def composite_fanout(root: Path, scale: float) -> None:
    n = int(1_000 * scale)
    leaf = "runs:\n  using: composite\n  steps:\n" + "".join(
        f"    - run: echo {i} {'y' * 80}\n" for i in range(n))
    _write(root / ".github" / "actions" / "b" / "action.yml", leaf)
    mid = "runs:\n  using: composite\n  steps:\n" + "    - uses: ./.github/actions/b\n" * n
    _write(root / ".github" / "actions" / "a" / "action.yml", mid)
    _write(root / ".github" / "workflows" / "ci.yml",
           "on: push\njobs:\n  t:\n    runs-on: x\n    steps:\n"
           + "      - uses: ./.github/actions/a\n" * n)
    _write(root / "train.py", TRAIN)


def gitlab_wildcards(root: Path, scale: float) -> None:
    n = int(45_000 * scale)
    _write(root / ".gitlab-ci.yml",
           "include:\n" + "".join(f"  - 'ci/p{i}*.yml'\n" for i in range(n))
           + "test:\n  script: [pytest]\n")
    for i in range(int(2_000 * scale)):
        _write(root / "ci" / f"q{i}.yml", f"job{i}:\n  script: [echo {i}]\n")
    _write(root / "train.py", TRAIN)


def many_workflows(root: Path, scale: float) -> None:
    flow = "on: push\njobs:\n" + "".join(
        f"  j{i}:\n    runs-on: x\n    steps:\n" + "".join(
            f"      - run: pytest -k t{k}\n" for k in range(10)) for i in range(5))
    for i in range(int(20_000 * scale)):
        _write(root / ".github" / "workflows" / f"w{i}.yml", flow)
    _write(root / "train.py", TRAIN)


def dense_python(root: Path, scale: float) -> None:
    line = "x = foo.bar(1, 'a', key=2)\n"
    text = "import mlflow\n" + line * (2 * 1024 * 1024 // len(line) - 1)
    for i in range(int(100 * scale)):
        _write(root / "pkg" / f"m{i}.py", text)
    _write(root / "train.py", TRAIN)


def dense_python_under_the_cap(root: Path, scale: float) -> None:
    line = "x = foo.bar(1, 'a', key=2)\n"
    text = "import mlflow\n" + line * (250 * 1024 // len(line))
    for i in range(int(400 * scale)):
        _write(root / "pkg" / f"m{i}.py", f"# {i}\n" + text)
    _write(root / "train.py", TRAIN)


def template_openers(root: Path, scale: float) -> None:
    _write(root / "train.py.j2", TRAIN + "# " + "{%" * int(150_000 * scale) + "\n")
    _write(root / "conf.yaml.j2", "a: 1\n# " + "{#" * int(150_000 * scale) + "\n")


def sub_projects(root: Path, scale: float) -> None:
    for i in range(int(100 * scale)):
        _write(root / f"p{i}" / "requirements.txt", "mlflow\nscikit-learn\n")
        _write(root / f"p{i}" / "train.py",
               "import mlflow\nimport sklearn\n\nmlflow.log_metric('auc', 0.9)\n")
        for k in range(20):
            _write(root / f"p{i}" / "lib" / f"m{k}.py", f"import numpy\nx = {k}\n")


PROBES: dict[str, tuple[Callable[[Path, float], None], list[list[str]]]] = {
    "azure-fanout": (azure_fanout, [[]]),
    "composite-fanout": (composite_fanout, [[]]),
    "gitlab-wildcards": (gitlab_wildcards, [[]]),
    "many-workflows": (many_workflows, [[]]),
    "dense-python": (dense_python, [["--jobs", "1"], ["--jobs", "2"]]),
    "dense-python-250k": (dense_python_under_the_cap, [["--jobs", "1"], ["--jobs", "2"]]),
    "template-openers": (template_openers, [[]]),
    "map-projects": (sub_projects, [["map"]]),
}


def run(root: Path, extra: list[str], report: Path) -> tuple[float, int, int, list[str]]:
    exe = [sys.executable, "-m", "mlkaizen"]
    if extra[:1] == ["map"]:
        cmd = [*exe, "map", str(root), "--projects", "-f", "json", "-o", str(report)]
    else:
        cmd = [*exe, "assess", str(root), "-f", "json", "-o", str(report), "--no-cache", *extra]
    started = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.monotonic() - started
    rc = os.waitstatus_to_exitcode(status)
    limits: list[str] = []
    try:
        data = json.loads(report.read_text(encoding="utf-8"))
        for w in data.get("warnings", []) if isinstance(data, dict) else []:
            text = w.get("message", "") if isinstance(w, dict) else ""
            if "limit " in text:
                limits.append(text.split("limit ", 1)[1].split(" ", 1)[0])
    except (OSError, ValueError):
        pass
    return wall, usage.ru_maxrss // 1024, rc, sorted(set(limits))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--only", nargs="*", default=None)
    ap.add_argument("--scale", type=float, default=1.0)
    args = ap.parse_args()
    print(f"{'probe':<18} {'args':<10} {'wall s':>7} {'peak MB':>8} {'rc':>3}  limits named")
    for name, (build, runs) in PROBES.items():
        if args.only and name not in args.only:
            continue
        root = args.out / f"{name}-{args.scale:g}"
        if not root.exists():
            tmp = root.with_name(root.name + ".tmp")
            shutil.rmtree(tmp, ignore_errors=True)
            build(tmp, args.scale)
            tmp.rename(root)
        for extra in runs:
            wall, peak, rc, limits = run(root, extra, args.out / f"{name}.json")
            shown = " ".join(extra)
            print(f"{name:<18} {shown:<10} {wall:>7.1f} {peak:>8} {rc:>3}  {', '.join(limits)}",
                  flush=True)


if __name__ == "__main__":
    main()
