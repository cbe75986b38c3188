"""The HTML reports' two charts, with and without the ``charts`` extra (Altair + vl-convert).

Without the extra the charts are static SVG drawn by the project: still one ``<svg>``, every
dimension and level in its text, nothing fetched. With it, the same practice matrix drawn by
Vega-Lite (the unknown share hatched in both).
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
from mlkaizen.report.svgchart import MatrixCell, MatrixRow, heat_map, practice_matrix

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


def _cell_tips(svg: str) -> list[str]:
    root = ET.fromstring(svg)
    return [g.findtext("s:title", namespaces=NS) or "" for g in root.iter(f"{{{NS['s']}}}g")
            if g.find("s:title", NS) is not None]


def test_html_report_without_the_engine_is_complete(no_engine: None, example_copy: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    assert chart.engine_available() is False
    a = _assessment(example_copy, monkeypatch)
    html = _html(a, example_copy)
    svgs = SVG.findall(html)
    assert len(svgs) == 1
    root = ET.fromstring(svgs[0])  # well-formed XML
    assert root.findtext("s:title", namespaces=NS) == (
        f"Practices satisfied per level, vs what {a.next_stage} needs"
    )
    texts = _texts(svgs[0])
    for d in a.dimensions:  # whole names, never cut or wrapped, with their level
        assert f"{d.name} (level {d.level})" in texts
    tips = _cell_tips(svgs[0])
    assert len(tips) == 5 * 3
    assert tips[0] == "Data, level 1: 5 of 5 practices satisfied; the level holds"
    assert tips[4] == ("Model, level 2: 2 of 3 practices satisfied; the next stage needs it")
    for external in ("<script", "<link ", 'src="http', "@import", "url(http"):
        assert external not in html


def _matrix(*rows: MatrixRow) -> ET.Element:
    return ET.fromstring(practice_matrix(list(rows), ["standardised", "automated"], "M"))


def _bars(cell: ET.Element) -> tuple[float, float]:
    """A cell's (satisfied, unknown) bar widths."""
    rects = cell.findall("s:rect", NS)
    return float(rects[2].get("width", "-1")), float(rects[3].get("width", "-1"))


def test_a_dimension_at_level_zero_shows_its_progress_towards_level_one() -> None:
    root = _matrix(
        MatrixRow("Deployment", 0, [MatrixCell(1, 1, 4, False, True),
                                    MatrixCell(0, 0, 3, False, False)]),
        MatrixRow("Data", 2, [MatrixCell(3, 0, 3, True, True),
                              MatrixCell(2, 1, 4, True, False)]),
    )
    cells = [g for g in root.iter(f"{{{NS['s']}}}g") if g.find("s:title", NS) is not None]
    bar_w = 100  # each cell's track
    assert _bars(cells[0]) == (bar_w / 4, bar_w / 4)  # 1 satisfied, 1 unknown of 4
    assert _bars(cells[1]) == (0.0, 0.0)
    assert _bars(cells[2]) == (bar_w, 0.0)
    # the track of an empty cell is still drawn: the level-0 dimension is never blank
    track = cells[1].findall("s:rect", NS)[1]
    assert float(track.get("width", "0")) == bar_w and track.get("fill") == "#eceef3"
    # the unknown share is hatched, the satisfied share solid: green where the level holds
    assert cells[0].findall("s:rect", NS)[3].get("fill") == "url(#hatch)"
    assert cells[0].findall("s:rect", NS)[2].get("fill") == "#3b7dd8"
    assert cells[2].findall("s:rect", NS)[2].get("fill") == "#2e8b57"
    # a dashed frame where the next stage needs a level not held; none where it holds, or
    # where the next stage does not need it
    frames = [c.findall("s:rect", NS)[0].get("stroke-dasharray") for c in cells]
    assert frames == ["5 3", None, None, None]
    assert [c.findall("s:text", NS)[0].text for c in cells] == ["1/4", "0/3", "3/3 ✔", "2/4 ✔"]


def test_matrix_labels_are_escaped_and_whole() -> None:
    svg = practice_matrix(
        [MatrixRow("Operations & Infrastructure <x>", 1, [MatrixCell(0, 0, 1, False, False)])],
        ["standardised"], "A & B",
    )
    texts = _texts(svg)
    assert "A & B" in texts and "Operations & Infrastructure <x> (level 1)" in texts
    root = ET.fromstring(svg)
    label = next(t for t in root.iter(f"{{{NS['s']}}}text") if t.text and "<x>" in t.text)
    # right-aligned before the first column, which leaves room for the whole name
    assert float(label.get("x", "0")) >= 12 * 0.62 * len("Operations & Infrastructure <x>")


def test_heat_map_without_the_engine() -> None:
    svg = heat_map(["Acme", "Beta & Co"], DIMENSIONS, [[0, 1, 2, 3, 1], [3, 3, 0, 0, 9]],
                   stages=[(1, "Ad hoc"), (4, "Automated MLOps")],
                   stage_names=["Ad hoc", "DataOps", "Manual MLOps", "Automated MLOps", "Kaizen"])
    root = ET.fromstring(svg)
    titled = [r for r in root.iter(f"{{{NS['s']}}}rect") if r.find("s:title", NS) is not None]
    cells = [r.findtext("s:title", namespaces=NS) for r in titled]
    assert cells[0] == "Acme: stage 1 Ad hoc"  # the stage first, coloured as the badge
    assert titled[0].get("fill") == "#e05d44" and titled[6].get("fill") == "#97ca00"
    assert cells[1] == "Acme, Data: level 0"
    assert cells[-1] == "Beta & Co, Organization: level 3"  # 9 clipped to the top level
    assert len(cells) == 12
    texts = _texts(svg)
    assert "Capability levels" in texts and "Automated MLOps" in texts
    # a legend: every level shade and every stage colour, named
    for label in ("0 fragmented", "1 standardised", "2 automated", "3 improved",
                  "1 Ad hoc", "4 Automated MLOps"):
        assert label in texts


def test_heat_map_labels_are_whole_even_with_a_common_prefix() -> None:
    subjects = ["zenml-projects/customer-churn-prediction-a",
                "zenml-projects/customer-churn-prediction-b"]
    svg = heat_map(subjects, DIMENSIONS, [[1] * 5, [2] * 5])
    texts = _texts(svg)
    assert all(s in texts for s in subjects)
    root = ET.fromstring(svg)
    label = next(t for t in root.iter(f"{{{NS['s']}}}text") if t.text == subjects[0])
    # right-aligned at the left edge of the grid, which starts after the longest label
    assert float(label.get("x", "0")) >= 11 * 0.62 * len(subjects[0])
    assert "Operations &" in texts and "Infrastructure" in texts


def test_map_html_without_the_engine(no_engine: None, example_copy: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    a = _assessment(example_copy, monkeypatch)
    html = render_map([Row("churn", a, None)], load_catalogue(), "html")
    svgs = SVG.findall(html)
    assert len(svgs) == 1 and "<script" not in html
    texts = _texts(svgs[0])
    assert "churn" in texts and "Capability levels" in texts and "Manual MLOps" in texts
    assert [t for t in texts if t.isdigit()] == [str(d.level) for d in a.dimensions]
    assert "3 continuously improved" in texts


def test_with_the_engine_the_matrix_is_drawn_by_vega_lite(example_copy: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("altair")
    pytest.importorskip("vl_convert")
    chart.engine_available.cache_clear()
    assert chart.engine_available() is True
    a = _assessment(example_copy, monkeypatch)
    html = _html(a, example_copy)
    svgs = SVG.findall(html)
    assert len(svgs) == 1
    svg = svgs[0]
    assert 'class="marks"' in svg  # drawn by Vega, not by the fallback
    root = ET.fromstring(svg)
    texts = [t.text for t in root.iter(f"{{{NS['s']}}}text")]
    for d in a.dimensions:  # labels whole (no ellipsis), with the level
        assert f"{d.name} (level {d.level})" in texts
    assert not any(t and "…" in t for t in texts)
    assert "Level 1 standardised" in texts and "Level 3 continuously improved" in texts
    # the unknown share is hatched with the pattern the SVG defines
    assert 'id="mlk-hatch"' in svg and 'fill="url(#mlk-hatch)"' in svg
    # four dashed frames (Model, Deployment, Operations, Organization miss level 2): the
    # legend's "dashed" is true of what is drawn
    assert svg.count('stroke-dasharray="5,3"') + svg.count('stroke-dasharray="5 3"') == 4
    assert "sw needed" in html and "Dashed red" not in html


def test_with_the_engine_the_map_has_whole_labels_stage_colours_and_a_legend(
    example_copy: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    pytest.importorskip("altair")
    pytest.importorskip("vl_convert")
    chart.engine_available.cache_clear()
    a = _assessment(example_copy, monkeypatch)
    names = ["zenml-projects/customer-churn-prediction-a",
             "zenml-projects/customer-churn-prediction-b"]
    html = render_map([Row(n, a, None) for n in names], load_catalogue(), "html")
    svg = SVG.findall(html)[0]
    assert 'class="marks"' in svg
    texts = [t.text for t in ET.fromstring(svg).iter(f"{{{NS['s']}}}text")]
    assert all(n in texts for n in names)  # whole, not cut to a common prefix
    assert not any(t and "…" in t for t in texts)
    assert "Operations & Infrastructure" in texts
    for label in ("Level", "Stage", "0 fragmented", "3 continuously improved", "Manual MLOps"):
        assert label in texts
    assert 'fill="#dfb317"' in svg  # Manual MLOps in the badge's colour


def test_vega_matrix_takes_any_level_name() -> None:
    pytest.importorskip("altair")
    vlc = pytest.importorskip("vl_convert")
    spec = chart.matrix_spec(
        [MatrixRow("Data", 0, [MatrixCell(0, 1, 2, False, True)])], ['it\'s "new"'], "T"
    )
    texts = [t.text for t in ET.fromstring(vlc.vegalite_to_svg(spec)).iter(f"{{{NS['s']}}}text")]
    assert 'Level 1 it\'s "new"' in texts and "Data (level 0)" in texts
