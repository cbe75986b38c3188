"""A fleet run's report: terminal, JSON, CSV, Markdown and self-contained HTML.

Every value that came from a manifest or a repository (locations, teams, names, errors)
goes through the escaping of :mod:`mlkaizen.report.escape` for its format, as the
assessment reports do."""

from __future__ import annotations

import csv
import io
import json
from importlib import resources
from typing import Any

from mlkaizen.errors import MLKaizenError
from mlkaizen.fleet.summary import FleetSummary, Repository, failure_lines
from mlkaizen.report.escape import csv_cell, md_code, md_text, terminal, visible
from mlkaizen.store.fleet import DONE, FAILED, PENDING, RUNNING
from mlkaizen.textfmt import counted

SCHEMA = "mlkaizen-fleet-report/1"
FORMATS = ("terminal", "json", "csv", "markdown", "html")
WIDTH = 80  # the terminal report's columns

CSV_FIELDS = [
    "position", "parent", "key", "name", "location", "ref", "subpath", "team", "target",
    "status", "attempts", "error", "seconds", "commit", "stage", "stage_index",
    "previous_stage_index", "regressed", "below_target",
]


def render(summary: FleetSummary, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(report_json(summary), indent=2, ensure_ascii=False) + "\n"
    if fmt == "csv":
        return _csv(summary)
    if fmt == "markdown":
        return _markdown(summary)
    if fmt == "html":
        return _html(summary)
    if fmt == "terminal":
        return _terminal(summary)
    raise MLKaizenError(f"unknown fleet report format {fmt!r}: expected {', '.join(FORMATS)}")


def _repository_json(r: Repository) -> dict[str, Any]:
    return {
        "position": r.position,
        "location": r.location,
        "ref": r.ref,
        "subpath": r.subpath,
        "team": r.team,
        "target": r.target,
        "key": r.key,
        "name": r.name,
        "status": r.status,
        "attempts": r.attempts,
        "error": r.error,
        "seconds": r.seconds,
        "commit": r.commit,
        "stage": r.stage,
        "stage_index": r.stage_index,
        "previous_stage_index": r.previous_stage_index,
        "regressed": r.regressed,
        "below_target": r.below_target,
        "sub_projects": [
            {"key": p.key, "name": p.name, "stage": p.stage, "stage_index": p.stage_index}
            for p in r.sub_projects
        ],
    }


def report_json(summary: FleetSummary) -> dict[str, Any]:
    """The report as data (``-f json``; its shape is documented in docs/fleet.md)."""
    run = summary.run
    return {
        "schema": SCHEMA,
        "run": {
            "id": run.id,
            "source": run.source,
            "created_at": _iso(run.created_at),
            "finished_at": _iso(run.finished_at),
            "executor": run.executor,
            "counts": {s: run.counts.get(s, 0) for s in (PENDING, RUNNING, DONE, FAILED)},
            "problems": list(run.problems),
            "stopped": run.stopped,
        },
        "stages": summary.by_stage(),
        "repositories": [_repository_json(r) for r in summary.repositories],
        "slowest": [{"name": r.name, "seconds": r.seconds} for r in summary.slowest()],
        "failures": [
            {"name": r.name, "error": r.error, "attempts": r.attempts}
            for r in summary.failures()
        ],
        "notes": list(summary.notes),
    }


def _iso(when: Any) -> str | None:
    return None if when is None else str(when.isoformat(timespec="seconds"))


def _csv(summary: FleetSummary) -> str:
    """One row per repository, then one per sub-project of it (``parent``: the
    repository's key); cells a spreadsheet never reads as formulas."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=CSV_FIELDS, lineterminator="\n")
    writer.writeheader()
    for r in summary.repositories:
        row = _repository_json(r)
        row.pop("sub_projects")
        row["parent"] = None
        writer.writerow({k: csv_cell(_cell(v)) for k, v in row.items()})
        for p in r.sub_projects:
            part = {"position": r.position, "parent": r.key, "key": p.key, "name": p.name,
                    "team": r.team, "status": DONE, "commit": r.commit, "stage": p.stage,
                    "stage_index": p.stage_index}
            writer.writerow({k: csv_cell(_cell(part.get(k))) for k in CSV_FIELDS})
    return buf.getvalue()


def _cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def _stage_cell(r: Repository, target: bool = False) -> str:
    """The stage, with what it means against the previous assessment and the target
    (``target``: name the target even when it is met, for a report without its column)."""
    if r.stage is None:
        return f"target {r.target}" if target and r.target else ""
    marks = []
    if r.regressed:
        marks.append(f"down from stage {r.previous_stage_index}")
    if r.below_target:
        marks.append(f"below its target {r.target}" if target else "below target")
    elif target and r.below_target is False:
        marks.append(f"target {r.target} met")
    elif target and r.target:
        marks.append(f"target {r.target}")
    return r.stage + (f" ({', '.join(marks)})" if marks else "")


def _folder(part_key: str) -> str:
    """A sub-project's folder, from its key (``REPOSITORY#folder``)."""
    return part_key.rpartition("#")[2]


def _status_cell(r: Repository) -> str:
    if r.status == DONE:
        return f"done in {r.seconds:.1f} s" if r.seconds is not None else "done"
    return r.status


def _headline(summary: FleetSummary) -> str:
    run = summary.run
    state = (
        f"finished {run.finished_at:%Y-%m-%d %H:%M} UTC" if run.finished_at is not None
        else f"stopped: {run.stopped}" if run.stopped is not None
        else "not finished"
    )
    return (f"fleet run #{run.id} · {run.source} · {run.executor} · "
            f"{counted(run.total, 'repository', 'repositories')} · {state}")


def _counts_line(summary: FleetSummary) -> str:
    c = summary.run.counts
    return (f"{c.get(DONE, 0)} done · {c.get(FAILED, 0)} failed · "
            f"{c.get(RUNNING, 0)} running · {c.get(PENDING, 0)} pending")


def _stages_line(summary: FleetSummary) -> str:
    return " · ".join(f"{name} {n}" for name, n in summary.by_stage().items())


def summary_lines(summary: FleetSummary) -> list[str]:
    """The end of a run on the terminal: counts by stage, the slowest, every failure."""
    out = [f"fleet run #{summary.run.id}: {_counts_line(summary)}",
           f"  by stage: {_stages_line(summary)}"]
    regressed = [r.name for r in summary.repositories if r.regressed]
    if regressed:
        out.append(f"  regressed ({len(regressed)}): {', '.join(visible(n) for n in regressed)}")
    slowest = summary.slowest()
    if slowest:
        out.append("  slowest:")
        out += [f"    {visible(r.name)}: {r.seconds:.1f} s" for r in slowest]
    out += failure_lines(summary, "  ")
    out += [f"  note: {visible(n)}" for n in summary.notes]
    out.append(f"  report: mlkaizen fleet report {summary.run.id} -f html -o fleet.html")
    return out


def _terminal(summary: FleetSummary) -> str:
    """Plain text within :data:`WIDTH` columns: long names and errors wrap in their cell."""
    from rich.console import Console
    from rich.table import Table

    buf = io.StringIO()
    console = Console(file=buf, width=WIDTH, no_color=True, force_terminal=False,
                      highlight=False, emoji=False)
    console.print(terminal(_headline(summary)), overflow="fold")
    console.print(terminal(_counts_line(summary)))
    console.print(terminal("by stage: " + _stages_line(summary)), overflow="fold")
    table = Table(box=None, pad_edge=False, show_edge=False)
    table.add_column("Repository", overflow="fold", min_width=20)
    table.add_column("Team", overflow="fold", max_width=14)
    table.add_column("Stage", overflow="fold", min_width=12, max_width=24)
    table.add_column("Status", overflow="fold", max_width=14)
    for r in summary.repositories:
        stage = _stage_cell(r, target=True)
        table.add_row(terminal(r.name), terminal(r.team or ""), terminal(stage),
                      terminal(_status_cell(r)))
        for p in r.sub_projects:
            # under its repository, a sub-project by its folder (no space for a line to
            # break at between the mark and the folder)
            table.add_row(terminal("└─" + _folder(p.key)), "", terminal(p.stage), "")
    console.print()
    console.print(table)
    failures = summary.failures()
    if failures:
        console.print()
        console.print(f"Failures ({len(failures)}):")
        for r in failures:
            console.print(terminal(f"  {r.name}: {r.error or 'no reason recorded'} "
                                   f"({counted(r.attempts, 'attempt')})"), overflow="fold")
    for title, items in (("Manifest problems", summary.run.problems),
                         ("Notes", summary.notes)):
        if items:
            console.print()
            console.print(f"{title}:")
            for item in items:
                console.print(terminal(f"  {item}"), overflow="fold")
    return "\n".join(line.rstrip() for line in buf.getvalue().splitlines()) + "\n"


def _markdown(summary: FleetSummary) -> str:
    run = summary.run
    out = [f"## MLKaizen fleet run #{run.id}", "", md_text(_headline(summary)), "",
           md_text(_counts_line(summary)), ""]
    out += ["| Stage | Repositories |", "|---|---|"]
    out += [f"| {md_text(name)} | {n} |" for name, n in summary.by_stage().items()]
    out += ["", "### Repositories", "",
            "| # | Repository | Team | Stage | Target | Status |", "|---|---|---|---|---|---|"]
    for r in summary.repositories:
        out.append(
            f"| {r.position} | {md_code(r.name, table=True)} | {md_text(r.team or '')} | "
            f"{md_text(_stage_cell(r))} | {md_text(r.target or '')} | "
            f"{md_text(_status_cell(r))} |"
        )
        out += [
            f"|  | ↳ {md_code(p.name, table=True)} |  | {md_text(p.stage)} |  |  |"
            for p in r.sub_projects
        ]
    slowest = summary.slowest()
    if slowest:
        out += ["", "### Slowest", ""]
        out += [f"- {md_code(r.name)}: {r.seconds:.1f} s" for r in slowest]
    failures = summary.failures()
    if failures:
        out += ["", "### Failures", ""]
        out += [
            f"- {md_code(r.name)}: {md_text(r.error or 'no reason recorded')} "
            f"({counted(r.attempts, 'attempt')})"
            for r in failures
        ]
    for title, items in (("Manifest problems", run.problems), ("Notes", summary.notes)):
        if items:
            out += ["", f"### {title}", ""]
            out += [f"- {md_text(item)}" for item in items]
    return "\n".join(out) + "\n"


def _html(summary: FleetSummary) -> str:
    """One self-contained page (inline CSS, no script, nothing fetched), every value
    autoescaped after its control characters are made visible."""
    from jinja2 import Environment, StrictUndefined, select_autoescape
    from markupsafe import Markup

    from mlkaizen.report.html import report_css

    def finalize(value: object) -> object:
        if isinstance(value, str) and not isinstance(value, Markup):
            return visible(value)
        return value

    env = Environment(
        autoescape=select_autoescape(default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=finalize,
    )
    template = env.from_string(
        (resources.files("mlkaizen.fleet") / "templates" / "fleet.html.j2").read_text("utf-8")
    )
    return template.render(
        s=summary,
        run=summary.run,
        headline=_headline(summary),
        counts=_counts_line(summary),
        stages=summary.by_stage(),
        stage_cell=_stage_cell,
        status_cell=_status_cell,
        counted=counted,
        css=Markup(report_css()),
    )
