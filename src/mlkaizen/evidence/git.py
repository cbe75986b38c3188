"""Running git on a repository we do not trust: never its hooks, fsmonitor or system config,
never a lock or index write, never a prompt."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

SAFE_GIT = [
    "git",
    "-c",
    "core.fsmonitor=false",
    "-c",
    "core.hooksPath=/dev/null",
    "-c",
    "core.untrackedCache=false",
]


def git_env() -> dict[str, str]:
    env = {
        **os.environ,
        "GIT_OPTIONAL_LOCKS": "0",
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    env.pop("GIT_DIR", None)
    env.pop("GIT_WORK_TREE", None)
    return env


def run_git(root: Path, *args: str, timeout: float = 30) -> subprocess.CompletedProcess[str] | None:
    """``git -C root ARGS`` with the safe settings; ``None`` when git is missing or hangs."""
    try:
        return subprocess.run(
            [*SAFE_GIT, "-C", str(root), *args],
            capture_output=True,
            text=True,
            env=git_env(),
            timeout=timeout,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
