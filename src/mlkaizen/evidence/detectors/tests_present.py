"""Automated tests: unit tests, data tests, model tests."""

from __future__ import annotations

import re

from mlkaizen.evidence.detectors.base import detector
from mlkaizen.evidence.detectors.libraries import MODEL_LOADING, TRAINING
from mlkaizen.evidence.detectors.pipeline_schedules import imported_files
from mlkaizen.evidence.findings import Finding
from mlkaizen.evidence.parse.python_src import PyFacts
from mlkaizen.evidence.testcode import TEST_DIRS, is_test_module, is_test_path
from mlkaizen.evidence.tree import RepoTree
from mlkaizen.textfmt import counted

_MODEL_NAME = re.compile(r"(model|train|predict|infer|evaluat|metric|serv|api)", re.I)
_DATA_LIBS = {"pandera", "great_expectations", "gx", "deepchecks", "tensorflow_data_validation"}
_FRAME_LIBS = {"pandas", "polars", "pyarrow"}
_MODEL_CALLS = (".fit", ".predict", ".predict_proba", ".evaluate", ".score", ".train", ".infer")
# calls that check a data frame's content (nulls, duplicates, ranges, types, equality)
_DATA_CHECKS = (
    ".isna",
    ".isnull",
    ".notna",
    ".notnull",
    ".duplicated",
    ".between",
    ".nunique",
    ".is_unique",
    ".null_count",
    ".is_duplicated",
    ".is_null",
    "pandas.testing.",
    "polars.testing.",
    "pandas.api.types.",
)
_READS_DATA = ("pandas.read_*", "polars.read_*", "polars.scan_*")
# a frame written in the test itself: the test checks the code it feeds, not the data
_BUILDS_FRAMES = ("pandas.DataFrame", "polars.DataFrame", "pyarrow.table", "pyarrow.Table.from_*")
# Great Expectations' expectation methods, on a dataset a fixture built (conftest.py)
_EXPECTATIONS = (
    ".expect_column*",
    ".expect_table*",
    ".expect_compound_columns*",
    ".expect_multicolumn*",
    ".expect_select_column*",
)


# a test about the data itself: ``tests/data/test_phase1_contract.py``, ``test_dataset_schema.py``
_DATA_TOPIC = re.compile(r"(?:^|/|_)(?:data(?:sets?)?|schemas?|contracts?)(?:/|_|\.py$)", re.I)
_READS_RECORDS = ("csv.DictReader", "csv.reader")
_WRITES_RECORDS = ("csv.writer", "csv.DictWriter", ".write_text", ".writelines", ".to_csv")


def _checks_records(rel: str, facts: PyFacts) -> bool:
    """A test about data that reads the project's data files as records and asserts on them
    (``csv.DictReader`` over ``data/metadata/events.csv``): a data contract. Not a test that
    writes its own records first (``csv.writer``, ``write_text``, ``to_csv``: it checks the
    code that reads them), nor one that asserts nothing."""
    return (
        bool(_DATA_TOPIC.search(_topic(rel)))
        and bool(facts.checks)  # it asserts on what it read
        and bool(facts.find_calls(_READS_RECORDS, include_decorators=False))
        and not facts.find_calls(_WRITES_RECORDS, include_decorators=False)
    )


def _checks_data(facts: PyFacts) -> bool:
    """A test module checks data: it imports a data-validation library or calls Great
    Expectations' ``expect_*`` methods (on a dataset its fixtures built), or it imports a
    data-frame library and calls data-content checks on frames (nulls, duplicates, ranges)."""
    roots = {n.split(".")[0] for n in facts.imports}
    if roots & _DATA_LIBS or facts.find_calls(_EXPECTATIONS, include_decorators=False):
        return True
    if not roots & _FRAME_LIBS:
        return False
    reads = bool(facts.find_calls(_READS_DATA, include_decorators=False))
    if not reads and facts.find_calls(_BUILDS_FRAMES, include_decorators=False):
        return False  # frames written in the test, to check the code that handles them
    if facts.find_calls(_DATA_CHECKS, include_decorators=False):
        return True
    # a data file read and checked for missing values with numpy
    return reads and bool(facts.find_calls(("numpy.isnan",), include_decorators=False))


def _topic(rel: str) -> str:
    """What a test module is about: its name and the folders below the test folder
    (``tests/model/test_behavioral.py`` -> ``model/behavioral.py``)."""
    parts = rel.split("/")
    folder = max((i for i, p in enumerate(parts[:-1]) if p.lower() in TEST_DIRS), default=-1)
    below = parts[folder + 1 :] if folder >= 0 else parts[-1:]
    name = re.sub(r"^test_|_tests?(?=\.py$)", "", below[-1], flags=re.I)
    return "/".join([*below[:-1], name])


def _test_files(tree: RepoTree) -> list[tuple[str, int]]:
    """(file, first test function line) for Python test modules (the one rule of
    :mod:`mlkaizen.evidence.testcode`) with at least one test."""

    def compute() -> list[tuple[str, int]]:
        out: list[tuple[str, int]] = []
        with_cases = set(tree.importing({"unittest", "django"}))
        for rel in tree.with_suffix(".py"):
            if not is_test_path(rel) and rel not in with_cases:
                continue
            facts = tree.python(rel)
            if facts is None or not is_test_module(rel, facts):
                continue
            lines = [line for fn, line in facts.functions.items() if fn.startswith("test")]
            if lines and not _placeholder(facts):
                out.append((rel, min(lines)))
        return out

    return tree.memo("test_files", compute)


def _placeholder(facts: PyFacts) -> bool:
    """A test module that tests nothing: it calls nothing, and no assert in it looks at a
    value (``assert 1 == 1``, ``assert True``, an ``xfail`` ``assert False, "No tests
    written"``), as project templates and scaffolds ship. A test that calls the code, or
    asserts on what a fixture holds (``assert model.fitted``), is a test."""
    return (not facts.calls and not facts.asserts_values) or _script(facts)


def _script(facts: PyFacts) -> bool:
    """A script named like a test that a person or a pipeline runs with arguments (an
    endpoint smoke test's ``if __name__ == "__main__":`` with ``argparse``), which pytest
    cannot collect: its test functions take those arguments, not fixtures. A module that
    imports pytest or unittest is a test module, whatever its ``__main__`` does."""
    roots = {n.split(".")[0] for n in facts.imports}
    return facts.has_main_guard and "argparse" in roots and not roots & {"pytest", "unittest"}


@detector("unit_tests_present")
def unit_tests_present(tree: RepoTree) -> list[Finding]:
    """The repository has automated tests (pytest/unittest modules with test functions).

    Evidence: a Python test module defining ``test*`` functions or methods. Test modules
    are ``test_*.py``, ``*_test.py``, ``*_tests.py`` and ``tests.py``, modules in a
    ``tests``/``test``/``testing`` folder, and modules defining a ``unittest.TestCase``.
    Not evidence: a placeholder that calls nothing and asserts only on literals
    (``assert 1 == 1``, an ``xfail`` "No tests written"), a ``Test...`` class with no test, or
    a smoke script named like a test and run with arguments (``argparse`` under a
    ``__main__`` guard).
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
            f"{counted(len(files), 'test module')}, e.g. {rel}",
            tests_are_evidence=True,
        )
    ]


@detector("data_tests_present")
def data_tests_present(tree: RepoTree) -> list[Finding]:
    """Tests check data or features (schemas, ranges, nulls, duplicates), not only code.

    Evidence: a test module that imports a data-validation library (pandera, Great
    Expectations, Deepchecks, TFDV), or one that imports pandas/polars/pyarrow and checks
    frame content (``isna``, ``duplicated``, ``between``, ``nunique``, ``pandas.testing``...)
    of data it reads or its fixtures give, or a test about data (``tests/data/``,
    ``test_schema.py``, ``test_data_contract.py``) that reads data files as records
    (``csv.DictReader``) and asserts on them.
    Not evidence: a module name alone (tests of a data loader check code, not data), nor
    checks of frames the test writes itself (``pd.DataFrame({...})`` fed to a processor,
    whose output is checked for nulls): such a test checks the processing code.
    """
    out: list[Finding] = []
    for rel, line in _test_files(tree):
        facts = tree.python(rel)
        if facts is None:
            continue
        if _checks_data(facts) or _checks_records(rel, facts):
            out.append(
                tree.finding(
                    "data_tests_present", rel, line, "data test module", tests_are_evidence=True
                )
            )
    return out


@detector("model_tests_present")
def model_tests_present(tree: RepoTree) -> list[Finding]:
    """Tests exercise the model: training, prediction, quality thresholds or the serving API.

    Evidence: a test module named for model/train/predict/evaluate/serving (or in such a
    folder under ``tests/``) whose code imports an ML library or calls a model
    (``.fit``, ``.predict``, ``.evaluate``...), or imports a module of the project that
    imports a training library (the training job it runs) without a web test client.
    Not evidence: the module name alone, nor a serving app's HTTP test client alone (it
    tests the service's routes, most often with the model stubbed).
    """
    return [
        tree.finding("model_tests_present", rel, line, "model test module", tests_are_evidence=True)
        for rel, line in _test_files(tree)
        if _MODEL_NAME.search(_topic(rel)) and _exercises_model(tree, rel)
    ]


def _exercises_model(tree: RepoTree, rel: str) -> bool:
    """The test imports an ML library or calls a model, or imports a module of the project
    that imports a training library (``from bikes.jobs import TrainingJob``, which trains with
    sklearn), and calls no web test client (that tests the service's routes)."""
    facts = tree.python(rel)
    if facts is None:
        return False
    ml = TRAINING | MODEL_LOADING
    if {n.split(".")[0] for n in facts.imports} & ml:
        return True
    if facts.find_calls(_MODEL_CALLS, include_decorators=False):
        return True
    if facts.find_calls(_HTTP_CLIENTS, include_decorators=False):
        return False  # a service's routes exercised, most often with the model stubbed
    for module in imported_files(tree, rel, facts.imports):
        used = tree.python(module)
        if used is not None and {n.split(".")[0] for n in used.imports} & TRAINING:
            return True
    return False


# a web framework's test client: the test calls the service's routes
_HTTP_CLIENTS = (
    "fastapi.testclient.TestClient",
    "starlette.testclient.TestClient",
    "httpx.AsyncClient",
    "httpx.Client",
    ".test_client",
)


DETECTORS = [unit_tests_present, data_tests_present, model_tests_present]
