"""How a model registry's facts read, shared by the live findings and the delivery
metrics: which versions serve, and which newer version was set aside for an older one.

MLflow keeps the current stage and aliases of each version, not their history. A version
serves when its stage is Production or a serving alias points at it. A newer version was
rolled back when it is Archived while an older version of the same model serves, and that
older version was changed (promoted) after the newer one existed: a challenger archived
without ever serving is not a rollback. A registry that uses aliases only shows no rollback
at all (an alias moved back leaves no trace), so rollbacks are only read where stages are.
"""

from __future__ import annotations

import datetime as dt

from mlkaizen.evidence.facts.live import MlflowFacts, ModelVersion

SERVING_ALIASES = frozenset({"champion", "production", "prod"})
CHALLENGER_ALIASES = frozenset({"challenger", "candidate", "shadow", "canary"})


def _stage(v: ModelVersion) -> str:
    return (v.stage or "").lower()


def version_order(v: ModelVersion) -> tuple[dt.datetime, int, str]:
    """Versions of a model from the oldest: by creation, then by version number (a version
    that is no ASCII number, ``'²'``, orders by its text)."""
    number = int(v.version) if v.version.isascii() and v.version.isdigit() else -1
    return (v.created, number, v.version)


def serving(m: MlflowFacts) -> list[ModelVersion]:
    """The versions that serve now: stage Production, or a serving alias on the version or
    on its registered model."""
    aliased = {
        (model.name, version)
        for model in m.models
        for alias, version in model.aliases.items()
        if alias.lower() in SERVING_ALIASES
    }
    return [
        v
        for v in m.versions
        if _stage(v) == "production"
        or any(a.lower() in SERVING_ALIASES for a in v.aliases)
        or (v.model, v.version) in aliased
    ]


def staged_models(m: MlflowFacts) -> set[str]:
    """The models any version of which has a stage (where rollbacks can be read at all)."""
    return {v.model for v in m.versions if _stage(v) not in ("", "none")}


def rollbacks(m: MlflowFacts) -> dict[tuple[str, str], ModelVersion]:
    """(model, version) of every version that was rolled back -> the older serving version
    it was set aside for: the version Archived, the older one serving now and changed after
    the newer one was created (promoted back). Made in one pass over the versions."""
    by_model: dict[str, list[ModelVersion]] = {}
    for s in serving(m):
        by_model.setdefault(s.model, []).append(s)
    out: dict[tuple[str, str], ModelVersion] = {}
    for v in m.versions:
        if _stage(v) != "archived":
            continue
        back = [
            s
            for s in by_model.get(v.model, [])
            if version_order(s) < version_order(v)
            and s.updated is not None
            and s.updated > v.created
        ]
        if back:
            out[v.model, v.version] = max(back, key=version_order)
    return out
