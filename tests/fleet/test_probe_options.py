"""Fleet options a careless user (or a hand-edited store) may give: an endless or
not-a-number time limit is refused at once, before any run is made (such a job could never
be leased, so the controller would hand it out forever)."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from mlkaizen.fleet.options import MAX_BACKOFF, MAX_TIMEOUT, FleetOptions
from tests.conftest import write_tree


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mlkaizen", *args], capture_output=True,
                          text=True, check=False)


@pytest.mark.parametrize("value", [math.inf, math.nan, MAX_TIMEOUT + 1, 0.0])
def test_a_time_limit_that_is_endless_or_not_a_number_is_refused(value: float) -> None:
    with pytest.raises(ValidationError):
        FleetOptions(timeout=value)


@pytest.mark.parametrize("value", [math.inf, math.nan])
def test_a_retry_delay_that_is_endless_or_not_a_number_is_refused(value: float) -> None:
    with pytest.raises(ValidationError):
        FleetOptions(retry_delay=value)


def test_the_longest_time_limit_and_delay_still_stand() -> None:
    """Near misses: the bounds themselves are allowed."""
    options = FleetOptions(timeout=MAX_TIMEOUT, retry_delay=MAX_BACKOFF)
    assert (options.timeout, options.retry_delay) == (MAX_TIMEOUT, MAX_BACKOFF)
    assert options.backoff(3, 0.0) == MAX_BACKOFF


@pytest.mark.parametrize(("option", "value"), [
    ("--timeout", "inf"), ("--timeout", "1e9"), ("--retry-delay", "inf"),
])
def test_fleet_scan_refuses_an_endless_limit_in_one_line_and_makes_no_run(
    tmp_path: Path, option: str, value: str
) -> None:
    repo = write_tree(tmp_path / "repo", {"train.py": "import pandas\n"})
    manifest = tmp_path / "repos.txt"
    manifest.write_text(f"{repo}\n", encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'store.db'}"
    proc = cli("fleet", "scan", str(manifest), option, value, "--db", db, "-q")
    assert proc.returncode == 2, proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert proc.stderr.startswith(f"mlkaizen: error: Invalid value for '{option}'")
    assert not (tmp_path / "store.db").exists()
