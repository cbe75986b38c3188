"""Third-party detectors from the ``mlkaizen.detectors`` entry-point group.

An entry point may name a :class:`Detector`, a list of them, or a module with ``DETECTORS``.
A plugin that fails to load, or offers something that is not a detector, or reuses a built-in
id, is reported by name and skipped; the other detectors still run.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from mlkaizen.entry_points import installed_entry_points
from mlkaizen.evidence.detectors.base import ID_RE, Detector

GROUP = "mlkaizen.detectors"


def load_plugin_detectors(taken: set[str]) -> tuple[list[Detector], list[str]]:
    """(detectors, problems); ``taken`` are ids already registered."""
    found: list[Detector] = []
    problems: list[str] = []
    for ep in sorted(installed_entry_points(GROUP), key=lambda e: e.name):
        try:
            obj: Any = ep.load()
        except Exception as exc:  # any failure of third-party code is reported, not raised
            problems.append(
                f"detector plugin {ep.name!r} ({ep.value}) failed to load: "
                f"{type(exc).__name__}: {exc}"
            )
            continue
        if isinstance(obj, ModuleType):
            obj = getattr(obj, "DETECTORS", None)
        candidates = obj if isinstance(obj, (list, tuple)) else [obj]
        for det in candidates:
            if not isinstance(det, Detector) or not callable(det.detect):
                problems.append(
                    f"detector plugin {ep.name!r} offers {type(det).__name__}, "
                    "not a Detector; skipped"
                )
            elif not ID_RE.match(det.id) or det.id in taken:
                problems.append(
                    f"detector plugin {ep.name!r}: id {det.id!r} is invalid or "
                    "already registered; skipped"
                )
            else:
                taken.add(det.id)
                found.append(det)
    return found, problems
