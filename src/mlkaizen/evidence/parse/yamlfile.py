"""YAML through PyYAML's safe loader only, checked before anything is built.

* ``safe_load`` semantics: no Python objects are ever constructed.
* Each document's node graph is checked first: aliases can make a small file expand
  exponentially ("billion laughs") or refer to themselves; the *expanded* node count and depth
  are bounded, recursive anchors and duplicate keys are refused. Only then is it constructed.
* Mappings come back as :class:`LineDict`, a ``dict`` that remembers the line it started on.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import yaml

from mlkaizen.evidence.parse import ParseError

_Base: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
DEFAULT_MAX_NODES = 100_000
DEFAULT_MAX_DEPTH = 200


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
        if key in mapping:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {str(key)[:60]!r}", key_node.start_mark
            )
        mapping[key] = loader.construct_object(value_node, deep=True)
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def check_graph(root: yaml.Node, max_nodes: int, max_depth: int) -> None:
    """Refuse documents whose alias-expanded size or depth exceeds the limits, or that refer
    to themselves. Linear in the number of distinct nodes (sizes are memoised)."""
    sizes: dict[int, int] = {}
    on_path: set[int] = set()
    # iterative post-order: (node, depth, children_pushed)
    stack: list[tuple[yaml.Node, int, bool]] = [(root, 1, False)]
    while stack:
        node, depth, expanded = stack.pop()
        key = id(node)
        if expanded:
            on_path.discard(key)
            total = 1 + sum(sizes[id(c)] for c in _children(node))
            if total > max_nodes:
                raise ParseError(
                    f"YAML expands to more than max_yaml_nodes={max_nodes:,} nodes "
                    "(an alias bomb?); not loaded",
                    node.start_mark.line + 1,
                )
            sizes[key] = total
            continue
        if key in sizes:
            continue
        if key in on_path:
            raise ParseError(
                "recursive YAML anchor (a node contains itself); not loaded",
                node.start_mark.line + 1,
            )
        if depth > max_depth:
            raise ParseError(
                f"YAML nests deeper than max_yaml_depth={max_depth}; not loaded",
                node.start_mark.line + 1,
            )
        on_path.add(key)
        stack.append((node, depth, True))
        for child in _children(node):
            if id(child) in on_path:
                raise ParseError(
                    "recursive YAML anchor (a node contains itself); not loaded",
                    child.start_mark.line + 1,
                )
            if id(child) not in sizes:
                stack.append((child, depth + 1, False))


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    return []


def load_yaml_documents(
    text: str, max_nodes: int = DEFAULT_MAX_NODES, max_depth: int = DEFAULT_MAX_DEPTH
) -> list[Any]:
    """All documents of a YAML stream. Raises :class:`ParseError` with the line of the problem."""
    try:
        loader = _LineLoader(text)
    except UnicodeError:
        raise ParseError("YAML contains characters that cannot be encoded") from None
    docs: list[Any] = []
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is None:
                continue
            check_graph(node, max_nodes, max_depth)
            docs.append(loader.construct_document(node))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        raise ParseError(f"invalid YAML: {exc.problem or exc.context}", line) from None
    except yaml.YAMLError as exc:
        raise ParseError(f"invalid YAML: {exc}") from None
    except RecursionError:
        raise ParseError(f"YAML nests too deeply (max_yaml_depth={max_depth})") from None
    except UnicodeError:
        raise ParseError("YAML contains characters that cannot be encoded") from None
    except ValueError as exc:  # e.g. an integer of more than 4,300 digits
        raise ParseError(f"invalid YAML value: {str(exc)[:120]}") from None
    finally:
        loader.dispose()
    return docs


def as_list(value: Any) -> list[Any]:
    """A value that should be a YAML sequence, as a list (anything else counts as empty)."""
    return value if isinstance(value, list) else []


def as_dict(value: Any) -> dict[Any, Any]:
    """A value that should be a YAML mapping, as a dict (anything else counts as empty)."""
    return value if isinstance(value, dict) else {}


def walk(data: Any, budget: int = DEFAULT_MAX_NODES) -> Iterator[Any]:
    """Every node of a loaded document, depth first, at most ``budget`` of them."""
    stack = [data]
    seen = 0
    while stack and seen < budget:
        node = stack.pop()
        seen += 1
        yield node
        if isinstance(node, dict):
            stack.extend(reversed(list(node.values())))
            stack.extend(k for k in node if isinstance(k, str))
        elif isinstance(node, list):
            stack.extend(reversed(node))


def strings(data: Any, budget: int = DEFAULT_MAX_NODES) -> Iterator[str]:
    """Every string (keys included) in a document, bounded like :func:`walk`."""
    for node in walk(data, budget):
        if isinstance(node, str):
            yield node


def mentions(data: Any, *words: str, budget: int = DEFAULT_MAX_NODES) -> bool:
    """Whether any key or string value in ``data`` contains one of ``words``.

    The bounded replacement for ``word in str(data)``, which an alias-heavy document could
    blow up.
    """
    return any(w in s for s in strings(data, budget) for w in words)
