"""YAML limits are enforced while a document is composed, before it is built: the work done on
a hostile document is bounded by the limit, not by the document's size."""

from __future__ import annotations

from typing import Any

import pytest

from mlkaizen.evidence.parse import ParseError
from mlkaizen.formats import yamlsafe as yamlload
from mlkaizen.formats.yamlsafe import load_yaml_documents


@pytest.fixture
def events(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the parser events the composer pulls."""
    pulled = [0]
    get_event = yamlload._Loader.get_event

    def counting(self: Any) -> Any:
        pulled[0] += 1
        return get_event(self)

    monkeypatch.setattr(yamlload._Loader, "get_event", counting)
    return pulled


def test_node_limit_stops_composition_early(events: list[int]) -> None:
    text = "items:\n" + "".join(f"  - {i}\n" for i in range(20_000))
    with pytest.raises(ParseError, match="max_yaml_nodes=100"):
        load_yaml_documents(text, max_nodes=100)
    assert events[0] <= 110  # not the 20,000 events of the whole document


def test_alias_bomb_is_refused_before_it_is_expanded(events: list[int]) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    lines += [f"filler{i}: {i}" for i in range(5_000)]
    with pytest.raises(ParseError, match="alias bomb") as err:
        load_yaml_documents("\n".join(lines) + "\n")
    assert err.value.line == 5  # a4, where the expansion passes 100,000 nodes
    assert events[0] < 200


def test_depth_limit_stops_at_the_limit(events: list[int]) -> None:
    text = "[" * 1_000 + "]" * 1_000
    with pytest.raises(ParseError, match="max_yaml_depth=50"):
        load_yaml_documents(text, max_depth=50)
    assert events[0] <= 55


def test_depth_through_an_alias_counts_the_aliased_height() -> None:
    text = "deep: &d " + "[" * 30 + "]" * 30 + "\nuse: " + "[" * 25 + "*d" + "]" * 25 + "\n"
    with pytest.raises(ParseError, match="max_yaml_depth=50"):
        load_yaml_documents(text, max_depth=50)
    assert load_yaml_documents(text, max_depth=60)  # near miss: it fits


def test_recursive_anchor_and_limits_just_met() -> None:
    with pytest.raises(ParseError, match="recursive YAML anchor"):
        load_yaml_documents("a: &a [1, *a]\n")
    # a list of 9 scalars is 10 nodes: exactly the limit passes, one more is refused
    assert load_yaml_documents("[" + ", ".join("x" * 9) + "]", max_nodes=10)
    with pytest.raises(ParseError):
        load_yaml_documents("[" + ", ".join("x" * 10) + "]", max_nodes=10)
    # each document has its own budget
    docs = load_yaml_documents("[1, 2, 3]\n---\n[4, 5, 6]\n", max_nodes=4)
    assert docs == [[1, 2, 3], [4, 5, 6]]


def test_documents_load_as_before() -> None:
    docs = load_yaml_documents("on: push\nx: &x {a: 1}\ny: *x\n")
    assert docs == [{"on": "push", "x": {"a": 1}, "y": {"a": 1}}]
    assert docs[0].line == 1
    with pytest.raises(ParseError, match="duplicate key"):
        load_yaml_documents("a: 1\na: 2\n")
