"""``MLKAIZEN_PROFILE``: the phase timings of a run go to a file, and the report is unchanged.
(The figures themselves are measurements for bench/, never asserted.)"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import EXAMPLE


def _assess(out: Path, **env: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "mlkaizen", "assess", str(EXAMPLE), "-f",
                           "json", "-q", "-o", str(out)], env={**os.environ, **env},
                          capture_output=True, check=False)


def test_profile_file_has_the_phases_and_the_report_is_the_same(tmp_path: Path) -> None:
    plain, profiled, prof = tmp_path / "a.json", tmp_path / "b.json", tmp_path / "p.json"
    assert _assess(plain).returncode == 0
    assert not prof.exists()
    run = _assess(profiled, MLKAIZEN_PROFILE=str(prof))
    assert (run.returncode, run.stderr) == (0, b"")
    data = json.loads(prof.read_text())
    assert set(data) == {"total_s", "listing_s", "parsing_s", "detectors_s", "detectors"}
    assert data["listing_s"] > 0 and data["parsing_s"] > 0 and data["detectors_s"] > 0
    report = json.loads(profiled.read_text())
    assert len(data["detectors"]) == report["scan"]["detectors_run"]
    strip = lambda r: {k: v for k, v in json.loads(r.read_text()).items()  # noqa: E731
                       if k not in {"generated_at"}}
    assert strip(plain) == strip(profiled)


def test_unwritable_profile_file_is_not_an_error(tmp_path: Path) -> None:
    run = _assess(tmp_path / "r.json", MLKAIZEN_PROFILE=str(tmp_path / "no" / "such" / "p"))
    assert (run.returncode, run.stderr) == (0, b"")


def test_a_profile_file_linked_out_of_the_working_folder_is_not_followed(tmp_path: Path
                                                                         ) -> None:
    checkout, victim = tmp_path / "checkout", tmp_path / "victim.txt"
    checkout.mkdir()
    victim.write_text("keep me\n")
    (checkout / "profile.json").symlink_to(victim)
    run = subprocess.run([sys.executable, "-m", "mlkaizen", "assess", str(EXAMPLE), "-f", "json",
                          "-q", "-o", str(tmp_path / "r.json")], cwd=checkout,
                         env={**os.environ, "MLKAIZEN_PROFILE": "profile.json"},
                         capture_output=True, text=True, check=False)
    assert run.returncode == 0
    assert run.stderr.startswith("mlkaizen: warning: profile not written: ")
    assert run.stderr.count("\n") == 1 and "is a symbolic link" in run.stderr
    assert victim.read_text() == "keep me\n"
