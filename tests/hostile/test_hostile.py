"""Every hostile case, scanned by the real CLI in a subprocess, must:

* end with exit 0 or 2 and a clear message, never a traceback;
* open no file outside the scanned root (an audit hook records every open and scandir);
* leave the tree exactly as it was (metadata and content hashes before and after);
* leave the sibling ``outside`` folder exactly as it was (nothing written outside, no marker
  file from executed code);
* stay within 300 MB peak RSS and a bounded amount of work: an assessment opens no more files
  in the root than it has regular files, plus ``SPARE_OPENS`` (counted by the audit hook; work
  is bounded by counts and bytes, never by seconds: a run is killed only if it hangs, after a
  generous guard, which fails the case);
* report the problem in a warning (or, for exit 2, on stderr);
* write no raw control character to stderr, and, in the report format the case asks for,
  show names exactly as escaped (``present``) and never raw (``absent``).

Most cases run ``assess``; others run the command they attack (``fix``, ``baseline save``,
``survey``, ``badge``, ``profile``, ``map``, ...), some from inside the repository as CI does.
"""

from __future__ import annotations

import hashlib
import json
import os
import resource
import stat
import subprocess
import sys
import tempfile
import threading
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
try:
    sys.argv = ["mlkaizen", *sys.argv[3:]]
    if os.environ.get("MLK_AS_MODULE"):  # as `python -m mlkaizen`: the working folder first
        import runpy
        sys.path.insert(0, os.getcwd())
        runpy.run_module("mlkaizen", run_name="__main__", alter_sys=True)
    else:
        from mlkaizen.cli import main
        main()
finally:
    # this process's own peak memory (VmHWM is per address space; ru_maxrss would also carry
    # the forking test process's size across exec)
    try:
        with open("/proc/self/status") as st:
            peak = next((int(x.split()[1]) for x in st if x.startswith("VmHWM:")), None)
    except OSError:
        peak = None
    events[:] = [e for e in events if e[1] != "/proc/self/status"]
    with open(log, "w") as fh:  # import locations (site-packages, editable plugins) may be read
        modules = {os.path.dirname(m.__file__) for m in list(sys.modules.values())
                   if isinstance(getattr(m, "__file__", None), str)}
        json.dump({"events": events, "import_paths": sorted(modules), "peak_kb": peak}, fh)
'''


GUARD = 900  # seconds: only to turn a hang into a failure, never a performance limit


def snapshot(root: Path) -> dict[str, tuple[int, int, int, str]]:
    """(mode, size, mtime_ns, sha256) of every entry, without following links or opening
    anything but regular files below 64 MiB; iterative, so any depth works."""
    out: dict[str, tuple[int, int, int, str]] = {}
    stack = [os.fsencode(root)]
    while stack:
        folder = stack.pop()
        for entry in os.scandir(folder):
            path = entry.path
            st = os.lstat(path)
            digest = ""
            if stat.S_ISDIR(st.st_mode):
                stack.append(path)
            elif stat.S_ISREG(st.st_mode) and st.st_size < (64 << 20) and st.st_mode & 0o400:
                with open(path, "rb") as fh:
                    digest = hashlib.sha256(fh.read()).hexdigest()
            out[os.fsdecode(path)] = (st.st_mode, st.st_size, st.st_mtime_ns, digest)
    return out


def allowed_prefixes(root: str, out_dir: str, import_paths: list[str]) -> tuple[str, ...]:
    """Where the scanning process may open files: the root, the report folder, the
    interpreter, the user cache folder, and the folders of modules it imported (plugins
    installed in place)."""
    cache = os.environ.get("MLKAIZEN_CACHE_DIR") or "/"  # the user cache (set in conftest)
    reals = {os.path.realpath(p) for p in (root, out_dir, sys.prefix, sys.base_prefix,
                                            str(SRC), cache, *import_paths)} - {"/"}
    return tuple(p.rstrip("/") + "/" for p in reals) + ("/dev/null",)


# files of the system a scan may read: the container's CPU quota, when a worker pool starts
SYSTEM_FILES = ("/dev/null", "/sys/fs/cgroup/cpu.max")


def allowed(path: str, prefixes: tuple[str, ...]) -> bool:
    real = os.path.realpath(path)
    return real in SYSTEM_FILES or (real + "/").startswith(prefixes)


@pytest.fixture
def workspace() -> Iterator[Path]:
    # tmpfs when there is one: building 100,000 files on a journaling disk takes minutes
    shm = "/dev/shm" if os.access("/dev/shm", os.W_OK) else None
    base = Path(tempfile.mkdtemp(prefix="mlk-hostile-", dir=shm))
    base.chmod(0o755)
    try:
        yield base
    finally:  # chmod and rm work at any depth (os.walk and rmtree recurse)
        subprocess.run(["chmod", "-R", "u+rwx", str(base)], check=False, capture_output=True)
        subprocess.run(["rm", "-rf", str(base)], check=False)


def test_corpus_is_large_enough() -> None:
    assert len(CASES) >= 60


def run(cmd: list[str], stdin: bytes, cwd: Path, env: dict[str, str]
        ) -> tuple[int, str, resource.struct_rusage, bool]:
    """Run, feeding ``stdin``; (exit code, stderr, the child's own rusage, whether it hung)."""
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            stdin=subprocess.PIPE, cwd=cwd, env=env)
    err: list[bytes] = []
    assert proc.stdout is not None and proc.stderr is not None and proc.stdin is not None
    out_pipe, err_pipe = proc.stdout, proc.stderr
    readers = [threading.Thread(target=out_pipe.read),
               threading.Thread(target=lambda: err.append(err_pipe.read()))]
    for reader in readers:
        reader.start()
    try:
        proc.stdin.write(stdin)
        proc.stdin.close()
    except BrokenPipeError:
        pass
    hung = threading.Event()
    guard = threading.Timer(GUARD, lambda: (hung.set(), proc.kill()))
    guard.start()
    try:
        _, status, usage = os.wait4(proc.pid, 0)
    finally:
        guard.cancel()
    proc.returncode = os.waitstatus_to_exitcode(status)
    for reader in readers:
        reader.join()
    return (proc.returncode, b"".join(err).decode("utf-8", "replace"), usage, hung.is_set())


def command_of(expect: Expect, root: Path, out_dir: Path, outside: Path) -> list[str]:
    if expect.command is None:
        return ["assess", str(root), "--format", expect.fmt, "--out",
                str(out_dir / f"report.{expect.fmt}"), *expect.args]
    places = {"{root}": str(root), "{out}": str(out_dir), "{outside}": str(outside)}
    out = []
    for arg in expect.command:
        for key, value in places.items():
            arg = arg.replace(key, value)
        out.append(arg)
    return out


@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_case(name: str, workspace: Path) -> None:
    root, outside, out_dir = workspace / "repo", workspace / "outside", workspace / "out"
    for folder in (root, outside, out_dir):
        folder.mkdir()
    expect: Expect = CASES[name](root, outside)
    before, outside_before = snapshot(root), snapshot(outside)
    report, log = out_dir / f"report.{expect.fmt}", out_dir / "audit.json"
    prefix = []
    if os.geteuid() == 0:  # run without root's power to read anything, like a normal user
        prefix = ["setpriv", "--bounding-set=-dac_override,-dac_read_search", "--"]
    cmd = [*prefix, sys.executable, "-c", HARNESS, str(root), str(log),
           *command_of(expect, root, out_dir, outside)]
    env = {**os.environ, "PYTHONPATH": str(SRC), **expect.env}
    if expect.as_module:
        env["MLK_AS_MODULE"] = "1"
    code, stderr, usage, hung = run(cmd, expect.stdin, root if expect.cwd == "root" else out_dir,
                                    env)
    for sock in expect.sockets:
        sock.close()

    assert not hung, f"{name} hung"
    assert "Traceback" not in stderr, stderr
    assert "\x1b" not in stderr and "\x07" not in stderr, repr(stderr)
    assert "internal error" not in stderr, stderr
    assert code in (0, 2), (code, stderr)
    audit = json.loads(log.read_text())
    peak = audit.get("peak_kb") or usage.ru_maxrss
    assert peak * 1024 <= 300 * 2**20, f"{name} peaked at {peak} KB"
    real_root = os.path.realpath(root)
    assert not any(real_root.startswith(os.path.realpath(p)) for p in audit["import_paths"]
                   if os.path.realpath(p) not in ("/", os.path.realpath(out_dir)))
    prefixes = allowed_prefixes(real_root, str(out_dir), audit["import_paths"])
    escaped = [(e, p) for e, p in audit["events"] if not allowed(p, prefixes)]
    assert escaped == [], escaped[:5]
    if expect.command is None:  # an assessment: its work is counted, not timed
        opened = [p for e, p in audit["events"]
                  if e == "open" and (os.path.realpath(p) + "/").startswith(real_root + "/")]
        regular = sum(1 for mode, *_ in before.values() if stat.S_ISREG(mode))
        assert len(opened) <= regular + SPARE_OPENS, f"{name} opened {len(opened)} of {regular}"
    assert snapshot(outside) == outside_before, "something was written outside the tree"
    if not expect.writes_tree:
        assert snapshot(root) == before
    assert not (root / "PWNED").exists() and not Path("PWNED").exists()
    if expect.error is not None:
        assert code == 2 and expect.error in stderr and stderr.startswith("mlkaizen: error:"), (
            code, stderr)
        return
    assert code == 0, stderr
    if expect.check is not None:
        expect.check(root)
    if expect.command is not None:
        return
    text = report.read_text(encoding="utf-8")
    for fragment in expect.present:
        assert fragment in text, (fragment, text[:2000])
    for fragment in expect.absent:
        assert fragment not in text, fragment
    if expect.fmt != "json":
        return
    data = json.loads(text)
    messages = [w["message"] for w in data["warnings"]]
    assert expect.warning is not None
    assert any(expect.warning in m for m in messages), messages[:10]
    if expect.evidence is not None:
        practice = next(p for p in data["practices"] if p["id"] == expect.evidence)
        assert practice["state"] == "met", practice


def test_the_readme_counts_the_cases_there_are() -> None:
    import re

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    said = re.search(r"`tests/hostile/`, (\d+) generated cases", readme)
    assert said is not None and int(said.group(1)) == len(CASES)
