"""Every report opens with a plain-language summary a team lead can forward: the stage, why,
and what would move it, practices named by their titles; ids stay in the details below."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from mlkaizen import assess
from mlkaizen.catalogue.loader import load_catalogue
from mlkaizen.report import RenderContext, get_renderer

PRACTICE_ID = re.compile(r"\b(?:data|model|deployment|operations|organization)\.[a-z-]+")
SUMMARY = (
    "It is not Automated MLOps yet: Model, Deployment, Operations & Infrastructure, and "
    "Organization are at level 1 where it needs level 2. The first steps to Automated MLOps: "
    "confirm “Approvals and governance are automated” (an open question), then put in place "
    "“Dependency changes raise notifications”. The roadmap lists 3 more steps for it."
)


def _render(example_copy: Path, fmt: str) -> str:
    a = assess(example_copy.name, today=dt.date(2026, 11, 27))
    ctx = RenderContext(catalogue=load_catalogue(), scan_root=Path(example_copy.name),
                        out=example_copy.parent / "report")
    return get_renderer(fmt)(a, ctx)


@pytest.mark.parametrize(("fmt", "details"), [
    ("terminal", " Dimension "),
    ("markdown", "| Dimension |"),
    ("html", '<div class="card" id="chart">'),
])
def test_the_opening_names_titles_never_ids(example_copy: Path, monkeypatch: pytest.MonkeyPatch,
                                            fmt: str, details: str) -> None:
    monkeypatch.chdir(example_copy.parent)
    text = _render(example_copy, fmt)
    opening = text[: text.index(details)]
    flat = " ".join(opening.replace("\\&", "&").replace("&amp;", "&").split())
    assert SUMMARY in flat
    # short: the one or two steps that move it, not every blocking dimension's needs
    assert "To reach" not in flat and "Training is triggered" not in flat
    assert flat.count("\u201c") == 2
    assert PRACTICE_ID.findall(opening) == []
    assert "core (" not in opening and "practice(s)" not in opening
    # the ids are still there, in the details
    assert "model.ct-triggers" in text[text.index(details):]


@pytest.mark.parametrize("fmt", ["terminal", "markdown", "html"])
def test_levels_are_explained_in_words(example_copy: Path, monkeypatch: pytest.MonkeyPatch,
                                       fmt: str) -> None:
    monkeypatch.chdir(example_copy.parent)
    text = " ".join(_render(example_copy, fmt).replace("&amp;", "&").split())
    assert re.search(r"core \d+/\d+|quorum \d|L\d: ", text) is None
    assert (
        "Level 2 needs: “CI/CD builds and deploys model and pipeline”; 1 of 2 supporting "
        "practices (already met: “Progressive delivery (canary or shadow)”)"
    ) in text



@pytest.mark.parametrize("fmt", ["terminal", "markdown", "html", "json", "sarif"])
def test_counts_agree_with_their_nouns(example_copy: Path, monkeypatch: pytest.MonkeyPatch,
                                       fmt: str) -> None:
    monkeypatch.chdir(example_copy.parent)
    text = _render(example_copy, fmt)
    assert re.findall(r"\w+\(s\)", text) == []
    if fmt in ("html", "json"):  # the formats that list every finding
        assert "3 test modules, e.g. tests/test_data_schema.py" in text


def test_a_coloured_report_keeps_no_trailing_spaces(example_copy: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(example_copy.parent)
    a = assess(example_copy.name, today=dt.date(2026, 11, 27))
    text = get_renderer("terminal")(a, RenderContext(catalogue=load_catalogue(), color=True,
                                                     width=80))
    assert "\x1b[" in text
    assert [line for line in text.splitlines() if line.endswith(" ")] == []
