"""A fleet run built in a store through the store's own state machine, with real
assessments of tiny repositories: two done (one a monorepo, one below its target and down
from its previous assessment), one failed for good, one waiting for a retry, one running,
one not started; a controller that gave a heartbeat 5 s ago."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import yaml

from mlkaizen.catalogues import load_catalogue
from mlkaizen.evidence.limits import ScanLimits
from mlkaizen.fleet.job import scan_entry
from mlkaizen.fleet.manifest import Entry
from mlkaizen.fleet.options import FleetOptions
from mlkaizen.store import open_store
from mlkaizen.store.db import Store
from mlkaizen.store.fleet import (
    StoredSubject,
    claim,
    complete,
    create_run,
    fail,
    heartbeat,
    jobs,
    take_controller,
)
from mlkaizen.store.records import save
from tests.conftest import write_tree

T0 = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC)
LEASE = dt.timedelta(minutes=12)
CONTROLLER = "ci-host:4242"

# a team name and a failure reason with markup, a quote and a line break in them
TEAM = 'ml<b>"ops"\nteam'
REASON = 'git clone failed: <b>"denied"</b>\nfatal: <script>alert(1)</script>'

TRACKED = (
    "import mlflow\nimport sklearn\nmlflow.start_run()\nmlflow.log_metric('auc', 0.9)\n"
)
PLAIN = "import torch\nmodel = torch.nn.Linear(2, 1)\n"
MONOREPO = {
    "services/churn/requirements.txt": "scikit-learn==1.5.0\nmlflow==2.16.0\n",
    "services/churn/train.py": TRACKED,
    "services/vision/pyproject.toml": "[project]\nname = 'vision'\n",
    "services/vision/model.py": PLAIN,
}


def at(seconds: float) -> dt.datetime:
    return T0 + dt.timedelta(seconds=seconds)


def attested(level: int) -> str:
    """A ``.mlkaizen.yaml`` attesting every practice up to ``level``: a stage above Ad hoc
    for a repository of one file."""
    cat = load_catalogue(None)
    return yaml.safe_dump({"attest": {
        p.id: {"answer": "yes", "by": "lead", "date": "2026-11-01"}
        for p in cat.practices if p.level <= level
    }})


@dataclass
class Built:
    store: Store
    run_id: int
    root: Path
    entries: list[Entry]


def entry(root: Path, name: str, **fields: str) -> Entry:
    return Entry(location=str(root / name), kind="path", line=0, **fields)


def build_run(tmp_path: Path) -> Built:
    root = tmp_path / "repos"
    write_tree(root / "alpha", {"train.py": "import pandas\n"})
    write_tree(root / "mono", MONOREPO)
    # alpha's previous assessment: the same folder when it attested level 1 (Manual MLOps)
    write_tree(root / "alpha-before", {"train.py": "import pandas\n",
                                       ".mlkaizen.yaml": attested(1)})
    entries = [
        entry(root, "alpha", team="risk", target="Manual MLOps"),
        entry(root, "mono", team=TEAM, target="Kaizen"),  # not a stage name
        entry(root, "gamma"),
        entry(root, "delta", ref="main"),
        entry(root, "eps"),
        entry(root, "zeta", team="risk"),
    ]
    store = open_store(f"sqlite:///{tmp_path / 'fleet.db'}")
    options = FleetOptions(cache=str(tmp_path / "cache"))
    run_id = create_run(store, "repos.txt", [e.model_dump(mode="json") for e in entries],
                        executor="local", options=options.stored(),
                        problems=["repos.txt:7: ftp://example.org/x.git: refused scheme <ftp>"],
                        now=T0)
    cat = load_catalogue(None)
    from mlkaizen.api import assess

    before = assess(root / "alpha-before", catalogue=cat)
    assert before.stage_index == 3
    save(store, before, key=entries[0].key, name="alpha", now=T0 - dt.timedelta(days=7))

    ids = [j.id for j in jobs(store, run_id)]
    take_controller(store, run_id, CONTROLLER, stale_after=dt.timedelta(seconds=60), now=at(5))
    for n, when in ((0, 10), (1, 10), (2, 20), (3, 30)):
        assert claim(store, ids[n], "w1", lease=LEASE, now=at(when)) is not None

    def scanned(e: Entry) -> list[StoredSubject]:
        return scan_entry(e, cache=tmp_path / "cache", catalogue=cat,
                          limits=ScanLimits()).subjects

    assert complete(store, ids[0], scanned(entries[0]), seconds=30.0, now=at(40))
    assert complete(store, ids[1], scanned(entries[1]), seconds=60.0, now=at(70))
    assert fail(store, ids[2], "w1", REASON, retry_at=None, now=at(21)) == "failed"
    assert fail(store, ids[3], "w1", "over its time limit of 600 s",
                retry_at=at(300), now=at(35)) == "pending"
    assert claim(store, ids[4], "w2", lease=LEASE, now=at(80)) is not None
    heartbeat(store, run_id, CONTROLLER, now=at(115))
    return Built(store, run_id, root, entries)
