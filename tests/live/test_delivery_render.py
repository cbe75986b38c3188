"""The delivery metrics rendered: exact pieces of the JSON, Markdown, HTML and terminal
outputs, and every value from a source escaped for its format (hostile subject, notes,
details)."""

from __future__ import annotations

import io
import json
import re
from html.parser import HTMLParser

from rich.console import Console

from mlkaizen.evidence.delivery_metrics import DeliveryMetrics, delivery_metrics
from mlkaizen.evidence.facts.live import Problem
from mlkaizen.report.delivery_metrics import (
    print_text,
    to_html,
    to_json,
    to_markdown,
    value_text,
)
from mlkaizen.report.sparkline import blocks, sparkline_svg
from tests.live.delivery_builders import at, facts, mlflow, run, version

HOSTILE = "<script>alert(1)</script> | \x1b[31m[bold]red"
NOTE = "model <img src=x onerror=alert(1)>|`x` [l](javascript:x) \u202e"
VOID = {"meta", "br", "img", "input", "link", "hr", "circle", "polyline"}


def _measured(problems: list[Problem] | None = None) -> DeliveryMetrics:
    ml = mlflow(
        [
            version("m", 1, at(-10), stage="Production", updated=at(25)),  # promoted back
            version("m", 2, at(20), stage="Archived", updated=at(21)),  # rolled back
            version("m", 3, at(40), run_id="r3"),
            version("m", 4, at(100)),
        ],
        [run("r3", at(39, 12))],
    )
    return delivery_metrics(facts(ml, problems=problems or []))


def _hostile() -> DeliveryMetrics:
    d = _measured([Problem(source="mlflow", message=NOTE)])
    first = d.metrics[0].model_copy(update={"detail": HOSTILE, "source": "<b>src</b>"})
    return d.model_copy(update={"metrics": [first, *d.metrics[1:]]})


ROWS = [
    "| Model release frequency | 0.75 per 30 days | ██▁█ | unknown | medium | mlflow registry |",
    "| Lead time for model changes | ≥ 12 hours | ·▄·· | unknown | low | "
    "mlflow registry + mlflow runs |",
    "| Model change-failure rate | 33.33% | █▁·▁ | unknown | medium | mlflow registry |",
    "| Time to restore a model | 120 hours | ▄··· | unknown | low | mlflow registry |",
]


def test_json_is_the_model_with_a_schema_version() -> None:
    d = _measured()
    text = to_json(d)
    data = json.loads(text)
    assert next(iter(data)) == "schema_version"
    assert data["schema_version"] == "1.0"
    assert text.endswith("}\n")
    assert data["metrics"][1]["lower_bound"] is True
    assert data["metrics"][0]["trend"][0] == {
        "start": "2026-01-01T00:00:00Z",
        "end": "2026-01-31T00:00:00Z",
        "value": 1.0,
        "events": 1,
    }
    del data["schema_version"]
    assert DeliveryMetrics.model_validate(data) == d
    assert "\x1b" not in to_json(_hostile())


def test_markdown_table_and_details() -> None:
    md = to_markdown(_measured(), "team-model")
    lines = md.splitlines()
    assert lines[0] == "## ML delivery metrics: team-model"
    assert lines[2] == (
        "window 2026-01-01 00:00 to 2026-05-01 00:00 UTC (120 days) · "
        "sources read: mlflow registry, mlflow runs"
    )
    assert lines[4:10] == [
        "| Metric | Value | Trend | Direction | Confidence | Source |",
        "|---|---|---|---|---|---|",
        *ROWS,
    ]
    assert (
        "- **Model change-failure rate**: 1 of 3 versions rolled back "
        "(archived while an older version, promoted back after it, serves)"
    ) in lines


def test_a_missing_value_reads_not_measured_with_its_reason() -> None:
    md = to_markdown(delivery_metrics(facts()), "s")
    assert (
        "| Model release frequency | not measured (no source read: neither an MLflow model "
        "registry nor the git history) | - | unknown | none | none |"
    ) in md.splitlines()
    assert "- **" not in md  # no measure to explain
    assert value_text(_measured().metrics[2]) == "33.33%"


def test_markdown_escapes_hostile_values() -> None:
    md = to_markdown(_hostile(), HOSTILE)
    assert md.splitlines()[0] == (
        "## ML delivery metrics: \\<script\\>alert(1)\\</script\\> \\| \\\\x1b\\[31m\\[bold\\]red"
    )
    assert "\x1b" not in md and "\u202e" not in md
    assert re.findall(r"(?<!\\)[<>]|(?<!\\)\]\(", md) == []  # no raw HTML, no link
    table = [line for line in md.splitlines() if line.startswith("| ")]
    assert len(table) == 5
    for line in table:  # every row keeps its six cells: no unescaped | from a value
        assert len(re.findall(r"(?<!\\)\|", line)) == 7
    assert (
        "- mlflow: model \\<img src=x onerror=alert(1)\\>\\|\\`x\\` \\[l\\](javascript:x) \\\\u202e"
        in md
    )


class _Checker(HTMLParser):
    """Collects the tags and attributes, and checks that every element closes in order."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.tags: list[str] = []
        self.attrs: list[str] = []
        self.h1 = ""
        self.errors: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs += [name for name, _ in attrs]
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs += [name for name, _ in attrs]

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if not self.stack or self.stack.pop() != tag:
            self.errors.append(tag)

    def handle_data(self, data: str) -> None:
        if self.stack and self.stack[-1] == "h1":
            self.h1 += data


def _parsed(page: str) -> _Checker:
    checker = _Checker()
    checker.feed(page)
    checker.close()
    assert checker.errors == [] and checker.stack == []
    return checker


def test_html_is_self_contained_and_escapes_hostile_values() -> None:
    page = to_html(_hostile(), HOSTILE)
    checker = _parsed(page)
    assert checker.h1 == "ML delivery metrics: <script>alert(1)</script> | \\x1b[31m[bold]red"
    assert "script" not in checker.tags and "img" not in checker.tags and "b" not in checker.tags
    assert "<script" not in page.lower()
    assert not {"src", "href", "onerror"} & set(checker.attrs)
    assert set(re.findall(r"https?://[^\"' ]*", page)) == {"http://www.w3.org/2000/svg"}
    assert "\x1b" not in page and "\u202e" not in page
    assert (
        "<li>mlflow: model &lt;img src=x onerror=alert(1)&gt;|`x` [l](javascript:x) \\u202e</li>"
        in page
    )


def test_html_rows_show_value_trend_and_detail() -> None:
    page = to_html(_measured(), "team")
    checker = _parsed(page)
    assert checker.tags.count("svg") == 4
    assert ('<tr id="lead-time"><td>Lead time for model changes</td><td>≥ 12 hours</td>') in page
    assert "<td>unknown</td><td>low</td><td>mlflow registry + mlflow runs</td></tr>" in page
    assert (
        '<td colspan="6" class="detail">1 of 3 versions rolled back '
        "(archived while an older version, promoted back after it, serves)</td>"
    ) in page
    empty = to_html(delivery_metrics(facts()), "team")
    assert (
        "<td>not measured (no source read: neither an MLflow model registry "
        "nor the git history)</td><td>-</td>" in empty
    )
    assert "<svg" not in empty


def test_terminal_table_prints_values_as_plain_text() -> None:
    out = io.StringIO()
    console = Console(file=out, width=220, color_system=None, force_terminal=False)
    print_text(_hostile(), HOSTILE, console)
    text = out.getvalue()
    lines = text.splitlines()
    assert lines[0] == "ML delivery metrics · <script>alert(1)</script> | \\x1b[31m[bold]red"
    assert "\x1b" not in text and "\u202e" not in text
    row = next(line for line in lines if line.startswith(" Lead time for model changes  "))
    assert re.split(r"\s{2,}", row.strip()) == [
        "Lead time for model changes",
        "≥ 12 hours",
        "·▄·· unknown",
        "low",
    ]
    assert (
        "Model release frequency (<b>src</b>): <script>alert(1)</script> | "
        "\\x1b[31m[bold]red" in lines
    )
    assert "Lead time for model changes (mlflow registry + mlflow runs): " in text
    assert f"note: mlflow: {NOTE[:-1]}\\u202e" in lines


def test_blocks_and_sparkline() -> None:
    assert blocks([0.0, 1.0, None, 2.0]) == "▁▅·█"
    assert blocks([3.0, 3.0]) == "▄▄"
    assert blocks([0.0, 0.0]) == "▁▁"
    assert blocks([None, None]) == "··"
    chart = sparkline_svg([1.0, 2.0, None, 3.0], "a <b> & c")
    assert chart.count("<polyline") == 1  # broken at the gap: one line of two points
    assert chart.count("<circle") == 3
    assert "<title>a &lt;b&gt; &amp; c: 1, 2, none, 3</title>" in chart
    assert 'points="4.0,24.0 41.3,14.0"' in chart
