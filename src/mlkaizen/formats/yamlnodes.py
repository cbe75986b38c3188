"""What YAML documents come back as (no PyYAML imported here): :class:`LineDict`, a ``dict``
that remembers the line it started on, and the default limits of a load."""

from __future__ import annotations

from typing import Any

DEFAULT_MAX_NODES = 100_000
DEFAULT_MAX_DEPTH = 200


class LineDict(dict[Any, Any]):
    """A YAML mapping with the line where it starts (set by whoever makes one). A slot, not
    an attribute dictionary: a scan keeps every YAML document it parses, and a dictionary
    per mapping more than doubled their size."""

    __slots__ = ("line",)
    line: int
