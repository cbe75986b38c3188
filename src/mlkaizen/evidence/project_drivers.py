"""Code that drives sub-projects: a notebook, script or infrastructure program outside every
sub-project that names two or more of them by their folders (a SageMaker estimator's
``source_dir="source_dir"``, ``docker build container/train_and_serve``, a CDK asset at
``'../sagemaker/fraud/code'``) runs them as the parts of one system. Such parts, with the
code that drives them, are one project; a collection's root readme or CI file naming each
project is no driver (neither is read)."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Sequence

from mlkaizen.evidence.findings import Context, context_of
from mlkaizen.evidence.tree import RepoTree

DRIVER_SUFFIXES = (".py", ".ipynb", ".ts", ".js")
MAX_DRIVERS = 200  # files read at most, the nearest the root first
_MIN_NAME = 4  # a folder named in one segment shorter than this (``src``, ``app``) is too common


def _needle(path: str, folder: str) -> str | None:
    """How code in ``folder`` names the sub-project folder ``path``: by its path from there
    when it lies below (``training``, ``container/serve``), else by its last two segments
    (``fraud/code`` in ``'../sagemaker/fraud/code'``) or its name at the root; a one-segment
    name shorter than :data:`_MIN_NAME` (``src``, ``app``) is too common to tell."""
    if folder and not path.startswith(folder + "/"):
        name = "/".join(path.split("/")[-2:])
    else:
        name = path[len(folder) + 1 :] if folder else path
    return name if "/" in name or len(name) >= _MIN_NAME else None


Names = tuple[re.Pattern[str], dict[str, list[int]]]


def _pattern(paths: Sequence[str], folder: str) -> Names | None:
    """The pattern that finds, in code of ``folder``, the names of two or more of ``paths``,
    and which of them each name is."""
    by_name: dict[str, list[int]] = {}
    for i, path in enumerate(paths):
        name = _needle(path, folder)
        if name is not None:
            by_name.setdefault(name, []).append(i)
    if len(by_name) < 2:
        return None
    pattern = re.compile(
        r"(?<![\w.-])(?:\.\.?/)*("
        + "|".join(re.escape(n) for n in sorted(by_name, key=len, reverse=True))
        + r")(?=[\"'/\s]|$)"
    )
    return pattern, by_name


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
            and context_of(rel) is Context.PROJECT
        ),
        key=lambda rel: (rel.count("/"), rel),
    )[:MAX_DRIVERS]
    patterns: dict[str, Names | None] = {}
    out: list[tuple[list[int], str]] = []
    for rel in drivers:
        folder = posixpath.dirname(rel)
        if folder not in patterns:
            patterns[folder] = _pattern(paths, folder)
        found = patterns[folder]
        text = tree.text(rel) if found is not None else None
        if found is None or not text:
            continue
        pattern, by_name = found
        named = sorted({i for m in pattern.finditer(text) for i in by_name[m.group(1)]})
        if len(named) >= 2:
            out.append((named, folder))
    return out
