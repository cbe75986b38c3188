"""The files the engine's models come from and go to: committed baselines and use-case
profiles, read and written through the bounded reader and the safe writer. The engine itself
opens no file; the command line and the API call these."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import ValidationError

from mlkaizen.engine.compare import Baseline, baseline_of
from mlkaizen.engine.model import Assessment
from mlkaizen.engine.taxonomy import Profile
from mlkaizen.errors import MLKaizenError


def save_baseline(a: Assessment, path: Path, root: Path | None = None) -> None:
    """Write the baseline through the safe writer (no link below ``root`` is followed)."""
    from mlkaizen.fsio.write import write_text

    write_text(path, baseline_of(a).model_dump_json(indent=2) + "\n", root=root)


MAX_BASELINE_BYTES = 5 * 1024 * 1024
BASELINE_NOT_FOUND = "baseline not found; create it with `mlkaizen baseline save`"


def read_repository_baseline(root: Path, rel: str) -> str | None:
    """The text of the repository's own baseline ``root/rel``, ``None`` when absent. It is
    reached without following any link: a link (even dangling), a linked folder, a hard link,
    a folder or a FIFO there is refused, never taken for an absent baseline."""
    from mlkaizen.fsio.read import read_below

    return read_below(root, rel, MAX_BASELINE_BYTES, "baseline")


def parse_baseline(text: str, display: str) -> Baseline:
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, RecursionError, ValueError) as exc:
        line = getattr(exc, "lineno", None)
        raise MLKaizenError(f"unreadable baseline ({exc})", display, line) from None
    try:
        return Baseline.model_validate(data)
    except ValidationError as exc:
        from mlkaizen.formats.datafile import first_error

        raise MLKaizenError(f"not a baseline file: {first_error(exc)[1]}", display) from None


def load_profile(path: Path) -> Profile:
    from mlkaizen.formats.datafile import first_error, line_of, load_yaml_mapping
    from mlkaizen.fsio.read import read_text

    text = read_text(path, "profile", 1024 * 1024)
    try:
        return Profile.model_validate(load_yaml_mapping(text, str(path)))
    except ValidationError as exc:
        loc, message, _ = first_error(exc)
        raise MLKaizenError(message, str(path), line_of(text, loc) if loc else None) from None
