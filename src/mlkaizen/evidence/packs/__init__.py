"""Stack packs: what each stack looks like, as data (one YAML file per stack).

The built-in packs are the files of ``stacks/``; a plugin adds packs through the
``mlkaizen.packs`` entry-point group (the entry point names a YAML file, a folder of them,
or a function returning that path). Every pack is validated when loaded; a malformed pack, an
unknown fact, a pattern that does not compile or a stack named twice is refused with
``file:line`` (exit 2). Loaded once per process. The detectors read :func:`runtime`: every
pack as plain data, kept in the user cache by the packs' content, so that a warm run neither
parses their YAML nor builds a pydantic model of them.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlkaizen.entry_points import installed_entry_points
from mlkaizen.errors import MLKaizenError

if TYPE_CHECKING:
    from mlkaizen.evidence.packs.schema import Pack

GROUP = "mlkaizen.packs"
MAX_SEARCHED_BYTES = 512 * 1024  # a template or config file a file sign searches; larger: data


def builtin_folder() -> Path:
    return Path(str(resources.files("mlkaizen.evidence.packs") / "stacks"))


def _explain(loc: tuple[Any, ...], message: str, kind: str) -> str:
    from mlkaizen.evidence.packs.schema import FACTS

    if kind == "literal_error" and "evidences" in loc:
        return f"{'.'.join(map(str, loc))}: unknown fact (known: {', '.join(FACTS)})"
    return message


def load_pack_file(path: Path, display: str) -> Pack:
    """One pack, validated; problems raise :class:`MLKaizenError` with ``path:line``."""
    from mlkaizen.evidence.packs.schema import Pack
    from mlkaizen.formats.datafile import load_data_file

    return load_data_file(path, display, Pack, "stack pack", _explain)


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())


def _plugin_files(value: Any) -> list[Path]:
    """The pack files a plugin names: an absolute path (a relative one would be read from
    the working folder, which may be the repository under assessment)."""
    path = Path(value() if callable(value) else value)
    if not path.is_absolute():
        raise ValueError(f"{str(path)!r} is not an absolute path")
    return _files(path) if path.is_dir() else [path]


def _sources() -> list[tuple[list[Path], Callable[[Path], str]]]:
    """The pack files: the built-in folder's, then each plugin's (entry point order)."""
    out: list[tuple[list[Path], Callable[[Path], str]]] = [
        (_files(builtin_folder()), lambda p: f"<builtin>/packs/{p.name}")
    ]
    for ep in sorted(installed_entry_points(GROUP), key=lambda e: e.name):
        try:
            paths = _plugin_files(ep.load())
        except Exception as exc:  # third-party code: say which plugin, never a traceback
            raise MLKaizenError(
                f"stack pack plugin {ep.name!r} ({ep.value}) failed to load: "
                f"{type(exc).__name__}: {exc}"
            ) from None
        out.append((paths, str))
    return out


@cache
def all_packs() -> tuple[tuple[str, Pack], ...]:
    """(where, pack) for every built-in and plugin pack, loaded once per process. Raises
    :class:`MLKaizenError` for a malformed pack or a stack named twice."""
    loaded = [
        (display(p), load_pack_file(p, display(p))) for paths, display in _sources() for p in paths
    ]
    seen: dict[str, str] = {}
    for where, pack in loaded:
        key = pack.stack.casefold()
        if key in seen:
            raise MLKaizenError(f"stack {pack.stack!r} is already defined in {seen[key]}", where, 1)
        seen[key] = where
    return tuple(loaded)


_LISTS = ("python", "pipelines", "config", "files", "commands")


def _plausible(value: Any, files: int) -> bool:
    """Whether a cached runtime view has the shape :func:`runtime` writes: one pack a file,
    each with its stack name and its lists of signs (anything else is a miss)."""
    return (
        isinstance(value, list)
        and len(value) == files
        and all(
            isinstance(v, dict)
            and isinstance(v.get("stack"), str)
            and all(isinstance(v.get(k), list) for k in _LISTS)
            for v in value
        )
    )


@cache
def runtime() -> tuple[dict[str, Any], ...]:
    """Every pack as plain data (the fields of :class:`~.schema.Pack`, defaults filled in),
    validated as :func:`all_packs` does: from the user cache when the same pack files were
    validated before, so that a warm run imports no schema and builds no model."""
    from mlkaizen import __version__, usercache

    sources = _sources()
    try:
        blob = b"".join(
            display(p).encode() + b"\0" + p.read_bytes() + b"\0"
            for paths, display in sources
            for p in paths
        )
    except OSError:
        blob = b""  # a pack file that cannot be read: all_packs says which
    python = "{}.{}".format(*sys.version_info[:2])  # what a pattern may hold changes with it
    schema = (Path(__file__).parent / "schema.py").read_bytes()
    name = usercache.key(__version__, python, schema, blob)
    data = usercache.read("packs-runtime", name + ".json") if blob else None
    if data is not None:
        try:
            value = json.loads(data)
        except ValueError:
            value = None
        if _plausible(value, sum(len(paths) for paths, _ in sources)):
            return tuple(value)
    fresh = tuple(pack.model_dump(mode="json") for _, pack in all_packs())
    if blob:
        usercache.write("packs-runtime", name + ".json", json.dumps(fresh).encode("utf-8"))
    return fresh


def packs() -> list[Pack]:
    """Every pack (built-in, then plugins)."""
    return [p for _, p in all_packs()]


__all__ = ["GROUP", "all_packs", "load_pack_file", "packs", "runtime"]
