"""TOML (tomllib) and JSON (json) into plain data, with errors carrying a line."""

from __future__ import annotations

import json
import re
from typing import Any

from mlkaizen.evidence.parse import ParseError

_TOML_LINE = re.compile(r"at line (\d+)")


def load_toml(text: str) -> dict[str, Any]:
    import tomllib  # on first use: many repositories hold no TOML

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = _TOML_LINE.search(str(exc))
        raise ParseError(f"invalid TOML: {exc}", int(match.group(1)) if match else None) from None
    except RecursionError:
        raise ParseError("TOML nests too deeply") from None


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ParseError(f"duplicate key {key[:60]!r} in a JSON object")
        out[key] = value
    return out


def load_json(text: str) -> Any:
    """JSON, refusing duplicate keys (which would let one copy silently hide the other)."""
    try:
        return json.loads(text, object_pairs_hook=_no_duplicates)
    except json.JSONDecodeError as exc:
        raise ParseError(f"invalid JSON: {exc.msg}", exc.lineno) from None
    except RecursionError:
        raise ParseError("JSON nests too deeply") from None
