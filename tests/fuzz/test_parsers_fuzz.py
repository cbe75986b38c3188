"""Fuzz every parser entry point with Hypothesis: arbitrary text, and structured documents
with mutations. A parser may return or raise its one documented error, nothing else.

The long run (over a million inputs) is ``python bench/fuzz.py``.
"""

from __future__ import annotations

import json
import string
from typing import Any

import pytest
import tomllib
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mlkaizen.evidence.parse.entrypoints import ENTRYPOINTS

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
                    st.text(max_size=20))
keys = st.sampled_from(["on", "jobs", "steps", "run", "stages", "cmd", "outs", "attest",
                        "answer", "practices", "id", "dimension", "level", "schedule", "cron",
                        "script", "cells", "source", "cell_type", "<<", "name", "uses"]) | st.text(
    string.ascii_lowercase, min_size=1, max_size=8)
documents = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                         | st.dictionaries(keys, inner, max_size=5), max_leaves=25)
TOKENS = ["&a ", "*a", "<<: *a", "[", "]", "{", "}", "\\", '"', "'", "\n", "\t", ": ", "- ",
          "!!python/object:os.system", "%YAML 1.1\n", "---\n", "\x00", "\\\n", "import ", "(",
          "RUN ", "FROM ", "==", "@", ";", "\udcff", "**/", "!"]


def mutate(text: str, cuts: list[tuple[int, int, str]]) -> str:
    for pos, length, token in cuts:
        at = pos % (len(text) + 1)
        text = text[:at] + token + text[at + length % 4:]
    return text


mutations = st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 3),
                               st.sampled_from(TOKENS)), max_size=6)


def render(doc: Any, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(doc)
    if fmt == "yaml":
        return yaml.safe_dump(doc)
    return "\n".join(f"{k} = {json.dumps(v)}" for k, v in (doc.items() if isinstance(doc, dict)
                                                           else {"v": doc}.items()))


def check(name: str, text: str) -> None:
    parse, allowed = ENTRYPOINTS[name]
    try:
        parse(text)
    except allowed:
        pass


FAST = settings(max_examples=120, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


@pytest.mark.parametrize("name", sorted(ENTRYPOINTS))
@FAST
@given(text=st.text(max_size=300))
def test_arbitrary_text(name: str, text: str) -> None:
    check(name, text)


@pytest.mark.parametrize("name", sorted(ENTRYPOINTS))
@FAST
@given(doc=documents, fmt=st.sampled_from(["json", "yaml", "toml"]), cuts=mutations)
def test_mutated_documents(name: str, doc: Any, fmt: str, cuts: list[tuple[int, int, str]]
                           ) -> None:
    check(name, mutate(render(doc, fmt), cuts))


def test_every_parser_is_fuzzed() -> None:
    assert {"yaml", "toml", "json", "notebook", "dockerfile", "ci", "requirements", "gitignore",
            "config", "catalogue", "python"} <= set(ENTRYPOINTS)


def test_mutate_is_deterministic_and_changes_text() -> None:
    assert mutate("abc", [(1, 1, "X")]) == "aXc"
    assert tomllib.loads(render({"a": 1}, "toml")) == {"a": 1}


def test_regression_yaml_with_unencodable_characters() -> None:
    """Found by the fuzzer: the C YAML reader raised UnicodeEncodeError on a lone surrogate."""
    from mlkaizen.evidence.parse import ParseError
    from mlkaizen.evidence.parse.yamlfile import load_yaml_documents

    with pytest.raises(ParseError, match="cannot be encoded"):
        load_yaml_documents("a: [1, \udcff]\n")
