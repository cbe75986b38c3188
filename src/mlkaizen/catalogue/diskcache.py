"""The built-in catalogue, parsed and validated once per content: kept as JSON in the user
cache folder (:mod:`mlkaizen.usercache`), keyed by a hash of the YAML text, the schema's
source and the versions that shape the result. Any problem with the entry is a miss."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pydantic import VERSION as PYDANTIC_VERSION
from pydantic import ValidationError

from mlkaizen import __version__, usercache
from mlkaizen.catalogue import schema
from mlkaizen.catalogue.schema import Catalogue

KIND = "catalogue"


def entry_name(text: bytes) -> str:
    source = Path(schema.__file__).read_bytes()
    return usercache.key(__version__, PYDANTIC_VERSION, source, text) + ".json"


def load_cached(path: Path, fresh: Callable[[], Catalogue],
                check: Callable[[Catalogue], bool]) -> Catalogue:
    """The catalogue at ``path`` from the cache when an entry for its content exists and
    passes ``check`` (the cross-references); else ``fresh()``, stored for the next run."""
    try:
        name = entry_name(path.read_bytes())
    except OSError:
        return fresh()
    data = usercache.read(KIND, name)
    if data is not None:
        try:
            cached = Catalogue.model_validate_json(data)
        except (ValidationError, ValueError):
            cached = None
        if cached is not None and check(cached):
            return cached
    catalogue = fresh()
    usercache.write(KIND, name, catalogue.model_dump_json().encode("utf-8"))
    return catalogue
