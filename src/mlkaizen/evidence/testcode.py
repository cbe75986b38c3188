"""The one rule for "this is test code", used by every detector and by finding contexts.

A file is test code when it sits in a ``tests``/``test``/``testing`` folder, or is a Python
module named the way pytest collects tests (``test_*.py``, ``*_test.py``, ``*_tests.py``,
``tests.py``). A module elsewhere is test code too when it defines a ``unittest.TestCase``
class (that needs its parsed facts: :func:`is_test_module`).
"""

from __future__ import annotations

import re

from mlkaizen.evidence.parse.python_src import PyFacts

TEST_DIRS = frozenset({"tests", "test", "testing"})
_TEST_MODULE = re.compile(r"^(test_\w*|\w+_tests?|tests)\.py$", re.IGNORECASE)
TEST_CASE_BASES = frozenset(
    {"unittest.TestCase", "unittest.IsolatedAsyncioTestCase", "django.test.TestCase"}
)


def is_test_path(rel: str) -> bool:
    """Whether the path alone says test code (a test folder, or a pytest module name)."""
    parts = rel.lower().split("/")
    return any(p in TEST_DIRS for p in parts[:-1]) or bool(_TEST_MODULE.match(parts[-1]))


def defines_test_case(facts: PyFacts) -> bool:
    """Whether a module defines a ``unittest.TestCase`` (or Django ``TestCase``) subclass."""
    return any(base.name in TEST_CASE_BASES for base in facts.bases)


def is_test_module(rel: str, facts: PyFacts | None) -> bool:
    """Whether a Python module is test code: by its path, or by a ``TestCase`` class in it."""
    return is_test_path(rel) or (facts is not None and defines_test_case(facts))
