"""Mechanism: the signs of the stack packs (:mod:`mlkaizen.evidence.packs`) found in a tree.

Each sign evidences one or more facts; :func:`pack_findings` gives the findings of one fact,
reported under the detector of that id beside its own findings (see
:func:`mlkaizen.evidence.detectors.base.with_packs`). Python signs are read from the import and call
facts, config signs from parsed YAML documents, file signs from the listing (and the text, for
``contains``), command signs from CI steps, shell scripts, Makefiles and Dockerfiles.
Command signs with a ``step`` kind reach the CI detectors through the vocabulary instead.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from mlkaizen.evidence.detectors.documents import ci_pipelines, yaml_documents
from mlkaizen.evidence.detectors.text_search import line_at, search_files
from mlkaizen.evidence.detectors.usage import Signature, find_usage
from mlkaizen.evidence.findings import Finding
from mlkaizen.evidence.packs import MAX_SEARCHED_BYTES, runtime
from mlkaizen.evidence.tree import RepoTree, SubTree

FILES_PER_SIGN = 5  # a sign seen in many files: evidence enough in a few, not one per file


@dataclass(frozen=True)
class FileRule:
    """A file sign: globs, the pattern a file's text must match (if any) and its needles."""

    glob: tuple[str, ...]
    contains: str | None
    needles: tuple[str, ...]
    tool: str

    @property
    def pattern(self) -> re.Pattern[str] | None:
        """The compiled pattern, compiled when a repository first has files the sign names
        (``re`` keeps it): most signs name files that most repositories do not have."""
        return re.compile(self.contains) if self.contains is not None else None


@dataclass
class _Signs:
    python: list[Signature] = field(default_factory=list)
    config: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    files: list[FileRule] = field(default_factory=list)
    commands: list[tuple[str, re.Pattern[str], bool]] = field(default_factory=list)


@cache
def signs_by_fact() -> dict[str, _Signs]:
    """Every pack sign, grouped by the fact it evidences (compiled once per process)."""
    out: dict[str, _Signs] = {}
    for pack in runtime():
        stack = pack["stack"]
        for py in pack["python"]:
            sig = Signature(
                py["tool"] or stack,
                tuple(py["modules"]),
                tuple(py["calls"]),
                tuple(py["keywords"]),
                tuple(py["requires"]),
            )
            for fact in py["evidences"]:
                out.setdefault(fact, _Signs()).python.append(sig)
        for conf in pack["config"]:
            for fact in conf["evidences"]:
                out.setdefault(fact, _Signs()).config.append((stack, conf))
        for f in pack["files"]:
            rule = FileRule(
                tuple(f["glob"]),
                f["contains"] or None,
                tuple(f["needles"]),
                f.get("tool") or stack,
            )
            for fact in f["evidences"]:
                out.setdefault(fact, _Signs()).files.append(rule)
        for c in pack["commands"]:
            for fact in c["evidences"]:
                out.setdefault(fact, _Signs()).commands.append(
                    (stack, re.compile(c["pattern"]), bool(c.get("ci_only")))
                )
    return out


def python_signs(fact: str) -> tuple[Signature, ...]:
    """The packs' Python signs of ``fact`` (e.g. every drift library's calls)."""
    signs = signs_by_fact().get(fact)
    return tuple(signs.python) if signs is not None else ()


def pack_findings(tree: RepoTree, fact: str) -> list[Finding]:
    """The findings of ``fact`` that the packs' signs show in ``tree`` (one per sign and
    file, at the first match). Memoised: a detector may ask for another's (a copy each time)."""
    return list(tree.memo(f"pack-findings:{fact}", lambda: _pack_findings(tree, fact)))


def _pack_findings(tree: RepoTree, fact: str) -> list[Finding]:
    signs = signs_by_fact().get(fact)
    if signs is None:
        return []
    out = _python(tree, fact, tuple(signs.python)) if signs.python else []
    out += _config(tree, fact, signs.config)
    out += _files(tree, fact, signs.files)
    out += _commands(tree, fact, signs.commands)
    return out


def _python(tree: RepoTree, fact: str, signatures: tuple[Signature, ...]) -> list[Finding]:
    """The Python signs' findings; a sub-project's are its repository's, in its folder (or
    the repository's shared files), rebased: the same calls, found once."""
    if not isinstance(tree, SubTree):
        return tree.memo("pack-python:" + fact, lambda: find_usage(tree, fact, signatures))
    out = []
    for f in _python(tree.parent, fact, signatures):
        rel = f.file or ""
        if rel.startswith(tree.prefix):
            rel = rel[len(tree.prefix) :]
        elif rel not in tree.shared:
            continue
        out.append(tree.finding(fact, rel, f.line, f.detail, f.outcome, False, **f.values))
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


def _matches(doc: Any, sign: dict[str, Any]) -> bool:
    if not isinstance(doc, dict):
        return False
    kind, api = sign["kind"], sign["api"]
    if kind is not None and not fnmatch.fnmatchcase(str(doc.get("kind", "")), kind):
        return False
    if api is not None and not str(doc.get("apiVersion", "")).startswith(api):
        return False
    return all(_has_path(doc, key.split(".")) for key in sign["keys"])


def _config(
    tree: RepoTree, fact: str, signs: list[tuple[str, dict[str, Any]]]
) -> list[Finding]:
    out: list[Finding] = []
    for stack, sign in signs:
        allowed = set(tree.glob(*sign["files"])) if sign["files"] else None
        seen: set[str] = set()
        for rel, doc in yaml_documents(tree):
            if rel in seen or (allowed is not None and rel not in allowed):
                continue
            if _matches(doc, sign):
                seen.add(rel)
                where = _where(doc, sign["keys"][0].split(".")) if sign["keys"] else None
                what = str(doc.get("kind") or (".".join(where[0]) if where else ""))
                line = (where[1] if where else None) or getattr(doc, "line", 1)
                out.append(tree.finding(fact, rel, line, f"{stack}: {what}", tool=stack))
    return out


def _where(node: Any, parts: list[str], path: tuple[str, ...] = ()) -> tuple[
    tuple[str, ...], int | None
] | None:
    """The first path a dotted key (``*`` for any key) takes through ``node``, with the
    line of what it leads to (or of the mapping that holds it)."""
    if not parts:
        return path, getattr(node, "line", None)
    if isinstance(node, list):
        return next((w for item in node[:1000] if (w := _where(item, parts, path))), None)
    if not isinstance(node, dict):
        return None
    head, rest = parts[0], parts[1:]
    for key in node if head == "*" else ([head] if head in node else []):
        found = _where(node[key], rest, (*path, str(key)))
        if found is not None:
            return found[0], found[1] or getattr(node, "line", None)
    return None


def _files(
    tree: RepoTree,
    fact: str,
    signs: list[FileRule],
) -> list[Finding]:
    out: list[Finding] = []
    for rule in signs:
        stack = rule.tool
        files = tree.glob(*rule.glob)
        if not files:
            continue
        pattern = rule.pattern
        if pattern is None:  # the files alone: a finding at each of the first few
            for rel in files[:FILES_PER_SIGN]:
                name = rel.rsplit("/", 1)[-1]
                more = f" (1 of {len(files)} files)" if len(files) > 1 else ""
                out.append(tree.finding(fact, rel, 1, f"{stack}: {name}{more}", tool=stack))
            continue
        out += search_files(
            tree,
            fact,
            [rel for rel in files if tree.sizes.get(rel, 0) <= MAX_SEARCHED_BYTES],
            pattern,
            _describe(stack),
            prefilter=_holds_one(rule.needles) if rule.needles else None,
            limit=FILES_PER_SIGN,
            tool=stack,
        )
    return out


def _describe(stack: str) -> Callable[[re.Match[str]], str]:
    return lambda m: f"{stack}: {m.group(0)[:80]}"


def _holds_one(needles: tuple[str, ...]) -> Callable[[str], bool]:
    return lambda text: any(n in text for n in needles)


def _command_texts(tree: RepoTree) -> Iterator[tuple[str, int | None, str, bool]]:
    """(file, the line of a CI step or None for a whole file, text, whether it is a CI
    step) of every CI step, shell script, Makefile and Dockerfile."""
    for pipe in ci_pipelines(tree):
        for job in pipe.jobs:
            for step in job.steps:
                yield step.file or job.file or pipe.file, step.line, step.text, True
    for rel in tree.shell_scripts():
        text = tree.shell_text(rel)
        if text:
            yield rel, None, text, False
    for rel in tree.glob("Makefile", "*/Makefile", "Dockerfile*", "*/Dockerfile*"):
        text = tree.text(rel)
        if text:
            yield rel, None, text, False


def _commands(
    tree: RepoTree, fact: str, signs: list[tuple[str, re.Pattern[str], bool]]
) -> list[Finding]:
    if not signs:
        return []
    out: list[Finding] = []
    seen: set[tuple[str, str]] = set()
    for rel, first, text, in_ci in _command_texts(tree):
        for stack, pattern, ci_only in signs:
            if (stack, rel) in seen or (ci_only and not in_ci):
                continue
            match = pattern.search(text)
            if match is not None:
                seen.add((stack, rel))
                line = line_at(text, match.start()) if first is None else first
                out.append(tree.finding(fact, rel, line, f"{stack}: runs {match.group(0)[:80]}",
                                        tool=stack))
    return out
