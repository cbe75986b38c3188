"""Benchmark of the git-history source: time ``read_history`` over a window covering a
whole repository of 20,000 commits.

    python bench/bench_history_mining.py [--commits 20000] [--dir FOLDER] [--repeat 3]

The repository is built once (seeded, with ``git fast-import``) into ``--dir`` (by default
``bench/out/history-mining-<commits>``, which is not committed) and reused while its marker
file matches. Its shape is that of an ML project's history: a few hundred files (a package,
training code and model definitions, tests, docs, notebooks, params, data pointers,
workflows with a nightly schedule, drift monitoring config, metrics), each commit changing
one to four of them: mostly code, tests and docs, then training code, params, ``dvc.lock``
and data pointers, metrics written by a bot, workflow schedules and drift thresholds now and
then; a feature branch merged every 100 commits, a revert every 60 ("This reverts commit"
with a made-up id: reading it costs the same), an annotated tag every 500.

Prints the median wall time of ``--repeat`` reads, what was read, the machine and the
command. Target: at most 10 s. A measurement, not a test: it never fails on a slow machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
TARGET_S = 10.0
START = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
STEP = 3_600 * 3  # seconds between commits: 20,000 commits span about seven years
WORKFLOW = 'on:\n  schedule:\n    - cron: "{m} 3 * * *"\njobs:\n  train:\n    runs-on: x\n'
DRIFT = "metrics:\n  - type: DataDriftPreset\n    drift_share: {t}\n"
PEOPLE = ("Ann <ann@example.org>", "Bob <bob@example.org>", "Cy <cy@example.org>",
          "Dee <dee@example.org>", "Eve <eve@example.org>")
BOT = "github-actions[bot] <41898282+github-actions[bot]@users.noreply.github.com>"
# (weight, kind): what one change of a commit touches
KINDS = ((40, "code"), (12, "tests"), (10, "docs"), (10, "training"), (8, "params"),
         (7, "data"), (3, "notebook"), (2, "workflow"), (2, "monitoring"))


def _files(rng: random.Random) -> dict[str, list[str]]:
    """The repository's files, by the kind of change that touches them."""
    return {
        "code": [f"src/churn/m{i}.py" for i in range(200)],
        "tests": [f"tests/test_m{i}.py" for i in range(80)],
        "docs": [f"docs/page{i}.md" for i in range(40)] + ["README.md"],
        "training": ["src/churn/train.py", "src/churn/trainer.py", "src/churn/models/net.py",
                     "src/churn/models/heads.py", "fit_baseline.py"],
        "params": ["params.yaml", "conf/model/net.yaml", "conf/config.yaml"],
        "data": ["dvc.lock", *(f"data/part{i}.csv.dvc" for i in range(rng.randint(6, 10)))],
        "notebook": [f"notebooks/eda{i}.ipynb" for i in range(10)],
        "workflow": [".github/workflows/ci.yml", ".github/workflows/retrain.yml"],
        "monitoring": ["monitoring/drift.yaml"],
    }


def _content(rng: random.Random, path: str, rev: int) -> bytes:
    if path.endswith("retrain.yml"):
        return WORKFLOW.format(m=rng.randint(0, 59)).encode()
    if path.startswith("monitoring/"):
        return DRIFT.format(t=round(rng.uniform(0.1, 0.5), 2)).encode()
    lines = [f"# {path} revision {rev}"] + [f"x{j} = {rng.randint(0, 999)}" for j in range(20)]
    return ("\n".join(lines) + "\n").encode()


def _commit(ref: str, mark: int, who: str, when: int, message: str, *, parents: list[int],
            changes: list[tuple[str, bytes]]) -> bytes:
    msg = message.encode()
    out = [f"commit {ref}\nmark :{mark}\nauthor {who} {when} +0000\n"
           f"committer {who} {when} +0000\ndata {len(msg)}\n".encode(), msg, b"\n"]
    if parents:
        out.append(f"from :{parents[0]}\n".encode())
    out += [f"merge :{p}\n".encode() for p in parents[1:]]
    for path, data in changes:
        out.append(f"M 100644 inline {path}\ndata {len(data)}\n".encode() + data + b"\n")
    return b"".join(out)


def build(root: Path, commits: int, seed: int = 23) -> None:
    """A repository of ``commits`` commits (merges and side commits included)."""
    rng = random.Random(seed)
    files = _files(rng)
    kinds = [k for w, k in KINDS for _ in range(w)]
    stream: list[bytes] = []
    mark, head, when, tags = 0, 0, int(START.timestamp()), 0
    first = [(p, _content(rng, p, 0)) for group in files.values() for p in group]
    while mark < commits:
        mark += 1
        when += STEP
        if mark == 1:
            stream.append(_commit("refs/heads/main", 1, PEOPLE[0], when, "Start", parents=[],
                                  changes=first))
        elif mark % 100 == 0 and mark + 1 < commits:  # a side commit, then its merge
            path = rng.choice(files["training"])
            stream.append(_commit("refs/heads/feature", mark, rng.choice(PEOPLE), when,
                                  "Try a new head", parents=[head],
                                  changes=[(path, _content(rng, path, mark))]))
            mark += 1
            stream.append(_commit("refs/heads/main", mark, PEOPLE[1], when + 60,
                                  "Merge branch 'feature'", parents=[head, mark - 1], changes=[]))
        elif mark % 60 == 0:
            path = rng.choice(files["params"])
            body = f"Revert \"Tune\"\n\nThis reverts commit {rng.getrandbits(160):040x}.\n"
            stream.append(_commit("refs/heads/main", mark, rng.choice(PEOPLE), when, body,
                                  parents=[head], changes=[(path, _content(rng, path, mark))]))
        elif mark % 25 == 0:
            metrics = f'{{"auc": {rng.random():.4f}}}\n'.encode()
            stream.append(_commit("refs/heads/main", mark, BOT, when, "Update metrics",
                                  parents=[head], changes=[("metrics.json", metrics)]))
        else:
            chosen = {rng.choice(files[rng.choice(kinds)]) for _ in range(rng.randint(1, 4))}
            changes = [(p, _content(rng, p, mark)) for p in sorted(chosen)]
            subject = f"Change {', '.join(p.rsplit('/', 1)[-1] for p in sorted(chosen))}"
            stream.append(_commit("refs/heads/main", mark, rng.choice(PEOPLE), when, subject,
                                  parents=[head], changes=changes))
        head = mark
        if mark // 500 > tags:
            tags = mark // 500
            tag = f"v{tags}".encode()
            stream.append(b"tag " + tag + f"\nfrom :{mark}\ntagger {PEOPLE[0]} {when} +0000\n"
                          f"data 7\nrelease\n".encode())
    subprocess.run(["git", "init", "-q", "-b", "main", str(root)], check=True)
    subprocess.run(["git", "-C", str(root), "fast-import", "--quiet"], input=b"".join(stream),
                   check=True)


def ensure(root: Path, commits: int) -> None:
    """Build the repository unless the one in ``root`` was built with these settings."""
    marker = root / ".git" / "bench-history-mining"
    wanted = f"commits={commits} seed=23 v2"
    if marker.is_file() and marker.read_text(encoding="utf-8") == wanted:
        return
    shutil.rmtree(root, ignore_errors=True)
    root.parent.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    build(root, commits)
    marker.write_text(wanted, encoding="utf-8")
    print(f"built {root} in {time.perf_counter() - start:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--commits", type=int, default=20_000)
    parser.add_argument("--dir", type=Path, default=None)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    root = args.dir or HERE / "out" / f"history-mining-{args.commits}"
    ensure(root, args.commits)

    from mlkaizen.evidence.sources.githistory import read_history

    since = START
    until = START + dt.timedelta(seconds=STEP * (args.commits + 10))
    times: list[float] = []
    facts = None
    for _ in range(args.repeat):
        start = time.perf_counter()
        facts = read_history(root, since, until)
        times.append(time.perf_counter() - start)
    assert facts is not None
    wall = statistics.median(times)
    kinds: dict[str, int] = {}
    for c in facts.commits:
        for k in c.kinds:
            kinds[k.value] = kinds.get(k.value, 0) + 1
    print(f"read_history over {facts.commits_total:,} commits: {wall:.2f} s median of "
          f"{args.repeat} (runs: {', '.join(f'{t:.2f}' for t in times)}); target <= "
          f"{TARGET_S:g} s: {'met' if wall <= TARGET_S else 'NOT met'}")
    print(f"  kept {len(facts.commits):,} commits, {len(facts.tags)} tags, "
          f"{sum(c.reverts is not None for c in facts.commits)} reverts, "
          f"{sum(c.automation for c in facts.commits)} by automation; "
          f"kinds {dict(sorted(kinds.items()))}")
    git = subprocess.run(["git", "version"], capture_output=True, text=True, check=False)
    print(f"machine: {platform.machine()} {os.cpu_count()} cores, Python "
          f"{platform.python_version()}, {platform.system()} {platform.release()}, "
          f"{git.stdout.strip()}")
    print(f"command: python {' '.join(sys.argv)}")


if __name__ == "__main__":
    main()
