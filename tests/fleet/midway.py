"""What the kill and interrupt tests share: watching the store a `fleet scan` subprocess
writes, and signalling it once some of its jobs are done."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

from mlkaizen.errors import MLKaizenError
from mlkaizen.store import open_store
from mlkaizen.store.db import Store
from mlkaizen.store.fleet import DONE, latest_run, run_info


def signal_when_done(proc: subprocess.Popen[str] | subprocess.Popen[bytes], url: str,
                     db: Path, done: int, signum: int) -> tuple[Store | None, bool]:
    """Poll the store at ``url`` (the file ``db``) until ``done`` jobs of the newest run are
    done, then send ``signum`` to ``proc``. The store, and whether the signal was sent
    (``False``: the scan ended first)."""
    store = None
    while proc.poll() is None:
        time.sleep(0.05)
        if store is None:
            if not db.exists():
                continue
            store = open_store(url, migrate=False)
        try:
            run_id = latest_run(store)
            if run_id is None:
                continue
            ended = run_info(store, run_id).counts[DONE]
        except MLKaizenError:  # the store is being created: its tables are not there yet
            continue
        if ended >= done:
            os.kill(proc.pid, signum)
            return store, True
    return store, False
