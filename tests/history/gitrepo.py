"""Build git histories with dated commits, for replay tests."""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path

BASE_ENV = {
    "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
    "HOME": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "LC_ALL": "C",
}

TRACKING = 'import mlflow\nmlflow.log_metric("auc", 0.9)\n'
PLAIN = 'print("train")\n'


def git(root: Path, *args: str, env: dict[str, str] | None = None) -> str:
    proc = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True,
                          env={**BASE_ENV, **(env or {})}, check=True)
    return proc.stdout.strip()


def init(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    git(root, "init", "-q", "-b", "main")
    return root


def commit(root: Path, files: dict[str, str | None], when: str, author: str,
           message: str, *, email: str | None = None, committer: str | None = None,
           committer_email: str | None = None) -> str:
    """Write (or with ``None`` delete) files and commit them at ``when`` (ISO date, noon
    UTC, or a full ISO time) by ``author`` (and ``committer``, the author by default);
    returns the commit id."""
    for rel, content in files.items():
        path = root / rel
        if content is None:
            path.unlink()
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    stamp = when if "T" in when else f"{when}T12:00:00+00:00"
    email = email or f"{author.lower()}@example.org"
    env = {"GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp,
           "GIT_AUTHOR_NAME": author, "GIT_AUTHOR_EMAIL": email,
           "GIT_COMMITTER_NAME": committer or author,
           "GIT_COMMITTER_EMAIL": committer_email or (email if committer is None
                                                      else f"{committer.lower()}@example.org")}
    git(root, "add", "-A", env=env)
    git(root, "commit", "-q", "--allow-empty", "--no-verify", "-m", message, env=env)
    return git(root, "rev-parse", "HEAD")


def practice_history(root: Path) -> list[str]:
    """Six commits: experiment tracking added, lost and re-added; a pinned environment added.
    Returns the commit ids, oldest first."""
    init(root)
    return [
        commit(root, {"README.md": "# churn\n"}, "2025-01-15", "Ann", "Start"),
        commit(root, {"train.py": TRACKING}, "2025-02-10", "Bob", "Track experiments"),
        commit(root, {"requirements.txt": "mlflow==2.0\n", "Dockerfile": "FROM python:3.11\n"},
               "2025-02-20", "Cy", "Pin the environment"),
        commit(root, {"train.py": PLAIN}, "2025-03-05", "Dee", "Drop mlflow"),
        commit(root, {"train.py": TRACKING}, "2025-04-12", "Eve", "Track again"),
        commit(root, {"README.md": "# churn model\n"}, "2025-04-20", "Fay", "Docs"),
    ]


def fingerprint(root: Path) -> dict[str, str]:
    """Every file under ``root`` (``.git`` included): content hash, mode and mtime."""
    out: dict[str, str] = {}
    for dirpath, _dirs, names in os.walk(root):
        for name in names:
            full = Path(dirpath) / name
            st = full.lstat()
            data = os.readlink(full).encode() if full.is_symlink() else full.read_bytes()
            out[str(full.relative_to(root))] = (
                f"{hashlib.sha256(data).hexdigest()} {st.st_mode:o} {st.st_mtime_ns}"
            )
    return out
