"""Golden tests: every report format on the bundled example, byte for byte.

Regenerate after an intended change with ``MLKAIZEN_UPDATE_GOLDEN=1 pytest tests/report``.
The HTML chart is compared structurally (its SVG depends on the renderer's version).
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import pytest

from mlkaizen import assess
from mlkaizen.catalogue.loader import load_catalogue
from mlkaizen.report import FORMATS, RenderContext, get_renderer

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
SVG = re.compile(r"<svg.*?</svg>", re.DOTALL)
SUFFIX = {"terminal": "txt", "json": "json", "markdown": "md", "html": "html", "sarif": "sarif"}


def render(example_copy: Path, fmt: str) -> str:
    os.chdir(example_copy.parent)
    a = assess(example_copy.name, today=dt.date(2026, 11, 27))
    ctx = RenderContext(catalogue=load_catalogue(), scan_root=Path(example_copy.name),
                        out=example_copy.parent / f"report.{SUFFIX[fmt]}")
    return get_renderer(fmt)(a, ctx)


@pytest.mark.parametrize("fmt", FORMATS)
def test_golden(example_copy: Path, fmt: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(example_copy.parent)
    text = render(example_copy, fmt)
    if fmt == "html":
        svgs = SVG.findall(text)
        assert len(svgs) == 1
        for dim in ("Data (level 2)", "Model (level 1)", "Organization (level 1)"):
            assert f">{dim}<" in svgs[0]
        text = SVG.sub("<svg>[chart]</svg>", text)
    golden = GOLDEN / f"example.{SUFFIX[fmt]}"
    if os.environ.get("MLKAIZEN_UPDATE_GOLDEN"):
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")


def test_html_is_self_contained_and_links_every_finding(example_copy: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(example_copy.parent)
    html = render(example_copy, "html")
    for external in ("<script", "<link ", 'src="http', "@import", "url(http"):
        assert external not in html
    links = re.findall(r'<a href="([^"#]+)#L(\d+)">([^<]+)</a>', html)
    assert links
    for href, line, label in links:  # relative to the repository's root, wherever it is
        assert label == f"{href}:{line}"
        assert (example_copy / href).is_file(), href


def test_link_base_makes_absolute_links(example_copy: Path) -> None:
    a = assess(example_copy)
    ctx = RenderContext(catalogue=load_catalogue(), scan_root=example_copy,
                        link_base="https://git.example/acme/churn/blob/abc123/")
    html = get_renderer("html")(a, ctx)
    assert 'href="https://git.example/acme/churn/blob/abc123/src/churn/train.py#L31"' in html
