"""Built-in data files (the catalogue, the tool vocabulary, the stack packs), parsed and
validated once per content: kept as JSON in the user cache folder (:mod:`mlkaizen.usercache`),
keyed by a hash of the YAML text, the schema's source and the versions that shape the result.
Any problem with the entry is a miss."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from pydantic import VERSION as PYDANTIC_VERSION
from pydantic import BaseModel, ValidationError

from mlkaizen import __version__, usercache

M = TypeVar("M", bound=BaseModel)


def entry_name(text: bytes, model: type[BaseModel]) -> str:
    """The entry of ``text`` validated as ``model`` (the module defining it is its schema)."""
    source = Path(str(sys.modules[model.__module__].__file__)).read_bytes()
    python = "{}.{}".format(*sys.version_info[:2])  # what a pattern may hold changes with it
    return usercache.key(__version__, PYDANTIC_VERSION, python, model.__qualname__, source,
                         text) + ".json"


def load_cached(path: Path, fresh: Callable[[], M], check: Callable[[M], bool],
                model: type[M], kind: str) -> M:
    """The ``model`` at ``path`` from the cache when an entry for its content exists and
    passes ``check`` (e.g. the catalogue's cross-references); else ``fresh()``, stored for
    the next run."""
    try:
        name = entry_name(path.read_bytes(), model)
    except OSError:
        return fresh()
    data = usercache.read(kind, name)
    if data is not None:
        try:
            cached = model.model_validate_json(data, context={usercache.REVALIDATING: True})
        except (ValidationError, ValueError):
            cached = None
        if cached is not None and check(cached):
            return cached
    value = fresh()
    usercache.write(kind, name, value.model_dump_json().encode("utf-8"))
    return value
