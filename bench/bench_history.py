"""Benchmarks of the Kaizen loop: replaying a git history and listing a large store.

    python bench/bench_history.py history [--points 100] [--files 1000]
    python bench/bench_history.py log [--rows 10000]

``history`` builds (seeded, with ``git fast-import``) a repository of about ``--files`` files
shaped like an ML project (training code with MLflow, pipelines, CI, Docker, tests, docs)
with one commit a month for ``--points`` months, each changing a few percent of the files
and adding or removing practices now and then; then replays it monthly, cold (empty cache)
and warm (the same process again, cache kept), then as a second command would (a new blob
cache, the on-disk parse cache kept), and prints wall times and the files read and parsed
per point. ``log`` stores ``--rows`` assessments of one subject in a SQLite store and
times ``log`` (the query, and the whole `mlkaizen log` command).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PRACTICE_FILES = {
    ".github/workflows/ci.yml": "on: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n"
    "    steps:\n      - run: pytest\n",
    "Dockerfile": "FROM python:3.11\nCOPY . /app\n",
    "dvc.yaml": "stages:\n  train:\n    cmd: python src/train.py\n    deps: [data]\n",
    "MODEL_CARD.md": "# Model card\n\n## Intended use\n",
    "CODEOWNERS": "* @team\n",
}


def _module(rng: random.Random, i: int, rev: int) -> str:
    body = "\n".join(f"def f{j}(x):\n    return x * {rng.randint(1, 99)}\n" for j in range(8))
    return f'"""Module {i} revision {rev}."""\nimport numpy as np\n\n{body}'


def build(root: Path, points: int, files: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    tree: dict[str, str] = {}
    for i in range(files - 20):
        folder = ("src/pkg", "tests", "notebooks", "docs", "configs")[i % 5]
        name = f"{folder}/m{i}.py" if folder in ("src/pkg", "tests") else f"{folder}/f{i}.md"
        tree[name] = _module(rng, i, 0)
    tree["src/train.py"] = 'import mlflow\nmlflow.log_metric("auc", 0.9)\n'
    tree["requirements.txt"] = "numpy==1.26.4\nmlflow==2.9.2\n"
    start = dt.datetime(2017, 1, 15, 12, tzinfo=dt.UTC)
    stream: list[bytes] = []
    names = sorted(tree)
    for month in range(points):
        if month:
            for name in rng.sample(names, max(1, len(names) // 30)):
                tree[name] = _module(rng, hash(name) % 10_000, month)
            if month % 7 == 0:
                key = rng.choice(sorted(PRACTICE_FILES))
                if key in tree:
                    del tree[key]
                else:
                    tree[key] = PRACTICE_FILES[key]
        when = int((start + dt.timedelta(days=30 * month)).timestamp())
        msg = f"month {month}".encode()
        stream.append(b"commit refs/heads/main\n")
        stream.append(f"author Dev <dev@example.org> {when} +0000\n".encode())
        stream.append(f"committer Dev <dev@example.org> {when} +0000\n".encode())
        stream.append(f"data {len(msg)}\n".encode() + msg + b"\n")
        stream.append(b"deleteall\n")
        for name, text in sorted(tree.items()):
            data = text.encode()
            stream.append(f"M 100644 inline {name}\ndata {len(data)}\n".encode() + data + b"\n")
    subprocess.run(["git", "init", "-q", "-b", "main", str(root)], check=True)
    subprocess.run(["git", "-C", str(root), "fast-import", "--quiet"], input=b"".join(stream),
                   check=True)
    subprocess.run(["git", "-C", str(root), "checkout", "-q", "main"], check=True)


def bench_history(points: int, files: int) -> None:
    import os

    from mlkaizen.evidence import factcache
    from mlkaizen.evidence.gitcommit import BlobCache
    from mlkaizen.history import replay

    with tempfile.TemporaryDirectory() as tmp:
        os.environ["MLKAIZEN_CACHE_DIR"] = str(Path(tmp) / "user-cache")  # empty: cold
        root = Path(tmp) / "repo"
        build(root, points, files)
        cache = BlobCache()
        disk = factcache.configure()
        t = time.perf_counter()
        cold = replay(root, every="month", cache=cache)
        cold_s = time.perf_counter() - t
        t = time.perf_counter()
        warm = replay(root, every="month", cache=cache)
        warm_s = time.perf_counter() - t
        again_disk = factcache.configure()
        t = time.perf_counter()
        again = replay(root, every="month", cache=BlobCache())
        again_s = time.perf_counter() - t
        listed = statistics.median(p.files_listed for p in cold.points)
        read = statistics.median(p.files_read for p in cold.points)
        parsed = statistics.median(p.parses for p in cold.points)
        fetched = statistics.median(p.blobs_read for p in cold.points)
        print(f"points {len(cold.points)}, files listed per point (median) {listed:g}")
        print(f"cold: {cold_s:.2f} s; per point: {read:g} files read, {fetched:g} fetched "
              f"from git, {parsed:g} parsed (medians); commits assessed {cold.commits_assessed}; "
              f"parse cache: {disk.writes} entries written")
        print(f"warm: {warm_s:.2f} s; parsed in the warm run: "
              f"{sum(p.parses for p in warm.points)}; changes found {len(cold.changes)}")
        print(f"second command (new process state, parse cache on disk kept): {again_s:.2f} s; "
              f"parse cache hits {again_disk.hits}, misses {again_disk.misses}, "
              f"same trajectory: {again.points == cold.points}")


def bench_log(rows: int) -> None:
    from mlkaizen.api import assess
    from mlkaizen.store import open_store
    from mlkaizen.store.records import log, save

    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp) / "repo"
        repo.mkdir()
        (repo / "train.py").write_text('import mlflow\nmlflow.log_metric("auc", 1)\n')
        a = assess(repo, sub_projects=False)
        url = f"sqlite:///{Path(tmp) / 'store.db'}"
        store = open_store(url)
        t = time.perf_counter()
        for i in range(rows):
            save(store, a, key=str(repo.resolve()), name="repo", commit=f"{i:040x}",
                 keep_report=False)
        print(f"stored {rows} assessments in {time.perf_counter() - t:.1f} s")
        t = time.perf_counter()
        lines = log(store, str(repo.resolve()))
        print(f"log query: {(time.perf_counter() - t) * 1000:.1f} ms ({len(lines)} shown)")
        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "mlkaizen", "log", str(repo), "--db", url],
                       check=True, capture_output=True)
        print(f"`mlkaizen log` command: {(time.perf_counter() - t) * 1000:.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("what", choices=["history", "log"])
    parser.add_argument("--points", type=int, default=100)
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--rows", type=int, default=10_000)
    args = parser.parse_args()
    if args.what == "history":
        bench_history(args.points, args.files)
    else:
        bench_log(args.rows)


if __name__ == "__main__":
    main()
