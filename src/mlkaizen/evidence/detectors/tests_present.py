"""Automated tests: unit tests, data tests, model tests."""

from __future__ import annotations

import re

from mlkaizen.evidence.detectors.base import detector
from mlkaizen.evidence.findings import Finding
from mlkaizen.evidence.tree import RepoTree

_DATA_NAME = re.compile(r"(data|schema|feature|dataset|ingest|preprocess|validation)", re.I)
_MODEL_NAME = re.compile(r"(model|train|predict|infer|evaluat|metric|serv|api)", re.I)
_DATA_LIBS = {"pandera", "great_expectations", "gx", "deepchecks", "tensorflow_data_validation"}


def _topic(rel: str) -> str:
    """What a test module is about: its name and the folders below ``tests/``
    (``tests/model/test_behavioral.py`` -> ``model/test_behavioral.py``)."""
    parts = rel.split("/")
    below = parts[parts.index("tests") + 1 :] if "tests" in parts[:-1] else parts[-1:]
    return "/".join(below).replace("test_", "", 1)


def _test_files(tree: RepoTree) -> list[tuple[str, int]]:
    """(file, first test function line) for Python test modules with at least one test."""

    def compute() -> list[tuple[str, int]]:
        out: list[tuple[str, int]] = []
        for rel in tree.python_sources():
            name = rel.rsplit("/", 1)[-1]
            if not (name.startswith("test_") or name.endswith("_test.py")) or rel.endswith(
                ".ipynb"
            ):
                continue
            facts = tree.python(rel)
            if facts is None:
                continue
            lines = [
                line
                for fn, line in facts.functions.items()
                if fn.startswith("test") or fn.startswith("Test")
            ]
            if lines:
                out.append((rel, min(lines)))
        return out

    return tree.memo("test_files", compute)


@detector("unit_tests_present")
def unit_tests_present(tree: RepoTree) -> list[Finding]:
    """The repository has automated tests (pytest/unittest modules with test functions).

    Evidence: ``test_*.py`` / ``*_test.py`` files defining ``test*`` functions or classes.
    """
    files = _test_files(tree)
    if not files:
        return []
    rel, line = files[0]
    return [
        tree.finding(
            "unit_tests_present",
            rel,
            line,
            f"{len(files)} test module(s), e.g. {rel}",
            tests_are_evidence=True,
        )
    ]


@detector("data_tests_present")
def data_tests_present(tree: RepoTree) -> list[Finding]:
    """Tests check data or features (schemas, ranges, preprocessing), not only code.

    Evidence: a test module named for data/schema/features/preprocessing (or in such a folder
    under ``tests/``), or one that imports a data-validation library.
    """
    out: list[Finding] = []
    for rel, line in _test_files(tree):
        facts = tree.python(rel)
        libs = {n.split(".")[0] for n in facts.imports} if facts else set()
        if _DATA_NAME.search(_topic(rel)) or (libs & _DATA_LIBS):
            out.append(
                tree.finding(
                    "data_tests_present", rel, line, "data test module", tests_are_evidence=True
                )
            )
    return out


@detector("model_tests_present")
def model_tests_present(tree: RepoTree) -> list[Finding]:
    """Tests exercise the model: training, prediction, quality thresholds or the serving API.

    Evidence: a test module named for model/train/predict/evaluate/serving, or in such a
    folder under ``tests/``.
    """
    return [
        tree.finding("model_tests_present", rel, line, "model test module", tests_are_evidence=True)
        for rel, line in _test_files(tree)
        if _MODEL_NAME.search(_topic(rel))
    ]


DETECTORS = [unit_tests_present, data_tests_present, model_tests_present]
