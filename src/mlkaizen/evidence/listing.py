"""Listing the files of a scan root: ``git ls-files`` when the root is in a git work tree
(streamed and capped), otherwise a walk that honours ``.gitignore``. Symlinks that leave the
root, FIFOs, sockets and devices are skipped and reported. Mixed into :class:`RepoTree`."""

from __future__ import annotations

import os
import select
import stat
import subprocess
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mlkaizen.evidence.git import SAFE_GIT, git_env, run_git, work_tree_of
from mlkaizen.evidence.limits import ScanLimits
from mlkaizen.textfmt import counted

PRUNED_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        "node_modules",
        ".venv",
        "venv",
        "env",
        "site-packages",
        "__pycache__",
        ".tox",
        ".nox",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".ipynb_checkpoints",
        "dist-packages",
        ".dvc/cache",
        "wandb",
        "mlruns",
        ".cache",
    }
)


MAX_RECORDS = 200  # dist-info RECORD files read per scan
MAX_RECORD_BYTES = 2_000_000


def _prefixes(rel: str) -> set[str]:
    """Every folder of a path and the path itself (``a/b/c`` -> ``a``, ``a/b``, ``a/b/c``)."""
    parts = rel.split("/")
    return {"/".join(parts[: i + 1]) for i in range(len(parts))}


class Listing:
    """The listing half of :class:`mlkaizen.evidence.tree.RepoTree`."""

    root: Path
    limits: ScanLimits
    skipped: Counter[str]
    sizes: dict[str, int]
    listing: str
    _folders: dict[str, bool]  # folder -> really inside the root
    _identity: dict[str, tuple[int, int]]  # regular file -> (device, inode) when listed
    _prefix: str  # the root as a string, with a separator after it
    _keep: Callable[[str], bool] | None = None  # the files listed (default: all)

    def warn(
        self, message: str, file: str | None = None, line: int | None = None, kind: str = "scan"
    ) -> None:
        raise NotImplementedError

    def _read_bytes(self, rel: str, limit: int) -> bytes | None:
        raise NotImplementedError

    def _list(self) -> list[str]:
        self._folders = {}
        self._identity = {}
        self._prefix = os.path.join(self.root, "")  # the root and a separator, as a string
        candidates = self._git_list()
        if candidates is None:
            candidates = self._walk()
        else:
            self.listing = "git"
        files: list[str] = []
        pruned: dict[str, bool] = {}  # folder -> under a pruned folder (asked once a folder)
        keep = self._keep
        for rel in candidates:
            if keep is not None and not keep(rel):
                continue
            if len(files) >= self.limits.max_files:
                self.skipped["max_files"] += 1
                continue
            folder = rel.rpartition("/")[0]
            skip = pruned.get(folder)
            if skip is None:
                skip = pruned[folder] = any(part in PRUNED_DIRS for part in folder.split("/"))
            if skip:
                continue
            kept = self._admit(rel)
            if kept:
                files.append(rel)
        if self.skipped["max_files"]:
            self.warn(
                f"limit max_files={self.limits.max_files} reached: "
                f"{counted(self.skipped['max_files'], 'file')} not scanned",
                kind="limit",
            )
        files.sort()
        return self._drop_vendored(files)

    def _drop_vendored(self, files: list[str]) -> list[str]:
        """Leave out packages installed into the repository (``pip install --target``, as a
        Lambda function's folder ships its dependencies): what each ``*.dist-info/RECORD``
        lists is someone else's code, tests and all. The folder's own files stay."""
        records = [f for f in files if f.endswith(".dist-info/RECORD")][:MAX_RECORDS]
        if not records:
            return files
        vendored: set[str] = set()
        for record in records:
            parts = record.split("/")
            folder = "/".join(parts[:-2])
            vendored.add("/".join(parts[:-1]))  # the .dist-info folder itself
            data = self._read_bytes(record, MAX_RECORD_BYTES)
            for line in (data or b"").decode("utf-8", "replace").splitlines():
                path = line.split(",", 1)[0].strip()
                if not path or path.startswith(("/", "..")) or "\\" in path:
                    continue
                top = path.split("/", 1)[0]
                vendored.add(f"{folder}/{top}" if folder else top)
        kept = [
            f
            for f in files
            if not any(f == v or f.startswith(v + "/") for v in _prefixes(f) & vendored)
        ]
        self.skipped["vendored_package_files"] += len(files) - len(kept)
        return kept

    def _admit(self, rel: str) -> bool:
        folder = rel.rpartition("/")[0]
        if folder and not self._folder_inside(folder):
            self.skipped["symlink_outside_root"] += 1
            self.warn(
                "a folder on this path is a symlink that points outside the scanned root; "
                "not followed",
                rel,
                kind="symlink",
            )
            return False
        try:  # plain string paths: this runs once per listed file
            st = os.lstat(self._prefix + rel)
        except OSError:
            return False  # listed by git but deleted from the work tree
        linked = stat.S_ISLNK(st.st_mode)
        if linked:
            full = self.root / rel
            try:
                target = full.resolve(strict=True)
            except (OSError, RuntimeError):
                self.skipped["broken_symlink"] += 1
                self.warn("symlink is dangling or loops; skipped", rel, kind="symlink")
                return False
            if not target.is_relative_to(self.root):
                self.skipped["symlink_outside_root"] += 1
                self.warn(
                    "symlink points outside the scanned root; not followed", rel, kind="symlink"
                )
                return False
            try:
                st = target.stat()
            except OSError:
                return False
        if not stat.S_ISREG(st.st_mode):
            self.skipped["not_regular_file"] += 1
            self.warn("not a regular file (FIFO, socket or device); skipped", rel, kind="special")
            return False
        self.sizes[rel] = st.st_size
        if not linked:  # the file a read must find at this path (see RepoTree._open_listed)
            self._identity[rel] = (st.st_dev, st.st_ino)
        return True

    def _folder_inside(self, folder: str) -> bool:
        """Whether ``folder`` (relative) really lies inside the root: git lists what was
        committed, and a committed folder may since have been replaced by a link."""
        if folder not in self._folders:
            self._folders[folder] = self._inside(os.path.realpath(self._prefix + folder))
        return self._folders[folder]

    def _inside(self, real: str) -> bool:
        """Whether the real path ``real`` lies inside the root."""
        return real.startswith(self._prefix)

    def _git_list(self) -> list[str] | None:
        marker = work_tree_of(self.root)
        if marker is None:
            return None
        if not self._git_pointer_is_safe(marker / ".git"):
            return None
        cmd = [
            *SAFE_GIT,
            "-C",
            str(self.root),
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
            "--full-name",
        ]
        listed = self._run_git_listing(cmd, git_env())
        if listed is None:
            return None
        stdout, code, stderr = listed
        if code != 0:
            first = stderr.decode("utf-8", "replace").strip().splitlines()[:1]
            self.warn(
                f"git could not list files ({first[0][:200] if first else f'exit {code}'});"
                " walked the directory instead",
                kind="git",
            )
            return None
        if not stdout:
            return None  # the root is ignored by an enclosing repository, or empty: walk it
        prefix = self._git_prefix()
        out: list[str] = []
        for raw in stdout.split(b"\0"):
            if not raw:
                continue
            name = os.fsdecode(raw)
            if prefix and name.startswith(prefix):
                name = name[len(prefix) :]
            out.append(name)
        return sorted(set(out))

    def _run_git_listing(
        self, cmd: list[str], env: dict[str, str]
    ) -> tuple[bytes, int, bytes] | None:
        """Run ``git ls-files``, reading at most about ``max_files`` entries (a hostile index
        can list millions) within 60 s; stderr is drained on a thread so git never blocks."""
        import threading

        try:
            proc = subprocess.Popen(
                cmd,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                stdin=subprocess.DEVNULL,
                env=env,
            )
        except OSError:
            return None
        err: list[bytes] = []
        out_pipe, err_pipe = proc.stdout, proc.stderr
        assert out_pipe is not None and err_pipe is not None

        def drain_stderr() -> None:
            while chunk := err_pipe.read(1 << 16):
                if len(err) < 4:
                    err.append(chunk)

        drain = threading.Thread(target=drain_stderr, daemon=True)
        drain.start()
        chunks: list[bytes] = []
        entries, budget = 0, self.limits.max_files * 2 + 1000
        deadline = time.monotonic() + 60
        while True:
            # git may block on what it reads (a hostile `.git`): wait for output no longer
            # than the deadline, never in a read that cannot time out
            ready, _, _ = select.select([out_pipe], [], [], max(0.0, deadline - time.monotonic()))
            chunk = os.read(out_pipe.fileno(), 1 << 16) if ready else b""
            if not ready and time.monotonic() <= deadline:
                continue
            if ready and not chunk:
                break
            chunks.append(chunk)
            entries += chunk.count(b"\0")
            if entries > budget or time.monotonic() > deadline:
                proc.kill()
                self.warn(
                    f"git lists more than {budget:,} entries or took over 60 s; the "
                    f"listing was cut (see max_files={self.limits.max_files})",
                    kind="limit",
                )
                break
        proc.wait()
        drain.join(timeout=5)
        stdout = b"".join(chunks)
        if entries > budget:
            stdout = stdout[: stdout.rfind(b"\0") + 1]
            return stdout, 0, b""
        return stdout, proc.returncode, b"".join(err)

    def _git_pointer_is_safe(self, dot_git: Path) -> bool:
        """A ``.git`` *file* (worktree or submodule) or symlink may point anywhere; follow it
        only to another repository's worktree/module area, never into the scanned tree or
        to an arbitrary folder."""
        from mlkaizen.evidence.git import pointer_problem

        problem = pointer_problem(dot_git.parent)
        if problem is not None:
            self.warn(problem, ".git", kind="git")
        return problem is None

    def _git_prefix(self) -> str:
        proc = run_git(self.root, "rev-parse", "--show-prefix", timeout=20)
        return proc.stdout.strip() if proc is not None and proc.returncode == 0 else ""

    def _walk(self) -> list[str]:
        """Iterative (no recursion however deep the tree), bounded in depth, honouring
        ``.gitignore`` within a byte and pattern budget for the whole walk."""
        from mlkaizen.evidence.ignore import IgnoreRules

        rules = IgnoreRules()
        out: list[str] = []
        stack: list[tuple[str, int]] = [("", 0)]
        budget = [self.limits.max_gitignore_bytes, self.limits.max_gitignore_patterns]
        while stack:
            base, depth = stack.pop()
            dirpath = os.path.join(self.root, base) if base else str(self.root)
            try:
                with os.scandir(dirpath) as it:
                    entries = list(it)
            except OSError as exc:
                self._walk_error(exc)
                continue
            dirnames: list[str] = []
            filenames: list[str] = []
            for entry in entries:
                try:
                    is_dir = entry.is_dir()
                except OSError:
                    is_dir = False
                (dirnames if is_dir else filenames).append(entry.name)
            if ".gitignore" in filenames:
                self._read_gitignore(rules, base, budget)
            subdirs = sorted(
                d
                for d in dirnames
                if d not in PRUNED_DIRS
                and not rules.ignored(base + d, is_dir=True)
                and not self._is_linked_dir(dirpath, base + d)
            )
            if subdirs and depth >= self.limits.max_dir_depth:
                self.skipped["max_dir_depth"] += len(subdirs)
                if self.skipped["max_dir_depth"] == len(subdirs):
                    self.warn(
                        f"limit max_dir_depth={self.limits.max_dir_depth} reached: deeper "
                        "folders are not scanned",
                        base.rstrip("/"),
                        kind="limit",
                    )
                subdirs = []
            stack.extend((base + d + "/", depth + 1) for d in reversed(subdirs))
            out.extend(
                base + name for name in filenames if not rules.ignored(base + name, is_dir=False)
            )
            if len(out) > self.limits.max_files * 2 + 1000:
                self.warn(
                    f"the walk found more than {len(out):,} files; stopped listing "
                    f"(see max_files={self.limits.max_files})",
                    kind="limit",
                )
                break
        return out

    def _read_gitignore(self, rules: Any, base: str, budget: list[int]) -> None:
        rel = base + ".gitignore"
        try:
            size = os.lstat(os.path.join(self.root, rel)).st_size
        except OSError:
            return
        if size > budget[0] or budget[1] <= 0:
            self.skipped["gitignore_budget"] += 1
            if self.skipped["gitignore_budget"] == 1:
                self.warn(
                    f"limit max_gitignore_bytes={self.limits.max_gitignore_bytes:,} / "
                    f"max_gitignore_patterns={self.limits.max_gitignore_patterns:,} reached: "
                    "this and later .gitignore files are not used",
                    rel,
                    kind="limit",
                )
            return
        data = self._read_bytes(rel, min(self.limits.max_file_bytes, budget[0]))
        if data is None:
            return
        text = data.decode("utf-8", "replace")
        lines = text.splitlines()
        if len(lines) > budget[1]:
            text = "\n".join(lines[: budget[1]])
            self.skipped["gitignore_budget"] += 1
            self.warn(
                f"limit max_gitignore_patterns={self.limits.max_gitignore_patterns:,} "
                "reached: the rest of this .gitignore is not used",
                rel,
                kind="limit",
            )
        budget[0] -= len(data)
        budget[1] -= min(len(lines), budget[1])
        for problem in rules.add(base, text):
            self.warn(f".gitignore: {problem}", rel, kind="gitignore")

    def _is_linked_dir(self, dirpath: str, rel: str) -> bool:
        """Directory symlinks are never descended (loops, escapes); say so when one leads
        outside the root."""
        full = os.path.join(dirpath, os.path.basename(rel))
        if not os.path.islink(full):
            return False
        target = os.path.realpath(full)
        if not Path(target).is_relative_to(self.root):
            self.skipped["symlink_outside_root"] += 1
            self.warn("symlink points outside the scanned root; not followed", rel, kind="symlink")
        return True

    def _walk_error(self, exc: OSError) -> None:
        rel = os.path.relpath(exc.filename, self.root) if exc.filename else None
        self.skipped["unreadable"] += 1
        self.warn(f"cannot read directory ({exc.strerror}); skipped", rel, kind="unreadable")
