"""YAML through PyYAML's safe loader only, with the line of every mapping kept.

``safe_load`` semantics: no Python objects are ever constructed. Mappings come back as
:class:`LineDict`, a ``dict`` that remembers the 1-based line it started on.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import yaml

from mlkaizen.evidence.parse import ParseError

_Base: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class LineDict(dict[Any, Any]):
    """A YAML mapping with the line where it starts."""

    line: int = 0


class _LineLoader(_Base):  # type: ignore[valid-type,misc]
    pass


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    mapping = LineDict()
    mapping.line = node.start_mark.line + 1
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key is True and key_node.value == "on":  # YAML 1.1 reads a bare `on` as a boolean
            key = "on"
        try:
            hash(key)
        except TypeError:
            raise yaml.constructor.ConstructorError(
                None, None, "found an unhashable key", key_node.start_mark
            ) from None
        mapping[key] = loader.construct_object(value_node, deep=True)
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_yaml_documents(text: str) -> list[Any]:
    """All documents of a YAML stream. Raises :class:`ParseError` with the line of the problem."""
    try:
        return list(yaml.load_all(text, Loader=_LineLoader))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        raise ParseError(f"invalid YAML: {exc.problem or exc.context}", line) from None
    except yaml.YAMLError as exc:
        raise ParseError(f"invalid YAML: {exc}") from None
    except RecursionError:
        raise ParseError("YAML nests too deeply") from None


def walk(data: Any, budget: int = 100_000) -> Iterator[Any]:
    """Every node of a loaded document, depth first, at most ``budget`` of them.

    Aliases make a document a graph that can expand exponentially (a "billion laughs");
    the budget keeps any traversal bounded.
    """
    stack = [data]
    seen = 0
    while stack and seen < budget:
        node = stack.pop()
        seen += 1
        yield node
        if isinstance(node, dict):
            stack.extend(reversed(list(node.values())))
        elif isinstance(node, list):
            stack.extend(reversed(node))


def strings(data: Any, budget: int = 100_000) -> Iterator[str]:
    """Every string value in a document (bounded like :func:`walk`)."""
    for node in walk(data, budget):
        if isinstance(node, str):
            yield node
