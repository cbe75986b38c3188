"""Parsed forms of files kept on disk by content, so an unchanged file is parsed once.

An entry is keyed by a hash of the full text handed to the parser, the parse kind and a
fingerprint of the parser: the tool's version, the Python version, a per-kind format
constant, and the source of every module that shapes the result (the parsers and this
module). Editing a parser therefore changes every key it made; nothing stale is served.

Only kinds whose result is plain data are cached, through a codec that writes JSON and reads
it back with every type checked (never pickle): Python facts, notebook facts, a notebook's
code, YAML documents (tagged JSON keeping each mapping's line; documents with anchors and
aliases stay uncached) and a document's headings (a warm run then never imports the Markdown
parser, about 45 ms of start-up). TOML, JSON, Dockerfiles and the rest take a negligible
share of the time and stay uncached, as do parsers given by detectors (their results may
depend on more than the text). A parse that failed is cached as its error (message and line), so the
warning it gives is the same; a timeout or an exhausted interpreter (memory, stack: see
:func:`lasting`) is never cached, whatever error the parser made of it. An
entry keeps the seconds its parse took, and a hit spends them from the scan's
``max_parse_seconds`` budget as the parse would have.

Entries live in the user cache folder (:mod:`mlkaizen.usercache`, ``MLKAIZEN_CACHE_DIR``
relocates it, empty switches it off) under ``facts/``: one file an entry, named by its key
(hex digits, so nothing in a repository can name a path), written to a temporary file and
renamed into place (concurrent runs never see half an entry); during a scan a thread
writes them while the detectors run (:meth:`FactCache.background_writes`). An entry starts
with its own key and a hash of its payload; one that is truncated, corrupt or written for
another key is a miss and is rewritten. The folder is kept under a size cap
(``MLKAIZEN_FACT_CACHE_MB``, default 256): after a run that wrote entries, the least recently
used are removed.

With ``jobs`` > 1 a tree's uncached Python files and notebooks are parsed first in a pool of
worker processes (:func:`parse_in_pool`), when there is enough of them; the scan takes each
result only for the very text it was parsed from. Serial unless configured; the command line
asks for the usable cores (:func:`usable_cores`), and the thresholds below keep small and
warm trees serial.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import json
import os
import queue
import stat
import sys
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlkaizen import __version__, usercache
from mlkaizen.evidence.parse import ParseError
from mlkaizen.evidence.parse.python_src import Call, Check, PyFacts
from mlkaizen.fsio.read import open_subdir, read_regular_at
from mlkaizen.fsio.write import replace_at

if TYPE_CHECKING:
    from mlkaizen.evidence.parse.notebook import NotebookFacts

FOLDER = "facts"
FORMAT = b"mlkaizen-facts 1"
CAP_ENV = "MLKAIZEN_FACT_CACHE_MB"
DEFAULT_CAP_MB = 256
TOUCH_AFTER_S = 3600  # a hit refreshes an entry's time at most this often (LRU by mtime)
# the least uncached parsing a pool is started for (see BENCHMARKS.md)
POOL_MIN_FILES = 48
POOL_MIN_BYTES = 1 << 20
# ... and only where Python files and notebooks are a good share of the tree: the pool parses
# them all, while a scan of a large mixed tree parses only the few the detectors pick
POOL_MIN_SHARE = 0.2
# ... and at most this much text at once (the texts, their results and the entries made of
# them are all held until the pool is done); the rest is parsed in the scan
POOL_MAX_BYTES = 64 << 20
SIZE_FILE = ".size"  # the folder's size as last measured, plus what was written since
SIZE_RECHECK_S = 86_400
MAX_ENTRY_BYTES = usercache.MAX_ENTRY_BYTES  # a bigger file in the folder is not an entry
QUEUE_MAX_BYTES = 64 << 20  # entries waiting for the writer thread, at most
SWEEP_MAX_ENTRIES = 1_000_000  # files the size sweep looks at, at most
POOL_PROBE = 16  # files read first to tell a cold tree from a warm one



class CorruptEntryError(ValueError):
    """A stored payload that does not decode to what its kind produces."""


# ------------------------------------------------------------------ codecs
def _str(v: Any) -> str:
    if type(v) is not str:
        raise CorruptEntryError("str expected")
    return v


def _int(v: Any) -> int:
    if type(v) is not int:
        raise CorruptEntryError("int expected")
    return v


def _opt_int(v: Any) -> int | None:
    return None if v is None else _int(v)


def _bool(v: Any) -> bool:
    if type(v) is not bool:
        raise CorruptEntryError("bool expected")
    return v


def _list(v: Any, n: int | None = None) -> list[Any]:
    if type(v) is not list or (n is not None and len(v) != n):
        raise CorruptEntryError("list expected")
    return v


def _dict(v: Any) -> dict[str, Any]:
    if type(v) is not dict:
        raise CorruptEntryError("object expected")
    return v


def _enc_call(c: Call) -> list[Any]:
    return [c.name, c.line, sorted(c.keywords), list(c.str_args), [list(p) for p in c.constants]]


def _strs(v: Any) -> list[str]:
    if type(v) is not list or not all(type(x) is str for x in v):
        raise CorruptEntryError("list of str expected")
    return v


def _dec_call(v: Any) -> Call:
    if type(v) is not list or len(v) != 5:
        raise CorruptEntryError("call expected")
    name, line, keywords, str_args, constants = v
    if type(name) is not str or type(line) is not int or type(constants) is not list:
        raise CorruptEntryError("call expected")
    pairs = tuple((_str(p[0]), _str(p[1])) for p in (_list(x, 2) for x in constants))
    return Call(name, line, frozenset(_strs(keywords)), tuple(_strs(str_args)), pairs)


def _enc_py(f: PyFacts) -> dict[str, Any]:
    return {
        "imports": f.imports,
        "calls": [_enc_call(c) for c in f.calls],
        "decorators": [_enc_call(c) for c in f.decorators],
        "bases": [_enc_call(c) for c in f.bases],
        "functions": f.functions,
        "main": f.has_main_guard,
        "checks": [[c.line, c.test, c.fails] for c in f.checks],
        "asserts": f.asserts_values,
    }


def _dec_py_fields(v: Any) -> dict[str, Any]:
    d = _dict(v)
    return {
        "imports": {_str(k): _int(n) for k, n in _dict(d["imports"]).items()},
        "calls": [_dec_call(c) for c in _list(d["calls"])],
        "decorators": [_dec_call(c) for c in _list(d["decorators"])],
        "bases": [_dec_call(c) for c in _list(d["bases"])],
        "functions": {_str(k): _int(n) for k, n in _dict(d["functions"]).items()},
        "has_main_guard": _bool(d["main"]),
        "checks": [
            Check(_int(c[0]), _str(c[1]), _bool(c[2])) for c in (_list(x, 3) for x in d["checks"])
        ],
        "asserts_values": _bool(d["asserts"]),
    }


def _dec_py(v: Any) -> PyFacts:
    return PyFacts(**_dec_py_fields(v))


def _enc_nb(f: Any) -> dict[str, Any]:
    out = _enc_py(f)
    out["shell"] = [list(s) for s in f.shell]
    out["writes"] = [list(w) for w in f.writes]
    out["skipped"] = [list(s) for s in f.skipped]
    return out


def _dec_nb(v: Any) -> Any:
    from mlkaizen.evidence.parse.notebook import NotebookFacts

    d = _dict(v)
    return NotebookFacts(
        **_dec_py_fields(d),
        shell=[(_int(s[0]), _str(s[1])) for s in (_list(x, 2) for x in _list(d["shell"]))],
        writes=[
            (_str(w[0]), _int(w[1]), _str(w[2])) for w in (_list(x, 3) for x in _list(d["writes"]))
        ],
        skipped=[
            (_int(s[0]), _opt_int(s[1]), _str(s[2]))
            for s in (_list(x, 3) for x in _list(d["skipped"]))
        ],
    )


_YAML_TAGS = frozenset({"map", "dict", "tuple", "set", "bytes", "datetime", "date"})


def _enc_yaml(docs: Any) -> Any:
    """YAML documents as tagged JSON: every JSON object is a tag (a mapping keeps its line
    and its keys' types). Documents whose nodes are shared (anchors and aliases) or hold a
    type not listed are not cached (:class:`TypeError`), so what is served is exactly what
    the loader builds."""
    import base64
    import datetime as dt

    from mlkaizen.evidence.parse.yamlfile import LineDict

    seen: set[int] = set()

    def enc(v: Any) -> Any:
        t = type(v)
        if v is None or t in (bool, int, float, str):
            return v
        if id(v) in seen:
            raise TypeError("shared node")
        seen.add(id(v))
        if t is list:
            return [enc(x) for x in v]
        if t is LineDict:
            return {"map": [v.line, [[enc(k), enc(x)] for k, x in v.items()]]}
        if t is dict:
            return {"dict": [[enc(k), enc(x)] for k, x in v.items()]}
        if t is tuple:
            return {"tuple": [enc(x) for x in v]}
        if t is set:
            return {"set": [enc(x) for x in v]}
        if t is bytes:
            return {"bytes": base64.b64encode(v).decode("ascii")}
        if t is dt.datetime:
            return {"datetime": v.isoformat()}
        if t is dt.date:
            return {"date": v.isoformat()}
        raise TypeError(f"{t.__name__} is not cached")

    return enc(_list(docs))


def _dec_yaml(value: Any) -> Any:
    import base64
    import binascii
    import datetime as dt

    from mlkaizen.evidence.parse.yamlfile import LineDict

    def pairs(v: Any) -> list[tuple[Any, Any]]:
        return [(dec(k), dec(x)) for k, x in (_list(p, 2) for p in _list(v))]

    def dec(v: Any) -> Any:
        t = type(v)
        if v is None or t in (bool, int, float, str):
            return v
        if t is list:
            return [dec(x) for x in v]
        if t is not dict or len(v) != 1 or not _YAML_TAGS.issuperset(v):
            raise CorruptEntryError("not a YAML value")
        (tag, body), = v.items()
        if tag == "map":
            line, items = _list(body, 2)
            mapping = LineDict(pairs(items))
            mapping.line = _int(line)
            return mapping
        if tag == "dict":
            return dict(pairs(body))
        if tag == "tuple":
            return tuple(dec(x) for x in _list(body))
        if tag == "set":
            return {dec(x) for x in _list(body)}
        if tag == "bytes":
            try:
                return base64.b64decode(_str(body), validate=True)
            except binascii.Error:
                raise CorruptEntryError("not base64") from None
        if tag == "datetime":
            return dt.datetime.fromisoformat(_str(body))
        return dt.date.fromisoformat(_str(body))

    return [dec(d) for d in _list(value)]


def _enc_headings(v: Any) -> list[list[Any]]:
    return [[title, line] for title, line in v]


def _dec_headings(v: Any) -> list[tuple[str, int]]:
    return [(_str(h[0]), _int(h[1])) for h in (_list(x, 2) for x in _list(v))]


def _markdown_versions() -> str:
    """markdown-it-py's version, without importing it (a hit then never loads the parser)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"markdown-it-py {version('markdown-it-py')}"
    except PackageNotFoundError:
        return "markdown-it-py ?"


def _yaml_versions() -> str:
    """PyYAML's version and whether its libyaml extension is there, without importing it."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        release = version("PyYAML")
    except PackageNotFoundError:
        release = "?"
    from importlib.machinery import EXTENSION_SUFFIXES

    # libyaml is used where PyYAML's extension for this interpreter is there (a leftover
    # built for another Python does not count)
    folder = os.path.dirname(_origin("yaml") or "")
    names = {"_yaml" + suffix for suffix in EXTENSION_SUFFIXES}
    try:
        libyaml = bool(folder) and not names.isdisjoint(os.listdir(folder))
    except OSError:
        libyaml = False
    return f"PyYAML {release} libyaml {libyaml}"


def _origin(name: str) -> str | None:
    """The file a module would be loaded from (its parent packages are imported)."""
    from importlib.util import find_spec

    try:
        spec = find_spec(name)
    except (ImportError, ValueError):
        return None
    return spec.origin if spec is not None else None


_PY_SOURCES = (
    "mlkaizen.evidence.parse",
    "mlkaizen.evidence.parse.python_src",
    "mlkaizen.evidence.parse.mappings",
    "mlkaizen.evidence.parse.ipython",
    "mlkaizen.evidence.parse.notebook",
    "mlkaizen.evidence.parse.structured",
    "mlkaizen.evidence.factcache",
)


@dataclass(frozen=True)
class Codec:
    """How one parse kind's result is written as JSON and read back (types checked), and
    what shapes it: the modules whose source counts, and other versions."""

    kind: str
    version: int  # bump when the encoding or the meaning of the result changes
    encode: Callable[[Any], Any]
    decode: Callable[[Any], Any]
    sources: tuple[str, ...] = _PY_SOURCES
    versions: Callable[[], str] = str


CODECS = {
    "python": Codec("python", 1, _enc_py, _dec_py),
    "notebook-facts": Codec("notebook-facts", 1, _enc_nb, _dec_nb),
    "notebook": Codec("notebook", 1, lambda s: s, _str),
    "yaml": Codec("yaml", 1, _enc_yaml, _dec_yaml,
                  ("mlkaizen.evidence.parse", "mlkaizen.evidence.parse.yamlfile",
                   "mlkaizen.evidence.parse.yamlload",
                   "mlkaizen.evidence.factcache"), _yaml_versions),
    "headings": Codec("headings", 1, _enc_headings, _dec_headings,
                      ("mlkaizen.evidence.parse.headings", "mlkaizen.evidence.factcache"),
                      _markdown_versions),
}


def lasting(exc: BaseException) -> bool:
    """Whether a parse error depends on the text alone, and may be kept as the file's
    outcome: not when the parser ran out of memory or of the interpreter's stack, whatever
    error that became (a parser may turn it into a :class:`ParseError`, ``from None`` or
    not), since a run with more of either may parse the file."""
    seen: BaseException | None = exc
    for _ in range(32):  # a chain of causes is short; never loop on a cycle
        if seen is None:
            return True
        if isinstance(seen, (MemoryError, RecursionError)):
            return False
        seen = seen.__cause__ or seen.__context__
    return True


# ------------------------------------------------------------------ keys and payloads
_fingerprints: dict[str, bytes] = {}


def fingerprint(kind: str) -> bytes:
    """What, besides the text, a result of ``kind`` depends on (computed once a process)."""
    found = _fingerprints.get(kind)
    if found is None:
        digest = hashlib.sha256()
        codec = CODECS[kind]
        for part in (__version__, sys.implementation.name, sys.version, kind,
                     str(codec.version), codec.versions()):
            digest.update(part.encode("utf-8") + b"\0")
        for name in codec.sources:
            module = sys.modules.get(name)
            # a module not loaded yet is found, not imported (a warm run never loads PyYAML)
            path = getattr(module, "__file__", None) if module else _origin(name)
            try:
                digest.update(Path(path).read_bytes() if path else b"?")
            except OSError:
                digest.update(b"?")
            digest.update(b"\0")
        found = _fingerprints[kind] = digest.digest()
    return found


def text_digest(text: str) -> bytes:
    """A hash of every byte of ``text`` (computed once a file, shared by its kinds)."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()


def entry_key(kind: str, digest: bytes, variant: str = "") -> str:
    """The key of ``kind`` parsed from the text of :func:`text_digest` ``digest``, with the
    parser's settings (``variant``, e.g. the YAML limits)."""
    return usercache.key(FORMAT, fingerprint(kind), variant, digest)


def encode(kind: str, value: Any = None, error: ParseError | None = None,
           seconds: float = 0.0) -> str:
    """A payload: the result of a parse, or the error it raised, and the seconds the parse
    took (a hit counts them against the scan's ``max_parse_seconds`` as the parse would)."""
    body: dict[str, Any] = (
        {"error": [error.message, error.line]}
        if error is not None
        else {"value": CODECS[kind].encode(value)}
    )
    body["s"] = round(max(0.0, seconds), 6)
    return json.dumps(body, ensure_ascii=True, separators=(",", ":"))


def decode(kind: str, payload: str) -> tuple[Any, ParseError | None]:
    """(result, None) or (None, the error); :class:`CorruptEntryError` if the payload is not one."""
    value, error, _ = decode_with_cost(kind, payload)
    return value, error


def decode_with_cost(kind: str, payload: str) -> tuple[Any, ParseError | None, float]:
    """:func:`decode`, and the seconds the parse took."""
    try:
        body = _dict(json.loads(payload))
        seconds = body.get("s", 0.0)
        if type(seconds) not in (int, float) or not 0 <= seconds < 1e9:
            raise CorruptEntryError("seconds expected")
        if "error" in body:
            message, line = _list(body["error"], 2)
            return None, ParseError(_str(message), _opt_int(line)), float(seconds)
        return CODECS[kind].decode(body["value"]), None, float(seconds)
    except (ValueError, KeyError, TypeError, IndexError, RecursionError) as exc:
        raise CorruptEntryError(str(exc)) from None


# ------------------------------------------------------------------ the store
class FactCache:
    """The on-disk store (``folder`` None: memory only) with counters for the tests.

    The folder is reached as :func:`mlkaizen.usercache.open_dir` reaches it (never through a
    link below the working folder: a link there is one warning and no cache) and held open;
    inside it every sub-folder, entry and the size marker is opened relative to it without
    following a link, and a FIFO, device or folder where a file should be is a miss."""

    def __init__(self, folder: Path | None, *, cap_bytes: int | None = None, jobs: int = 1,
                 on_problem: Callable[[str], None] | None = None) -> None:
        self.folder = folder
        self.cap_bytes = cap_bytes if cap_bytes is not None else _cap_from_env()
        self.jobs = max(1, jobs)
        self.on_problem = on_problem
        self.writable = folder is not None
        self.hits = 0
        self.misses = 0
        self.writes = 0
        self.corrupt = 0
        self.pooled = 0  # files parsed in worker processes
        self._written_bytes = 0
        self._background = False  # inside background_writes
        self._queue: queue.SimpleQueue[tuple[str, bytes] | None] | None = None
        self._writer: threading.Thread | None = None
        self._waiting: dict[str, str] = {}  # key -> payload, queued and not yet written
        self._queued_bytes = 0  # of the entries queued: past QUEUE_MAX_BYTES, written at once
        self._lock = threading.Lock()
        self._failed = False
        self._fd: int | None = None  # the folder, once reached
        self._refused = False  # a link on the way to the folder: no cache

    def _dir(self, create: bool) -> int | None:
        """The folder's descriptor (opened once, kept), or None when it is missing, cannot be
        made, or is refused."""
        if self._fd is not None or self.folder is None or self._refused:
            return self._fd
        with self._lock:
            if self._fd is None:
                try:
                    fd = usercache.open_dir(self.folder, create=create)
                except (OSError, ValueError):
                    return None
                if fd is None and create:  # refused (a missing folder would be made)
                    self._refused = True
                    self.writable = False
                    return None
                if fd is not None:
                    self._fd = fd
                    weakref.finalize(self, _close, fd)
        return self._fd

    def _sub(self, key: str, create: bool) -> int | None:
        fd = self._dir(create)
        if fd is None:
            return None
        try:
            return open_subdir(fd, key[:2], create=create)
        except OSError:
            return None

    def _valid(self, key: str) -> bool:
        return (self.folder is not None and len(key) == 64
                and all(c in "0123456789abcdef" for c in key))

    def get(self, key: str) -> str | None:
        """The payload stored for ``key``, or None (absent, unreadable or corrupt)."""
        if not self._valid(key):
            return None
        waiting = self._waiting.get(key)
        if waiting is not None:  # put in this scan, still on its way to the disk
            self.hits += 1
            return waiting
        sub = self._sub(key, create=False)
        if sub is None:
            self.misses += 1
            return None
        try:
            found = read_regular_at(sub, key[2:], MAX_ENTRY_BYTES)
            if found is None:
                self.misses += 1
                return None
            raw, st = found
            payload = _unwrap(key, raw)
            if payload is None:
                self.corrupt += 1
                self.misses += 1
                return None
            self.hits += 1
            if self.writable and st.st_mtime < time.time() - TOUCH_AFTER_S:
                _touch(sub, key[2:])
            return payload
        finally:
            os.close(sub)

    def has(self, key: str) -> bool:
        """Whether an entry exists for ``key`` (not read: it may still prove corrupt)."""
        if not self._valid(key):
            return False
        sub = self._sub(key, create=False)
        if sub is None:
            return False
        try:
            return stat.S_ISREG(os.stat(key[2:], dir_fd=sub, follow_symlinks=False).st_mode)
        except OSError:
            return False
        finally:
            os.close(sub)

    def bad(self, key: str) -> None:
        """A payload that did not decode: counted as corrupt (the caller rewrites it)."""
        self.hits -= 1
        self.misses += 1
        self.corrupt += 1

    def put(self, key: str, payload: str) -> None:
        if not self._valid(key) or not self.writable or self.folder is None:
            return
        data = _wrap(key, payload)
        if len(data) > MAX_ENTRY_BYTES:  # never read back: not stored
            return
        if self._background and self._queue is None:
            self._start_writer()
        if self._queue is not None:
            with self._lock:
                queued = self._queued_bytes + len(data) <= QUEUE_MAX_BYTES
                if queued:
                    self._queued_bytes += len(data)
                    self._waiting[key] = payload
            if queued:
                self._queue.put((key, data))
                return
        self._store(key, data)
        if self._failed and not self._background:
            self._report_failure()

    @contextlib.contextmanager
    def background_writes(self) -> Iterator[None]:
        """Within it, entries are written by a thread while the scan goes on, and all of them
        are on disk when it ends. Creating a file costs the kernel 0.3 to 1 ms here, most of a
        cold run's cache work (2,300 entries: about 2.4 s of a 6 s run on the monorepo of
        BENCHMARKS.md); the thread spends it while the scan computes. The thread starts at
        the first entry (after a worker pool has forked, never before); a problem is reported
        once, at the end, as it would be at the first failed write. What waits for the thread
        is bounded (``QUEUE_MAX_BYTES``): past it, the scan writes an entry itself."""
        if self.folder is None or not self.writable or self._background:
            yield
            return
        self._background = True
        try:
            yield
        finally:
            self._background = False
            writer, pending = self._writer, self._queue
            self._writer = self._queue = None
            if writer is not None and pending is not None:
                pending.put(None)
                writer.join()
            self._waiting.clear()
            self._queued_bytes = 0
            if self._failed:
                self._report_failure()

    def _start_writer(self) -> None:
        """The writer thread of a ``background_writes`` scan; none to be had (a process limit,
        say) means writing in the scan, as outside one."""
        pending: queue.SimpleQueue[tuple[str, bytes] | None] = queue.SimpleQueue()
        writer = threading.Thread(target=self._write_all, args=(pending,),
                                  name="mlkaizen-cache-writer", daemon=True)
        try:
            writer.start()
        except RuntimeError:
            self._background = False
            return
        self._writer, self._queue = writer, pending

    def _write_all(self, pending: queue.SimpleQueue[tuple[str, bytes] | None]) -> None:
        while (item := pending.get()) is not None:
            key, data = item
            if not self._failed:
                try:
                    self._store(key, data)
                except Exception:  # never lose the rest silently: reported as a failure
                    self._failed = True
            with self._lock:  # on disk (or given up): no longer held in memory
                self._queued_bytes -= len(data)
                if self._waiting.get(key) is not None:
                    del self._waiting[key]

    def _store(self, key: str, data: bytes) -> None:
        sub = self._sub(key, create=True)
        if sub is None:
            if not self._refused:
                self._failed = True
            return
        try:
            replace_at(sub, key[2:], data)
        except OSError:
            self._failed = True
            return
        finally:
            os.close(sub)
        with self._lock:
            if not self._written_bytes:
                atexit.register(self.sweep)
            self.writes += 1
            self._written_bytes += len(data)

    def _report_failure(self) -> None:
        if not self.writable:
            return
        self.writable = False
        if self.on_problem is not None:
            self.on_problem(f"cannot write the parse cache in {self.folder}; "
                            "going on without storing parses")

    def sweep(self) -> None:
        """Keep the folder under the cap: remove the least recently used entries (by
        mtime) down to 80 % of it. Runs at exit, only after this process wrote something;
        the folder is listed only when a running estimate (``.size``, re-measured daily)
        says the cap may be exceeded. Everything is done relative to the folder's
        descriptor: a link inside it is never followed, an entry is removed by its name in
        its own sub-folder, and at most ``SWEEP_MAX_ENTRIES`` files are looked at."""
        if self.folder is None or not self._written_bytes:
            return
        fd = self._dir(create=False)
        if fd is None:
            return
        written, self._written_bytes = self._written_bytes, 0
        found = read_regular_at(fd, SIZE_FILE, 32)
        try:
            known = int(found[0].decode("ascii")) if found is not None else 0
            fresh = found is not None and found[1].st_mtime > time.time() - SIZE_RECHECK_S
        except ValueError:
            known, fresh = 0, False
        if fresh and known + written <= self.cap_bytes:
            _put_marker(fd, known + written)
            return
        listed = _entries(fd)
        if listed is None:
            return
        entries, total = listed
        if total > self.cap_bytes:
            entries.sort()
            goal = self.cap_bytes * 4 // 5
            for _, size, name, entry in entries:
                if total <= goal:
                    break
                sub = _open_sub(fd, name)
                if sub is None:
                    continue
                try:
                    os.unlink(entry, dir_fd=sub)
                    total -= size
                except OSError:
                    pass
                finally:
                    os.close(sub)
        _put_marker(fd, total)


def _entries(fd: int) -> tuple[list[tuple[float, int, str, str]], int] | None:
    """(mtime, size, sub-folder, name) of the files in the folder's sub-folders (at most
    ``SWEEP_MAX_ENTRIES``), and their total size; None when it cannot be listed."""
    entries: list[tuple[float, int, str, str]] = []
    total = 0
    try:
        with os.scandir(fd) as listing:
            subdirs = [s.name for s in listing
                       if len(s.name) == 2 and s.is_dir(follow_symlinks=False)]
    except OSError:
        return None
    for name in subdirs:
        if len(entries) >= SWEEP_MAX_ENTRIES:
            break
        sub = _open_sub(fd, name)
        if sub is None:
            continue
        try:
            with os.scandir(sub) as it:
                for item in it:
                    try:
                        st = item.stat(follow_symlinks=False)
                    except OSError:
                        continue
                    total += st.st_size
                    entries.append((st.st_mtime, st.st_size, name, item.name))
                    if len(entries) >= SWEEP_MAX_ENTRIES:
                        break
        except OSError:
            continue
        finally:
            os.close(sub)
    return entries, total


def _open_sub(fd: int, name: str) -> int | None:
    try:
        return open_subdir(fd, name, create=False)
    except OSError:
        return None


def _put_marker(fd: int, size: int) -> None:
    with contextlib.suppress(OSError):
        replace_at(fd, SIZE_FILE, str(size).encode("ascii"))


def _touch(sub: int, name: str) -> None:
    """Mark an entry used now (the eviction's order), never through a link."""
    with contextlib.suppress(OSError, NotImplementedError):
        os.utime(name, dir_fd=sub, follow_symlinks=False)


def _close(fd: int) -> None:
    with contextlib.suppress(OSError):
        os.close(fd)


def _wrap(key: str, payload: str) -> bytes:
    body = payload.encode("ascii")
    return (FORMAT + b" " + key.encode("ascii") + b" " + hashlib.sha256(body).hexdigest()
            .encode("ascii") + b"\n" + body)


def _unwrap(key: str, raw: bytes) -> str | None:
    header, sep, body = raw.partition(b"\n")
    if not sep:
        return None
    parts = header.split(b" ")
    if (len(parts) != 4 or b" ".join(parts[:2]) != FORMAT or parts[2] != key.encode("ascii")
            or parts[3] != hashlib.sha256(body).hexdigest().encode("ascii")):
        return None
    try:
        return body.decode("ascii")
    except UnicodeDecodeError:
        return None


def _cap_from_env() -> int:
    raw = os.environ.get(CAP_ENV, "")
    try:
        mb = float(raw) if raw else DEFAULT_CAP_MB
    except ValueError:
        mb = DEFAULT_CAP_MB
    return max(0, int(mb * 2**20))


# ------------------------------------------------------------------ process-wide settings
_current: list[FactCache] = []


def configure(*, enabled: bool = True, jobs: int = 1, cap_bytes: int | None = None,
              on_problem: Callable[[str], None] | None = None) -> FactCache:
    """Set this process's cache (the command line does, from ``--no-cache`` and ``--jobs``);
    the folder comes from :func:`mlkaizen.usercache.cache_dir`."""
    base = usercache.cache_dir() if enabled else None
    cache = FactCache(None if base is None else base / FOLDER, cap_bytes=cap_bytes, jobs=jobs,
                      on_problem=on_problem)
    _current[:] = [cache]
    return cache


def current() -> FactCache:
    """The cache in force: as configured, else on (in the user cache folder), serial."""
    if not _current:
        configure()
    return _current[0]


def reset() -> None:
    """Forget the configured cache: the next :func:`current` reads the environment again
    (and the user cache is switched back on, see :func:`mlkaizen.usercache.reset`)."""
    _current.clear()
    usercache.reset()


# ------------------------------------------------------------------ parsing in a pool
CGROUP_CPU_MAX = Path("/sys/fs/cgroup/cpu.max")  # a container's CPU quota (cgroup v2)
POOL_FILES_PER_WORKER = 16  # fewer files than this per worker: fewer workers


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity where the system says): the
    command line's default number of parsing processes. A pool is further bounded by its
    container's CPU quota when it starts (:func:`parse_in_pool`)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # no affinity on this system
        return max(1, os.cpu_count() or 1)


def cgroup_cpu_quota(cpu_max: Path) -> int | None:
    """The CPUs a cgroup v2 ``cpu.max`` allows, rounded up ("200000 100000": 2); None when
    there is no file or no quota ("max 100000")."""
    try:
        quota, period = cpu_max.read_text(encoding="ascii").split()[:2]
        return None if quota == "max" else max(1, -(-int(quota) // int(period)))
    except (OSError, ValueError, ZeroDivisionError):
        return None


def notebook_source(text: str) -> str:
    """A notebook's code cells as one Python source (the ``notebook`` parse)."""
    from mlkaizen.evidence.parse.notebook import notebook_code

    return notebook_code(text)[0]


def parse_notebook_facts(text: str) -> NotebookFacts:
    """A notebook's facts (the ``notebook-facts`` parse)."""
    from mlkaizen.evidence.parse.notebook import parse_notebook

    return parse_notebook(text)


def pool_parser(kind: str) -> Callable[[str], Any]:
    """The parser a worker process runs for a cacheable ``kind`` (warnings are given by the
    scan when it takes the result)."""
    from mlkaizen.evidence.parse.python_src import parse_python

    return {
        "python": parse_python,
        "notebook": notebook_source,
        "notebook-facts": parse_notebook_facts,
    }[kind]


def _parse_one(kind: str, text: str) -> str | None:
    """In a worker: the payload for ``kind`` of ``text``, or None when it must be parsed in
    the scan itself (a timeout or an exhausted interpreter is never cached)."""
    from mlkaizen.evidence.budget import ParseTimeoutError, time_budget

    started = time.monotonic()
    try:
        with time_budget(_worker_timeout[0]):
            value = pool_parser(kind)(text)
        return encode(kind, value, seconds=time.monotonic() - started)
    except ParseTimeoutError:
        return None
    except ParseError as exc:
        if not lasting(exc):
            return None
        return encode(kind, error=exc, seconds=time.monotonic() - started)
    except (RecursionError, MemoryError, ValueError, TypeError):
        return None


def _parse_item(item: tuple[tuple[str, ...], str]) -> list[str | None]:
    kinds, text = item
    return [_parse_one(kind, text) for kind in kinds]


Item = tuple[tuple[str, ...], str]  # (kinds, text)


def parse_in_pool(items: list[Item], jobs: int, timeout: float) -> list[list[str | None]]:
    """Payloads of ``items`` (one per kind) parsed by ``jobs`` worker processes, in order;
    all None if a pool cannot be had (the scan then parses them itself)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    nothing: list[list[str | None]] = [[None] * len(kinds) for kinds, _ in items]
    jobs = min(jobs, len(items) // POOL_FILES_PER_WORKER)  # no worker started for a few files
    if jobs >= 2:  # read only now: most runs start no pool
        jobs = min(jobs, cgroup_cpu_quota(CGROUP_CPU_MAX) or jobs)
    if jobs < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return nothing
    size = max(1, min(64, len(items) // (jobs * 4) or 1))
    try:
        with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork"),
                                 initializer=_worker_init, initargs=(timeout,)) as pool:
            return list(pool.map(_parse_item, items, chunksize=size))
    except Exception:  # a broken pool only costs the speed-up
        return nothing


_worker_timeout = [0.0]


def _worker_init(timeout: float) -> None:
    _worker_timeout[0] = timeout

