"""Mechanism: the signs of the stack packs (:mod:`mlkaizen.evidence.packs`) found in a tree.

Each sign evidences one or more facts; :func:`pack_findings` gives the findings of one fact,
reported under the detector of that id beside its own findings (see
:func:`mlkaizen.evidence.scan.run_detectors`). Python signs are read from the import and call
facts, config signs from parsed YAML documents, file signs from the listing (and the text, for
``contains``), command signs from CI steps, shell scripts, Makefiles and Dockerfiles.
Command signs with a ``step`` kind reach the CI detectors through the vocabulary instead.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from mlkaizen.evidence.detectors.documents import ci_pipelines, yaml_documents
from mlkaizen.evidence.detectors.text_search import line_at
from mlkaizen.evidence.detectors.usage import Signature, find_usage
from mlkaizen.evidence.findings import Finding
from mlkaizen.evidence.packs import packs
from mlkaizen.evidence.packs.schema import ConfigSign
from mlkaizen.evidence.tree import RepoTree


@dataclass
class _Signs:
    python: list[Signature] = field(default_factory=list)
    config: list[tuple[str, ConfigSign]] = field(default_factory=list)
    files: list[tuple[str, tuple[str, ...], re.Pattern[str] | None]] = field(default_factory=list)
    commands: list[tuple[str, re.Pattern[str]]] = field(default_factory=list)


@cache
def signs_by_fact() -> dict[str, _Signs]:
    """Every pack sign, grouped by the fact it evidences (compiled once per process)."""
    out: dict[str, _Signs] = {}
    for pack in packs():
        for py in pack.python:
            sig = Signature(
                py.tool or pack.stack,
                tuple(py.modules),
                tuple(py.calls),
                tuple(py.keywords),
                tuple(py.requires),
            )
            for fact in py.evidences:
                out.setdefault(fact, _Signs()).python.append(sig)
        for conf in pack.config:
            for fact in conf.evidences:
                out.setdefault(fact, _Signs()).config.append((pack.stack, conf))
        for f in pack.files:
            pattern = re.compile(f.contains) if f.contains else None
            for fact in f.evidences:
                out.setdefault(fact, _Signs()).files.append((pack.stack, tuple(f.glob), pattern))
        for c in pack.commands:
            for fact in c.evidences:
                out.setdefault(fact, _Signs()).commands.append((pack.stack, re.compile(c.pattern)))
    return out


def python_signs(fact: str) -> tuple[Signature, ...]:
    """The packs' Python signs of ``fact`` (e.g. every drift library's calls)."""
    signs = signs_by_fact().get(fact)
    return tuple(signs.python) if signs is not None else ()


def pack_findings(tree: RepoTree, fact: str) -> list[Finding]:
    """The findings of ``fact`` that the packs' signs show in ``tree`` (one per sign and
    file, at the first match)."""
    signs = signs_by_fact().get(fact)
    if signs is None:
        return []
    out = find_usage(tree, fact, tuple(signs.python)) if signs.python else []
    out += _config(tree, fact, signs.config)
    out += _files(tree, fact, signs.files)
    out += _commands(tree, fact, signs.commands)
    return out


def _has_path(node: Any, parts: list[str]) -> bool:
    """Whether ``node`` holds the dotted path ``parts``; a list holds it when an item does."""
    if not parts:
        return True
    if isinstance(node, list):
        return any(_has_path(item, parts) for item in node[:1000])
    if not isinstance(node, dict):
        return False
    head, rest = parts[0], parts[1:]
    if head == "*":
        return any(_has_path(v, rest) for v in node.values())
    return head in node and _has_path(node[head], rest)


def _matches(doc: Any, sign: ConfigSign) -> bool:
    if not isinstance(doc, dict):
        return False
    if sign.kind is not None and not fnmatch.fnmatchcase(str(doc.get("kind", "")), sign.kind):
        return False
    if sign.api is not None and not str(doc.get("apiVersion", "")).startswith(sign.api):
        return False
    return all(_has_path(doc, key.split(".")) for key in sign.keys)


def _config(tree: RepoTree, fact: str, signs: list[tuple[str, ConfigSign]]) -> list[Finding]:
    out: list[Finding] = []
    for stack, sign in signs:
        allowed = set(tree.glob(*sign.files)) if sign.files else None
        seen: set[str] = set()
        for rel, doc in yaml_documents(tree):
            if rel in seen or (allowed is not None and rel not in allowed):
                continue
            if _matches(doc, sign):
                seen.add(rel)
                what = str(doc.get("kind") or ", ".join(sign.keys))
                out.append(
                    tree.finding(fact, rel, getattr(doc, "line", 1), f"{stack}: {what}", tool=stack)
                )
    return out


def _files(
    tree: RepoTree,
    fact: str,
    signs: list[tuple[str, tuple[str, ...], re.Pattern[str] | None]],
) -> list[Finding]:
    out: list[Finding] = []
    for stack, globs, pattern in signs:
        files = tree.glob(*globs)
        if pattern is None:  # the files alone: one finding, at the first
            if files:
                name = files[0].rsplit("/", 1)[-1]
                more = f" ({len(files)} files)" if len(files) > 1 else ""
                out.append(tree.finding(fact, files[0], 1, f"{stack}: {name}{more}", tool=stack))
            continue
        for rel in files:
            text = tree.text(rel)
            match = pattern.search(text) if text else None
            if match is not None and text is not None:
                out.append(
                    tree.finding(fact, rel, line_at(text, match.start()),
                                 f"{stack}: {match.group(0)[:80]}", tool=stack)
                )
    return out


def _command_texts(tree: RepoTree) -> Iterator[tuple[str, int, str]]:
    """(file, first line, text) of every CI step, shell script, Makefile and Dockerfile."""
    for pipe in ci_pipelines(tree):
        for job in pipe.jobs:
            for step in job.steps:
                yield step.file or job.file or pipe.file, step.line, step.text
    for rel in tree.shell_scripts():
        text = tree.shell_text(rel)
        if text:
            yield rel, 1, text
    for rel in tree.glob("Makefile", "*/Makefile", "Dockerfile*", "*/Dockerfile*"):
        text = tree.text(rel)
        if text:
            yield rel, 1, text


def _commands(
    tree: RepoTree, fact: str, signs: list[tuple[str, re.Pattern[str]]]
) -> list[Finding]:
    if not signs:
        return []
    out: list[Finding] = []
    seen: set[tuple[str, str]] = set()
    for rel, first, text in _command_texts(tree):
        for stack, pattern in signs:
            if (stack, rel) in seen:
                continue
            match = pattern.search(text)
            if match is not None:
                seen.add((stack, rel))
                line = first + line_at(text, match.start()) - 1 if first == 1 else first
                out.append(tree.finding(fact, rel, line, f"{stack}: runs {match.group(0)[:80]}",
                                        tool=stack))
    return out
