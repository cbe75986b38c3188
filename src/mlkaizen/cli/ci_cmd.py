"""`mlkaizen badge`, `fix` and `baseline save`: what CI and a repository keep."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from mlkaizen.cli.common import (
    AllowRepoCatalogueOpt,
    CatalogueOpt,
    app,
    baseline_app,
    write_out,
)
from mlkaizen.errors import MLKaizenError
from mlkaizen.report.escape import visible


@app.command()
def badge(
    path: Annotated[Path, typer.Argument(help="Repository folder.")] = Path("."),
    out: Annotated[Path, typer.Option("--out", "-o", help="SVG file to write.")] = Path(
        "mlkaizen.svg"
    ),
    config: Annotated[Path | None, typer.Option("--config", help="Config file.")] = None,
    catalogue: CatalogueOpt = None,
    allow_repo_catalogue: AllowRepoCatalogueOpt = False,
) -> None:
    """Write a static SVG badge of the stage, coloured by stage."""
    from mlkaizen.api import assess as run
    from mlkaizen.report.badge import render_badge

    assessment = run(
        path,
        catalogue=catalogue,
        config_path=config,
        allow_repo_catalogue=allow_repo_catalogue,
    )
    write_out(render_badge(assessment), out, path)


@app.command()
def fix(
    practice: Annotated[str | None, typer.Argument(help="Practice id to fix.")] = None,
    path: Annotated[Path, typer.Option(help="Repository folder.")] = Path("."),
    list_: Annotated[bool, typer.Option("--list", help="List fixes for the open gaps.")] = False,
    dry_run: Annotated[bool, typer.Option(help="Show the unified diff; write nothing.")] = False,
    force: Annotated[bool, typer.Option(help="Also change existing files.")] = False,
    owner: Annotated[
        list[str] | None,
        typer.Option(
            "--owner",
            help="A code owner to write into CODEOWNERS (@user, @org/team or an e-mail; "
            "repeatable). Without it, authors from the history are only suggested.",
        ),
    ] = None,
) -> None:
    """Write scaffolding that closes a gap (workflows, cards, helpers), adapted to the repo."""
    from mlkaizen.api import assess as run
    from mlkaizen.engine.model import SATISFIED
    from mlkaizen.evidence.tree import RepoTree
    from mlkaizen.fixes import apply as fixing
    from mlkaizen.fixes.base import FixContext
    from mlkaizen.fixes.facts import gather
    from mlkaizen.fixes.registry import FIXES, fix_for

    assessment = run(path)
    states = {p.id: p.state for p in assessment.practices}
    if list_ or practice is None:
        order = {r.practice: r.step for r in assessment.roadmap}
        open_fixes = sorted(
            (f for f in FIXES if states.get(f.practices[0]) not in SATISFIED),
            key=lambda f: (order.get(f.practices[0], 999), f.practices[0]),
        )
        width = max((len(f.practices[0]) for f in open_fixes), default=10)
        write_out(
            "".join(
                f"{f.practices[0]:<{width}}  {states[f.practices[0]].value:<8} {f.title}\n"
                for f in open_fixes
            )
            or "no fixes for open gaps\n",
            None,
        )
        return
    chosen = fix_for(practice)
    if chosen is None:
        raise MLKaizenError(f"no fix for {practice!r}; see `mlkaizen fix --list`")
    ctx = FixContext(
        root=path,
        facts=gather(path, assessment, RepoTree(path)),
        read=fixing.reader(path),
        owners=tuple(owner or ()),
    )
    planned = fixing.plan(chosen, ctx)
    if dry_run:
        write_out(fixing.diff(planned) or "nothing to change\n", None)
        return
    state = fixing.dirty(path)
    if state is None:
        sys.stderr.write(
            "mlkaizen: warning: the repository defines content filters, which are never run; "
            "could not tell whether the working tree is clean\n"
        )
    elif state:
        sys.stderr.write(
            "mlkaizen: warning: the working tree has uncommitted changes; review "
            "the fix with `git diff` before committing\n"
        )
    for line in fixing.apply(path, planned, force):
        write_out(visible(line) + "\n", None)


@baseline_app.command("save")
def baseline_save(
    path: Annotated[Path, typer.Argument(help="Repository folder.")] = Path("."),
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Where to write (default: PATH/.mlkaizen/baseline.json)."),
    ] = None,
    config: Annotated[Path | None, typer.Option("--config", help="Config file.")] = None,
    catalogue: CatalogueOpt = None,
    allow_repo_catalogue: AllowRepoCatalogueOpt = False,
) -> None:
    """Record the current stage, levels and practice states as the baseline to commit."""
    from mlkaizen.api import assess as run
    from mlkaizen.engine.compare import DEFAULT_BASELINE, save_baseline

    assessment = run(
        path,
        catalogue=catalogue,
        config_path=config,
        allow_repo_catalogue=allow_repo_catalogue,
    )
    target = out or path / DEFAULT_BASELINE
    save_baseline(assessment, target, root=path)
    write_out(
        f"wrote {target}: {assessment.stage}, "
        + ", ".join(f"{d.id}={d.level}" for d in assessment.dimensions)
        + "\n",
        None,
    )
