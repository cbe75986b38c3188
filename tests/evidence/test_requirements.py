"""Requirement lines: the common shapes are read without packaging, with packaging's answer."""

from __future__ import annotations

import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from packaging.requirements import InvalidRequirement, Requirement

from mlkaizen.evidence.parse.requirements import _pins, parse_requirements, simple_requirement


def by_packaging(spec: str) -> tuple[str, bool] | None:
    try:
        req = Requirement(spec)
    except InvalidRequirement:
        return None
    return req.name, any(_pins(s.operator, s.version) for s in req.specifier) or bool(req.url)


_names = st.text("aZ09._-", min_size=1, max_size=6)
_versions = st.text("0123456789.*+abrcpostdev!-\u0663", min_size=0, max_size=8)
_ops = st.sampled_from(["==", "!=", "<=", ">=", "<", ">", "~=", "===", "=", "=>", ""])
_ws = st.sampled_from(["", " ", "\t", "  "])
_specs = st.lists(st.tuples(_ws, _ops, _ws, _versions), max_size=3).map(
    lambda specs: ",".join(f"{a}{op}{b}{v}" for a, op, b, v in specs)
)
_extras = st.one_of(st.just(""), st.lists(_names, min_size=0, max_size=3).map(
    lambda names: "[" + ", ".join(names) + "]"))
_requirements = st.tuples(_ws, _names, _ws, _extras, _ws, _specs, _ws).map("".join)


@settings(max_examples=3000, deadline=None)
@given(_requirements)
def test_a_common_shape_gets_packagings_own_answer(spec: str) -> None:
    simple = simple_requirement(spec)
    if simple is not None:
        assert simple == by_packaging(spec), spec


@pytest.mark.parametrize("spec, expected", [
    ("numpy", ("numpy", False)),
    ("numpy==1.26.4", ("numpy", True)),
    ("torch>=2.1,<3", ("torch", False)),
    ("scikit-learn ~= 1.3.2", ("scikit-learn", True)),
    ("pandas==2.1.*", ("pandas", True)),
    ("pandas==2.*", ("pandas", False)),
    ("apache-airflow[celery, postgres]==2.7.1", ("apache-airflow", True)),
    ("Flask_Cors>=3", ("Flask_Cors", False)),
    ("zope.interface!=5.0,==5.1", ("zope.interface", True)),
])
def test_common_shapes_are_read_without_packaging(spec: str,
                                                  expected: tuple[str, bool]) -> None:
    assert simple_requirement(spec) == expected
    assert by_packaging(spec) == expected


@pytest.mark.parametrize("spec", [
    "torch==2.1.0+cu118",  # a local version
    "black==23.1b0",  # a pre-release
    "x===anything",  # arbitrary equality
    "foo>=1.*",  # a wildcard after >= (invalid)
    "foo~=1",  # ~= with one release number (invalid)
    "foo (>=1.0)",  # parenthesised specifiers
    "foo @ https://example.com/foo.whl",
    "foo_",  # a name packaging reads differently at its edge
    "foo==1.0 bar",
    "-e .",
    "numpy==\u0663",  # a digit, but not an ASCII one: packaging refuses it
])
def test_other_shapes_go_to_packaging(spec: str) -> None:
    assert simple_requirement(spec) is None


def test_a_requirements_file_of_common_shapes_never_imports_packaging() -> None:
    code = (
        "import sys\n"
        "from mlkaizen.evidence.parse.requirements import parse_requirements\n"
        "pins, problems = parse_requirements('numpy==1.26.4\\npandas>=2\\n# c\\n"
        "torch[cpu] ~= 2.1.0 ; python_version > \"3.8\"\\n')\n"
        "print([(p.name, p.pinned, p.line) for p in pins], problems, 'packaging' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == (
        "[('numpy', True, 1), ('pandas', False, 2), ('torch', True, 4)] [] False"
    )


def test_other_lines_still_get_packagings_answer_and_message() -> None:
    pins, problems = parse_requirements("black==23.1b0\nfoo>=1.*\nbar (==1.0)\n")
    assert [(p.name, p.pinned, p.line) for p in pins] == [("black", True, 1), ("bar", True, 3)]
    assert [line for line, _ in problems] == [2]
