"""Shared, memoised views over many files: every YAML document, every CI pipeline.

Mechanism only; the detectors that use these decide what a document means.
"""

from __future__ import annotations

import re
from typing import Any

from mlkaizen.evidence.ci_files import find_pipelines
from mlkaizen.evidence.parse.ci import Pipeline
from mlkaizen.evidence.parse.makefile import parse_makefile
from mlkaizen.evidence.tree import RepoTree

CI_FILES = (".github/workflows/*.yml", ".github/workflows/*.yaml")


def yaml_documents(tree: RepoTree) -> list[tuple[str, Any]]:
    """(file, document) for every YAML file in the tree, parsed once."""

    def compute() -> list[tuple[str, Any]]:
        out: list[tuple[str, Any]] = []
        for rel in tree.with_suffix(".yml", ".yaml"):
            docs = tree.yaml(rel)
            for doc in docs or []:
                out.append((rel, doc))
        return out

    return tree.memo("yaml_documents", compute)


def k8s_objects(tree: RepoTree) -> list[tuple[str, dict[str, Any]]]:
    """YAML documents shaped like Kubernetes objects (``apiVersion`` + ``kind``)."""
    return [
        (rel, doc)
        for rel, doc in yaml_documents(tree)
        if isinstance(doc, dict) and "apiVersion" in doc and "kind" in doc
    ]


def ci_pipelines(tree: RepoTree) -> list[Pipeline]:
    """Every CI pipeline, recognised by content (see :mod:`mlkaizen.evidence.ci_files`)."""
    return tree.memo("ci_pipelines", lambda: find_pipelines(tree))


def make_targets(tree: RepoTree) -> dict[str, str]:
    """Recipe text of every Makefile / justfile target at the top of the tree."""

    def compute() -> dict[str, str]:
        targets: dict[str, str] = {}
        for rel in tree.named("Makefile", "makefile", "GNUmakefile", "justfile"):
            if rel.count("/") > 1:
                continue
            text = tree.text(rel)
            if text:
                for name, (_, body) in parse_makefile(text).items():
                    targets.setdefault(name, body)
        return targets

    return tree.memo("make_targets", compute)


def expand_make(tree: RepoTree, command: str, depth: int = 2) -> str:
    """``command`` plus what it runs inside the repository: the recipes of ``make X`` /
    ``just X`` targets, and the text of shell scripts and job YAML files it names, followed
    ``depth`` levels (a CI step ``bash ci/train.sh`` is judged by what ``train.sh`` runs)."""
    extra: list[str] = []
    targets = make_targets(tree)
    for word_run in ("make ", "just "):
        for piece in command.split(word_run)[1:]:
            for name in piece.split()[:3]:
                if name in targets:
                    extra.append(targets[name])
                    # one level of prerequisites, which hold the real work in many Makefiles
                    for dep in targets[name].splitlines()[0].split():
                        extra.append(targets.get(dep, ""))
    for match in _SCRIPT_REF.finditer(command):
        rel = match.group(1).removeprefix("./")
        if rel in tree.sizes and not rel.startswith(".github/workflows/"):
            text = tree.text(rel) or ""
            extra.append(expand_make(tree, text, depth - 1) if depth > 1 else text)
    return command + "\n" + "\n".join(extra) if extra else command


_SCRIPT_REF = re.compile(r"(?<![\w/.-])((?:\./)?[\w./-]+\.(?:sh|bash|ya?ml))\b")
