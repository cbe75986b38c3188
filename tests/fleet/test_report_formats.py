"""A fleet run's report in every format, and its status, from a run built in the store with
real assessments: exact figures, every user-given text escaped for its format."""

from __future__ import annotations

import csv
import io
import json
from html.parser import HTMLParser
from pathlib import Path

import jsonschema
import pytest

from mlkaizen.fleet.report import render, summary_lines
from mlkaizen.fleet.summary import FleetSummary, build, status_lines
from tests.fleet.report_run import CONTROLLER, REASON, TEAM, Built, at, build_run

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "docs" / "fleet-report.schema.json").read_text("utf-8"))
FAILURE = ('`gamma`: git clone failed: \\<b\\>"denied"\\</b\\>\\\\nfatal: '
           '\\<script\\>alert(1)\\</script\\> (1 attempt)')
NOTE = ("target 'Kaizen' is not a stage of the catalogue (Ad hoc, DataOps, Manual MLOps, "
        "Automated MLOps, Kaizen MLOps): no target compared for mono")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return build_run(tmp_path_factory.mktemp("fleet"))


@pytest.fixture
def summary(built: Built) -> FleetSummary:
    return build(built.store, built.run_id, now=at(120))


def test_json_has_its_documented_shape_and_one_entry_per_repository(
    summary: FleetSummary, built: Built
) -> None:
    data = json.loads(render(summary, "json"))
    jsonschema.validate(data, SCHEMA)
    assert data["schema"] == "mlkaizen-fleet-report/1"
    assert data["run"] == {
        "id": built.run_id, "source": "repos.txt", "created_at": "2026-12-01T10:00:00+00:00",
        "finished_at": None, "executor": "local",
        "counts": {"pending": 2, "running": 1, "done": 2, "failed": 1},
        "problems": ["repos.txt:7: ftp://example.org/x.git: refused scheme <ftp>"],
        "stopped": None,
    }
    assert list(data["stages"].items()) == [
        ("Ad hoc", 2), ("DataOps", 0), ("Manual MLOps", 0), ("Automated MLOps", 0),
        ("Kaizen MLOps", 0),
    ]
    repos = data["repositories"]
    assert [r["name"] for r in repos] == ["alpha", "mono", "gamma", "delta@main", "eps", "zeta"]
    assert [r["position"] for r in repos] == [0, 1, 2, 3, 4, 5]
    assert [r["status"] for r in repos] == ["done", "done", "failed", "pending", "running",
                                            "pending"]
    assert [r["attempts"] for r in repos] == [1, 1, 1, 1, 1, 0]
    alpha, mono, gamma, delta = repos[:4]
    assert alpha["key"] == str(built.root / "alpha") == alpha["location"]
    assert (alpha["stage"], alpha["stage_index"], alpha["previous_stage_index"]) == (
        "Ad hoc", 1, 3)
    assert (alpha["regressed"], alpha["below_target"], alpha["seconds"]) == (True, True, 30.0)
    assert (mono["team"], mono["target"]) == (TEAM, "Kaizen")  # as given, JSON-escaped only
    assert (mono["regressed"], mono["below_target"]) == (False, None)  # no previous; no stage
    assert mono["sub_projects"] == [
        {"key": str(built.root / "mono") + "#services/churn", "name": "mono:services/churn",
         "stage": "Ad hoc", "stage_index": 1},
        {"key": str(built.root / "mono") + "#services/vision", "name": "mono:services/vision",
         "stage": "Ad hoc", "stage_index": 1},
    ]
    assert (gamma["error"], gamma["stage"], gamma["below_target"]) == (REASON, None, None)
    assert (delta["ref"], delta["key"], delta["error"]) == (
        "main", str(built.root / "delta") + "@main", "over its time limit of 600 s")
    assert data["slowest"] == [{"name": "mono", "seconds": 60.0},
                               {"name": "alpha", "seconds": 30.0}]
    assert data["failures"] == [{"name": "gamma", "error": REASON, "attempts": 1}]
    assert data["notes"] == [NOTE]


def test_csv_has_a_row_per_repository_and_per_sub_project(
    summary: FleetSummary, built: Built
) -> None:
    rows = list(csv.DictReader(io.StringIO(render(summary, "csv"))))
    assert [(r["position"], r["name"], r["parent"]) for r in rows] == [
        ("0", "alpha", ""),
        ("1", "mono", ""),
        ("1", "mono:services/churn", str(built.root / "mono")),
        ("1", "mono:services/vision", str(built.root / "mono")),
        ("2", "gamma", ""),
        ("3", "delta@main", ""),
        ("4", "eps", ""),
        ("5", "zeta", ""),
    ]
    alpha, mono, churn = rows[:3]
    assert {k: alpha[k] for k in ("team", "target", "status", "attempts", "seconds", "stage",
                                  "stage_index", "previous_stage_index", "regressed",
                                  "below_target", "error")} == {
        "team": "risk", "target": "Manual MLOps", "status": "done", "attempts": "1",
        "seconds": "30.0", "stage": "Ad hoc", "stage_index": "1", "previous_stage_index": "3",
        "regressed": "true", "below_target": "true", "error": "",
    }
    # a cell's line break is shown as \n, as every CSV of the project shows control characters
    assert mono["team"] == 'ml<b>"ops"\\nteam' and mono["below_target"] == ""
    assert (churn["key"], churn["stage"], churn["status"]) == (
        str(built.root / "mono") + "#services/churn", "Ad hoc", "done")
    assert rows[4]["error"] == REASON.replace("\n", "\\n")


def test_csv_never_starts_a_formula(built: Built) -> None:
    summary = build(built.store, built.run_id, now=at(120))
    summary.repositories[5] = summary.repositories[5].__class__(
        **{**summary.repositories[5].__dict__, "team": "=HYPERLINK(1)"})
    row = list(csv.DictReader(io.StringIO(render(summary, "csv"))))[-1]
    assert row["team"] == "'=HYPERLINK(1)"


def test_markdown_tables_with_every_text_escaped(summary: FleetSummary, built: Built) -> None:
    assert render(summary, "markdown") == f"""## MLKaizen fleet run #{built.run_id}

fleet run #{built.run_id} · repos.txt · local · 6 repositories · not finished

2 done · 1 failed · 1 running · 2 pending

| Stage | Repositories |
|---|---|
| Ad hoc | 2 |
| DataOps | 0 |
| Manual MLOps | 0 |
| Automated MLOps | 0 |
| Kaizen MLOps | 0 |

### Repositories

| # | Repository | Team | Stage | Target | Status |
|---|---|---|---|---|---|
| 0 | `alpha` | risk | Ad hoc (down from stage 3, below target) | Manual MLOps | done in 30.0 s |
| 1 | `mono` | ml\\<b\\>"ops"\\\\nteam | Ad hoc | Kaizen | done in 60.0 s |
|  | ↳ `mono:services/churn` |  | Ad hoc |  |  |
|  | ↳ `mono:services/vision` |  | Ad hoc |  |  |
| 2 | `gamma` |  |  |  | failed |
| 3 | `delta@main` |  |  |  | pending |
| 4 | `eps` |  |  |  | running |
| 5 | `zeta` | risk |  |  | pending |

### Slowest

- `mono`: 60.0 s
- `alpha`: 30.0 s

### Failures

- {FAILURE}

### Manifest problems

- repos.txt:7: ftp\\://example.org/x.git: refused scheme \\<ftp\\>

### Notes

- {NOTE}
"""


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs += attrs

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_html_is_self_contained_and_escapes_every_given_text(summary: FleetSummary) -> None:
    page = render(summary, "html")
    parsed = _Page()
    parsed.feed(page)
    assert "<script" not in page.lower()
    assert "script" not in parsed.tags and "b" not in parsed.tags  # no tag from a value
    assert not [a for a in parsed.attrs if a[0] in ("src", "href") or a[0].startswith("on")]
    assert "url(" not in page and "@import" not in page and "http" not in page
    text = "".join(parsed.text)
    # values appear as text, their line breaks shown as \n (one line each)
    assert 'ml<b>"ops"\\nteam' in text
    assert REASON.replace("\n", "\\n") in text
    assert "refused scheme <ftp>" in text
    rows = page.split('<table id="repositories">')[1].split("</table>")[0].count("<tr")
    assert rows == 1 + 6 + 2  # the header, a row per repository, one per sub-project


def test_terminal_fits_80_columns_and_says_what_matters(summary: FleetSummary) -> None:
    text = render(summary, "terminal")
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert lines[:2] == [
        f"fleet run #{summary.run.id} · repos.txt · local · 6 repositories · not finished",
        "2 done · 1 failed · 1 running · 2 pending",
    ]
    assert "\x1b" not in text and "\n\n" in text
    at_mono = lines.index(
        'mono                  ml<b>"ops"\\nte  Ad hoc (target Kaizen)    done in 60.0 s')
    assert lines[at_mono + 1:at_mono + 4] == [
        "                      am",  # a long value wraps within its column
        "└─services/churn                      Ad hoc",
        "└─services/vision                     Ad hoc",
    ]
    assert "Failures (1):" in lines


def test_the_end_of_a_scan(summary: FleetSummary) -> None:
    n = summary.run.id
    assert summary_lines(summary) == [
        f"fleet run #{n}: 2 done · 1 failed · 1 running · 2 pending",
        "  by stage: Ad hoc 2 · DataOps 0 · Manual MLOps 0 · Automated MLOps 0 · Kaizen MLOps 0",
        "  regressed (1): alpha",
        "  slowest:",
        "    mono: 60.0 s",
        "    alpha: 30.0 s",
        "  failed (1):",
        "    gamma: git clone failed: <b>\"denied\"</b>\\nfatal: <script>alert(1)</script> "
        "(1 attempt)",
        f"  note: {NOTE}",
        f"  report: mlkaizen fleet report {n} -f html -o fleet.html",
    ]


def test_status_of_a_run_under_way(summary: FleetSummary) -> None:
    n = summary.run.id
    assert status_lines(summary) == [
        f"fleet run #{n} · repos.txt · local · created 2026-12-01 10:00:00 UTC",
        "  6 jobs: 2 done · 1 failed · 1 running · 2 pending (50% ended)",
        "  attempts: 5",
        f"  driven by {CONTROLLER} (last seen 5 s ago)",
        "  rate: 1.6 jobs/min since 2026-12-01 10:00:05 UTC · ETA 2026-12-01 10:03:55 UTC "
        "(in 115 s)",
        "failed (1):",
        "  gamma: git clone failed: <b>\"denied\"</b>\\nfatal: <script>alert(1)</script> "
        "(1 attempt)",
        "retries waiting (1):",
        "  delta@main: attempt 2 from 2026-12-01 10:05:00 UTC; last error: over its time "
        "limit of 600 s",
        "manifest problems (1):",
        "  repos.txt:7: ftp://example.org/x.git: refused scheme <ftp>",
        f"note: {NOTE}",
    ]
    data = summary.status_json()
    assert data["counts"] == {"pending": 2, "running": 1, "done": 2, "failed": 1}
    assert (data["total"], data["ended"], data["attempts"]) == (6, 3, 5)
    assert (data["rate_per_minute"], data["eta"], data["since"]) == (
        1.565, "2026-12-01T10:03:55+00:00", "2026-12-01T10:00:05+00:00")
    assert data["controller"] == {"name": CONTROLLER, "alive": True,
                                  "heartbeat_at": "2026-12-01T10:01:55+00:00"}
    assert data["running"] == [{"name": "eps", "worker": "w2", "attempts": 1,
                                "started_at": "2026-12-01T10:01:20+00:00"}]
    assert data["retrying"] == [{"name": "delta@main", "attempts": 1,
                                 "not_before": "2026-12-01T10:05:00+00:00",
                                 "error": "over its time limit of 600 s"}]
    assert data["failures"] == [{"name": "gamma", "location": summary.repositories[2].location,
                                 "error": REASON, "attempts": 1}]


def test_status_when_the_controller_went_silent(built: Built) -> None:
    # 59 s after the heartbeat it still drives the run; at 60 s it is taken to be gone
    assert build(built.store, built.run_id, now=at(174)).alive
    late = build(built.store, built.run_id, now=at(175))
    assert not late.alive and late.eta is None
    assert status_lines(late)[3] == (
        f"  not being driven (its controller was last seen 60 s ago): finish it with "
        f"`mlkaizen fleet scan --resume {late.run.id}`"
    )
    assert late.status_json()["controller"]["alive"] is False
