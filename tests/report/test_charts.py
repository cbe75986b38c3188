"""The HTML reports' two charts, with and without the ``charts`` extra (Altair + vl-convert).

Without the extra the charts are static SVG drawn by the project: still one ``<svg>``, every
dimension and level in its text, nothing fetched. With it, today's Vega-Lite chart.
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest

from mlkaizen import assess
from mlkaizen.catalogue.loader import load_catalogue
from mlkaizen.engine.model import Assessment
from mlkaizen.report import RenderContext, chart, get_renderer
from mlkaizen.report.mapping import Row, render_map
from mlkaizen.report.svgchart import LevelBar, heat_map, levels_chart

SVG = re.compile(r"<svg.*?</svg>", re.DOTALL)
NS = {"s": "http://www.w3.org/2000/svg"}
DIMENSIONS = ["Data", "Model", "Deployment", "Operations & Infrastructure", "Organization"]


@pytest.fixture
def no_engine(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """As if the ``charts`` extra were not installed."""
    chart.engine_available.cache_clear()
    monkeypatch.setattr(chart, "find_spec", lambda name: None)
    yield
    chart.engine_available.cache_clear()


def _assessment(example_copy: Path, monkeypatch: pytest.MonkeyPatch) -> Assessment:
    monkeypatch.chdir(example_copy.parent)
    return assess(example_copy.name, today=dt.date(2026, 11, 27))


def _html(a: Assessment, example_copy: Path) -> str:
    ctx = RenderContext(catalogue=load_catalogue(), scan_root=Path(example_copy.name),
                        out=example_copy.parent / "report.html")
    return get_renderer("html")(a, ctx)


def _texts(svg: str) -> list[str]:
    return [t.text or "" for t in ET.fromstring(svg).iter(f"{{{NS['s']}}}text")]


def test_html_report_without_the_engine_is_complete(no_engine: None, example_copy: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    assert chart.engine_available() is False
    a = _assessment(example_copy, monkeypatch)
    html = _html(a, example_copy)
    svgs = SVG.findall(html)
    assert len(svgs) == 1
    root = ET.fromstring(svgs[0])  # well-formed XML
    assert root.findtext("s:title", namespaces=NS) == f"Levels vs the {a.next_stage} gate"
    texts = _texts(svgs[0])
    for name in ("Data", "Model", "Deployment", "Organization"):
        assert name in texts
    bars = [r for r in root.iter(f"{{{NS['s']}}}rect") if r.find("s:title", NS) is not None]
    assert [b.findtext("s:title", namespaces=NS) for b in bars] == [
        f"{d.name}: level {d.level}, potential {d.potential_level}, next-stage gate "
        f"{dict(load_catalogue().stages[a.stage_index].requires).get(d.id, 0)}"
        for d in a.dimensions
    ]
    for external in ("<script", "<link ", 'src="http', "@import", "url(http"):
        assert external not in html


def test_levels_chart_bar_heights_follow_the_levels() -> None:
    svg = levels_chart([LevelBar("Data", 3, 3, 2), LevelBar("Model", 0, 1, 0)], "Levels")
    rects = [r for r in ET.fromstring(svg).iter(f"{{{NS['s']}}}rect") if r.find("s:title", NS)
             is not None]
    assert [float(r.get("height", "-1")) for r in rects] == [180.0, 0.0]
    assert svg.count('stroke-dasharray="4 3"') == 2  # one gate (Model has none) + the legend
    # a level out of range is drawn at the nearest end, never outside the plot
    clipped = levels_chart([LevelBar("Data", 7, -1, 0)], "Levels")
    assert 'height="180.0"' in clipped


def test_labels_are_escaped_and_wrapped() -> None:
    svg = levels_chart([LevelBar("Operations & Infrastructure <x>", 1, 1, 1)], "A & B")
    texts = _texts(svg)
    assert "A & B" in texts
    wrapped = ["Operations &", "Infrastructure", "<x>"]
    assert [t for t in texts if t in wrapped] == wrapped


def test_heat_map_without_the_engine() -> None:
    svg = heat_map(["Acme", "Beta & Co"], DIMENSIONS, [[0, 1, 2, 3, 1], [3, 3, 0, 0, 9]])
    root = ET.fromstring(svg)
    cells = [r.findtext("s:title", namespaces=NS) for r in root.iter(f"{{{NS['s']}}}rect")]
    assert cells[0] == "Acme, Data: level 0"
    assert cells[-1] == "Beta & Co, Organization: level 3"  # 9 clipped to the top level
    assert len(cells) == 10
    assert "Capability levels" in _texts(svg)


def test_map_html_without_the_engine(no_engine: None, example_copy: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    a = _assessment(example_copy, monkeypatch)
    html = render_map([Row("churn", a, None)], load_catalogue(), "html")
    svgs = SVG.findall(html)
    assert len(svgs) == 1 and "<script" not in html
    texts = _texts(svgs[0])
    assert "churn" in texts and "Capability levels" in texts
    assert [t for t in texts if t.isdigit()] == [str(d.level) for d in a.dimensions]


def test_with_the_engine_the_vega_lite_chart_is_kept(example_copy: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("altair")
    pytest.importorskip("vl_convert")
    chart.engine_available.cache_clear()
    assert chart.engine_available() is True
    a = _assessment(example_copy, monkeypatch)
    svgs = SVG.findall(_html(a, example_copy))
    assert len(svgs) == 1
    assert 'class="marks"' in svgs[0]  # drawn by Vega, not by the fallback
    assert "next-stage gate" not in svgs[0]
