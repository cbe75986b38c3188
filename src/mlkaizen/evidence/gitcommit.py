"""A git commit read straight from the object database, as a :class:`RepoTree`.

The listing comes from ``git ls-tree -r -z -l`` and file contents from one long-lived
``git cat-file --batch``: nothing is checked out, the work tree and index are never touched,
and no hook, filter, textconv, fsmonitor or pager can run (the system and global config are
ignored, the repository's own dangerous settings are overridden on the command line, the
environment is rebuilt from scratch and network transports are refused, so a partial clone
never fetches). Detectors read a commit exactly as they read a work tree.

Symlinks in the commit are never followed (reported and skipped), submodules are skipped,
and every scan limit (file size, bytes budget, file count) applies as for a work tree.

A :class:`BlobCache` shared by the trees of one replay keys contents and parsed forms by
blob id, so replaying many commits costs what changed between them, not their number.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, TypeVar

from mlkaizen.errors import MLKaizenError
from mlkaizen.evidence.factcache import FactCache, notebook_source
from mlkaizen.evidence.findings import Finding
from mlkaizen.evidence.limits import ScanLimits
from mlkaizen.evidence.listing import PRUNED_DIRS
from mlkaizen.evidence.parse.python_src import import_roots
from mlkaizen.evidence.tree import RepoTree
from mlkaizen.textfmt import counted

T = TypeVar("T")

OBJECT_GIT = [
    "git",
    "--no-pager",
    "--no-replace-objects",
    "-c",
    "core.fsmonitor=false",
    "-c",
    "core.hooksPath=/dev/null",
    "-c",
    "core.untrackedCache=false",
    "-c",
    "core.pager=cat",
    "-c",
    "protocol.allow=never",
    "-c",
    "diff.external=",
    "-c",
    "log.showSignature=false",
    "-c",
    "safe.bareRepository=explicit",
]
_KEPT_ENV = ("PATH", "SYSTEMROOT", "TMPDIR")
MODE_SYMLINK = "120000"
MODE_SUBMODULE = "160000"
MAX_CACHE_BYTES = 256 * 1024 * 1024
MAX_PARSED_BYTES = 128 * 1024 * 1024  # estimated memory of the parsed forms a cache keeps
MAX_PARSED = 20_000  # parsed forms a cache keeps
# a parsed document (YAML, JSON, TOML, Python facts) takes some 16 times its text in memory;
# these parses keep only a few names of a file
PARSED_GROWTH = 16
_COMPACT_KINDS = frozenset({"import-roots", "headings"})


def object_env() -> dict[str, str]:
    """A clean environment: no inherited ``GIT_*`` variable (``GIT_DIR``, ``GIT_CONFIG_*``,
    alternates...) and neither the system nor the user's global config."""
    env = {k: os.environ[k] for k in _KEPT_ENV if k in os.environ}
    env.update(
        {
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_TERMINAL_PROMPT": "0",
            "GIT_OPTIONAL_LOCKS": "0",
            "GIT_NO_LAZY_FETCH": "1",
            "GIT_PAGER": "cat",
            "PAGER": "cat",
            "LC_ALL": "C",
            "HOME": os.devnull,
        }
    )
    return env


@dataclass
class BlobCache:
    """Blob id -> bytes, and (blob id, parser kind) -> parsed value with its warnings.

    Both are bounded: contents by bytes (``max_bytes``), parsed forms least recently used
    first by their estimated memory (``max_parsed_bytes``: :data:`PARSED_GROWTH` times the
    blob's size, its size for the compact parses) and by count (``max_parsed``);
    ``fetched`` counts the bytes read from git, which a replay budgets."""

    max_bytes: int = MAX_CACHE_BYTES
    max_parsed_bytes: int = MAX_PARSED_BYTES
    max_parsed: int = MAX_PARSED
    blobs: dict[str, bytes] = field(default_factory=dict)
    parsed: OrderedDict[tuple[str, str], tuple[Any, list[tuple[str, int | None, str]], int]] = (
        field(default_factory=OrderedDict)
    )
    results: dict[str, Any] = field(default_factory=dict)  # whole-tree results, by tree id
    held: int = 0
    parsed_held: int = 0  # estimated bytes of the parsed forms kept
    evicted: int = 0  # parsed forms dropped to stay within the bounds
    blobs_read: int = 0  # contents fetched from git (cache misses)
    fetched: int = 0  # bytes of those contents
    parses: int = 0  # parses actually run (cache misses)
    parsed_chars: int = 0  # bytes of the contents those parses read

    def keep(self, oid: str, data: bytes) -> None:
        if self.held + len(data) <= self.max_bytes:
            self.blobs[oid] = data
            self.held += len(data)

    def recall(self, key: tuple[str, str]) -> tuple[Any, list[tuple[str, int | None, str]]] | None:
        hit = self.parsed.get(key)
        if hit is None:
            return None
        self.parsed.move_to_end(key)
        return hit[0], hit[1]

    def remember(
        self, key: tuple[str, str], value: Any, notes: list[tuple[str, int | None, str]], size: int
    ) -> None:
        old = self.parsed.pop(key, None)
        if old is not None:
            self.parsed_held -= old[2]
        self.parsed[key] = (value, notes, size)
        self.parsed_held += size
        while self.parsed and (
            self.parsed_held > self.max_parsed_bytes or len(self.parsed) > self.max_parsed
        ):
            _, (_, _, weight) = self.parsed.popitem(last=False)
            self.parsed_held -= weight
            self.evicted += 1


@dataclass(frozen=True)
class Entry:
    mode: str
    oid: str
    size: int


class GitObjects:
    """One repository's object database: commands and a ``cat-file --batch`` reader.

    ``repo`` is a work tree's top folder, or with ``bare`` a bare repository, which git is
    pointed at with ``--git-dir`` (``safe.bareRepository=explicit`` refuses to find one)."""

    def __init__(self, repo: Path, *, bare: bool = False) -> None:
        self.repo = repo
        self.bare = bare
        self._batch: subprocess.Popen[bytes] | None = None

    def git(self, *args: str) -> list[str]:
        """The command line of ``git ARGS`` on this repository, with the safe settings."""
        where = f"--git-dir={self.repo}" if self.bare else "-C"
        return [*OBJECT_GIT, where, *([] if self.bare else [str(self.repo)]), *args]

    def command(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[bytes]:
        """``git ARGS`` in the repository, safely; a missing or hanging git is an error."""
        try:
            return subprocess.run(
                self.git(*args),
                capture_output=True,
                env=object_env(),
                stdin=subprocess.DEVNULL,
                timeout=timeout,
                check=False,
            )
        except FileNotFoundError:
            raise MLKaizenError("git is not installed (it must be on the PATH)") from None
        except subprocess.TimeoutExpired:
            raise MLKaizenError(f"git {args[0]} took over {timeout:g} s", str(self.repo)) from None

    def text(self, *args: str) -> str:
        """The output of a command that must succeed; its first error line otherwise."""
        proc = self.command(*args)
        if proc.returncode != 0:
            first = proc.stderr.decode("utf-8", "replace").strip().splitlines()[:1]
            raise MLKaizenError(
                f"git {args[0]} failed: {first[0] if first else f'exit {proc.returncode}'}",
                str(self.repo),
            )
        return proc.stdout.decode("utf-8", "surrogateescape")

    def records(
        self, *args: str, fields: int, cap: int, timeout: float = 120, newlines: bool = False
    ) -> Generator[list[bytes], None, None]:
        """The NUL-terminated records ``git ARGS -z`` prints, read as they come: each split
        on its first ``fields - 1`` newlines, every field cut to ``cap`` bytes (the rest is
        read and dropped, never held: a commit subject can be megabytes). The last field's
        own newlines are dropped, or kept with ``newlines`` (a message body, a path)."""
        with tempfile.TemporaryFile() as errors:
            try:
                proc = subprocess.Popen(
                    self.git(*args),
                    stdout=subprocess.PIPE,
                    stderr=errors,
                    stdin=subprocess.DEVNULL,
                    env=object_env(),
                )
            except FileNotFoundError:
                raise MLKaizenError("git is not installed (it must be on the PATH)") from None
            hung = threading.Event()

            def stop() -> None:
                hung.set()
                proc.kill()

            guard = threading.Timer(timeout, stop)
            guard.start()
            try:
                assert proc.stdout is not None
                yield from _split_records(proc.stdout, fields, cap, newlines)
                proc.wait()
            finally:
                guard.cancel()
                if proc.poll() is None:  # stopped early, by an error or by the caller
                    proc.kill()
                    proc.wait()
                if proc.stdout is not None:
                    proc.stdout.close()
            if hung.is_set():
                raise MLKaizenError(f"git {args[0]} took over {timeout:g} s", str(self.repo))
            if proc.returncode != 0:
                errors.seek(0)
                first = errors.read(4096).decode("utf-8", "replace").strip().splitlines()[:1]
                raise MLKaizenError(
                    f"git {args[0]} failed: {first[0] if first else f'exit {proc.returncode}'}",
                    str(self.repo),
                )

    def entries(self, commit: str) -> dict[str, Entry]:
        """Every path of the commit's tree with its mode, blob id and size."""
        out: dict[str, Entry] = {}
        raw = self.command("ls-tree", "-r", "-z", "-l", "--full-tree", commit)
        if raw.returncode != 0:
            first = raw.stderr.decode("utf-8", "replace").strip().splitlines()[:1]
            raise MLKaizenError(
                f"cannot list commit {commit[:12]} ({first[0] if first else 'git failed'})",
                str(self.repo),
            )
        for record in raw.stdout.split(b"\0"):
            if not record:
                continue
            meta, _, name = record.partition(b"\t")
            mode, kind, oid, size = meta.decode("ascii").split(maxsplit=3)
            if kind == "tree":
                continue
            size = size.strip()  # "-" for a submodule, "BAD" for a missing blob
            out[os.fsdecode(name)] = Entry(mode, oid, int(size) if size.isdigit() else -1)
        return out

    def read(self, oid: str) -> bytes | None:
        """A blob's contents, or ``None`` when the object is missing (shallow or partial
        clone, damaged repository)."""
        proc = self._reader()
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write(oid.encode("ascii") + b"\n")
        proc.stdin.flush()
        header = proc.stdout.readline()
        parts = header.split()
        if len(parts) != 3:
            if not header:
                self.close()
            return None
        size = int(parts[2])
        data = proc.stdout.read(size)
        proc.stdout.read(1)  # the newline after the contents
        return data if parts[1] == b"blob" else None

    def _reader(self) -> subprocess.Popen[bytes]:
        if self._batch is None or self._batch.poll() is not None:
            try:
                self._batch = subprocess.Popen(
                    self.git("cat-file", "--batch"),
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.DEVNULL,
                    env=object_env(),
                )
            except FileNotFoundError:
                raise MLKaizenError("git is not installed (it must be on the PATH)") from None
        return self._batch

    def close(self) -> None:
        if self._batch is not None:
            if self._batch.stdin is not None:
                self._batch.stdin.close()
            try:
                self._batch.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._batch.kill()
                self._batch.wait()
            if self._batch.stdout is not None:
                self._batch.stdout.close()
            self._batch = None

    def __enter__(self) -> GitObjects:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class CommitTree(RepoTree):
    """The files of one commit (under ``prefix``, a folder of the repository) as a tree.

    ``root`` stays the repository folder on disk so that paths in reports read as usual, but
    nothing is read from it."""

    def __init__(
        self,
        objects: GitObjects,
        commit: str,
        root: Path,
        *,
        limits: ScanLimits | None = None,
        cache: BlobCache | None = None,
        prefix: str = "",
    ) -> None:
        self.objects = objects
        self.commit = commit
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.cache = cache if cache is not None else BlobCache()
        self._entries: dict[str, Entry] = {}
        super().__init__(root, limits)

    def _list(self) -> list[str]:
        self.listing = "git-commit"
        self._identity = {}  # nothing is opened on disk: reads come from git objects
        self._prefix = os.path.join(self.root, "")
        files: list[str] = []
        n = len(self.prefix)
        for full, entry in sorted(self.objects.entries(self.commit).items()):
            if not full.startswith(self.prefix):
                continue
            rel = full[n:]
            if any(part in PRUNED_DIRS for part in rel.split("/")[:-1]):
                continue
            if entry.mode == MODE_SUBMODULE:
                self.skipped["submodule"] += 1
                continue
            if entry.mode == MODE_SYMLINK:
                self.skipped["symlink_in_commit"] += 1
                self.warn("symlink in the commit; not followed", rel, kind="symlink")
                continue
            if len(files) >= self.limits.max_files:
                self.skipped["max_files"] += 1
                continue
            files.append(rel)
            self.sizes[rel] = max(0, entry.size)
            self._entries[rel] = entry
        if self.skipped["max_files"]:
            self.warn(
                f"limit max_files={self.limits.max_files} reached: "
                f"{counted(self.skipped['max_files'], 'file')} not scanned",
                kind="limit",
            )
        return files

    def _preparse(self, cache: FactCache) -> None:
        """Nothing: a commit's files are parsed as asked (most are in the blob cache)."""

    def _entry(self, rel: str) -> Entry | None:
        """The commit's entry of ``rel``: a template listed as the file it renders
        (``train.py`` for ``train.py.tmpl``) is read from the template."""
        return self._entries.get(self._real.get(rel, rel))

    def blob_id(self, rel: str) -> str | None:
        entry = self._entry(rel)
        return entry.oid if entry else None

    def _read_bytes(self, rel: str, limit: int) -> bytes | None:
        entry = self._entry(rel)
        if entry is None:
            return None  # not in the commit (e.g. a .git pointer asked for by the listing)
        if self._read_budget_spent(rel):
            return None
        if entry.size < 0:
            self._missing(rel)
            return None
        if entry.size > limit:
            self.skipped["too_large"] += 1
            self.warn(
                f"file is {entry.size:,} bytes, over the limit of {limit:,}; "
                "not read (raise max_file_bytes to include it)",
                rel,
                kind="limit",
            )
            return None
        data = self.cache.blobs.get(entry.oid)
        if data is None:
            data = self.objects.read(entry.oid)
            if data is None:
                self._missing(rel)
                return None
            self.cache.blobs_read += 1
            self.cache.fetched += len(data)
            self.cache.keep(entry.oid, data)
        self.files_read += 1
        self.bytes_read += len(data)
        return data

    def _missing(self, rel: str) -> None:
        self.skipped["missing_blob"] += 1
        self.warn(
            "blob missing from the object database (partial clone or damaged repository); skipped",
            rel,
            kind="git",
        )

    def parsed(self, rel: str, kind: str, parser: Callable[[str], T]) -> T | None:
        """As :meth:`RepoTree.parsed`, shared across commits by blob id: a file unchanged
        since an earlier commit is not parsed again (its warnings are repeated)."""
        entry = self._entry(rel)
        if entry is None:
            return super().parsed(rel, kind, parser)
        # a template's blob is parsed as the text it renders, apart from the same blob read
        # as it is
        key = (entry.oid, kind + ":rendered" if rel in self._real else kind)
        hit = self.cache.recall(key)
        if hit is not None:
            value, notes = hit
            if (rel, kind) not in self._parsed:
                self.text(rel)  # counts the read, as a work-tree scan would
                for message, line, note_kind in notes:
                    self.warn(message, rel, line, kind=note_kind)
                self._parsed[(rel, kind)] = value
            return self._parsed[(rel, kind)]  # type: ignore[no-any-return]
        before = len(self.warnings)
        value = super().parsed(rel, kind, parser)
        self.cache.parses += 1
        self.cache.parsed_chars += entry.size
        notes = [_note(w) for w in self.warnings[before:] if w.file == rel]
        weight = max(entry.size, 1) * (1 if kind in _COMPACT_KINDS else PARSED_GROWTH)
        self.cache.remember(key, value, notes, weight)
        return value

    def _imports(self) -> dict[str, frozenset[str]]:
        """As :meth:`RepoTree._imports`, with each Python file's imported roots kept by blob
        id, so an unchanged file is not scanned again at the next commit."""
        if self._import_index is None:
            index: dict[str, frozenset[str]] = {}
            for rel in self.python_sources():
                if rel.endswith(".ipynb"):
                    code = self.parsed(rel, "notebook", notebook_source)
                    index[rel] = import_roots(code) if code is not None else frozenset()
                    continue
                found = self.parsed(rel, "import-roots", import_roots)
                if found is not None:
                    index[rel] = found
            self._import_index = index
        return self._import_index


def _split_records(
    stream: IO[bytes], fields: int, cap: int, newlines: bool = False
) -> Iterator[list[bytes]]:
    """Records of ``stream`` (see :meth:`GitObjects.records`), holding at most ``cap`` bytes
    of each field and one chunk of input at a time."""
    done: list[bytes] = []
    current = bytearray()
    while chunk := stream.read(1 << 20):
        pos = 0
        line, nul = chunk.find(b"\n"), chunk.find(b"\0")
        while line >= 0 or nul >= 0:  # each break found once, by memchr: linear in the chunk
            if nul < 0 or 0 <= line < nul:
                end, line = line, chunk.find(b"\n", line + 1)
            else:
                end, nul = nul, chunk.find(b"\0", nul + 1)
            if len(current) < cap:
                current += chunk[pos : min(end, pos + cap - len(current))]
            pos = end + 1
            if chunk[end] == 0:
                done.append(bytes(current))
                yield done
                done, current = [], bytearray()
            elif len(done) < fields - 1:
                done.append(bytes(current))
                current = bytearray()
            elif newlines and len(current) < cap:
                current += b"\n"
            # else a newline in the last field: kept out, the field goes on
        if len(current) < cap:
            current += chunk[pos : pos + cap - len(current)]
    if done or current:
        done.append(bytes(current))
        yield done


def _note(w: Finding) -> tuple[str, int | None, str]:
    return (w.detail, w.line, str(w.values.get("kind", "scan")))
