"""MLflow's REST answers turned into facts, every field checked: a server may be old, new,
Databricks-hosted or hostile, so a field of the wrong type is skipped, never trusted.

Times come as milliseconds since the epoch, as JSON numbers from MLflow's own server and as
strings from servers that follow protobuf's JSON mapping for 64-bit integers; both are read.
An item without what identifies it (an id, a name, a start time) is left out and counted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from mlkaizen.evidence.facts.live import Experiment, ModelVersion, RegisteredModel, Run

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MAX_MS = 253_402_300_799_999  # 9999-12-31T23:59:59.999Z
_MAX_TEXT = 1000
GIT_COMMIT = "mlflow.source.git.commit"


def text(item: Any, key: str, number: bool = False) -> str | None:
    """A string field, cut to a sane length; ``None`` when absent or not a string (an
    integer is taken too when ``number``: ids and version numbers)."""
    value = item.get(key) if isinstance(item, dict) else None
    if isinstance(value, str):
        return value[:_MAX_TEXT]
    if number and isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def when(item: Any, key: str) -> dt.datetime | None:
    """A time in ms since the epoch (a number or a string of digits)."""
    value = item.get(key) if isinstance(item, dict) else None
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= _MAX_MS:
        return None
    return _EPOCH + dt.timedelta(milliseconds=value)


def ms(moment: dt.datetime, up: bool) -> int:
    """``moment`` in ms since the epoch, rounded up (``up``) or down to a whole ms."""
    micros = (moment.astimezone(dt.UTC) - _EPOCH) // dt.timedelta(microseconds=1)
    return -(-micros // 1000) if up else micros // 1000


def slices(lo: int, hi: int, parts: int) -> list[tuple[int, int]]:
    """``[lo, hi]`` (whole ms) cut into at most ``parts`` slices that do not overlap."""
    if hi < lo:
        return []
    parts = max(1, min(parts, hi - lo + 1))
    bounds = [lo + (hi - lo + 1) * i // parts for i in range(parts + 1)]
    return [(bounds[i], bounds[i + 1] - 1) for i in range(parts)]


def items(page: Any, key: str) -> list[Any] | None:
    """The list under ``key`` of an answer (MLflow leaves it out when empty); ``None`` when
    the answer or the field has the wrong shape."""
    if not isinstance(page, dict):
        return None
    found = page.get(key, [])
    return found if isinstance(found, list) else None


def next_token(page: Any) -> str | None:
    token = page.get("next_page_token") if isinstance(page, dict) else None
    return token if isinstance(token, str) and token else None


def experiment(item: Any) -> Experiment | None:
    ident, name = text(item, "experiment_id", True), text(item, "name")
    if ident is None or name is None:
        return None
    return Experiment(id=ident, name=name, created=when(item, "creation_time"),
                      updated=when(item, "last_update_time"))


def _keys(data: Any, key: str) -> list[Any]:
    found = data.get(key, []) if isinstance(data, dict) else []
    return [e for e in found if isinstance(e, dict)] if isinstance(found, list) else []


def run(item: Any) -> Run | None:
    """A run of ``runs/search`` (``info`` and ``data``); params and metrics counted by key
    (the search gives each metric's latest value once)."""
    info = item.get("info") if isinstance(item, dict) else None
    data = item.get("data") if isinstance(item, dict) else None
    ident = text(info, "run_id") or text(info, "run_uuid")
    experiment_id, start = text(info, "experiment_id", True), when(info, "start_time")
    if ident is None or experiment_id is None or start is None:
        return None
    tags = {text(t, "key"): text(t, "value") for t in _keys(data, "tags")}
    user = text(info, "user_id") or tags.get("mlflow.user") or ""
    return Run(
        id=ident, experiment_id=experiment_id, start=start, end=when(info, "end_time"),
        status=text(info, "status") or "", user=user,
        params=len({text(p, "key") for p in _keys(data, "params")} - {None}),
        metrics=len({text(m, "key") for m in _keys(data, "metrics")} - {None}),
        git_commit=tags.get(GIT_COMMIT) or None,
    )


def aliases_of(item: Any) -> dict[str, str]:
    """A model's or a version's aliases, alias -> version (MLflow 2.3 and later)."""
    out: dict[str, str] = {}
    for entry in _keys(item, "aliases"):
        alias, version = text(entry, "alias"), text(entry, "version", True)
        if alias is not None and version is not None:
            out[alias] = version
    return out


def model(item: Any) -> RegisteredModel | None:
    name = text(item, "name")
    if name is None:
        return None
    return RegisteredModel(name=name, created=when(item, "creation_timestamp"),
                           updated=when(item, "last_updated_timestamp"),
                           aliases=aliases_of(item))


def pointing(owner: RegisteredModel) -> dict[str, set[str]]:
    """``owner``'s aliases grouped by the version they point at (grouped once: a model may
    have very many aliases and very many versions)."""
    out: dict[str, set[str]] = {}
    for alias, number in owner.aliases.items():
        out.setdefault(number, set()).add(alias)
    return out


def version(item: Any, owner: RegisteredModel,
            aliases: Mapping[str, set[str]] | None = None) -> ModelVersion | None:
    """A version of ``owner``; its aliases are those of the model pointing at it (from
    ``aliases``, :func:`pointing` of ``owner``, when given) and any the version lists
    itself. ``None`` for a bad shape."""
    number, created = text(item, "version", True), when(item, "creation_timestamp")
    if number is None or created is None:
        return None
    stage = text(item, "current_stage")
    own = item.get("aliases") if isinstance(item, dict) else None
    names = set((pointing(owner) if aliases is None else aliases).get(number, ()))
    if isinstance(own, list):
        names |= {a for a in own if isinstance(a, str)}
    return ModelVersion(
        model=owner.name, version=number, created=created,
        updated=when(item, "last_updated_timestamp"),
        stage=None if stage in (None, "", "None") else stage, aliases=tuple(sorted(names)),
        run_id=text(item, "run_id") or None, status=text(item, "status") or "READY",
    )


def version_filter(name: str) -> tuple[str, bool]:
    """A ``model-versions/search`` filter selecting ``name``, and whether it is exact.

    MLflow's filter parser has no escape inside a quoted string: a name without ``'`` (or
    without ``"``) is quoted with the other quote; a name with both, or with a backslash
    (which the parser reads as escaping the next quote), is matched with ``LIKE`` with
    those characters as ``_`` wildcards, so the answer must be narrowed to the exact name.
    """
    if "\\" not in name and "'" not in name:
        return f"name='{name}'", True
    if "\\" not in name and '"' not in name:
        return f'name="{name}"', True
    pattern = "".join("_" if c in "'\\" else c for c in name)
    return f"name LIKE '{pattern}'", False
