"""A safe, bounded, read-once view of a repository.

* Lists files with ``git ls-files`` or a ``.gitignore``-honouring walk (:mod:`.listing`).
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
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

from mlkaizen.errors import MLKaizenError
from mlkaizen.evidence.budget import ParseTimeoutError, time_budget
from mlkaizen.evidence.findings import Context, Finding, Outcome, context_of
from mlkaizen.evidence.limits import ScanLimits
from mlkaizen.evidence.listing import Listing
from mlkaizen.evidence.parse import ParseError
from mlkaizen.evidence.parse.python_src import PyFacts, import_roots, parse_python

T = TypeVar("T")

WARNING_DETECTOR = "scan"
MAX_WARNINGS = 5_000  # kept per scan; the rest are counted in skipped["warnings_not_kept"]


def printable(rel: str) -> str:
    """A path as reports can show it: undecodable bytes (kept by ``os.fsdecode`` as
    surrogates) become U+FFFD instead of breaking JSON."""
    return rel.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


class RepoTree(Listing):
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

    def text_if_read(self, rel: str) -> str | None:
        """The file's text if a detector has already read it (reads nothing)."""
        return self._text.get(rel)

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
