"""What every renderer gets besides the assessment."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from mlkaizen.catalogue.schema import Catalogue
from mlkaizen.engine.model import Evidence, State
from mlkaizen.report.escape import uri_path

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
    scan_root: Path | None = None  # the folder assessed
    out: Path | None = None  # the report file
    link_base: str | None = None  # e.g. https://github.com/org/repo/blob/<sha>/
    color: bool = False
    width: int = 80

    def link(self, file: str, line: int | None) -> str:
        """A link to ``file`` (a path relative to the repository's root) at ``line``:
        under ``link_base`` if given, else that path itself, which a report saved at the
        repository's root (or published with it) resolves. Never an absolute path, nor one
        that climbs out of the repository: the report may be read on another machine."""
        anchor = f"#L{line}" if line else ""
        rel = uri_path(file.lstrip("/"))
        if self.link_base:
            return self.link_base.rstrip("/") + "/" + rel + anchor
        return rel + anchor


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
    """``train.py:2 MLflow: mlflow.log_metric()``: where (a file, or a live source's object
    such as ``models:/churn/7``), then what (as ``mlkaizen diff``)."""
    where = location(e.file, e.line) or (e.object or "")
    return f"{where} {e.detail or e.detector}".strip()
