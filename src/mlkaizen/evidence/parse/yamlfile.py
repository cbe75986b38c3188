"""What YAML documents come back as, and the helpers detectors read them with. Loading is
:mod:`mlkaizen.formats.yamlsafe` (PyYAML's safe loader only, checked while it is composed,
before anything is built), imported where a file is loaded: a run whose YAML parses all come
from the cache never imports PyYAML.

* ``safe_load`` semantics: no Python objects are ever constructed.
* The composer counts as it goes: aliases can make a small file expand exponentially
  ("billion laughs") or refer to themselves, so the *expanded* node count and depth are
  bounded while each node is composed (a bomb is refused after ``max_nodes`` nodes, not after
  it is built), recursive anchors are refused, and duplicate keys are refused when the
  document is constructed.
* Events come from libyaml when it is there (the C parser), nodes from the counting composer.
* Mappings come back as :class:`LineDict`, a ``dict`` that remembers the line it started on.
* Local tags (``!Ref``, ``!reference``) are read as the value they tag; ``!!python/...``
  tags are global (``tag:yaml.org,2002:python/``) and still refused.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from mlkaizen.formats.yamlnodes import DEFAULT_MAX_DEPTH, DEFAULT_MAX_NODES, LineDict

__all__ = ["DEFAULT_MAX_DEPTH", "DEFAULT_MAX_NODES", "LineDict", "as_dict", "as_list", "mentions",
           "strings", "walk"]


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
