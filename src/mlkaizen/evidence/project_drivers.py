"""Code that drives sub-projects: a notebook, script or infrastructure program outside every
sub-project that names two or more of them by their folders (a SageMaker estimator's
``source_dir="source_dir"``, ``!docker build container/train_and_serve``, a CDK asset at
``'../sagemaker/fraud/code'``) runs them as the parts of one system.

Only what the code itself holds is read: its string literals that are paths (no space, no
``://``, not absolute), and the words of a notebook's shell commands; never comments, prose,
a notebook's outputs, a readme or a CI file (a collection's CI naming each project is no
driver). A folder at the driver's level is named by a path (``./training``, ``training/``),
or plainly where a path is expected (``source_dir="training"``, ``cd training``)."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator, Sequence

from mlkaizen.evidence.factcache import notebook_source
from mlkaizen.evidence.findings import Context
from mlkaizen.evidence.tree import RepoTree

DRIVER_SUFFIXES = (".py", ".ipynb", ".ts", ".js")
MAX_DRIVERS = 200  # files read at most, the nearest the root first
MAX_DRIVER_BYTES = 512 * 1024  # a larger file (a bundle, a notebook of outputs) is no driver
MAX_SEGMENTS = 12  # of a path literal, read from its start
_PATHLIKE = re.compile(r"^[\w.-]+(?:/[\w.-]*)*$")
# a keyword whose value is a folder: ``source_dir=``, ``code_location=``, ``context=``
_PATH_KEYWORD = re.compile(r"(?i)dir|path|source|context|folder|location|directory")
_JS_STRING = re.compile(r"""(['"`])([\w./-]{1,300})\1""")
# a comment (to the line's end), or a one-line string literal of path characters with the
# keyword it is given to, if any (``source_dir = "training"``)
_PY_STRING = re.compile(
    r"""#[^\n]*|(?:(?<!\w)(?P<kw>\w++)[ \t]*+=[ \t]*+)?[rRbBuU]?(?P<q>['"])"""
    r"""(?P<text>[\w./-]{1,300})(?P=q)"""
)
_SHELL_FOLDER = re.compile(r"^\s*(?:cd|pushd)\b|\bdocker\s+build\b")


def _literals_py(code: str) -> Iterator[tuple[str, bool]]:
    """(string literal, whether it is a path keyword's value) of Python code: one scan in
    which a comment runs to its line's end (a quote inside it is no literal)."""
    for match in _PY_STRING.finditer(code):
        if match.group("text") is not None:
            keyword = match.group("kw")
            yield match.group("text"), bool(keyword and _PATH_KEYWORD.search(keyword))


def _named_places(tree: RepoTree, rel: str) -> Iterator[tuple[str, bool]]:
    """(a path the driver names, whether a one-segment name counts there)."""
    if rel.endswith(".ipynb"):
        code = tree.parsed(rel, "notebook", notebook_source)
        facts = tree.notebook(rel)
        for _, command in facts.shell if facts is not None else ():
            plain = bool(_SHELL_FOLDER.search(command))
            for word in command.split():
                yield word.strip("\"'"), plain
    elif rel.endswith(".py"):
        code = tree.text(rel)
    else:
        text = tree.text(rel) or ""
        lines = (line for line in text.split("\n") if not line.lstrip().startswith(("//", "*")))
        for line in lines:
            for match in _JS_STRING.finditer(line):
                yield match.group(2), False
        return
    yield from _literals_py(code or "")


def _folder_of(literal: str) -> str | None:
    """The repository path a literal names, relative to where it is read (``../a/b/`` ->
    ``a/b``), or ``None`` when it is no relative path."""
    if not _PATHLIKE.match(literal) or "://" in literal or literal.startswith("/"):
        return None
    path = literal
    while path.startswith(("./", "../")):
        path = path.split("/", 1)[1]
    path = path.rstrip("/")
    return path if path and path not in (".", "..") else None


def _needles(paths: Sequence[str], folder: str) -> dict[str, int]:
    """How code in ``folder`` names each sub-project folder: its path from there when it
    lies below (``training``, ``container/serve``), else its last two segments
    (``fraud/code`` in ``'../sagemaker/fraud/code'``) or its name at the root. A name two
    projects share says neither."""
    found: dict[str, list[int]] = {}
    for i, path in enumerate(paths):
        if folder and not path.startswith(folder + "/"):
            name = "/".join(path.split("/")[-2:])
        else:
            name = path[len(folder) + 1 :] if folder else path
        found.setdefault(name, []).append(i)
    return {name: at[0] for name, at in found.items() if len(at) == 1}


def _named(tree: RepoTree, rel: str, needles: dict[str, int]) -> set[int]:
    """The sub-projects the driver ``rel`` names (a folder along a path it holds, or the
    name itself where a folder is expected)."""
    out: set[int] = set()
    text = tree.text(rel) or ""
    if sum(1 for name in needles if name.rsplit("/", 1)[-1] in text) < 2:
        return out  # fewer than two of the folders' names appear anywhere in it
    for literal, plain in _named_places(tree, rel):
        path = _folder_of(literal)
        if path is None:
            continue
        slashed = "/" in literal
        parts = path.split("/")[:MAX_SEGMENTS]
        for start in range(len(parts)):  # any folder along the path (a file inside it too)
            for end in range(start + 1, len(parts) + 1):
                name = "/".join(parts[start:end])
                if name in needles and ("/" in name or slashed or plain):
                    out.add(needles[name])
    return out


def driven_groups(tree: RepoTree, paths: Sequence[str]) -> list[tuple[list[int], str]]:
    """Groups of two or more of the sub-project folders ``paths`` named by one driver file
    outside them all: each as (indices into ``paths``, the folder of that driver)."""
    if len(paths) < 2:
        return []
    inside = tuple(p + "/" for p in paths)
    drivers = sorted(
        (
            rel
            for rel in tree.with_suffix(*DRIVER_SUFFIXES)
            if not rel.startswith(inside)
            and not rel.startswith(".")
            and tree.sizes.get(rel, 0) <= MAX_DRIVER_BYTES
            and tree.context(rel) is Context.PROJECT
        ),
        key=lambda rel: (rel.count("/"), rel),
    )[:MAX_DRIVERS]
    needles: dict[str, dict[str, int]] = {}
    out: list[tuple[list[int], str]] = []
    for rel in drivers:
        folder = posixpath.dirname(rel)
        if folder not in needles:
            needles[folder] = _needles(paths, folder)
        named = _named(tree, rel, needles[folder])
        if len(named) >= 2:
            out.append((sorted(named), folder))
    return out
