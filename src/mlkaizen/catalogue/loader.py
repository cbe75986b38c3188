"""Load and validate a catalogue: schema first, then cross-references, all with ``path:line``.

The detector ids a catalogue may name are the evidence layer's; this layer never imports it.
A caller that knows them passes ``known_detectors`` (:mod:`mlkaizen.catalogues` does, for the
tool); without them every other reference is still checked."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from mlkaizen.catalogue.schema import Catalogue
from mlkaizen.errors import MLKaizenError
from mlkaizen.formats.datafile import first_error, line_of, load_yaml_mapping
from mlkaizen.textfmt import counted

BUILTIN = "ad-hoc-to-kaizen"
MAX_CATALOGUE_BYTES = 5 * 1024 * 1024


def builtin_path() -> Path:
    return Path(str(resources.files("mlkaizen.catalogue") / f"{BUILTIN}.yaml"))


def load_catalogue(
    source: str | Path | None = None, known_detectors: set[str] | None = None
) -> Catalogue:
    """A catalogue by id (built-in or from a ``mlkaizen.catalogues`` plugin) or from a YAML
    file, fully validated; ``extends:`` is resolved first.

    Raises :class:`MLKaizenError` with ``path:line`` for every kind of problem (a detector
    id not in ``known_detectors`` too, when given). A catalogue loaded before (same file,
    unchanged, same detectors) is not parsed again: catalogues are immutable.
    """
    known = frozenset(known_detectors) if known_detectors is not None else None
    path, _ = _resolve(source)
    try:
        st = path.stat()
    except OSError:
        return _load(source, known, ())  # reports the problem with its path
    key = (str(path.resolve()), st.st_mtime_ns, st.st_size, known)
    if key not in _LOADED:
        _LOADED[key] = (
            _load_builtin(path, known) if source in (None, BUILTIN) else _load(source, known, ())
        )
    return _LOADED[key]


def _load_builtin(path: Path, known: frozenset[str] | None) -> Catalogue:
    """The built-in catalogue, from the user cache when its content was parsed before."""
    from mlkaizen.formats.datacache import load_cached

    return load_cached(
        path,
        lambda: _load(BUILTIN, known, ()),
        lambda cat: cross_check(cat, known) is None,
        Catalogue,
        "catalogue",
    )


_LOADED: dict[tuple[str, int, int, frozenset[str] | None], Catalogue] = {}


def _resolve(source: str | Path | None) -> tuple[Path, str]:
    if source in (None, BUILTIN):
        return builtin_path(), f"<builtin>/{BUILTIN}.yaml"
    plugin = plugin_catalogues().get(str(source))
    if plugin is not None:
        return plugin, str(plugin)
    return Path(str(source)), str(source)


def plugin_catalogues() -> dict[str, Path]:
    """Catalogue files offered by ``mlkaizen.catalogues`` entry points (name -> path)."""
    from mlkaizen.entry_points import installed_entry_points

    out: dict[str, Path] = {}
    for ep in installed_entry_points("mlkaizen.catalogues"):
        try:
            value = ep.load()
            out[ep.name] = Path(value() if callable(value) else value)
        except Exception as exc:  # third-party code: report, do not crash
            raise MLKaizenError(
                f"catalogue plugin {ep.name!r} ({ep.value}) failed to load: "
                f"{type(exc).__name__}: {exc}"
            ) from None
    return out


def _load(
    source: str | Path | None, known_detectors: frozenset[str] | None, chain: tuple[str, ...]
) -> Catalogue:
    path, display = _resolve(source)
    if display in chain:
        raise MLKaizenError("catalogue extends itself: " + " -> ".join([*chain, display]), display)
    from mlkaizen.fsio.read import read_text

    try:
        text = read_text(path, "catalogue file", MAX_CATALOGUE_BYTES)
    except MLKaizenError as exc:
        if (
            isinstance(source, str)
            and "/" not in source
            and Path(source).suffix == ""
            and not path.exists()
        ):
            known = ", ".join([BUILTIN, *sorted(plugin_catalogues())])
            raise MLKaizenError(
                f"unknown catalogue id {source!r} (known: {known}); or give a YAML file"
            ) from None
        raise MLKaizenError(exc.message, display, exc.line) from None
    return _from_text(text, display, known_detectors, chain)


def load_catalogue_text(
    text: str, display: str, known_detectors: set[str] | None = None
) -> Catalogue:
    """A catalogue from text read elsewhere (a file the scanned repository ships, read through
    a bounded reader). It may only extend a built-in or installed catalogue id, never a path."""
    known = frozenset(known_detectors) if known_detectors is not None else None
    return _from_text(text, display, known, (), ids_only=True)


def _from_text(
    text: str,
    display: str,
    known_detectors: frozenset[str] | None,
    chain: tuple[str, ...],
    ids_only: bool = False,
) -> Catalogue:
    data = load_yaml_mapping(text, display)
    base_id = data.get("extends")
    if ids_only and base_id not in (None, BUILTIN) and str(base_id) not in plugin_catalogues():
        raise MLKaizenError(
            f"extends: {str(base_id)!r} is not a built-in or installed catalogue id "
            "(this catalogue may not name files)",
            display,
            line_of(text, ("extends",)),
        )
    if base_id is not None:
        base = _load(str(base_id), known_detectors, (*chain, display))
        data = _merge(base, data, display)
    try:
        catalogue = Catalogue.model_validate(data)
    except ValidationError as exc:
        loc, message, _ = first_error(exc)
        raise MLKaizenError(
            message if loc else f"catalogue: {message}", display, _line(text, loc, data)
        ) from None
    problem = cross_check(catalogue, known_detectors)
    if problem is not None:
        message, loc = problem
        raise MLKaizenError(message, display, _line(text, loc, data))
    return catalogue


def _merge(base: Catalogue, ext: dict[str, Any], display: str) -> dict[str, Any]:
    """The base catalogue with the extension applied: practices overridden field by field (by
    id) or added, ``remove`` dropped, weights merged, metadata replaced."""
    for frozen in ("stages", "dimensions", "levels"):
        if frozen in ext:
            raise MLKaizenError(f"an extending catalogue cannot redefine {frozen!r}", display)
    merged = base.model_dump(mode="json")
    by_id = {p["id"]: p for p in merged["practices"]}
    for entry in ext.get("practices") or []:
        if not isinstance(entry, dict) or "id" not in entry:
            raise MLKaizenError("each practice of an extension needs an 'id'", display)
        if entry["id"] in by_id:
            by_id[entry["id"]].update(entry)
        else:
            merged["practices"].append(entry)
            by_id[entry["id"]] = entry
    cells = {(c["dimension"], c["level"]): c for c in merged.get("cells", [])}
    for entry in ext.get("cells") or []:
        if not isinstance(entry, dict) or "dimension" not in entry or "level" not in entry:
            raise MLKaizenError("each cell of an extension needs 'dimension' and 'level'", display)
        cells[(entry["dimension"], entry["level"])] = entry
    merged["cells"] = list(cells.values())
    removed = set(ext.get("remove") or [])
    merged["practices"] = [p for p in merged["practices"] if p["id"] not in removed]
    merged["weights"] = {**merged.get("weights", {}), **(ext.get("weights") or {})}
    for key in ("id", "version", "title", "provenance"):
        if key in ext:
            merged[key] = ext[key]
    merged["sources"] = [*merged.get("sources", []), *(ext.get("sources") or [])]
    merged["extends"] = ext["extends"]
    return merged


def _line(text: str, loc: tuple[Any, ...], data: dict[str, Any]) -> int | None:
    """The line of ``loc``; for a merged practice, the line of its id in this file."""
    if (
        data.get("extends")
        and len(loc) >= 2
        and loc[0] == "practices"
        and isinstance(loc[1], int)
        and loc[1] < len(data["practices"])
    ):
        pid = str(data["practices"][loc[1]].get("id"))
        for number, line in enumerate(text.splitlines(), start=1):
            if f"id: {pid}" in line:
                return number
        return None
    return line_of(text, loc)


def cross_check(
    cat: Catalogue, detectors: frozenset[str] | set[str] | None
) -> tuple[str, tuple[Any, ...]] | None:
    """The first cross-reference problem as (message, location), or ``None``; detector ids
    only when ``detectors`` names those that exist."""
    dims = {d.id for d in cat.dimensions}
    seen: dict[str, int] = {}
    for i, stage in enumerate(cat.stages):
        for dim in stage.requires:
            if dim not in dims:
                return f"stage {stage.name!r} requires unknown dimension {dim!r}", (
                    "stages",
                    i,
                    "requires",
                    dim,
                )
    for i, p in enumerate(cat.practices):
        if p.id in seen:
            return f"duplicate practice id {p.id!r} (first at practices[{seen[p.id]}])", (
                "practices",
                i,
                "id",
            )
        seen[p.id] = i
        if p.dimension not in dims:
            return (
                f"practice {p.id!r}: unknown dimension {p.dimension!r} "
                f"(expected one of {', '.join(sorted(dims))})"
            ), ("practices", i, "dimension")
        if not p.id.startswith(p.dimension + "."):
            return f"practice {p.id!r}: id must start with its dimension ({p.dimension}.)", (
                "practices",
                i,
                "id",
            )
        for d in p.detectors_used:
            if detectors is not None and d not in detectors:
                return f"practice {p.id!r}: unknown detector {d!r} (see `mlkaizen detectors`)", (
                    "practices",
                    i,
                    "detection",
                )
    for key, weight in cat.weights.items():
        if key not in seen:
            return f"weights: {key!r} is not a practice", ("weights", key)
        if weight < 0:
            return f"weights: {key!r} must not be negative", ("weights", key)
    for i, p in enumerate(cat.practices):
        for imp in p.implied_by:
            for other in imp.practices:
                if other not in seen or other == p.id:
                    return f"practice {p.id!r}: implied_by names {other!r}, not another practice", (
                        "practices",
                        i,
                        "implied_by",
                    )
            for d in imp.detectors:
                if detectors is not None and d not in detectors:
                    return f"practice {p.id!r}: implied_by: unknown detector {d!r}", (
                        "practices",
                        i,
                        "implied_by",
                    )
        for pre in p.prerequisites:
            if pre not in seen:
                return f"practice {p.id!r}: prerequisite {pre!r} is not a practice", (
                    "practices",
                    i,
                    "prerequisites",
                )
    problem = _check_cells(cat)
    if problem is not None:
        return problem
    cycle = _find_cycle({p.id: p.prerequisites for p in cat.practices})
    if cycle:
        return "prerequisite cycle: " + " -> ".join(cycle), (
            "practices",
            seen[cycle[0]],
            "prerequisites",
        )
    return None


def _check_cells(cat: Catalogue) -> tuple[str, tuple[Any, ...]] | None:
    """Every cell names practices of its own cell, a quorum its supporting practices can
    reach, and at least one core practice; every level that has practices has a cell."""
    dims = {d.id for d in cat.dimensions}
    if cat.schema_version >= 2 and not cat.cells:
        return "schema_version 2 needs `cells` (the core practices and quorum of each level)", (
            "schema_version",
        )
    seen: set[tuple[str, int]] = set()
    for i, cell in enumerate(cat.cells):
        where = f"cell {cell.dimension}/{cell.level}"
        if cell.dimension not in dims:
            return f"{where}: unknown dimension {cell.dimension!r}", ("cells", i, "dimension")
        if (cell.dimension, cell.level) in seen:
            return f"{where} is declared twice", ("cells", i)
        seen.add((cell.dimension, cell.level))
        members = {
            p.id: p
            for p in cat.practices
            if p.dimension == cell.dimension and p.level == cell.level
        }
        ids = cell.core_ids
        for pid in ids:
            if pid not in members:
                return f"{where}: core practice {pid!r} is not a practice of this cell", (
                    "cells",
                    i,
                    "core",
                )
        if len(set(ids)) != len(ids):
            return f"{where}: a core practice is named twice", ("cells", i, "core")
        supporting = [p for pid, p in members.items() if pid not in ids and p.required]
        if cell.quorum > len(supporting):
            return (
                f"{where}: quorum {cell.quorum} is larger than its "
                f"{counted(len(supporting), 'supporting practice')}"
            ), ("cells", i, "quorum")
    if cat.cells:
        for p in cat.practices:
            if p.required and (p.dimension, p.level) not in seen:
                i = next(j for j, q in enumerate(cat.practices) if q.id == p.id)
                return (
                    f"level {p.level} of {p.dimension} has no core practice (add a cell for it)",
                    ("practices", i, "level"),
                )
    return None


def _find_cycle(graph: dict[str, list[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    for start in sorted(graph):
        if state.get(start):
            continue
        stack: list[tuple[str, int]] = [(start, 0)]
        path: list[str] = []
        while stack:
            node, i = stack.pop()
            if i == 0:
                state[node] = 1
                path.append(node)
            children = graph.get(node, [])
            if i < len(children):
                stack.append((node, i + 1))
                child = children[i]
                if state.get(child) == 1:
                    return [*path[path.index(child) :], child]
                if not state.get(child):
                    stack.append((child, 0))
            else:
                state[node] = 2
                path.pop()
    return None
