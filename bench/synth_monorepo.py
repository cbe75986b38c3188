"""Generate a synthetic 50,000-file monorepo with several ML projects inside.

Deterministic (seeded). Composition, roughly as a real ML monorepo: shared Python libraries,
eight ML projects (pipelines, training, serving, CI), Go and TypeScript services, a frontend,
docs, notebooks, configs, and many data and image files (which dominate the bytes).

    python bench/synth_monorepo.py OUT [--files 50000] [--no-git]
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
from pathlib import Path

LIB_PY = '''"""Shared helpers for {name}."""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass

import numpy as np
import pandas as pd

log = logging.getLogger(__name__)


@dataclass
class {cls}Config:
    path: str = os.environ.get("{env}", "/data/{name}")
    batch: int = {batch}


def load_{name}(cfg: {cls}Config) -> pd.DataFrame:
    frame = pd.read_parquet(cfg.path)
    frame["score"] = np.log1p(frame["value"].clip(lower=0))
    log.info("loaded %d rows", len(frame))
    return frame


def summarise_{name}(frame: pd.DataFrame) -> dict[str, float]:
    return {{"mean": float(frame["score"].mean()), "p95": float(frame["score"].quantile(0.95))}}
''' + "\n".join(f"\n\ndef helper_{i}(x: float) -> float:\n    return x * {i} + 1.0\n"
                 for i in range(25))

TRAIN = '''import mlflow
import numpy as np
import pandas as pd
from sklearn.ensemble import RandomForestClassifier

np.random.seed(7)


def main() -> None:
    frame = pd.read_parquet("data/train.parquet")
    with mlflow.start_run():
        model = RandomForestClassifier(n_estimators=200, random_state=7)
        model.fit(frame.drop(columns="y"), frame["y"])
        mlflow.log_metric("train_rows", len(frame))
        mlflow.sklearn.log_model(model, "model", registered_model_name="{name}")


if __name__ == "__main__":
    main()
'''
SERVE = '''import joblib
from fastapi import FastAPI
from prometheus_client import Counter

REQUESTS = Counter("requests", "scored requests")
model = joblib.load("model.joblib")
app = FastAPI()


@app.post("/predict")
def predict(row: dict) -> dict:
    REQUESTS.inc()
    return {{"score": float(model.predict_proba([list(row.values())])[0, 1])}}
'''
DVC = '''stages:
  ingest:
    cmd: python src/ingest.py
    outs: [data/raw.parquet]
  validate_data:
    cmd: python src/validate.py
  train:
    cmd: python src/train.py
    outs: [model.joblib]
'''
CI = '''name: {name}
on:
  push:
    paths: ["projects/{name}/**"]
  schedule:
    - cron: "0 4 * * 1"
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: pip install -r projects/{name}/requirements.txt
      - run: pytest projects/{name}/tests
      - run: cd projects/{name} && dvc repro
'''
GO = '''package {pkg}

import (
\t"fmt"
\t"net/http"
)

func Handler{i}(w http.ResponseWriter, r *http.Request) {{
\tfmt.Fprintf(w, "ok {i}")
}}
'''
TS = '''import {{ useState }} from "react";

export function Widget{i}(props: {{ label: string }}) {{
  const [n, setN] = useState({i});
  return <button onClick={{() => setN(n + 1)}}>{{props.label}} {{n}}</button>;
}}
'''
NOTEBOOK = ('{{"cells": [{{"cell_type": "code", "metadata": {{}}, "outputs": [{{"output_type": '
            '"stream", "name": "stdout", "text": ["{out}"]}}], "source": ["import pandas as pd\\n",'
            ' "df = pd.read_csv(\'x.csv\')\\n", "df.describe()\\n"]}}], "metadata": {{}}, '
            '"nbformat": 4, "nbformat_minor": 5}}')


def generate(out: Path, total: int, seed: int = 0) -> int:
    rng = random.Random(seed)
    count = 0

    def write(rel: str, data: str | bytes) -> None:
        nonlocal count
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data)
        count += 1

    projects = ["churn", "fraud", "ranking", "forecast", "ocr", "pricing", "nlp-intent", "recsys"]
    for name in projects:
        base = f"projects/{name}"
        write(f"{base}/src/train.py", TRAIN.format(name=name))
        write(f"{base}/src/serve.py", SERVE.format())
        write(f"{base}/src/ingest.py", "import pandas as pd\n\npd.read_csv('s3://x')\n")
        write(f"{base}/dvc.yaml", DVC)
        write(f"{base}/params.yaml", "seed: 7\nn_estimators: 200\n")
        write(f"{base}/requirements.txt", "pandas==2.2.3\nscikit-learn==1.5.2\nmlflow==2.17.2\n")
        write(f"{base}/Dockerfile", "FROM python:3.11\nCOPY . /app\nCMD [\"uvicorn\", \"src.serve:app\"]\n")
        write(f"{base}/tests/test_model.py", "def test_model():\n    assert True\n")
        write(f".github/workflows/{name}.yml", CI.format(name=name))
        write(f"{base}/data/raw.parquet.dvc", "outs:\n- md5: 0\n  path: raw.parquet\n")
        write(f"{base}/README.md", f"# {name}\n\n## Model card\n\nIntended use: internal.\n")
    write(".github/CODEOWNERS", "".join(f"/projects/{p}/ @team-{p}\n" for p in projects))
    write("CONTRIBUTING.md", "# Contributing\n")
    weights = [("lib", 0.07), ("go", 0.06), ("ts", 0.12), ("md", 0.04), ("nb", 0.006),
               ("yaml", 0.04), ("json", 0.04), ("csv", 0.16), ("img", 0.45), ("bin", 0.014)]
    kinds = [k for k, _ in weights]
    probs = [w for _, w in weights]
    i = 0
    while count < total:
        i += 1
        kind = rng.choices(kinds, probs)[0]
        team = rng.choice(["core", "growth", "risk", "search", "platform", "vision"])
        if kind == "lib":
            name = f"mod{i}"
            write(f"libs/{team}/{team}_lib/{name}.py",
                  LIB_PY.format(name=name, cls=name.capitalize(), env=name.upper(),
                                batch=rng.randint(8, 512)))
        elif kind == "go":
            write(f"services/{team}/handler{i}.go", GO.format(pkg=team, i=i))
        elif kind == "ts":
            write(f"frontend/src/{team}/Widget{i}.tsx", TS.format(i=i))
        elif kind == "md":
            write(f"docs/{team}/page{i}.md", f"# Page {i}\n\n" + "Lorem ipsum dolor. " * 60)
        elif kind == "nb":
            write(f"notebooks/{team}/explore{i}.ipynb",
                  NOTEBOOK.format(out="x" * rng.randint(2_000, 30_000)))
        elif kind == "yaml":
            write(f"deploy/{team}/svc{i}.yaml",
                  f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg{i}\ndata:\n"
                  f"  level: info\n")
        elif kind == "json":
            write(f"frontend/locales/{team}/strings{i}.json", '{"hello": "world"}' * 50)
        elif kind == "csv":
            rows = "\n".join(f"{j},{rng.random():.6f},{rng.randint(0, 9)}"
                             for j in range(rng.randint(300, 1_500)))
            write(f"data/{team}/samples/part{i}.csv", "id,x,y\n" + rows)
        elif kind == "img":
            write(f"assets/{team}/images/img{i}.png",
                  b"\x89PNG\r\n\x1a\n" + os.urandom(rng.randint(8_000, 40_000)))
        else:
            write(f"models/{team}/weights{i}.bin", os.urandom(rng.randint(50_000, 400_000)))
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path)
    parser.add_argument("--files", type=int, default=50_000)
    parser.add_argument("--no-git", action="store_true")
    args = parser.parse_args()
    if args.out.exists() and any(args.out.iterdir()):
        raise SystemExit(f"{args.out} exists and is not empty")
    n = generate(args.out, args.files)
    if not args.no_git:
        subprocess.run(["git", "init", "-q", str(args.out)], check=True)
        subprocess.run(["git", "-C", str(args.out), "add", "-A"], check=True)
        subprocess.run(["git", "-C", str(args.out), "-c", "user.name=bench", "-c",
                        "user.email=bench@example.invalid", "commit", "-qm", "synthetic"],
                       check=True)
    print(f"wrote {n} files to {args.out}")


if __name__ == "__main__":
    main()
