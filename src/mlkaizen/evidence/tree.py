"""A safe, bounded, read-once view of a repository.

* Lists files with ``git ls-files`` (tracked + untracked-not-ignored) in a git work tree,
  otherwise by walking the directory and honouring ``.gitignore`` files (``pathspec``).
* Never follows a symlink out of the root, never opens anything but regular files, never
  writes, never runs repository code (git is run with hooks and fsmonitor disabled).
* Reads a file at most once and only when a detector asks for it; parsed forms are cached.
* Every problem becomes a warning :class:`Finding`, and the scan goes on.
"""

from __future__ import annotations

import fnmatch
import os
import re
import stat
import subprocess
import time
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

from mlkaizen.errors import MLKaizenError
from mlkaizen.evidence.budget import ParseTimeoutError, time_budget
from mlkaizen.evidence.findings import Context, Finding, Outcome, context_of
from mlkaizen.evidence.git import SAFE_GIT, git_env, run_git
from mlkaizen.evidence.limits import ScanLimits
from mlkaizen.evidence.parse import ParseError
from mlkaizen.evidence.parse.python_src import PyFacts, import_roots, parse_python

T = TypeVar("T")

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
WARNING_DETECTOR = "scan"
MAX_WARNINGS = 5_000  # kept per scan; the rest are counted in skipped["warnings_not_kept"]


def printable(rel: str) -> str:
    """A path as reports can show it: undecodable bytes (kept by ``os.fsdecode`` as
    surrogates) become U+FFFD instead of breaking JSON."""
    return rel.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


class RepoTree:
    """The files of one scan root and lazily parsed views of them."""

    def __init__(self, root: Path, limits: ScanLimits | None = None) -> None:
        if not root.exists():
            raise MLKaizenError("path does not exist; give the repository folder", str(root))
        if not root.is_dir():
            raise MLKaizenError("not a directory; give the repository folder", str(root))
        self.root = root.resolve()
        self.limits = limits or ScanLimits()
        self.warnings: list[Finding] = []
        self.skipped: Counter[str] = Counter()
        self.sizes: dict[str, int] = {}
        self.files_read = 0
        self.bytes_read = 0
        self.listing = "walk"
        self._text: dict[str, str | None] = {}
        self._parsed: dict[tuple[str, str], Any] = {}
        self._memo: dict[str, Any] = {}
        self._import_index: dict[str, frozenset[str]] | None = None
        self.files = self._list()
        self._names: dict[str, list[str]] = {}
        for path in self.files:
            self._names.setdefault(path.rsplit("/", 1)[-1].lower(), []).append(path)

    # ----------------------------------------------------------------- listing
    def warn(
        self, message: str, file: str | None = None, line: int | None = None, kind: str = "scan"
    ) -> None:
        if len(self.warnings) >= MAX_WARNINGS:
            self.skipped["warnings_not_kept"] += 1
            return
        self.warnings.append(
            Finding(
                detector=WARNING_DETECTOR,
                outcome=Outcome.WARNING,
                file=printable(file) if file is not None else None,
                line=line,
                detail=printable(message),
                values={"kind": kind},
            )
        )

    def _list(self) -> list[str]:
        candidates = self._git_list()
        if candidates is None:
            candidates = self._walk()
        else:
            self.listing = "git"
        files: list[str] = []
        for rel in candidates:
            if len(files) >= self.limits.max_files:
                self.skipped["max_files"] += 1
                continue
            if any(part in PRUNED_DIRS for part in rel.split("/")[:-1]):
                continue
            kept = self._admit(rel)
            if kept:
                files.append(rel)
        if self.skipped["max_files"]:
            self.warn(
                f"limit max_files={self.limits.max_files} reached: "
                f"{self.skipped['max_files']} files not scanned",
                kind="limit",
            )
        files.sort()
        return files

    def _admit(self, rel: str) -> bool:
        try:  # plain string paths: this runs once per listed file
            st = os.lstat(os.path.join(self.root, rel))
        except OSError:
            return False  # listed by git but deleted from the work tree
        if stat.S_ISLNK(st.st_mode):
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
        return True

    def _git_list(self) -> list[str] | None:
        marker = next((p for p in (self.root, *self.root.parents) if (p / ".git").exists()), None)
        if marker is None:
            return None
        if marker == self.root and not self._git_pointer_is_safe(self.root / ".git"):
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
            chunk = os.read(out_pipe.fileno(), 1 << 16)
            if not chunk:
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
        only to another repository's worktree/module area, never to an arbitrary folder."""
        if dot_git.is_dir() and not dot_git.is_symlink():
            return True
        target: Path | None = None
        if dot_git.is_symlink():
            target = dot_git.resolve()
        else:
            data = self._read_bytes(".git", 4096) or b""
            line = data.decode("utf-8", "replace").strip()
            if line.startswith("gitdir:"):
                target = (self.root / line[7:].strip()).resolve()
        parts = target.parts if target else ()
        if target is not None and (
            target.is_relative_to(self.root)
            or (".git" in parts and ("worktrees" in parts or "modules" in parts))
        ):
            return True
        self.warn(
            "`.git` points outside the scanned root to something that is not a git "
            "worktree or submodule; not used, the folder was walked instead",
            ".git",
            kind="git",
        )
        return False

    def _git_prefix(self) -> str:
        proc = run_git(self.root, "rev-parse", "--show-prefix", timeout=20)
        return proc.stdout.strip() if proc is not None and proc.returncode == 0 else ""

    def _walk(self) -> list[str]:
        from mlkaizen.evidence.ignore import IgnoreRules

        rules = IgnoreRules()
        out: list[str] = []
        for dirpath, dirnames, filenames in os.walk(
            self.root, followlinks=False, onerror=self._walk_error
        ):
            rel_dir = os.path.relpath(dirpath, self.root)
            base = "" if rel_dir == "." else rel_dir.replace(os.sep, "/") + "/"
            if ".gitignore" in filenames:
                data = self._read_bytes(base + ".gitignore", self.limits.max_file_bytes)
                if data is not None:
                    for problem in rules.add(base, data.decode("utf-8", "replace")):
                        self.warn(f".gitignore: {problem}", base + ".gitignore", kind="gitignore")
            dirnames[:] = sorted(
                d
                for d in dirnames
                if d not in PRUNED_DIRS
                and not rules.ignored(base + d, is_dir=True)
                and not self._is_linked_dir(dirpath, base + d)
            )
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

    # ----------------------------------------------------------------- reading
    @property
    def bytes_total(self) -> int:
        return sum(self.sizes.values())

    def _read_bytes(self, rel: str, limit: int) -> bytes | None:
        if self.bytes_read >= self.limits.max_bytes_read:
            self.skipped["max_bytes_read"] += 1
            if self.skipped["max_bytes_read"] == 1:
                self.warn(
                    f"limit max_bytes_read={self.limits.max_bytes_read:,} reached; "
                    "later files are not read",
                    rel,
                    kind="limit",
                )
            return None
        full = self.root / rel
        try:
            fd = os.open(full, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
        except OSError as exc:
            self.skipped["unreadable"] += 1
            self.warn(f"cannot read file ({exc.strerror}); skipped", rel, kind="unreadable")
            return None
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                self.skipped["not_regular_file"] += 1
                return None
            if st.st_size > limit:
                self.skipped["too_large"] += 1
                self.warn(
                    f"file is {st.st_size:,} bytes, over the limit of {limit:,}; "
                    "not read (raise max_file_bytes to include it)",
                    rel,
                    kind="limit",
                )
                return None
            chunks: list[bytes] = []
            remaining = limit + 1
            while remaining > 0:
                chunk = os.read(fd, min(remaining, 1 << 20))
                if not chunk:
                    break
                chunks.append(chunk)
                remaining -= len(chunk)
            data = b"".join(chunks)
        except OSError as exc:
            self.skipped["unreadable"] += 1
            self.warn(f"cannot read file ({exc.strerror}); skipped", rel, kind="unreadable")
            return None
        finally:
            os.close(fd)
        if len(data) > limit:
            self.skipped["too_large"] += 1
            self.warn(
                f"file grew past the limit of {limit:,} bytes while read; not used",
                rel,
                kind="limit",
            )
            return None
        self.files_read += 1
        self.bytes_read += len(data)
        return data

    def text(self, rel: str) -> str | None:
        """The file's text (UTF-8), read once; ``None`` for binary, too large or unreadable."""
        if rel in self._text:
            return self._text[rel]
        limit = (
            self.limits.max_notebook_bytes if rel.endswith(".ipynb") else self.limits.max_file_bytes
        )
        data = self._read_bytes(rel, limit)
        result: str | None = None
        if data is not None:
            if b"\0" in data[:8192]:
                self.skipped["binary"] += 1
                self.warn("binary content where text was expected; not read", rel, kind="binary")
            else:
                try:
                    result = data.decode("utf-8-sig")
                except UnicodeDecodeError as exc:
                    line = data[: exc.start].count(b"\n") + 1
                    self.warn(
                        "undecodable bytes (not UTF-8); read with replacement characters",
                        rel,
                        line,
                        kind="encoding",
                    )
                    result = data.decode("utf-8", "replace")
        self._text[rel] = result
        return result

    def parsed(self, rel: str, kind: str, parser: Callable[[str], T]) -> T | None:
        """``parser(text)``, cached per (file, kind); a :class:`ParseError` becomes a warning."""
        key = (rel, kind)
        if key in self._parsed:
            return self._parsed[key]  # type: ignore[no-any-return]
        text = self.text(rel)
        value: T | None = None
        if text is not None:
            try:
                with time_budget(self.limits.parse_timeout):
                    value = parser(text)
            except ParseError as exc:
                if isinstance(exc, ParseTimeoutError):
                    self.skipped["parse_timeout"] += 1
                    self.warn(f"{kind}: {exc.message}", rel, kind="limit")
                elif "{{" in text or "{%" in text or "{{" in rel:
                    self.skipped["template"] += 1  # Helm/Jinja/cookiecutter: not meant to parse
                else:
                    self.warn(
                        f"{kind}: {exc.message}; file skipped by {kind} detectors",
                        rel,
                        exc.line,
                        kind="parse",
                    )
            except (RecursionError, MemoryError):
                self.warn(f"{kind}: file too complex to parse; skipped", rel, kind="parse")
        self._parsed[key] = value
        return value

    def yaml(self, rel: str) -> list[Any] | None:
        """The YAML documents of a file (graph-checked against the YAML limits), or ``None``."""
        from mlkaizen.evidence.parse.yamlfile import load_yaml_documents

        def parse(text: str) -> list[Any]:
            return load_yaml_documents(text, self.limits.max_yaml_nodes, self.limits.max_yaml_depth)

        return self.parsed(rel, "yaml", parse)

    def memo(self, key: str, compute: Callable[[], T]) -> T:
        """A value computed once per scan and shared by detectors (e.g. all CI pipelines)."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]  # type: ignore[no-any-return]

    # ----------------------------------------------------------------- selecting
    def named(self, *names: str) -> list[str]:
        """Files whose base name is one of ``names`` (case-insensitive)."""
        out: list[str] = []
        for name in names:
            out.extend(self._names.get(name.lower(), []))
        return sorted(out)

    def glob(self, *patterns: str) -> list[str]:
        """Files matching any ``fnmatch`` pattern on the relative path (``*`` crosses ``/``)."""

        def compute() -> list[str]:
            match = re.compile("|".join(fnmatch.translate(p) for p in patterns)).match
            return [f for f in self.files if match(f)]

        return self.memo("glob:" + "\0".join(patterns), compute)

    def with_suffix(self, *suffixes: str) -> list[str]:
        """Files whose name ends with one of ``suffixes`` (case-insensitive)."""

        def compute() -> list[str]:
            wanted = tuple(s.lower() for s in suffixes)
            return [f for f in self.files if f.lower().endswith(wanted)]

        return self.memo("suffix:" + "\0".join(suffixes), compute)

    def python_sources(self) -> list[str]:
        return self.memo("python_sources", lambda: self.with_suffix(".py", ".ipynb"))

    def python(self, rel: str) -> PyFacts | None:
        if rel.endswith(".ipynb"):
            from mlkaizen.evidence.parse.notebook import parse_notebook

            return self.parsed(rel, "notebook-facts", parse_notebook)
        return self.parsed(rel, "python", parse_python)

    def importing(self, roots: Iterable[str]) -> list[str]:
        """Python files and notebooks that import a module under one of ``roots``.

        A fast textual pre-pass picks candidates; only those get a full AST parse, and the
        repository's own packages never count (an ML tool's source importing itself).
        """
        wanted = set(roots) - self.own_packages
        index = self._imports()
        return [f for f, found in index.items() if found & wanted]

    def _imports(self) -> dict[str, frozenset[str]]:
        if self._import_index is None:
            index: dict[str, frozenset[str]] = {}
            for rel in self.python_sources():
                if rel.endswith(".ipynb"):
                    code = self.parsed(rel, "notebook", _notebook_source)
                    index[rel] = import_roots(code) if code is not None else frozenset()
                    continue
                text = self.text(rel)
                if text is not None:
                    index[rel] = import_roots(text)
            self._import_index = index
        return self._import_index

    @property
    def own_packages(self) -> frozenset[str]:
        """Top-level packages this repository itself defines (root or ``src/`` layout)."""

        def compute() -> frozenset[str]:
            own: set[str] = set()
            for rel in self.files:
                parts = rel.split("/")
                if parts[-1] != "__init__.py":
                    continue
                if len(parts) == 2:
                    own.add(parts[0])
                elif len(parts) == 3 and parts[0] in ("src", "lib", "python"):
                    own.add(parts[1])
            return frozenset(own)

        return self.memo("own_packages", compute)

    def finding(  # noqa: PLR0917 - detectors call it positionally, values by keyword
        self,
        detector: str,
        rel: str | None,
        line: int | None,
        detail: str,
        outcome: Outcome = Outcome.FOUND,
        tests_are_evidence: bool = False,
        **values: str,
    ) -> Finding:
        """A finding with its context (project / tutorial / test) taken from the path. For
        detectors about tests, ``tests_are_evidence`` counts test folders as the project."""
        ctx = context_of(rel) if rel else context_of("")
        if tests_are_evidence and ctx is Context.TEST:
            ctx = Context.PROJECT
        return Finding(
            detector=detector,
            outcome=outcome,
            file=printable(rel) if rel else None,
            line=line,
            detail=printable(detail),
            context=ctx,
            values=values,
        )


def _notebook_source(text: str) -> str:
    from mlkaizen.evidence.parse.notebook import notebook_code

    return notebook_code(text)[0]
