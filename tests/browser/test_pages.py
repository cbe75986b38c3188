"""The assessment report, the history page and the map, opened in Chromium: they load with
no console error and no failed or outside request, the chart is drawn and visible (the
dimension at level 0 included), every link stays inside the report's repository, and a
hostile file name is shown as text, never run."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mlkaizen import assess
from mlkaizen.catalogue.loader import load_catalogue
from mlkaizen.report import RenderContext, chart, get_renderer
from tests.conftest import EXAMPLE

HOSTILE = "<img src=x onerror=alert(1)>.py"

# Every drawn shape of the chart's SVG whose vertical centre lies in the row of the label
# ``text`` and which sits to its right, with a size and some paint: what a reader sees there.
MARKS_IN_ROW = """(text) => {
  const svg = document.querySelector('#chart svg');
  const label = [...svg.querySelectorAll('text')].find(t => t.textContent.trim() === text);
  if (!label) return -1;
  const l = label.getBoundingClientRect();
  const painted = (el) => {
    const s = getComputedStyle(el);
    const fill = s.fill !== 'none' && s.fill !== 'rgb(255, 255, 255)' && s.fillOpacity !== '0';
    const stroke = s.stroke !== 'none' && s.strokeWidth !== '0px';
    return s.visibility !== 'hidden' && s.display !== 'none' && (fill || stroke);
  };
  return [...svg.querySelectorAll('rect, path, line')].filter(el => {
    const r = el.getBoundingClientRect();
    const mid = r.top + r.height / 2;
    return r.width > 0 && r.height > 0 && r.left >= l.right && mid >= l.top - 6
      && mid <= l.bottom + 6 && painted(el);
  }).length;
}"""


@pytest.fixture(params=["static", "vega"])
def backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Each chart back-end: the project's static SVG, and Vega-Lite (the ``charts`` extra)."""
    chart.engine_available.cache_clear()
    if request.param == "static":
        monkeypatch.setattr(chart, "find_spec", lambda name: None)
    elif not chart.engine_available():
        pytest.skip("the charts extra (Altair, vl-convert) is not installed")
    yield request.param
    chart.engine_available.cache_clear()


def _git_repo(root: Path) -> Path:
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    return root


def _report(repo: Path, out: Path) -> Path:
    a = assess(repo, today=dt.date(2026, 11, 27))
    ctx = RenderContext(catalogue=load_catalogue(), scan_root=repo, out=out)
    out.write_text(get_renderer("html")(a, ctx), encoding="utf-8")
    return out


def _chart_box(page: Any) -> dict[str, float]:
    box = page.locator("#chart svg").first.bounding_box()
    assert box is not None
    return box  # type: ignore[no-any-return]


def test_the_report_of_the_example_loads_clean_with_relative_links(
    visit: Any, backend: str, tmp_path: Path
) -> None:
    repo = _git_repo(shutil.copytree(EXAMPLE, tmp_path / "churn-prediction"))
    v = visit(_report(repo, repo / "report.html"), f"report-example-{backend}")
    v.clean()
    box = _chart_box(v.page)
    assert box["width"] > 300 and box["height"] > 150
    hrefs = v.page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
    files = [h for h in hrefs if not h.startswith("#")]
    assert len(files) > 20
    for href in files:  # relative, and inside the repository once resolved
        assert not href.startswith(("/", "file:", "http:", "https:")), href
        resolved = v.page.evaluate("h => new URL(h, document.baseURI).href", href)
        assert resolved.startswith(repo.resolve().as_uri() + "/"), href
    # every in-page link has its target
    for anchor in {h[1:] for h in hrefs if h.startswith("#")}:
        assert v.page.locator(f"[id='{anchor}']").count() == 1, anchor


def test_a_dimension_at_level_zero_is_drawn(visit: Any, backend: str, make_repo: Any) -> None:
    repo = make_repo({"train.py": 'import mlflow\nmlflow.log_metric("auc", 0.9)\n',
                      "README.md": "# churn\n"})
    a = assess(repo, today=dt.date(2026, 11, 27))
    zero = [d.name for d in a.dimensions if d.level == 0]
    assert "Deployment" in zero
    v = visit(_report(repo, repo / "report.html"), f"report-level-zero-{backend}")
    v.clean()
    assert _chart_box(v.page)["height"] > 100
    for name in zero:
        label = f"{name} (level 0)"
        assert v.page.locator("#chart svg text", has_text=label).first.is_visible()
        assert v.page.evaluate(MARKS_IN_ROW, label) >= 2, name  # its track and its frame
    # near miss: a label that is not in the chart finds nothing
    assert v.page.evaluate(MARKS_IN_ROW, "Nowhere (level 0)") == -1


def test_a_hostile_file_name_is_shown_as_text(visit: Any, tmp_path: Path) -> None:
    repo = _git_repo(shutil.copytree(EXAMPLE, tmp_path / "churn-prediction"))
    (repo / HOSTILE).write_text('import mlflow\nmlflow.log_metric("auc", 0.9)\n')
    a = assess(repo, today=dt.date(2026, 11, 27))
    assert any(e.file == HOSTILE for p in a.practices for e in p.evidence)
    v = visit(_report(repo, repo / "report.html"), "report-hostile-name")
    v.clean()  # no dialog fired, nothing fetched
    page = v.page
    assert page.locator("img").count() == 0
    assert HOSTILE in page.inner_text("body")
    link = page.locator("a", has_text=HOSTILE).first
    assert link.is_visible()
    resolved = page.evaluate("e => e.href", link.element_handle())
    assert resolved.startswith(repo.resolve().as_uri() + "/")


def test_the_history_page_loads_clean_with_a_dated_chart(visit: Any, tmp_path: Path) -> None:
    from mlkaizen.history import replay
    from mlkaizen.history.render import render
    from tests.history.gitrepo import practice_history

    root = tmp_path / "churn"
    practice_history(root)
    h = replay(root, every=1)
    page_file = tmp_path / "history.html"
    page_file.write_text(render(h, "html"), encoding="utf-8")
    v = visit(page_file, "history")
    v.clean()
    page = v.page
    box = _chart_box(page)
    assert box["width"] > 400 and box["height"] > 300
    dots = page.locator("#chart svg circle")
    assert dots.count() == len(h.points) * (1 + len(h.dimensions))
    assert all(dots.nth(i).is_visible() for i in range(len(h.points)))
    for day in (h.points[0].commit.day, h.points[-1].commit.day):
        assert page.locator("#chart svg text", has_text=day).first.is_visible()
    # styled as the report: the same card and table look, not the browser's defaults
    assert page.evaluate("getComputedStyle(document.querySelector('#chart')).borderRadius") == "8px"


def test_the_map_loads_clean_with_a_legend(visit: Any, backend: str, tmp_path: Path) -> None:
    from mlkaizen.report.mapping import Row, render_map

    repo = _git_repo(shutil.copytree(EXAMPLE, tmp_path / "churn-prediction"))
    a = assess(repo, today=dt.date(2026, 11, 27))
    names = ["team/churn-prediction-a", "team/churn-prediction-b"]
    page_file = tmp_path / "map.html"
    page_file.write_text(render_map([Row(n, a, None) for n in names], load_catalogue(), "html"),
                         encoding="utf-8")
    v = visit(page_file, f"map-{backend}")
    v.clean()
    page = v.page
    assert _chart_box(page)["width"] > 400
    for label in (*names, "Manual MLOps", "3 continuously improved"):
        text = page.locator("#chart svg text").filter(has_text=label).first
        assert text.is_visible(), label
        assert (text.bounding_box() or {}).get("width", 0) > 0, label
