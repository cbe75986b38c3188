"""The one rule for test code, and the detectors and contexts that use it."""

from __future__ import annotations

import pytest

from mlkaizen.evidence.detectors import REGISTRY
from mlkaizen.evidence.findings import Context, context_of
from mlkaizen.evidence.parse.python_src import parse_python
from mlkaizen.evidence.testcode import is_test_module, is_test_path
from mlkaizen.evidence.tree import RepoTree
from tests.conftest import MakeRepo


@pytest.mark.parametrize(("path", "test"), [
    ("test_model.py", True),
    ("src/tests/etl_tests.py", True),
    ("pkg/model_test.py", True),
    ("pkg/model_tests.py", True),
    ("app/tests.py", True),
    ("tests/helpers.py", True),
    ("test/conftest.py", True),
    ("testing/fixtures/data.csv", True),
    ("pkg/latest.py", False),
    ("pkg/contest.py", False),
    ("pkg/attestation.py", False),
    ("pkg/testimonials.py", False),
    ("pytest_plugin.py", False),
    ("src/my_latest.py", False),
    ("test_data.csv", False),
    ("tests.md", False),
])
def test_path_rule(path: str, test: bool) -> None:
    assert is_test_path(path) is test
    assert (context_of(path) is Context.TEST) is test


def test_test_case_classes_make_a_test_module() -> None:
    case = parse_python("import unittest\nclass T(unittest.TestCase):\n    def test_a(self):\n"
                        "        pass\n")
    other = parse_python("class T(Base):\n    def test_a(self):\n        pass\n")
    assert is_test_module("pkg/checks.py", case)
    assert not is_test_module("pkg/checks.py", other)
    assert not is_test_module("pkg/checks.py", None)


@pytest.mark.parametrize(("files", "expected"), [
    ({"src/tests/etl_tests.py": "def test_etl():\n    assert etl() == 1\n"}, "src/tests/etl_tests.py"),
    ({"app/tests.py": "def test_view(client):\n    assert client.get('/').ok\n"}, "app/tests.py"),
    ({"pkg/model_tests.py": "def test_fit(model):\n    assert model.fitted == 1\n"},
     "pkg/model_tests.py"),
    ({"pkg/checks.py": "from unittest import TestCase\nclass C(TestCase):\n"
                       "    def test_x(self):\n        self.assertEqual(f(), 1)\n"},
     "pkg/checks.py"),
    ({"pkg/checks.py": "class C:\n    def test_x(self):\n        pass\n"}, None),
    ({"tests/helpers.py": "def make_frame():\n    pass\n"}, None),
])
def test_unit_tests_follow_the_rule(make_repo: MakeRepo, files: dict[str, str | bytes],
                                    expected: str | None) -> None:
    found = REGISTRY["unit_tests_present"].detect(RepoTree(make_repo(files)))
    assert [f.file for f in found] == ([expected] if expected else [])


def test_training_and_serving_code_in_test_modules_is_not_project_code(
    make_repo: MakeRepo,
) -> None:
    fit = "from sklearn.linear_model import LogisticRegression\nm = LogisticRegression().fit(X, y)\n"
    tree = RepoTree(make_repo({"src/model_tests.py": fit, "src/latest_model.py": fit}))
    assert [f.file for f in REGISTRY["training_code_present"].detect(tree)] == [
        "src/latest_model.py"
    ]
