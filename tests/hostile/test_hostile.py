"""Every hostile case, scanned by the real CLI in a subprocess, must:

* end with exit 0 or 2 and a clear message, never a traceback;
* open no file outside the scanned root (an audit hook records every open and scandir);
* leave the tree exactly as it was (metadata and content hashes before and after);
* stay within 300 MB peak RSS and a bounded amount of work: no more opens in the root than it
  has regular files, plus ``SPARE_OPENS`` (counted by the audit hook; no wall-clock limit, which
  a loaded machine would break);
* report the problem in a warning (or, for exit 2, on stderr).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.hostile.cases import CASES, Expect

SRC = Path(__file__).resolve().parents[2] / "src"
# a scan reads each file at most once; a few files (config, git metadata) may be opened again
SPARE_OPENS = 20
HARNESS = r'''
import json, os, sys
root, log = os.path.realpath(sys.argv[1]), sys.argv[2]
events = []
def hook(event, args):
    if event == "open" and args and isinstance(args[0], (str, bytes)):
        events.append(("open", os.path.abspath(os.fsdecode(args[0]))))
    elif event in ("os.scandir", "os.listdir") and args and isinstance(args[0], (str, bytes)):
        events.append((event, os.path.abspath(os.fsdecode(args[0]))))
sys.addaudithook(hook)
from mlkaizen.cli import main
try:
    sys.argv = ["mlkaizen", *sys.argv[3:]]
    main()
finally:
    with open(log, "w") as fh:  # import locations (site-packages, editable plugins) may be read
        modules = {os.path.dirname(m.__file__) for m in list(sys.modules.values())
                   if isinstance(getattr(m, "__file__", None), str)}
        json.dump({"events": events, "import_paths": sorted(modules)}, fh)
'''


def snapshot(root: Path) -> dict[str, tuple[int, int, int, str]]:
    """(mode, size, mtime_ns, sha256) of every entry, without following links or opening
    anything but regular files below 64 MiB."""
    out: dict[str, tuple[int, int, int, str]] = {}
    for dirpath, dirnames, filenames in os.walk(os.fsencode(root), followlinks=False):
        for name in [*dirnames, *filenames]:
            path = os.path.join(dirpath, name)
            st = os.lstat(path)
            digest = ""
            if stat.S_ISREG(st.st_mode) and st.st_size < (64 << 20) and st.st_mode & 0o400:
                with open(path, "rb") as fh:
                    digest = hashlib.sha256(fh.read()).hexdigest()
            out[os.fsdecode(path)] = (st.st_mode, st.st_size, st.st_mtime_ns, digest)
    return out


def allowed_prefixes(root: str, out_dir: str, import_paths: list[str]) -> tuple[str, ...]:
    """Where the scanning process may open files: the root, the report folder, the
    interpreter, and the folders of modules it imported (plugins installed in place)."""
    reals = {os.path.realpath(p) for p in (root, out_dir, sys.prefix, sys.base_prefix,
                                            str(SRC), *import_paths)} - {"/"}
    return tuple(p.rstrip("/") + "/" for p in reals) + ("/dev/null",)


def allowed(path: str, prefixes: tuple[str, ...]) -> bool:
    real = os.path.realpath(path)
    return real == "/dev/null" or (real + "/").startswith(prefixes)


@pytest.fixture
def workspace() -> Iterator[Path]:
    # tmpfs when there is one: building 100,000 files on a journaling disk takes minutes
    shm = "/dev/shm" if os.access("/dev/shm", os.W_OK) else None
    base = Path(tempfile.mkdtemp(prefix="mlk-hostile-", dir=shm))
    base.chmod(0o755)
    try:
        yield base
    finally:
        for dirpath, dirnames, _ in os.walk(base):
            for d in dirnames:
                os.chmod(os.path.join(dirpath, d), 0o755)
        shutil.rmtree(base, ignore_errors=True)


def test_corpus_is_large_enough() -> None:
    assert len(CASES) >= 30


@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_case(name: str, workspace: Path) -> None:
    root, outside, out_dir = workspace / "repo", workspace / "outside", workspace / "out"
    for folder in (root, outside, out_dir):
        folder.mkdir()
    expect: Expect = CASES[name](root, outside)
    before = snapshot(root)
    report, log = out_dir / "report.json", out_dir / "audit.json"
    prefix = []
    if os.geteuid() == 0:  # run without root's power to read anything, like a normal user
        prefix = ["setpriv", "--bounding-set=-dac_override,-dac_read_search", "--"]
    cmd = [*prefix, sys.executable, "-c", HARNESS, str(root), str(log), "assess", str(root),
           "--format", "json", "--out", str(report), *expect.args]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=out_dir,
                            env={**os.environ, "PYTHONPATH": str(SRC)})
    _, status, usage = os.wait4(proc.pid, 0)
    stderr = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
    code = os.waitstatus_to_exitcode(status)
    for sock in expect.sockets:
        sock.close()

    assert "Traceback" not in stderr, stderr
    assert code in (0, 2), (code, stderr)
    assert usage.ru_maxrss * 1024 <= 300 * 2**20, f"{name} peaked at {usage.ru_maxrss} KB"
    audit = json.loads(log.read_text())
    real_root = os.path.realpath(root)
    opened = [p for e, p in audit["events"]
              if e == "open" and (os.path.realpath(p) + "/").startswith(real_root + "/")]
    regular = sum(1 for mode, *_ in before.values() if stat.S_ISREG(mode))
    assert len(opened) <= regular + SPARE_OPENS, f"{name} opened {len(opened)} of {regular}"
    assert not any(real_root.startswith(os.path.realpath(p)) for p in audit["import_paths"]
                   if os.path.realpath(p) not in ("/", os.path.realpath(out_dir)))
    prefixes = allowed_prefixes(real_root, str(out_dir), audit["import_paths"])
    escaped = [(e, p) for e, p in audit["events"] if not allowed(p, prefixes)]
    assert escaped == [], escaped[:5]
    assert snapshot(root) == before
    assert not (root / "PWNED").exists() and not Path("PWNED").exists()
    if expect.error is not None:
        assert code == 2 and expect.error in stderr and stderr.startswith("mlkaizen: error:")
        return
    assert code == 0, stderr
    data = json.loads(report.read_text())
    messages = [w["message"] for w in data["warnings"]]
    assert expect.warning is not None
    assert any(expect.warning in m for m in messages), messages[:10]
    if expect.evidence is not None:
        practice = next(p for p in data["practices"] if p["id"] == expect.evidence)
        assert practice["state"] == "met", practice
