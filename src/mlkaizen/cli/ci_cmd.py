"""`mlkaizen badge`, `fix` and `baseline save`: what CI and a repository keep."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from mlkaizen.cli.common import (
    AllowRepoCatalogueOpt,
    CatalogueOpt,
    ConfigOpt,
    DeprecatedPathOpt,
    PathArg,
    QuietOpt,
    RepoRules,
    app,
    baseline_app,
    checked_path,
    confirm,
    is_stdout,
    repo_path,
    stdout_dash,
    write_out,
)
from mlkaizen.errors import MLKaizenError
from mlkaizen.report.escape import visible, visible_lines

if TYPE_CHECKING:
    from mlkaizen.engine.model import Assessment
    from mlkaizen.fixes.apply import Planned
    from mlkaizen.fixes.facts import RepoFacts


@app.command()
def badge(
    path: PathArg = Path("."),
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            metavar="FILE",
            help="SVG file to write (-: standard output).",
            callback=stdout_dash,
        ),
    ] = Path("mlkaizen.svg"),
    quiet: QuietOpt = False,
    config: ConfigOpt = None,
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
    write_out(render_badge(assessment), out, path, quiet, f"badge: {assessment.stage}")


@app.command()
def fix(
    practice: Annotated[
        str | None,
        typer.Argument(
            metavar="[PRACTICE]", help="Practice id to fix (none, or --list: list the fixes)."
        ),
    ] = None,
    path: PathArg = Path("."),
    old_path: DeprecatedPathOpt = None,
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
    quiet: QuietOpt = False,
    config: ConfigOpt = None,
    catalogue: CatalogueOpt = None,
    allow_repo_catalogue: AllowRepoCatalogueOpt = False,
) -> None:
    """Write scaffolding that closes a gap (workflows, cards, helpers), adapted to the repo."""
    if practice is not None and path == Path(".") and (list_ or Path(practice).is_dir()):
        path = checked_path(Path(practice)) or path  # `fix --list PATH` or `fix PATH`
        practice = None
    path = repo_path(path, old_path)
    from mlkaizen.api import assess_judged
    from mlkaizen.engine.model import SATISFIED
    from mlkaizen.evidence.tree import RepoTree
    from mlkaizen.fixes import apply as fixing
    from mlkaizen.fixes.base import FixContext
    from mlkaizen.fixes.facts import gather
    from mlkaizen.fixes.registry import ALIASES, fix_for

    assessment, judged = assess_judged(
        path, **RepoRules(config, catalogue, allow_repo_catalogue).kwargs()
    )
    states = {p.id: p.state for p in assessment.practices}
    facts = gather(path, assessment, RepoTree(path))
    if list_ or practice is None:
        write_out(_fix_list(assessment, facts), None)
        return
    chosen = fix_for(practice)
    if chosen is None:
        raise MLKaizenError(f"no fix for {practice!r}; see `mlkaizen fix --list`")
    target = ALIASES.get(practice, practice)
    if target not in states:
        raise MLKaizenError(
            f"{target!r} is not a practice of the {judged.label}; see `mlkaizen fix --list`"
        )
    state = states.get(target)
    if state in SATISFIED:
        write_out(
            f"{visible(target)} is already {state.value if state else ''}; nothing to apply\n",
            None,
        )
        return
    why_not = chosen.fits(facts)
    if why_not is not None:
        found = judged.catalogue.practice(target)
        guidance = f" What to do instead: {found.remediation}" if found else ""
        raise MLKaizenError(f"no fix for {target} fits this repository: {why_not}.{guidance}")
    ctx = FixContext(
        root=path,
        facts=facts,
        read=fixing.reader(path),
        owners=tuple(owner or ()),
        force=force,
    )
    planned = fixing.plan(chosen, ctx)
    if dry_run:
        write_out(fixing.diff(planned) or "nothing to change\n", None)
        _notes(planned)
        return
    tree_state = fixing.dirty(path)
    if tree_state is None:
        sys.stderr.write(
            "mlkaizen: warning: the repository defines content filters, which are never run; "
            "could not tell whether the working tree is clean\n"
        )
    elif tree_state:
        sys.stderr.write(
            "mlkaizen: warning: the working tree has uncommitted changes; review "
            "the fix with `git diff` before committing\n"
        )
    for line in fixing.apply(path, planned, force):
        confirm(line, quiet)
    _notes(planned)


def _fix_list(assessment: Assessment, facts: RepoFacts) -> str:
    """The fixes for the open gaps of ``assessment``, in roadmap order, and those that do
    not fit (a practice the catalogue does not have is never offered)."""
    from mlkaizen.engine.model import SATISFIED
    from mlkaizen.fixes.registry import FIXES

    states = {p.id: p.state for p in assessment.practices}
    order = {r.practice: r.step for r in assessment.roadmap}
    open_fixes = sorted(
        (
            f
            for f in FIXES
            if f.practices[0] in states and states[f.practices[0]] not in SATISFIED
        ),
        key=lambda f: (order.get(f.practices[0], 999), f.practices[0]),
    )
    fitting = [f for f in open_fixes if f.fits(facts) is None]
    width = max((len(f.practices[0]) for f in open_fixes), default=10)
    text = "".join(
        f"{f.practices[0]:<{width}}  {states[f.practices[0]].value:<8} "
        f"{visible(f.label(facts))}\n"
        for f in fitting
    ) or "no fixes for open gaps fit this repository\n"
    unfit = [f for f in open_fixes if f.fits(facts) is not None]
    if unfit:
        text += "\nNot offered (they would not fit this repository):\n" + "".join(
            f"  {f.practices[0]}: {visible(f.fits(facts) or '')}\n" for f in unfit
        )
    return text


def _notes(planned: list[Planned]) -> None:
    """What the fix puts in place, and what the user must still do for the written files to
    take effect (never quieted)."""
    for p in planned:
        if p.change.summary:
            sys.stderr.write(f"mlkaizen: this fix: {visible_lines(p.change.summary)}\n")
        if p.change.note:
            sys.stderr.write(f"mlkaizen: next step: {visible_lines(p.change.note)}\n")


@baseline_app.command("save")
def baseline_save(
    path: PathArg = Path("."),
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            metavar="FILE",
            help="Where to write (default: PATH/.mlkaizen/baseline.json; -: standard "
            "output).",
        ),
    ] = None,
    quiet: QuietOpt = False,
    config: ConfigOpt = None,
    catalogue: CatalogueOpt = None,
    allow_repo_catalogue: AllowRepoCatalogueOpt = False,
) -> None:
    """Record the current stage, levels and practice states as the baseline to commit."""
    from mlkaizen.api import assess as run
    from mlkaizen.engine.compare import DEFAULT_BASELINE
    from mlkaizen.engine_files import save_baseline

    assessment = run(
        path,
        catalogue=catalogue,
        config_path=config,
        allow_repo_catalogue=allow_repo_catalogue,
    )
    if is_stdout(out):
        from mlkaizen.engine.compare import baseline_of

        write_out(baseline_of(assessment).model_dump_json(indent=2) + "\n", None)
        return
    target = out or path / DEFAULT_BASELINE
    save_baseline(assessment, target, root=path)
    confirm(
        f"wrote {target}: {assessment.stage}, "
        + ", ".join(f"{d.id}={d.level}" for d in assessment.dimensions),
        quiet,
    )
