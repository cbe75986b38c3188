"""One data file read as YAML and validated: its single top-level mapping, and the first
validation error placed on the line of the node it concerns. Every loader of a data file
(catalogue, config, answers, profiles, vocabulary, stack packs) reports ``path:line`` this way.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from mlkaizen.errors import MLKaizenError, ParseError

M = TypeVar("M", bound=BaseModel)
Explain = Callable[[tuple[Any, ...], str, str], str]


def load_data_file(
    path: Path, display: str, model: type[M], what: str, explain: Explain | None = None
) -> M:
    """The YAML mapping at ``path`` validated as ``model``; every problem (unreadable,
    malformed, invalid) raises :class:`MLKaizenError` with ``display:line``. ``explain``
    rewrites the first validation error's message from (location, message, error type)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise MLKaizenError(f"cannot read {what} ({exc})", display) from None
    data = load_yaml_mapping(text, display)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        loc, message, kind = first_error(exc)
        if explain is not None:
            message = explain(loc, message, kind)
        raise MLKaizenError(message, display, line_of(text, loc)) from None


def load_yaml_mapping(text: str, display: str) -> dict[str, Any]:
    """One YAML document that must be a mapping, loaded safely (no alias bombs, recursion or
    duplicate keys); errors carry the line."""
    from mlkaizen.formats.yamlsafe import load_yaml_documents

    try:
        docs = load_yaml_documents(text)
    except ParseError as exc:
        raise MLKaizenError(exc.message, display, exc.line) from None
    if len(docs) != 1 or not isinstance(docs[0], dict):
        raise MLKaizenError("expected one YAML mapping at the top level", display, 1)
    return dict(docs[0])


def first_error(exc: ValidationError) -> tuple[tuple[Any, ...], str, str]:
    """The first validation error as (location, ``"where: message"``, error type): the one
    shape every file loader reports with ``path:line``."""
    err = exc.errors()[0]
    loc = tuple(err["loc"])
    message = str(err["msg"]).removeprefix("Value error, ")
    message = re.sub(r" or instance of \w+$", "", message)  # no class names for users
    where = ".".join(str(p) for p in loc)
    return loc, f"{where}: {message}" if where else message, str(err["type"])


def line_of(text: str, loc: tuple[Any, ...]) -> int | None:
    """The 1-based line of the YAML node at ``loc`` (keys and list indices), or its nearest
    existing ancestor."""
    import yaml  # only to place an error: a run with a valid, cached catalogue never needs it

    loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        node: Any = yaml.compose(text, Loader=loader)
    except (yaml.YAMLError, RecursionError):
        return None
    line = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            match = next((v for k, v in node.value if k.value == str(part)), None)
            key = next((k for k, _ in node.value if k.value == str(part)), None)
            if match is None:
                break
            line = key.start_mark.line + 1 if key is not None else line
            node = match
            if not isinstance(node, (yaml.MappingNode, yaml.SequenceNode)):
                line = node.start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if part >= len(node.value):
                break
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            break
    return line
