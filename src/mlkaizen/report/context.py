"""What every renderer gets besides the assessment."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from mlkaizen.catalogue.schema import Catalogue
from mlkaizen.engine.model import Evidence, State

STATE_MARK = {
    State.MET: "✔",
    State.PARTIAL: "◐",
    State.UNMET: "✘",
    State.UNKNOWN: "?",
    State.NOT_APPLICABLE: "–",
    State.EXEMPT: "⊘",
}


@dataclass(frozen=True)
class RenderContext:
    catalogue: Catalogue
    scan_root: Path | None = None  # where evidence paths are relative to
    out: Path | None = None  # the report file, for relative links
    link_base: str | None = None  # e.g. https://github.com/org/repo/blob/<sha>/
    color: bool = False
    width: int = 80

    def link(self, file: str, line: int | None) -> str:
        """A link to ``file`` at ``line``: under ``link_base`` if given, else relative to the
        report file, or (printed) to the current folder, where the report is read or saved.
        Never an absolute ``file://`` path, which means nothing on another machine."""
        anchor = f"#L{line}" if line else ""
        if self.link_base:
            return self.link_base.rstrip("/") + "/" + quote(file) + anchor
        if self.scan_root is None:
            return quote(file) + anchor
        target = self.scan_root / file
        base = self.out.resolve().parent if self.out is not None else Path.cwd()
        rel = os.path.relpath(target.resolve(), base)
        return quote(Path(rel).as_posix()) + anchor


# under the open questions: the next step that answers them (the next `assess` reads them)
SURVEY_HINT = "answer them with `mlkaizen survey --respondent NAME`"


def count(n: int, noun: str) -> str:
    """``1 step``, ``2 steps``."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def location(file: str | None, line: int | None) -> str:
    if not file:
        return ""
    return f"{file}:{line}" if line else file


def evidence_text(e: Evidence) -> str:
    """``train.py:2 MLflow: mlflow.log_metric()``: where, then what (as ``mlkaizen diff``)."""
    return f"{location(e.file, e.line)} {e.detail or e.detector}".strip()
