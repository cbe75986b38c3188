"""Benchmark of the server: an organisation of ``--subjects`` subjects with
``--assessments`` stored assessments each (the bundled example's real report, with its
practice rows and a few plan items), served by uvicorn on loopback, then

* the portfolio page: ``--pages`` sequential requests, signed in; the server-side time of
  each (its ``Server-Timing`` header) and the client's, p50 / p95 / max;
* ``GET /api/v1/assessments/{id}`` with an API token, random ids: requests per second with
  ``wrk`` (Debian's package) when installed, else a Python load generator (processes of
  keep-alive clients), for ``--seconds``.

    python bench/bench_server.py [--db URL] [--subjects 1000] [--assessments 20]
                                 [--workers 2] [--pages 200] [--seconds 10]

Without ``--db`` a SQLite file in a temporary folder is used; give a PostgreSQL URL
(``postgresql+psycopg://...``) to measure that. The figures go in BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
ORG = "bench"


def factory() -> Any:
    """uvicorn's ``--factory`` entry: the application on the store in ``MLKAIZEN_DB``."""
    from mlkaizen.server.app import create_app
    from mlkaizen.store.db import open_store

    return create_app(open_store(os.environ["MLKAIZEN_DB"], migrate=False))


def seed(url: str, subjects: int, per_subject: int) -> tuple[str, str, int]:
    """Fill the store; returns (session id, API token, number of assessments)."""
    from sqlalchemy import insert

    from mlkaizen.api import assess
    from mlkaizen.server.auth import hash_password, new_session_id, new_token_secret
    from mlkaizen.store import accounts
    from mlkaizen.store.db import open_store
    from mlkaizen.store.snapshots import snapshot_of
    from mlkaizen.store.tables import AssessmentRow, PlanRow, PracticeRow, SubjectRow

    store = open_store(url)
    org, _ = accounts.ensure_org(store, ORG)
    user, _ = accounts.add_user(store, "bench", hash_password("bench password"),
                                must_change=False)
    accounts.grant(store, user.id, org.id, "admin")
    session_id = new_session_id()
    accounts.add_session(store, user.id, session_id, "csrf", dt.timedelta(hours=2))
    token = new_token_secret()
    accounts.add_token(store, org.id, "bench", token, "viewer")

    a = assess(ROOT / "examples" / "churn-prediction")
    report = a.model_dump(mode="json")
    snap = snapshot_of(a, "seed")
    stages = ["Ad hoc", "DataOps", "Manual MLOps"]
    rng = random.Random(7)
    now = dt.datetime.now(dt.UTC)
    teams = [f"team-{i}" for i in range(12)]
    with store.engine.begin() as conn:
        conn.execute(insert(SubjectRow), [
            {"org_id": org.id, "key": f"github.com/acme/repo-{i:04d}",
             "name": f"repo-{i:04d}", "created_at": now - dt.timedelta(days=400),
             "team": rng.choice(teams), "target": rng.choice(stages[1:])}
            for i in range(subjects)
        ])
    from sqlalchemy import select

    with store.engine.connect() as conn:
        ids = [r[0] for r in conn.execute(
            select(SubjectRow.id).where(SubjectRow.org_id == org.id).order_by(SubjectRow.id))]
    total = 0
    for chunk in range(0, len(ids), 50):
        rows, practices, plans = [], [], []
        for sid in ids[chunk:chunk + 50]:
            for k in range(per_subject):
                index = min(3, 1 + k * 3 // per_subject)
                rows.append({
                    "subject_id": sid, "origin": "assess",
                    "created_at": now - dt.timedelta(days=7 * (per_subject - k)),
                    "stage": stages[index - 1], "stage_index": index,
                    "levels": {d: min(3, rng.randint(0, index)) for d in snap.levels},
                    "catalogue_id": a.catalogue["id"],
                    "catalogue_version": a.catalogue["version"],
                    "tool_version": a.tool_version, "report": report,
                })
            plans.append({"subject_id": sid, "practice": "model.registry", "owner": "ann",
                          "due": (now + dt.timedelta(days=rng.randint(-20, 40))).date(),
                          "note": "", "created_at": now, "status": "open"})
        with store.engine.begin() as conn:
            result = conn.execute(insert(AssessmentRow).returning(AssessmentRow.id), rows)
            new_ids = [r[0] for r in result]
            for aid in new_ids:
                practices.extend(
                    {"assessment_id": aid, "practice": pid, "state": p.state,
                     "source": p.source, "satisfied": p.satisfied, "evidence": p.evidence,
                     "attested_by": p.attested_by}
                    for pid, p in snap.practices.items()
                )
            conn.execute(insert(PracticeRow), practices)
            conn.execute(insert(PlanRow), plans)
        total += len(rows)
    store.close()
    return session_id, token, total


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(url: str, workers: int) -> tuple[subprocess.Popen[bytes], str]:
    import httpx

    port = free_port()
    env = {**os.environ, "MLKAIZEN_DB": url}
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "bench_server:factory", "--factory",
         "--app-dir", str(Path(__file__).parent), "--host", "127.0.0.1", "--port", str(port),
         "--workers", str(workers), "--log-level", "warning", "--no-access-log"],
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            httpx.get(base + "/healthz", timeout=2)
            return proc, base
        except httpx.TransportError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("the server did not start")


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def portfolio(base: str, session_id: str, pages: int) -> dict[str, float]:
    import httpx

    server, client = [], []
    with httpx.Client(base_url=base, cookies={"mlkaizen_session": session_id}) as c:
        first = c.get(f"/orgs/{ORG}/portfolio")
        if first.status_code != 200:
            raise SystemExit(f"portfolio page: HTTP {first.status_code}")
        rows = first.text.count("<tr")
        for _ in range(pages):
            t0 = time.perf_counter()
            r = c.get(f"/orgs/{ORG}/portfolio")
            client.append((time.perf_counter() - t0) * 1000)
            found = re.search(r"app;dur=([\d.]+)", r.headers.get("server-timing", ""))
            if found:
                server.append(float(found.group(1)))
    out = {"rows": rows, "client_p50": pct(client, 0.5), "client_p95": pct(client, 0.95),
           "client_max": max(client), "bytes": len(first.content)}
    if server:
        out |= {"server_p50": pct(server, 0.5), "server_p95": pct(server, 0.95),
                "server_max": max(server)}
    return out


WRK_SCRIPT = """
math.randomseed(7)
request = function()
  local path = "/api/v1/assessments/" .. math.random(1, %d)
  return wrk.format("GET", path, {["Authorization"] = "Bearer %s"})
end
"""


def _load(args: tuple[str, str, int, float]) -> tuple[int, int]:
    import httpx

    base, token, n, seconds = args
    rng = random.Random(os.getpid())
    ok = bad = 0
    end = time.monotonic() + seconds
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}) as c:
        while time.monotonic() < end:
            r = c.get(f"/api/v1/assessments/{rng.randint(1, n)}")
            ok, bad = (ok + 1, bad) if r.status_code == 200 else (ok, bad + 1)
    return ok, bad


def throughput(base: str, token: str, n: int, seconds: float) -> dict[str, Any]:
    wrk = shutil.which("wrk")
    if wrk:
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
            f.write(WRK_SCRIPT % (n, token))
        out = subprocess.run([wrk, "-t2", "-c16", f"-d{int(seconds)}s", "-s", f.name, base],
                             capture_output=True, text=True, check=True).stdout
        os.unlink(f.name)
        rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
        errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
        latency = re.search(r"Latency\s+(\S+)", out)
        return {"generator": "wrk -t2 -c16", "rps": rps,
                "non_2xx": int(errors.group(1)) if errors else 0,
                "mean_latency": latency.group(1) if latency else "?"}
    procs = 4
    with multiprocessing.Pool(procs) as pool:
        t0 = time.perf_counter()
        results = pool.map(_load, [(base, token, n, seconds)] * procs)
        took = time.perf_counter() - t0
    ok = sum(r[0] for r in results)
    return {"generator": f"python, {procs} processes", "rps": ok / took,
            "non_2xx": sum(r[1] for r in results)}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--db")
    p.add_argument("--subjects", type=int, default=1000)
    p.add_argument("--assessments", type=int, default=20)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--pages", type=int, default=200)
    p.add_argument("--seconds", type=float, default=10)
    args = p.parse_args()
    tmp = tempfile.mkdtemp(prefix="mlk-bench-server-")
    url = args.db or f"sqlite:///{Path(tmp) / 'store.db'}"
    t0 = time.perf_counter()
    session_id, token, n = seed(url, args.subjects, args.assessments)
    seeded = time.perf_counter() - t0
    proc, base = start(url, args.workers)
    try:
        page = portfolio(base, session_id, args.pages)
        api = throughput(base, token, n, args.seconds)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        shutil.rmtree(tmp, ignore_errors=True)
    backend = url.split(":", 1)[0]
    print(json.dumps({
        "store": backend, "subjects": args.subjects, "assessments": n,
        "seed_seconds": round(seeded, 1), "workers": args.workers, "cores": os.cpu_count(),
        "portfolio_page_ms": {k: round(v, 1) for k, v in page.items()},
        "get_assessment": {k: (round(v, 1) if isinstance(v, float) else v)
                           for k, v in api.items()},
    }, indent=2))


if __name__ == "__main__":
    main()
