"""`mlkaizen history`: the maturity trajectory replayed from the repository's git history."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from mlkaizen.cli.common import (
    AllowRepoCatalogueOpt,
    CatalogueOpt,
    ConfigOpt,
    NoCacheOpt,
    OutOpt,
    QuietOpt,
    RepoRules,
    app,
    checked_path,
    use_fact_cache,
    with_progress,
    write_out,
)


@app.command()
def history(
    path: Annotated[
        Path,
        typer.Argument(
            metavar="PATH", help="Folder of a git repository.", callback=checked_path
        ),
    ] = Path("."),
    revisions: Annotated[
        list[str] | None,
        typer.Argument(metavar="REV", help="Explicit revisions to assess (default: sample)."),
    ] = None,
    every: Annotated[
        str,
        typer.Option(
            help="Sample the first-parent line: week, month, commit, N commits, or a span "
            "of time as --since takes it (6m, 2w)."
        ),
    ] = "month",
    since: Annotated[
        str | None, typer.Option(help="Oldest commit time: a date (2025-01-31) or age (2y, 6m).")
    ] = None,
    until: Annotated[str | None, typer.Option(help="Newest commit time, as --since.")] = None,
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="terminal, json, markdown or html.")
    ] = "terminal",
    out: OutOpt = None,
    quiet: QuietOpt = False,
    config: ConfigOpt = None,
    catalogue: CatalogueOpt = None,
    allow_repo_catalogue: AllowRepoCatalogueOpt = False,
    exact: Annotated[
        bool,
        typer.Option(help="Pin each change to its commit between samples (by bisection)."),
    ] = True,
    save: Annotated[
        bool, typer.Option("--save", help="Store every point (see `mlkaizen log`).")
    ] = False,
    db: Annotated[
        str | None,
        typer.Option("--db", metavar="URL", help="Store URL (default: MLKAIZEN_DB or local)."),
    ] = None,
    max_file_bytes: Annotated[
        int | None, typer.Option(help="Largest file read, in bytes (default 2 MiB).", min=1)
    ] = None,
    no_cache: NoCacheOpt = False,
) -> None:
    """Replay the git history (nothing checked out): stage and levels over time, and the
    commits where each practice was gained or lost."""
    from mlkaizen.evidence.limits import ScanLimits
    from mlkaizen.history import replay
    from mlkaizen.history.render import render
    from mlkaizen.history.timeline import parse_every, parse_when

    if fmt not in ("terminal", "json", "markdown", "html"):
        from mlkaizen.errors import MLKaizenError

        raise MLKaizenError(f"--format {fmt!r}: expected terminal, json, markdown or html")
    use_fact_cache(no_cache)
    rules = RepoRules(config, catalogue, allow_repo_catalogue)
    _, chosen = rules.load(path)  # the catalogue the repository's config (as it is now) names
    now = dt.datetime.now(dt.UTC)
    keep = None
    if save:
        from mlkaizen.cli.history_save import saver

        keep = saver(path, db)
    limits = ScanLimits(max_file_bytes=max_file_bytes) if max_file_bytes else ScanLimits()
    result = with_progress(
        lambda cb: replay(
            path,
            every=parse_every(every),
            since=parse_when(since, now, "--since") if since else None,
            until=parse_when(until, now, "--until") if until else None,
            revisions=list(revisions or []),
            catalogue=chosen.catalogue,
            config=rules.explicit_config(path),
            limits=limits,
            exact=exact,
            progress=cb,
            keep=keep,
        ),
        quiet,
    )
    write_out(render(result, fmt), out, path, quiet, fmt)
