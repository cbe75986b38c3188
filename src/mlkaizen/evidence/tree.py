"""A safe, bounded, read-once view of a repository.

* Lists files with ``git ls-files`` or a ``.gitignore``-honouring walk (:mod:`.listing`).
* Never follows a symlink out of the root, never opens anything but regular files, never
  writes, never runs repository code (git is run with hooks and fsmonitor disabled).
* Reads a file at most once and only when a detector asks for it; parsed forms are cached.
* Every problem becomes a warning :class:`Finding`, and the scan goes on.
"""

from __future__ import annotations

import contextlib
import fnmatch
import os
import re
import stat
import time
from collections import Counter
from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from mlkaizen.errors import MLKaizenError
from mlkaizen.evidence import factcache
from mlkaizen.evidence.budget import ParseTimeoutError, time_budget
from mlkaizen.evidence.factcache import notebook_source, parse_notebook_facts
from mlkaizen.evidence.findings import (
    Context,
    Finding,
    Outcome,
    context_of,
    packaged_tutorial_folders,
)
from mlkaizen.evidence.limits import ScanLimits
from mlkaizen.evidence.listing import Listing
from mlkaizen.evidence.parse import ParseError, python_src
from mlkaizen.evidence.parse.headings import markdown_headings, rst_headings
from mlkaizen.evidence.parse.inline_code import holds_inline_python, parse_inline_python
from mlkaizen.evidence.parse.python_src import PyFacts, compact, import_roots, parse_python
from mlkaizen.fsio.read import read_up_to

if TYPE_CHECKING:
    from mlkaizen.evidence.parse.notebook import NotebookFacts

T = TypeVar("T")

WARNING_DETECTOR = "scan"
# a project template's files (Go templates, Jinja, Copier) are read as the file they render
TEMPLATE_SUFFIXES = (".tmpl", ".jinja2", ".jinja", ".j2")
# a template expression ({{ .name }}) is read as a plain word, so the file still parses
_EXPRESSION = re.compile(r"\{\{[^{}\n]*\}\}")
# a line that is only a template directive ({{- if ... }}, {% for ... %}): blank when read
_DIRECTIVE_LINE = re.compile(r"(?m)^[ \t]*(?:\{\{-?[^{}\n]*-?\}\}|\{%-?[^\n]*?-?%\})[ \t]*$")
# a Go string action ({{`{{ literal }}`}}, {{"{{ literal }}"}}) renders its literal text
_STRING_ACTION = re.compile(r"\{\{-?\s*(?:`([^`\n]*)`|\"((?:[^\"\\\n]|\\.)*)\")\s*-?\}\}")
# a control action inside a line renders nothing: Go's {{ if }}/{{ else }}/{{ end }}/
# {{ range }}/{{ with }}/{{ define }}/{{/* */}}, Jinja's {% ... %} and {# ... #} (these two
# by a scan, see _strip_controls: as a pattern, each of many unclosed openers on one long
# line would look for its close to the end of the line, in quadratic time)
_GO_CONTROL = re.compile(
    r"\{\{-?\s*(?:(?:if|else|end|range|with|define|block|break|continue)\b|/\*)[^{}\n]*\}\}"
)
# a Copier template whose files keep their own suffix, and the folder that holds them
_COPIER_NO_SUFFIX = re.compile(r"""(?m)^_templates_suffix:[ \t]*(?:""|'')[ \t]*(?:#.*)?$""")
_COPIER_SUBDIRECTORY = re.compile(r"""(?m)^_subdirectory:[ \t]*["']?([\w./-]+)""")
# a file is opened read-only, never waiting (a FIFO) and never through a link at its end
_OPEN_FLAGS = (
    os.O_RDONLY
    | os.O_NONBLOCK
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_NOCTTY", 0)
)
MAX_WARNINGS = 5_000  # kept per scan; the rest are counted in skipped["warnings_not_kept"]


class _OutsideRootError(Exception):
    """The real path of a file to read leads outside the scanned root."""


def _identity_of(path: str) -> tuple[int, int] | None:
    """(device, inode) of the file ``path`` leads to (opening nothing); None if none."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


def render_template_text(text: str) -> str:
    """A template read as the file it renders: directive-only lines and inline control
    actions blanked, each remaining expression read as the word ``tmpl``. Line numbers are
    kept; every branch of a conditional stays, so keys may repeat (see :meth:`RepoTree.yaml`)."""
    text = _strip_controls(_DIRECTIVE_LINE.sub("", text))
    text = _STRING_ACTION.sub(lambda m: m.group(1) or m.group(2) or "", text)
    for _ in range(3):  # nested expressions: {{ NAME|default('{{ .project }}_model') }}
        text, n = _EXPRESSION.subn("tmpl", text)
        if not n:
            break
    return text


class _Next:
    """The first occurrence of ``needle`` at or after a position, for positions that only
    grow: the text is searched once in all (``work`` adds up the characters searched)."""

    def __init__(self, text: str, needle: str, work: list[int]) -> None:
        self.text, self.needle, self.work = text, needle, work
        self.start, self.hit = 0, -2  # -2: not searched yet; -1: none at or after start

    def at(self, pos: int) -> int:
        if self.hit == -2 or pos < self.start or (self.hit != -1 and pos > self.hit):
            self.hit = self.text.find(self.needle, pos)
            self.work[0] += (len(self.text) if self.hit < 0 else self.hit) - pos
            self.start = pos
        return self.hit


class _Blocks:
    """Jinja blocks opened by ``opener`` and closed by ``closer`` on the same line: the one
    ``re`` would match first at or after a position (``{%-?[^\n]*?-?%}``: the first close
    two characters or more after the opener, before the end of its line)."""

    def __init__(self, text: str, opener: str, closer: str, work: list[int]) -> None:
        self.open = _Next(text, opener, work)
        self.close = _Next(text, closer, work)
        self.newline = _Next(text, "\n", work)
        self.found: tuple[int, int] | None = None
        self.after = -1  # the position ``found`` was searched from

    def first(self, pos: int) -> tuple[int, int] | None:
        if self.after >= 0 and pos >= self.after and (self.found is None or pos <= self.found[0]):
            return self.found  # the first match from an earlier position is still the first
        self.after, at = pos, pos
        self.found = None
        while (start := self.open.at(at)) >= 0:
            end = self.close.at(start + 2)
            line_end = self.newline.at(start)
            if end >= 0 and (line_end < 0 or end < line_end):
                self.found = (start, end + 2)
                break
            if line_end < 0:
                break  # no close on the last line: no later opener has one either
            at = line_end + 1  # no close on this line after the opener: next line
        return self.found


def _strip_controls(text: str, work: list[int] | None = None) -> str:
    """``text`` without its control actions (Go control actions, Jinja ``{% %}`` and
    ``{# #}``), as one left-to-right pass of the three patterns would remove them, in time
    linear in the text. ``work`` (when given) adds up the characters searched."""
    if "{" not in text:
        return text
    work = work if work is not None else [0]
    kinds = (_Blocks(text, "{%", "%}", work), _Blocks(text, "{#", "#}", work))
    out: list[str] = []
    pos = 0
    go = _GO_CONTROL.search(text)
    work[0] += len(text) if go is None else go.end()
    while True:
        if go is not None and go.start() < pos:  # none found: none after a later position
            go = _GO_CONTROL.search(text, pos)
            work[0] += (len(text) if go is None else go.end()) - pos
        best = (go.start(), go.end()) if go is not None else None
        for kind in kinds:
            found = kind.first(pos)
            if found is not None and (best is None or found[0] < best[0]):
                best = found
        if best is None:
            break
        out.append(text[pos : best[0]])
        pos = best[1]
        work[0] += 1
    out.append(text[pos:])
    return "".join(out)


def printable(rel: str) -> str:
    """A path as reports can show it: undecodable bytes (kept by ``os.fsdecode`` as
    surrogates) become U+FFFD instead of breaking JSON."""
    return rel.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


class RepoTree(Listing):
    """The files of one scan root and lazily parsed views of them."""

    def __init__(
        self,
        root: Path,
        limits: ScanLimits | None = None,
        keep: Callable[[str], bool] | None = None,
    ) -> None:
        """``keep`` lists only the files it accepts (a scope and the repository's own
        settings): the others are neither listed, counted, read nor parsed."""
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
        self.parse_seconds = 0.0
        self.parse_bytes = 0  # characters given to parsers (or taken parsed from the cache)
        self.yaml_bytes = 0  # ... of them, YAML
        self.listing = "walk"
        self._text: dict[str, str | None] = {}
        self._parsed: dict[tuple[str, str], Any] = {}
        self._memo: dict[str, Any] = {}
        self._import_index: dict[str, frozenset[str]] | None = None
        self._preparsed: dict[str, str] = {}  # cache key -> payload parsed in the pool
        self._digests: dict[str, bytes] = {}  # file -> hash of its text
        self._preparse_done = False
        self._real: dict[str, str] = {}  # the name a template renders -> its file
        self._roots: tuple[str, ...] | None = None  # see _template_roots
        self._keep = keep
        self.files = self._list()
        self._template_names()
        self._names: dict[str, list[str]] = {}
        for path in self.files:
            self._names.setdefault(path.rsplit("/", 1)[-1].lower(), []).append(path)

    def _template_names(self) -> None:
        """``train.py.tmpl`` is listed as ``train.py`` (unless that file exists too), so the
        detectors read a project template as the project it renders; findings point at the
        template file itself."""
        present = set(self.files)
        longest = max(map(len, TEMPLATE_SUFFIXES))
        for rel in self.files:
            if not rel[-longest:].lower().endswith(TEMPLATE_SUFFIXES):  # most files: one test
                continue
            low = rel.lower()
            suffix = next(x for x in TEMPLATE_SUFFIXES if low.endswith(x))
            rendered = rel[: -len(suffix)]
            if "." in rendered.rsplit("/", 1)[-1] and rendered not in present:
                self._real[rendered] = rel
        if self._real:
            for rendered, rel in self._real.items():
                self.sizes[rendered] = self.sizes.pop(rel, 0)
            templates = set(self._real.values())
            self.files = sorted([f for f in self.files if f not in templates] + list(self._real))

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
                file=printable(self._real.get(file, file)) if file is not None else None,
                line=line,
                detail=printable(message),
                values={"kind": kind},
            )
        )

    # ----------------------------------------------------------------- reading
    @property
    def bytes_total(self) -> int:
        return sum(self.sizes.values())

    def _read_budget_spent(self, rel: str) -> bool:
        """Whether the scan's ``max_bytes_read`` is used up (warned once)."""
        limit = self.limits.max_bytes_read
        return self._spent("max_bytes_read", self.bytes_read, limit,
                           f"{limit:,} reached; later files are not read", rel)

    def _spent(self, name: str, used: float, limit: float, message: str, rel: str) -> bool:
        """Whether the scan-wide budget ``name`` is used up; counted as a skip each time it
        stops something, warned the first time only."""
        if used < limit:
            return False
        self.skipped[name] += 1
        if self.skipped[name] == 1:
            self.warn(f"limit {name}={message}", rel, kind="limit")
        return True

    def _read_bytes(self, rel: str, limit: int) -> bytes | None:
        if self._read_budget_spent(rel):
            return None
        try:
            fd, st = self._open_listed(rel)
        except _OutsideRootError:
            self.skipped["symlink_outside_root"] += 1
            self.warn("path leads outside the scanned root; not read", rel, kind="symlink")
            return None
        except OSError as exc:
            self.skipped["unreadable"] += 1
            self.warn(f"cannot read file ({exc.strerror}); skipped", rel, kind="unreadable")
            return None
        try:
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
            data = read_up_to(fd, limit)
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

    def _open_listed(self, rel: str) -> tuple[int, os.stat_result]:
        """A descriptor of ``rel``'s file and its status, opened without following a link
        at the end of the path; raises :class:`_OutsideRootError` or :class:`OSError`.

        A regular file the listing saw is first looked up (``stat``, which opens nothing)
        and opened only when it is still that very file (same device and inode), then
        checked once more on the descriptor: a folder on its path swapped for a link since
        the listing leads to another file, which fails the check, so nothing outside the
        root is opened (nor read; the same inode reached through another name holds the
        same bytes). Other files, and any that fail the check, have their real path
        resolved and checked to lie inside the root first (one ``lstat`` per folder of
        the path: the slow way, as every read once did)."""
        real = self._real.get(rel, rel)
        path = self._prefix + real
        seen = self._identity.get(real)
        if seen is not None and _identity_of(path) == seen:
            try:
                fd = os.open(path, _OPEN_FLAGS)
            except OSError:
                fd = -1
            if fd >= 0:
                try:
                    st = os.fstat(fd)
                    if (st.st_dev, st.st_ino) == seen:
                        return fd, st
                except OSError:
                    pass
                os.close(fd)
        full = os.path.realpath(path)
        if not self._inside(full):
            raise _OutsideRootError(rel)
        fd = os.open(full, _OPEN_FLAGS)
        try:
            return fd, os.fstat(fd)
        except OSError:
            os.close(fd)
            raise

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
        if result is not None and (
            rel in self._real
            or (rel.startswith(self._template_roots()) and ("{{" in result or "{%" in result))
        ):
            result = render_template_text(result)
        self._text[rel] = result
        return result

    def _template_roots(self) -> tuple[str, ...]:
        """Folders whose files are a project template's, rendered as their own kind of file
        is (``train.py`` holding Jinja reads as the ``train.py`` it renders): a Copier
        template that keeps its files' suffixes (``_templates_suffix: ""``), its
        ``_subdirectory`` or the whole repository; a cookiecutter template's
        ``{{cookiecutter.project_slug}}/`` folder; a Helm chart's ``templates/``."""
        if self._roots is None:
            self._roots = ()  # set first: reading copier.yml below asks again
            roots: list[str] = []
            copier = next((n for n in ("copier.yml", "copier.yaml") if n in self.sizes), None)
            text = self.text(copier) if copier is not None else None
            if text is not None and _COPIER_NO_SUFFIX.search(text):
                sub = _COPIER_SUBDIRECTORY.search(text)
                roots.append(sub.group(1).strip().strip("/") + "/" if sub else "")
            if "cookiecutter.json" in self.sizes:
                roots += sorted({f.split("/", 1)[0] + "/" for f in self.files
                                 if f.startswith("{{") and "/" in f})
            # a Helm chart's templates: Kubernetes manifests with Go template actions
            roots += [f[: -len("Chart.yaml")] + "templates/" for f in self.files
                      if f == "Chart.yaml" or f.endswith("/Chart.yaml")]
            self._roots = tuple(roots)
        return self._roots

    def lines_within(self, rel: str, limit: str) -> str:
        """The file's text, cut so that all files read this way share the run-wide line
        budget named ``limit`` (a :class:`ScanLimits` field); a cut is warned about."""
        text = self.text(rel) or ""
        left = self.memo("lines:" + limit, lambda: [int(getattr(self.limits, limit))])
        lines = text.splitlines(keepends=True)
        if len(lines) <= left[0]:
            left[0] -= len(lines)
            return text
        self.skipped[limit] += 1
        self.warn(
            f"limit {limit}={getattr(self.limits, limit):,} reached: "
            f"only {left[0]:,} of {len(lines):,} lines read",
            rel,
            kind="limit",
        )
        kept, left[0] = "".join(lines[: left[0]]), 0
        return kept

    def text_if_read(self, rel: str) -> str | None:
        """The file's text if a detector has already read it (reads nothing)."""
        return self._text.get(rel)

    def parsed(self, rel: str, kind: str, parser: Callable[[str], T]) -> T | None:
        """``parser(text)``, cached per (file, kind); a :class:`ParseError` becomes a warning.

        The parses :mod:`.factcache` knows are also kept by content across runs (and taken
        from the worker pool, see :meth:`_preparse`): a hit gives the same value and the same
        warnings as a parse."""
        key = (rel, kind)
        if key in self._parsed:
            return self._parsed[key]  # type: ignore[no-any-return]
        text = self.text(rel)
        value: T | None = None
        cap = python_src.MAX_PARSED_SOURCE
        if text is not None and kind == "python" and len(text) > cap:
            # refused before any parse or cache look-up: it costs none of the parse budget
            self.skipped["max_parsed_source"] += 1
            self.warn(f"python: limit max_parsed_source={cap:,} characters: "
                      f"Python code of {len(text):,} characters not parsed; file skipped by "
                      "python detectors", rel, kind="limit")
        elif text is not None:
            variant = _cacheable(kind, parser)
            if variant is not None:
                value = self._parse_cached(rel, kind, parser, text, variant)
            elif self._parse_budget_left(rel, kind):
                value, error, _ = self._parse_now(rel, kind, parser, text)
                if error is not None:
                    self._parse_failed(rel, kind, text, error)
        self._parsed[key] = value
        return value

    def _parse_now(
        self, rel: str, kind: str, parser: Callable[[str], T], text: str
    ) -> tuple[T | None, ParseError | None, bool]:
        """(value, error, whether the outcome depends on the text alone)."""
        started = time.monotonic()
        self._count_parse(rel, kind, text)
        try:
            with time_budget(self.limits.parse_timeout):
                return parser(text), None, True
        except ParseTimeoutError as exc:
            return None, exc, False
        except ParseError as exc:
            return None, exc, factcache.lasting(exc)  # a resource that ran out is not kept
        except (RecursionError, MemoryError):
            self.warn(f"{kind}: file too complex to parse; skipped", rel, kind="parse")
            return None, None, False
        finally:
            self.parse_seconds += time.monotonic() - started

    def _parse_failed(self, rel: str, kind: str, text: str, exc: ParseError) -> None:
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

    def _parse_cached(
        self, rel: str, kind: str, parser: Callable[[str], T], text: str, variant: str
    ) -> T | None:
        cache = factcache.current()
        if cache.folder is None and cache.jobs < 2:
            return self._parse_store(rel, kind, parser, text, None)
        self._preparse(cache)
        digest = self._digests.get(rel)
        if digest is None:
            digest = self._digests[rel] = factcache.text_digest(text)
        entry = factcache.entry_key(kind, digest, variant)
        payload = self._preparsed.get(entry)
        from_disk = payload is None
        if payload is None:
            payload = cache.get(entry)
        if payload is not None:
            try:
                value, error, seconds = factcache.decode_with_cost(kind, payload)
            except factcache.CorruptEntryError:
                if from_disk:
                    cache.bad(entry)
            else:
                # the parse budget is spent as the parse spent it, so that a scan stops
                # parsing where it would without the cache
                if not self._parse_budget_left(rel, kind):
                    return None
                self._count_parse(rel, kind, text)
                self.parse_seconds += seconds
                if error is not None:
                    self._parse_failed(rel, kind, text, error)
                    return None
                replay = getattr(parser, "replay", None)
                if replay is not None:
                    replay(value)
                if isinstance(value, PyFacts):
                    value = compact(value)
                return value  # type: ignore[no-any-return]
        return self._parse_store(rel, kind, parser, text, (cache, entry))

    def _parse_store(
        self,
        rel: str,
        kind: str,
        parser: Callable[[str], T],
        text: str,
        store: tuple[factcache.FactCache, str] | None,
    ) -> T | None:
        """Parse now, and keep the outcome under ``store`` (cache, key) if it is lasting."""
        if not self._parse_budget_left(rel, kind):
            return None
        before = self.parse_seconds
        value, error, lasting = self._parse_now(rel, kind, parser, text)
        if lasting and store is not None and store[0].folder is not None:
            spent = self.parse_seconds - before
            with contextlib.suppress(ValueError, TypeError, RecursionError):  # not representable
                store[0].put(store[1], factcache.encode(kind, value, error, spent))
        if error is not None:
            self._parse_failed(rel, kind, text, error)
        return value

    def _preparse(self, cache: factcache.FactCache) -> None:
        """Once a tree, with ``jobs`` > 1: parse the Python files and notebooks not in the
        cache yet in worker processes, when there are enough of them to pay for a pool.
        Files are read by the scan's own reader (:meth:`text`: counted, checked and kept,
        so each is still read once); a file's result is used only for the very text it was
        parsed from, and only while the scan's ``max_parse_bytes`` lasts. What the pool is
        given stays within what the scan may parse: Python code over
        :data:`~mlkaizen.evidence.parse.python_src.MAX_PARSED_SOURCE` is not sent, and the
        texts sent add up to at most the parse budget left."""
        if self._preparse_done:
            return
        self._preparse_done = True
        if cache.jobs < 2:
            return
        sources = self.python_sources()
        if (
            len(sources) < factcache.POOL_MIN_FILES
            or len(sources) < len(self.files) * factcache.POOL_MIN_SHARE
            or sum(self.sizes.get(rel, 0) for rel in sources) < factcache.POOL_MIN_BYTES
        ):
            return
        # a probe of files spread over the tree: when they are all cached (a warm run), the
        # rest most likely are too, and the pool would cost more than it saves
        step = max(1, len(sources) // factcache.POOL_PROBE)
        probe = [rel for rel in sources[::step] if (text := self.text(rel)) is not None
                 and not all(cache.has(factcache.entry_key(kind, factcache.text_digest(text)))
                             for kind in _kinds_of(rel))]
        if not probe:
            return
        room = self.limits.max_parse_bytes - self.parse_bytes
        items: list[factcache.Item] = []
        keys: list[list[str]] = []
        seen: set[str] = set()
        held = 0  # the texts handed to the pool are all held at once: bounded
        for rel in sources:
            if room <= 0:
                break
            text = self.text(rel)
            if text is None or (
                not rel.endswith(".ipynb") and len(text) > python_src.MAX_PARSED_SOURCE
            ):
                continue
            if held + len(text) > factcache.POOL_MAX_BYTES:
                break  # the rest is parsed in the scan, as the detectors ask for it
            digest = self._digests.setdefault(rel, factcache.text_digest(text))
            kinds: list[str] = []
            for kind in _kinds_of(rel):
                entry = factcache.entry_key(kind, digest)
                if entry not in seen and not cache.has(entry):
                    seen.add(entry)
                    kinds.append(kind)
            if kinds:
                held += len(text)
                items.append((tuple(kinds), text))
                keys.append([factcache.entry_key(kind, digest) for kind in kinds])
                room -= len(text) * len(kinds)
        if (
            len(items) < factcache.POOL_MIN_FILES
            or sum(len(text) for _, text in items) < factcache.POOL_MIN_BYTES
        ):
            return
        results = factcache.parse_in_pool(items, cache.jobs, self.limits.parse_timeout)
        for entries, payloads in zip(keys, results, strict=True):
            for entry, payload in zip(entries, payloads, strict=True):
                if payload is not None:
                    self._preparsed[entry] = payload
                    cache.pooled += 1
                    cache.put(entry, payload)

    def _count_parse(self, rel: str, kind: str, text: str) -> None:
        """Spend the parse budget: a file's characters; a notebook's are those of its code
        cells (its outputs are read as JSON and let go, never kept), and taking the code out
        of a notebook builds no syntax tree, so it spends nothing (it is text read)."""
        if kind == "notebook":
            return
        size = len(text)
        if kind == "notebook-facts":
            code = self.parsed(rel, "notebook", notebook_source)
            size = len(code) if code is not None else size
        self.parse_bytes += size
        if kind == "yaml":
            self.yaml_bytes += size

    def _parse_budget_left(self, rel: str, kind: str) -> bool:
        """Whether a file may still be parsed: all parses of a scan share ``max_parse_bytes``
        (characters parsed, counted alike on any machine and from the cache), YAML ones
        ``max_yaml_bytes`` too (the slowest to parse, the largest to keep), and, as a safety
        net only, ``max_parse_seconds``."""
        size = self.limits.max_parse_bytes
        if kind != "notebook" and self._spent("max_parse_bytes", self.parse_bytes, size,
                       f"{size:,} reached: later files are not parsed", rel):
            return False
        size = self.limits.max_yaml_bytes
        if kind == "yaml" and self._spent("max_yaml_bytes", self.yaml_bytes, size,
                                          f"{size:,} reached: later YAML files are not parsed",
                                          rel):
            return False
        limit = self.limits.max_parse_seconds
        return not self._spent("max_parse_seconds", self.parse_seconds, limit,
                               f"{limit:g} reached (a safety net in wall time: this machine "
                               "parsed slowly); later files are not parsed", rel)

    def yaml(self, rel: str) -> list[Any] | None:
        """The YAML documents of a file (graph-checked against the YAML limits), or ``None``."""
        # a template keeps every branch of its conditionals, so a key may repeat: the first
        # branch is read (part of the parse's settings, as the same text parses differently)
        return self.parsed(
            rel,
            "yaml",
            _YamlParse(
                self.limits.max_yaml_nodes,
                self.limits.max_yaml_depth,
                rel in self._real or rel.startswith(self._template_roots()),
            ),
        )

    def memo(self, key: str, compute: Callable[[], T]) -> T:
        """A value computed once per scan and shared by detectors (e.g. all CI pipelines)."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]  # type: ignore[no-any-return]

    def packaged_examples(self) -> frozenset[str]:
        """The tutorial-named folders that are the project's own subpackages
        (:func:`~mlkaizen.evidence.findings.packaged_tutorial_folders`) and that the
        project's code outside them imports (``from dagster_repo.example.jobs import ...``,
        ``from .example import jobs``), found once. A library's ``pkg/examples/`` package
        that nothing but tests or docs import stays a tutorial."""
        return self.memo("packaged_examples", self._imported_packaged_examples)

    def _imported_packaged_examples(self) -> frozenset[str]:
        candidates = packaged_tutorial_folders(self._names.get("__init__.py", ()))
        kept: set[str] = set()
        for folder in sorted(candidates):
            parent, _, name = folder.rpartition("/")
            package = parent.rpartition("/")[2]
            imports = re.compile(
                rf"(?m)^[ \t]*(?:from|import)[ \t]+(?:[\w.]*\b{re.escape(package)}\."
                rf"{re.escape(name)}\b|\.+{re.escape(name)}\b|\.+[ \t]+import\b[^\n]*"
                rf"\b{re.escape(name)}\b)"
            )
            for rel in self.with_suffix(".py"):
                if rel.startswith(folder + "/") or context_of(rel) is not Context.PROJECT:
                    continue
                text = self.text(rel) or ""
                if name in text and imports.search(text):
                    kept.add(folder)
                    break
        return frozenset(kept)

    def context(self, rel: str) -> Context:
        """Where ``rel`` sits (project, tutorial, test), the project's packaged example
        folders (:meth:`packaged_examples`) being the project's."""
        return context_of(rel, self.packaged_examples())

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
            match = _glob_matcher(patterns)
            # a match ends with its pattern's literal tail (after the last wildcard): a cheap
            # test first, the pattern only for the files that pass it; where every tail names
            # a whole file name or an extension, only the files indexed under it are tried
            tails = tuple(_literal_tail(p) for p in patterns)
            picked = self._candidates(tails)
            pool = self.files if picked is None else [self.files[i] for i in picked]
            # and it contains its pattern's longest literal piece: one substring test each
            keys = {_literal_piece(p) for p in patterns}
            if "" not in keys:
                if len(keys) == 1:
                    key = keys.pop()
                    pool = [f for f in pool if key in f]
                else:
                    pool = [f for f in pool if any(k in f for k in keys)]
            return [f for f in pool if f.endswith(tails) and match(f)]

        return self.memo("glob:" + "\0".join(patterns), compute)

    def with_suffix(self, *suffixes: str) -> list[str]:
        """Files whose name ends with one of ``suffixes`` (case-insensitive)."""

        def compute() -> list[str]:
            wanted = tuple(s.lower() for s in suffixes)
            if all(_EXTENSION.fullmatch(s) for s in wanted):  # by extension: a lookup
                index = self._by_extension()
                picked = sorted(i for s in set(wanted) for i in index.get(s, ()))
                return [self.files[i] for i in picked]
            return [f for f in self.files if f.lower().endswith(wanted)]

        return self.memo("suffix:" + "\0".join(suffixes), compute)

    def _candidates(self, tails: tuple[str, ...]) -> list[int] | None:
        """Positions (in order) of the files that may end with one of ``tails``, from the
        name and extension indexes; None where a tail is neither ``.../name`` nor ``.ext``."""
        def where() -> dict[str, list[int]]:
            out: dict[str, list[int]] = {}
            for i, f in enumerate(self.files):  # a sub-project may list a path twice
                out.setdefault(f, []).append(i)
            return out

        positions = self.memo("positions", where)
        picked: set[int] = set()
        for tail in tails:
            if "/" in tail:
                named = self._names.get(tail.rsplit("/", 1)[-1].lower(), ())
                picked.update(i for f in named for i in positions[f])
            elif _EXTENSION.fullmatch(tail):
                picked.update(self._by_extension().get(tail.lower(), ()))
            else:
                return None
        return sorted(picked)

    def _by_extension(self) -> dict[str, list[int]]:
        """Positions in ``files`` by lower-case extension (``.yml``): what ``endswith`` of a
        dotted suffix with no other dot or slash would select, in one pass over the files."""

        def compute() -> dict[str, list[int]]:
            index: dict[str, list[int]] = {}
            for i, f in enumerate(self.files):
                low = f.lower()
                dot = low.rfind(".")
                if dot >= 0 and "/" not in low[dot:]:
                    index.setdefault(low[dot:], []).append(i)
            return index

        return self.memo("extension-index", compute)

    def python_sources(self) -> list[str]:
        return self.memo("python_sources", lambda: self.with_suffix(".py", ".ipynb"))

    def python(self, rel: str) -> PyFacts | None:
        if rel.endswith(".ipynb"):
            return self.notebook(rel)
        if rel.lower().endswith(INLINE_CODE_SUFFIXES):
            return self.parsed(rel, "inline-python", parse_inline_python)
        return self.parsed(rel, "python", parse_python)

    def inline_python_sources(self) -> list[str]:
        """Templates (CloudFormation, SAM) that hold a Lambda function's Python code inline;
        :meth:`python` gives the facts of that code, at the template's lines."""

        def compute() -> list[str]:
            return [
                rel
                for rel in self.with_suffix(*INLINE_CODE_SUFFIXES)
                if (text := self.text(rel)) is not None and holds_inline_python(text)
            ]

        return self.memo("inline_python_sources", compute)

    def notebook(self, rel: str) -> NotebookFacts | None:
        """A notebook's facts; each code cell that does not parse is skipped with a warning."""
        return self.parsed(rel, "notebook-facts", _NotebookParse(self, rel))

    def shell_scripts(self) -> list[str]:
        """Files that run shell commands: ``.sh``/``.bash`` scripts, and notebooks with shell
        escapes, ``%pip`` or ``%%bash`` cells (read them with :meth:`shell_text`)."""

        def compute() -> list[str]:
            out = list(self.with_suffix(".sh", ".bash"))
            for rel in self.with_suffix(".ipynb"):
                text = self.text(rel)
                if text and ("!" in text or "%" in text):
                    facts = self.notebook(rel)
                    if facts is not None and facts.shell:
                        out.append(rel)
            return sorted(out)

        return self.memo("shell_scripts", compute)

    def shell_text(self, rel: str) -> str | None:
        """The shell a file runs, line for line: a script's text, or a notebook's shell
        commands each on its own ``.ipynb`` line (every other line blank)."""
        if not rel.endswith(".ipynb"):
            return self.text(rel)
        facts = self.notebook(rel)
        if facts is None:
            return None
        lines: dict[int, str] = {}
        for line, command in facts.shell:
            lines[line] = f"{lines[line]}; {command}" if line in lines else command
        return "\n".join(lines.get(n, "") for n in range(1, max(lines, default=0) + 1))

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
                    code = self.parsed(rel, "notebook", notebook_source)
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
        ctx = self.context(rel) if rel else context_of("")
        if tests_are_evidence and ctx is Context.TEST:
            ctx = Context.PROJECT
        return Finding(
            detector=detector,
            outcome=outcome,
            file=printable(self._real.get(rel, rel)) if rel else None,
            line=line,
            detail=printable(detail),
            context=ctx,
            values=values,
        )


class _NotebookParse:
    """The notebook parser of one tree and file: its skipped cells become warnings, when
    parsed and when taken from the cache alike (:meth:`replay`)."""

    def __init__(self, tree: RepoTree, rel: str) -> None:
        self.tree = tree
        self.rel = rel

    def __call__(self, text: str) -> NotebookFacts:
        facts = parse_notebook_facts(text)
        self.replay(facts)
        return facts

    def replay(self, facts: NotebookFacts) -> None:
        for cell, line, why in facts.skipped:
            self.tree.warn(f"notebook cell {cell}: {why}; cell skipped", self.rel, line,
                           kind="parse")


class _YamlParse:
    """The YAML loader with the scan's limits (they are part of a cached result's key)."""

    def __init__(self, max_nodes: int, max_depth: int, first_key_wins: bool = False) -> None:
        self.max_nodes = max_nodes
        self.max_depth = max_depth
        self.first_key_wins = first_key_wins
        self.variant = f"{max_nodes}/{max_depth}" + ("/first-key-wins" if first_key_wins else "")

    def __call__(self, text: str) -> list[Any]:
        from mlkaizen.formats.yamlsafe import load_yaml_documents

        return load_yaml_documents(
            text, self.max_nodes, self.max_depth, first_key_wins=self.first_key_wins
        )


_EXTENSION = re.compile(r"\.[^./]+")


_WILDCARDS = frozenset("*?[]")


@lru_cache(maxsize=1024)
def _glob_matcher(patterns: tuple[str, ...]) -> Callable[[str], object]:
    """One test for a set of ``fnmatch`` patterns (built once a process: every tree and
    sub-project asks the same globs). Patterns that are a name, ``*`` and a literal end
    (``*.tf``, ``*/Chart.yaml``: ``*`` crosses ``/``) need no regular expression."""
    names: list[str] = []
    ends: list[str] = []
    for p in patterns:
        if not _WILDCARDS & set(p):
            names.append(p)
        elif p.startswith("*") and not _WILDCARDS & set(p[1:]):
            ends.append(p[1:])
        else:
            return re.compile("|".join(fnmatch.translate(p) for p in patterns)).match
    exact, tails = frozenset(names), tuple(ends)
    return lambda path: path in exact or path.endswith(tails)


def _literal_tail(pattern: str) -> str:
    """The end of an ``fnmatch`` pattern after its last wildcard or bracket: every path the
    pattern matches ends with it."""
    cut = max(pattern.rfind(c) for c in "*?[]")
    return pattern[cut + 1 :]


def _literal_piece(pattern: str) -> str:
    """The longest piece of an ``fnmatch`` pattern between its ``*`` and ``?`` wildcards:
    every path the pattern matches contains it. Empty when there is none, and for a pattern
    with a bracket (a character set may hold ``*`` or ``?`` itself: ``[*ab*]``)."""
    if "[" in pattern:
        return ""
    return max(pattern.replace("?", "*").split("*"), key=len)


def _cacheable(kind: str, parser: Callable[[str], Any]) -> str | None:
    """The settings ``parser`` runs with, if it is the one :mod:`.factcache` keeps results
    of for ``kind``; else None."""
    if kind == "python":
        return "" if parser is parse_python else None
    if kind == "notebook":
        return "" if parser is notebook_source else None
    if kind == "notebook-facts":
        return "" if isinstance(parser, _NotebookParse) else None
    if kind == "yaml":
        return parser.variant if isinstance(parser, _YamlParse) else None
    if kind == "headings":
        if parser is markdown_headings:
            return "md"
        return "rst" if parser is rst_headings else None
    return None


INLINE_CODE_SUFFIXES = (".yml", ".yaml", ".template")


def _kinds_of(rel: str) -> tuple[str, ...]:
    """The cacheable parses detectors ask of a Python file or notebook."""
    return ("notebook-facts", "notebook") if rel.endswith(".ipynb") else ("python",)


class SubTree(RepoTree):
    """A folder of a scanned tree seen as a tree of its own (a sub-project): the parent's
    listing, reads and parses are shared, so nothing is listed, read or parsed twice. Paths
    are relative to the folder, so findings read as they would in a checkout of it alone.

    ``shared`` are files of the parent outside the folder that apply to it too (the
    repository's own settings: CI, code owners, hooks); they keep their repository paths."""

    def __init__(  # no listing of its own: Listing.__init__ is not called
        self, parent: RepoTree, folder: str, shared: Iterable[str] = ()
    ) -> None:
        self.parent = parent
        self.prefix = folder.strip("/") + "/"
        self.root = parent.root / folder
        self.limits = parent.limits
        self.warnings = []
        self.skipped = Counter()
        n = len(self.prefix)
        self.sizes = {f[n:]: s for f, s in parent.sizes.items() if f.startswith(self.prefix)}
        self.files_read = 0
        self.bytes_read = 0
        self.parse_bytes = self.yaml_bytes = 0  # parses go through the parent
        self.listing = parent.listing
        self._text = {}
        self._parsed = {}
        self._memo = {}
        self._import_index = None
        self._preparsed = {}
        self._digests = {}
        self._preparse_done = True  # parses go through the parent
        self._identity = {}  # reads go through the parent
        self._prefix = os.path.join(self.root, "")
        self.shared = frozenset(shared)
        self._real = {
            k[n:]: v[n:] for k, v in parent._real.items() if k.startswith(self.prefix)
        } | {k: v for k, v in parent._real.items() if k in self.shared}
        self.files = [f[n:] for f in parent.files if f.startswith(self.prefix)]
        self.files += sorted(self.shared)
        self.sizes.update({f: parent.sizes.get(f, 0) for f in self.shared})
        self._names = {}
        for path in self.files:
            self._names.setdefault(path.rsplit("/", 1)[-1].lower(), []).append(path)
        self._roots = None

    def _template_roots(self) -> tuple[str, ...]:
        """The parent's template folders, seen from the folder (one that holds the folder
        is all of it)."""
        if self._roots is None:
            n = len(self.prefix)
            self._roots = tuple(
                root[n:] if root.startswith(self.prefix) else ""
                for root in self.parent._template_roots()
                if root.startswith(self.prefix) or self.prefix.startswith(root)
            )
        return self._roots

    def _full(self, rel: str) -> str:
        return rel if rel in self.shared else self.prefix + rel

    def text(self, rel: str) -> str | None:
        return self.parent.text(self._full(rel))

    def parsed(self, rel: str, kind: str, parser: Callable[[str], T]) -> T | None:
        return self.parent.parsed(self._full(rel), kind, parser)

    def _imports(self) -> dict[str, frozenset[str]]:
        """The parent's import index, seen from the folder (not built again per folder)."""
        if self._import_index is None:
            whole = self.parent._imports()
            self._import_index = {
                rel: whole[full]
                for rel in self.python_sources()
                if (full := self._full(rel)) in whole
            }
        return self._import_index
