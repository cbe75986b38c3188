"""Long-run fuzzing of every parser entry point: a small mutational fuzzer.

    python bench/fuzz.py [--inputs 1000000] [--workers 2] [--seed 0]

Seeds are real files of the bundled example plus generated YAML/JSON/TOML documents; each
input is a seed with a few random edits (token insertions from a dictionary of hostile
snippets, deletions, duplications, byte-level noise, splices of two seeds). Each entry point
may return or raise its one documented error. Anything else is a crash: it is counted, and
the input is saved under ``bench/out/crashes/`` to become a regression test. Inputs that take
longer than 2 s are reported as slow.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import random
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
EXAMPLE = HERE.parent / "examples" / "churn-prediction"
CRASHES = HERE / "out" / "crashes"
TOKENS = ["&a ", "*a", "<<: *a", "[", "]", "{", "}", "\\", '"', "'", "\n", "\t", ": ", "- ",
          "!!python/object/apply:os.system ['x']", "%YAML 1.1\n", "---\n", "\x00", "\\\n",
          "import ", "from . import x\n", "(", ")" * 30, "RUN ", "FROM ", "==", ">=", "@", ";",
          "**/", "!", "#", "=", "[[", "]]", "\"\"\"", "\r\n", "\ufeff", "€", "\U0001f600",
          "a: &x [*x]\n", "${{ x }}", "{{ y }}", "cells", '"source": [', "schedule:", "cron:"]
# weights: the fast text parsers get most inputs; file-backed ones (config, catalogue) fewer
WEIGHTS = {"yaml": 14, "ci": 10, "json": 12, "toml": 10, "notebook": 8, "python": 10,
           "imports": 6, "dockerfile": 8, "requirements": 8, "makefile": 6, "gitignore": 6,
           "config": 1, "catalogue": 1}


def seeds() -> list[str]:
    out = []
    for path in sorted(EXAMPLE.rglob("*")):
        if path.is_file() and path.stat().st_size < 200_000:
            try:
                out.append(path.read_text(encoding="utf-8"))
            except UnicodeDecodeError:
                continue
    out += ['{"cells": [{"cell_type": "code", "source": ["import mlflow\\n"]}]}',
            "[project]\nname = 'x'\ndependencies = ['a==1']\n[tool.mlkaizen]\nscope = 'x'\n",
            "attest:\n  data.access-control: {answer: yes, by: a, date: 2026-01-01}\n",
            "*.log\n!keep.log\nbuild/\n**/tmp\n",
            "stages:\n  train:\n    cmd: python train.py\n    outs: [m.pkl]\n"]
    return out


def mutate(rng: random.Random, text: str, pool: list[str]) -> str:
    for _ in range(rng.randint(1, 6)):
        op = rng.random()
        at = rng.randint(0, len(text))
        if op < 0.45:
            text = text[:at] + rng.choice(TOKENS) + text[at:]
        elif op < 0.6:
            text = text[:at] + text[at + rng.randint(1, 20):]
        elif op < 0.7:
            chunk = text[at:at + rng.randint(1, 80)]
            text = text[:at] + chunk * rng.randint(2, 20) + text[at:]
        elif op < 0.85:
            code = rng.choice([rng.randint(0, 0x2FF), 0xDCFF, 0xD800, 0xFFFE, 0x10FFFF, 0x202E])
            text = text[:at] + chr(code) + text[at + 1:]
        else:
            other = rng.choice(pool)
            cut = rng.randint(0, len(other))
            text = text[:at] + other[cut:cut + rng.randint(1, 400)]
    return text[:200_000]


def worker(args: tuple[int, int]) -> dict[str, object]:
    from mlkaizen.evidence.budget import ParseTimeoutError, time_budget
    from mlkaizen.evidence.parse.entrypoints import ENTRYPOINTS

    worker_id, count = args
    rng = random.Random(worker_id)
    pool = seeds()
    names = list(WEIGHTS)
    weights = [WEIGHTS[n] for n in names]
    per_parser = dict.fromkeys(names, 0)
    crashes = 0
    slow = 0
    for i in range(count):
        name = rng.choices(names, weights)[0]
        text = mutate(rng, rng.choice(pool), pool)
        parse, allowed = ENTRYPOINTS[name]
        per_parser[name] += 1
        try:
            with time_budget(2.0):
                parse(text)
        except ParseTimeoutError:
            slow += 1
        except allowed:
            pass
        except Exception:
            crashes += 1
            CRASHES.mkdir(parents=True, exist_ok=True)
            stem = CRASHES / f"{name}-{worker_id}-{i}"
            stem.with_suffix(".txt").write_text(text, encoding="utf-8", errors="surrogatepass")
            stem.with_suffix(".trace").write_text(traceback.format_exc())
    return {"per_parser": per_parser, "crashes": crashes, "slow": slow}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--inputs", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--chunk", type=int, default=25_000)
    args = parser.parse_args()
    chunks = [(i, args.chunk) for i in range(args.inputs // args.chunk)]
    start = time.perf_counter()
    totals: dict[str, int] = dict.fromkeys(WEIGHTS, 0)
    crashes = slow = 0
    with mp.Pool(args.workers) as pool:
        for done, result in enumerate(pool.imap_unordered(worker, chunks), start=1):
            for name, n in result["per_parser"].items():  # type: ignore[union-attr]
                totals[name] += n
            crashes += result["crashes"]  # type: ignore[operator]
            slow += result["slow"]  # type: ignore[operator]
            print(f"\r{done * args.chunk:,} inputs, {crashes} crashes, {slow} slow",
                  end="", flush=True)
    elapsed = time.perf_counter() - start
    print()
    print(json.dumps({"inputs": sum(totals.values()), "crashes": crashes, "slow": slow,
                      "seconds": round(elapsed, 1), "per_parser": totals}, indent=2))


if __name__ == "__main__":
    main()
