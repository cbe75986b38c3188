"""A fleet manifest: local paths and git URLs, one per line (``# comments``, fields after
the location as ``key=value``), or a YAML document; each entry with an optional ref
(branch, tag or commit), sub-path, team and target stage.

Text form::

    /srv/repos/churn                       team=risk target="Manual MLOps"
    https://github.com/org/fraud.git       ref=main path=services/model team=fraud
    git@github.com:org/recsys.git          ref=v2.3.0

YAML form (a list, or a mapping with ``repositories:``)::

    repositories:
      - repo: https://github.com/org/fraud.git
        ref: main
        path: services/model
        team: fraud
        target: Manual MLOps

A location is a local path (relative to the manifest's folder) or a git URL: ``https://``,
``ssh://``, ``file://`` or scp-like ``user@host:path``. In the text form a field value with
spaces is quoted as in a shell, and ``#`` starts a comment (quote a path that holds one);
``branch=`` and ``commit=`` are accepted for ``ref=`` in both forms.

A line that does not parse, a refused location (a transport that runs a command, plain
http, a password in the URL) or a duplicate is a problem naming its line; the other
entries stand.
"""

from __future__ import annotations

import os
import re
import shlex
from pathlib import Path
from typing import Any, Literal
from urllib.parse import unquote

from pydantic import BaseModel, ConfigDict

from mlkaizen.errors import MLKaizenError, ParseError


class Entry(BaseModel):
    """One repository to assess."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    location: str  # an absolute local path, or a git URL as written (no password)
    kind: Literal["path", "git"]
    ref: str | None = None  # branch, tag or commit
    subpath: str | None = None  # a folder of the repository, without slashes at the ends
    team: str | None = None
    target: str | None = None  # a stage name of the catalogue
    line: int = 0  # where it stands in the manifest (1-based; 0: not from a file)

    @property
    def key(self) -> str:
        """The store's subject key. A local work tree as ``assess --save`` of the same folder
        keys it (the folder's resolved path), so both share its history; a git URL (or a
        local repository at a ref) as written, then ``@ref`` if given, then ``//subpath``."""
        if self.kind == "path" and self.ref is None:
            folder = Path(self.location) / self.subpath if self.subpath else Path(self.location)
            return str(folder.resolve())
        key = self.location + (f"@{self.ref}" if self.ref else "")
        return key + (f"//{self.subpath}" if self.subpath else "")

    @property
    def name(self) -> str:
        """The subject's display name: the repository's last path part (``.git`` left
        out), then ``/subpath`` and ``@ref`` if given."""
        last = self.location.rstrip("/").replace(":", "/").rpartition("/")[2]
        last = last.removesuffix(".git") or self.location
        return last + (f"/{self.subpath}" if self.subpath else "") + (
            f"@{self.ref}" if self.ref else ""
        )


def part_key(parent_key: str, path: str) -> str:
    """The subject key of sub-project ``path`` of the repository keyed ``parent_key``."""
    return f"{parent_key}#{path}"


def part_name(parent_name: str, path: str) -> str:
    return f"{parent_name}:{path}"


class Manifest(BaseModel):
    entries: list[Entry]
    problems: list[str]  # "repos.txt:3: ..." one line each


MAX_ENTRIES = 100_000
MAX_BYTES = 16 * 1024 * 1024
MAX_LOCATION = 4_096  # characters of a location
MAX_VALUE = 512  # characters of a field's value
FIELDS = ("ref", "branch", "commit", "path", "team", "target")
REF_FIELDS = ("ref", "branch", "commit")
GIT_SCHEMES = ("https", "ssh", "file")
# `transport::address`: git hands the address to a remote helper (``ext::`` runs a command)
_TRANSPORT = re.compile(r"^([A-Za-z0-9][A-Za-z0-9+.-]*)::")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")
# scp-like ``[user@]host:path``: git reads it so when a colon comes before any slash
_SCP = re.compile(r"^(?:([^@/]*)@)?([^@/:]+):(.*)$", re.DOTALL)
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
_QUOTING = re.compile(r"[\"'\\]")  # a line without these splits as a shell would, faster
_BLANKS = re.compile(r"[ \t]+")
# what git refuses in a ref name (git check-ref-format), and a leading dash (an option)
_BAD_REF = re.compile(r"^-|^/|/$|\.\.|//|@\{|[\s~^:?*\[\\]|\.lock$|\.$|^@$|/\.")


_DASHED = "a host or user starting with '-' is refused (ssh would read it as an option)"


def _controls(text: str) -> bool:
    """Whether ``text`` holds a control character (Unicode's ``Cc``: C0, DEL and C1)."""
    return _CONTROL.search(text) is not None


def _dashed(part: str) -> bool:
    """Whether a URL's host or user reaches ssh as an option: it starts with '-', also
    inside the brackets of ``[host]`` or ``[user@host:port]`` or written ``%2D`` (git
    unwraps and decodes both before it runs ssh)."""
    part = unquote(part).lstrip("[")
    return part.startswith("-") or part.partition("@")[2].startswith("-")


def transport_refusal(location: str) -> str | None:
    """Why git must not be given ``location`` as a URL (a transport that runs a command or
    that is not https, ssh or a local path; a password), else ``None``. The manifest checks
    it, and the fetch again before git sees the URL."""
    if not location.strip():
        return "empty location"
    if _controls(location):
        return "control characters in the location"
    if location.startswith("-"):
        return "a location may not start with '-' (git would read it as an option)"
    if len(location) > MAX_LOCATION:
        return f"location longer than {MAX_LOCATION:,} characters"
    transport = _TRANSPORT.match(location)
    if transport:
        name = transport[1]
        why = "it runs a command" if name.lower() in ("ext", "fd") else "a remote helper"
        return (f"transport '{name}::' refused ({why}); give an https, ssh or file URL, "
                "or a local path")
    scheme = _SCHEME.match(location)
    if scheme:
        name = scheme[1].lower()
        if name == "http":
            return "plain http:// is refused (no transport security); use https://"
        if name == "git":
            return "git:// is refused (unauthenticated and unencrypted); use https:// or ssh://"
        if name not in GIT_SCHEMES:
            return f"scheme '{scheme[1]}://' is not supported; use https://, ssh:// or file://"
        rest = location[scheme.end():]
        authority = rest.split("/", 1)[0]
        user, _, host = authority.rpartition("@")
        if ":" in user:
            return ("a password in the URL is refused; use ssh keys or a credential the "
                    "environment gives")
        if _dashed(user) or _dashed(host):
            return _DASHED
        if name == "file":
            if authority not in ("", "localhost"):
                return "a file:// URL names a folder of this machine (file:///path)"
        elif not authority.rpartition("@")[2]:
            return f"no host in the {name}:// URL"
        return None
    scp = _SCP.match(location)
    if scp and scp[1] is not None and ":" in scp[1]:
        return ("a password in the URL is refused; use ssh keys or a credential the "
                "environment gives")
    if scp and (_dashed(scp[2]) or _dashed(scp[1] or "")):
        return _DASHED
    return None


def location_kind(location: str) -> Literal["path", "git"]:
    """``git`` for a URL (scheme or scp-like), ``path`` for a local path."""
    if _SCHEME.match(location):
        return "git"
    scp = _SCP.match(location)
    return "git" if scp is not None and scp[3] != "" and not _drive(location) else "path"


def _drive(location: str) -> bool:
    """A Windows drive (``C:\\repos``, ``C:/repos``): a path, not a host."""
    return len(location) >= 2 and location[0].isalpha() and location[1] == ":" and (
        len(location) == 2 or location[2] in "\\/"
    )


def ref_problem(ref: str) -> str | None:
    """Why ``ref`` is not a branch, tag or commit git can be given, else ``None``."""
    if not ref or _controls(ref) or len(ref) > MAX_VALUE or _BAD_REF.search(ref):
        return f"ref {ref[:80]!r} is not a valid branch, tag or commit name"
    return None


def _subpath(value: str) -> tuple[str | None, str | None]:
    """A sub-path as stored (no slashes at the ends, ``None`` for the top), or a problem."""
    clean = value.strip("/")
    parts = [p for p in clean.split("/") if p not in ("", ".")]
    if "\\" in value or ".." in clean.split("/") or _controls(value):
        return None, f"path {value[:80]!r} must be a folder inside the repository (a/b)"
    return ("/".join(parts) or None), None


def _entry(fields: dict[str, str], base: Path, line: int) -> tuple[Entry | None, str | None]:
    """The entry ``fields`` describe (``repo`` and the fields given), or its problem."""
    location = fields["repo"]
    refused = transport_refusal(location)
    if refused is not None:
        return None, refused
    unknown = [k for k in fields if k != "repo" and k not in FIELDS]
    if unknown:
        return None, (f"unknown field '{unknown[0][:40]}' (expected "
                      f"{', '.join(FIELDS)})")
    refs = [k for k in REF_FIELDS if k in fields]
    if len(refs) > 1:
        return None, f"give one of {', '.join(REF_FIELDS)}, not {' and '.join(refs)}"
    ref = fields[refs[0]] if refs else None
    if ref is not None and (why := ref_problem(ref)) is not None:
        return None, why
    subpath = None
    if "path" in fields:
        subpath, why = _subpath(fields["path"])
        if why is not None:
            return None, why
    for name in ("team", "target"):
        value = fields.get(name)
        if value is not None and (_controls(value) or len(value) > MAX_VALUE or not value.strip()):
            return None, f"{name} must be a line of text of at most {MAX_VALUE} characters"
    kind = location_kind(location)
    if kind == "path":
        location = os.path.abspath(base / os.path.expanduser(location))
    return Entry(
        location=location,
        kind=kind,
        ref=ref,
        subpath=subpath,
        team=fields.get("team"),
        target=fields.get("target"),
        line=line,
    ), None


def _text_items(text: str) -> list[tuple[int, dict[str, str] | str]]:
    """Each non-blank, non-comment line: its number and fields (``repo`` the location),
    or its problem."""
    out: list[tuple[int, dict[str, str] | str]] = []
    for number, raw in enumerate(text.split("\n"), 1):  # numbered as an editor shows them
        line = raw.removesuffix("\r")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if _controls(line.replace("\t", " ")):
            out.append((number, "control characters in the line"))
            continue
        if _QUOTING.search(line) is None:
            words = _BLANKS.split(line.partition("#")[0].strip(" \t"))
        else:
            try:
                words = shlex.split(line, comments=True)
            except ValueError as exc:
                out.append((number, f"cannot read the line ({str(exc).lower()})"))
                continue
        if not words:
            continue
        fields: dict[str, str] = {"repo": words[0]}
        problem = transport_refusal(words[0])  # first: the rest of such a line is its command
        for word in words[1:] if problem is None else []:
            key, eq, value = word.partition("=")
            if not eq or not key:
                problem = f"expected key=value after the location, found {word[:60]!r}"
            elif key in fields or key == "repo":
                problem = f"field '{key[:40]}' given twice" if key in fields else (
                    f"unknown field '{key[:40]}' (expected {', '.join(FIELDS)})")
            else:
                fields[key] = value
                continue
            break
        out.append((number, problem if problem is not None else fields))
    return out


def _yaml_items(text: str, display: str) -> list[tuple[int, dict[str, str] | str]]:
    """Each item of a YAML manifest: its line and fields, or its problem."""
    from mlkaizen.formats.yamlnodes import LineDict
    from mlkaizen.formats.yamlsafe import load_yaml_documents

    try:
        docs = load_yaml_documents(text, max_nodes=MAX_ENTRIES * 16)
    except ParseError as exc:
        raise MLKaizenError(exc.message, display, exc.line) from None
    if not docs or docs == [None]:
        return []
    if len(docs) != 1:
        raise MLKaizenError("expected one YAML document", display)
    top: Any = docs[0]
    out: list[tuple[int, dict[str, str] | str]] = []
    if isinstance(top, dict):
        line = getattr(top, "line", 1)
        for key in top:
            if key != "repositories":
                out.append((line, f"unknown key {str(key)[:40]!r} at the top (expected "
                                  "repositories)"))
        top = top.get("repositories") or []
    if not isinstance(top, list):
        raise MLKaizenError(
            "expected a list of repositories, or a mapping with `repositories:`", display
        )
    last = 1
    for index, item in enumerate(top, 1):
        if not isinstance(item, LineDict):
            out.append((last, f"item {index} of the list, after this line, is not a mapping "
                              "(expected repo: and its fields)"))
            continue
        last = item.line
        if "repo" not in item:
            out.append((item.line, "repo: is missing"))
            continue
        fields: dict[str, str] = {}
        problem = None
        for key, value in item.items():
            if key != "repo" and key not in FIELDS:  # said as the text form says it
                problem = (f"unknown field '{str(key)[:40]}' (expected "
                           f"{', '.join(FIELDS)})")
                break
            if not isinstance(value, str):
                problem = f"{str(key)[:40]}: must be text (quote it)"
                break
            fields[str(key)] = value
        out.append((item.line, problem if problem is not None else fields))
    return out


def check_manifest_file(path: Path) -> None:
    """A one-line error unless ``path`` is a regular file (or a link to one): a folder, a
    FIFO or a device (``/dev/zero``) is never read, as it may never end."""
    if path.is_file():
        return
    if not path.exists():
        raise MLKaizenError("no such manifest file", str(path))
    if path.is_dir():
        raise MLKaizenError("is a folder; give the manifest file", str(path))
    raise MLKaizenError("is not a regular file (a FIFO or a device); give the manifest file",
                        str(path))


def read_manifest(path: str, text: str | None = None) -> Manifest:
    """The manifest at ``path`` (or ``text``, named ``path`` in messages). A file that
    cannot be read at all raises :class:`~mlkaizen.errors.MLKaizenError`; a bad entry is a
    problem and the rest stand."""
    from mlkaizen.fsio.read import decode, read_bytes

    if text is None:
        text = decode(read_bytes(Path(path), "manifest", MAX_BYTES), "manifest", path)
    elif len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise MLKaizenError(f"manifest is over the limit of {MAX_BYTES:,} bytes", path)
    base = Path(os.path.abspath(path)).parent
    yaml_form = path.lower().endswith((".yaml", ".yml"))
    items = _yaml_items(text, path) if yaml_form else _text_items(text)
    entries: list[Entry] = []
    problems: list[str] = []
    first: dict[str, int] = {}
    for line, item in items:
        if isinstance(item, str):
            problems.append(f"{path}:{line}: {item}")
            continue
        if len(entries) >= MAX_ENTRIES:
            problems.append(f"{path}:{line}: limit of {MAX_ENTRIES:,} entries reached; this "
                            "entry and the rest are left out")
            break
        entry, problem = _entry(item, base, line)
        if entry is None:
            problems.append(f"{path}:{line}: {problem}")
            continue
        key = entry.key
        if key in first:
            problems.append(f"{path}:{line}: duplicate of line {first[key]} ({key}); left out")
            continue
        first[key] = line
        entries.append(entry)
    return Manifest(entries=entries, problems=problems)
