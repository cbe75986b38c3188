"""The command line: thin. Parse arguments, call the API, pick a renderer.

One user-facing error type (:class:`MLKaizenError`) becomes ``mlkaizen: error: ...`` and
exit code 2, here and nowhere else.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from mlkaizen.errors import EXIT_GATE_FAILED, EXIT_USAGE, MLKaizenError

if TYPE_CHECKING:
    from mlkaizen.catalogue.schema import Catalogue
    from mlkaizen.engine.model import Assessment

T = TypeVar("T")

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    help="Where your MLOps practice stands, why, and what to do next.",
)
model_app = typer.Typer(no_args_is_help=True, help="Show, validate and export the maturity model.")
app.add_typer(model_app, name="model")
baseline_app = typer.Typer(no_args_is_help=True, help="Record the baseline a CI gate compares to.")
app.add_typer(baseline_app, name="baseline")


class Format(StrEnum):
    terminal = "terminal"
    json = "json"
    markdown = "markdown"
    html = "html"
    sarif = "sarif"


CatalogueOpt = Annotated[
    str | None,
    typer.Option(
        "--catalogue",
        help="Catalogue id or YAML file (default: the project's config, else "
        "the built-in ad-hoc-to-kaizen).",
    ),
]


def _write(text: str, out: Path | None) -> None:
    if out is None:
        sys.stdout.write(text)
        return
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise MLKaizenError(f"cannot write report ({exc.strerror})", str(out)) from None


@app.command()
def assess(
    path: Annotated[Path, typer.Argument(help="Repository folder to assess.")] = Path("."),
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Report format.")] = Format.terminal,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write the report here.")] = None,
    config: Annotated[
        Path | None,
        typer.Option("--config", help="Config file (default: .mlkaizen.yaml or pyproject.toml)."),
    ] = None,
    catalogue: CatalogueOpt = None,
    scope: Annotated[str | None, typer.Option(help="Assess only this sub-folder.")] = None,
    answers: Annotated[
        list[Path] | None,
        typer.Option("--answers", help="Answers file or folder (repeatable); combined."),
    ] = None,
    no_repo: Annotated[
        bool, typer.Option("--no-repo", help="Assess from the answers alone (no repository).")
    ] = False,
    subject: Annotated[str | None, typer.Option(help="Name of what is assessed.")] = None,
    lens: Annotated[
        str | None,
        typer.Option(
            help="Report through another framework: google, azure, ml-test-score, marvelous."
        ),
    ] = None,
    fail_under: Annotated[
        str | None,
        typer.Option(help='Exit 1 below a stage ("Manual MLOps") or levels ("data=2,model=1").'),
    ] = None,
    fail_on_regression: Annotated[
        bool, typer.Option(help="Exit 1 if anything satisfied in the baseline is not any more.")
    ] = False,
    baseline: Annotated[
        Path | None,
        typer.Option(help="Baseline file (default: PATH/.mlkaizen/baseline.json if present)."),
    ] = None,
    link_base: Annotated[
        str | None,
        typer.Option(help="URL prefix for evidence links, e.g. https://github.com/o/r/blob/main/"),
    ] = None,
    max_file_bytes: Annotated[
        int | None, typer.Option(help="Largest file read, in bytes (default 2 MiB).", min=1)
    ] = None,
    max_files: Annotated[
        int | None, typer.Option(help="Most files scanned (default 500,000).", min=1)
    ] = None,
    max_bytes_read: Annotated[
        int | None, typer.Option(help="Most bytes read in one scan (default 512 MiB).", min=1)
    ] = None,
    max_yaml_nodes: Annotated[
        int | None,
        typer.Option(
            help="Most nodes of one YAML document, aliases expanded (default 100,000).", min=1
        ),
    ] = None,
    max_yaml_depth: Annotated[
        int | None, typer.Option(help="Deepest YAML nesting (default 200).", min=1)
    ] = None,
    parse_timeout: Annotated[
        float | None,
        typer.Option(help="Seconds one file's parse may take; 0 = no budget (default 5).", min=0),
    ] = None,
) -> None:
    """Assess a repository: stage, dimension levels, evidence, blockers, roadmap, questions."""
    from mlkaizen.api import assess as run
    from mlkaizen.report import RenderContext, get_renderer

    flags = {
        "max_file_bytes": max_file_bytes,
        "max_files": max_files,
        "max_bytes_read": max_bytes_read,
        "max_yaml_nodes": max_yaml_nodes,
        "max_yaml_depth": max_yaml_depth,
        "parse_timeout": parse_timeout,
    }
    limits = {k: v for k, v in flags.items() if v is not None}
    assessment = _with_progress(
        lambda cb: run(
            None if no_repo else path,
            catalogue=catalogue,
            config_path=config,
            scope=scope,
            limits=limits,
            answers=list(answers or []),
            subject=subject,
            progress=cb,
        )
    )
    from mlkaizen.catalogue.loader import load_catalogue

    cat = load_catalogue(catalogue or assessment.catalogue["id"])
    failures = _gate(
        assessment, cat, None if no_repo else path, fail_under, fail_on_regression, baseline
    )
    root = None if no_repo else (path / scope if scope else path)
    color = fmt is Format.terminal and out is None and sys.stdout.isatty()
    ctx = RenderContext(
        catalogue=cat, scan_root=root, out=out, link_base=link_base, color=color, width=80
    )
    if lens is not None:
        from mlkaizen.engine.lenses import LENSES, render_lens

        if lens not in LENSES:
            raise MLKaizenError(f"--lens {lens!r}: expected one of {', '.join(LENSES)}")
        _write(render_lens(LENSES[lens](assessment, cat), fmt.value), out)
    else:
        _write(get_renderer(fmt.value)(assessment, ctx), out)
    if failures:
        for reason in failures:
            sys.stderr.write(f"mlkaizen: gate failed: {reason}\n")
        raise typer.Exit(EXIT_GATE_FAILED)


def _gate(
    assessment: Assessment,
    cat: Catalogue,
    path: Path | None,
    fail_under: str | None,
    fail_on_regression: bool,
    baseline: Path | None,
) -> list[str]:
    """Attach the baseline comparison (if any) and return the reasons the gate fails."""
    from mlkaizen.engine.compare import (
        DEFAULT_BASELINE,
        compare,
        gate_failures,
        load_baseline,
        parse_threshold,
        regression_reasons,
    )

    stages = [s.name for s in sorted(cat.stages, key=lambda s: s.index)]
    failures: list[str] = []
    if fail_under is not None:
        stage_min, levels = parse_threshold(fail_under, stages, [d.id for d in cat.dimensions])
        failures += gate_failures(assessment, stage_min, levels, stages)
    if path is None and baseline is None:
        return failures  # nothing scanned, no repository baseline to compare with
    base_path = baseline or (path or Path(".")) / DEFAULT_BASELINE
    if baseline is None and base_path.is_symlink():
        return failures  # a repository's own baseline is never followed out through a link
    if baseline is not None or fail_on_regression or base_path.is_file():
        comparison = compare(assessment, load_baseline(base_path), base_path)
        assessment.baseline = comparison
        if fail_on_regression:
            failures += regression_reasons(assessment, comparison)
    return failures


def _with_progress(job: Callable[[Callable[[str], None] | None], T]) -> T:
    """Run ``job`` with a transient Rich progress line on stderr (only on a terminal)."""
    if not sys.stderr.isatty():
        return job(None)
    from rich.progress import Progress

    with Progress(transient=True, console=None) as progress:
        task = progress.add_task("scanning", total=None)
        return job(lambda det: progress.update(task, description=f"detector {det}"))


@app.command()
def explain(
    item: Annotated[
        str | None,
        typer.Argument(help="A practice id (model.experiment-tracking) or a detector id."),
    ] = None,
    stage: Annotated[bool, typer.Option("--stage", help="Explain the stage of PATH.")] = False,
    weights: Annotated[
        bool,
        typer.Option("--weights", help="Show how the catalogue's weights change PATH's result."),
    ] = False,
    path: Annotated[Path, typer.Option(help="Repository for --stage.")] = Path("."),
    catalogue: CatalogueOpt = None,
) -> None:
    """Explain a practice (rule, detectors, remediation), a detector, or a repository's stage."""
    from mlkaizen.explain_text import explain_item, explain_stage

    if stage:
        from mlkaizen.api import assess as run

        _write(explain_stage(run(path, catalogue=catalogue)), None)
        return
    if weights:
        from mlkaizen.api import assess as run
        from mlkaizen.catalogue.loader import load_catalogue
        from mlkaizen.explain_text import explain_weights

        cat = load_catalogue(catalogue)
        uniform = cat.model_copy(update={"weights": {}})
        _write(explain_weights(cat, run(path, catalogue=cat), run(path, catalogue=uniform)), None)
        return
    if item is None:
        raise MLKaizenError("give a practice or detector id, or --stage")
    _write(explain_item(item, catalogue), None)


@app.command()
def detectors() -> None:
    """List the built-in detectors and what each observes."""
    from mlkaizen.evidence.detectors import REGISTRY, all_detectors

    detectors, problems = all_detectors()
    width = max(len(d) for d in detectors)
    _write(
        "".join(
            f"{d.id:<{width}}  {'' if d.id in REGISTRY else '[plugin] '}{d.summary}\n"
            for d in sorted(detectors.values(), key=lambda d: d.id)
        ),
        None,
    )
    for problem in problems:
        sys.stderr.write(f"mlkaizen: warning: {problem}\n")


@app.command()
def badge(
    path: Annotated[Path, typer.Argument(help="Repository folder.")] = Path("."),
    out: Annotated[Path, typer.Option("--out", "-o", help="SVG file to write.")] = Path(
        "mlkaizen.svg"
    ),
    config: Annotated[Path | None, typer.Option("--config", help="Config file.")] = None,
    catalogue: CatalogueOpt = None,
) -> None:
    """Write a static SVG badge of the stage, coloured by stage."""
    from mlkaizen.api import assess as run
    from mlkaizen.report.badge import render_badge

    assessment = run(path, catalogue=catalogue, config_path=config)
    _write(render_badge(assessment), out)


@app.command()
def fix(
    practice: Annotated[str | None, typer.Argument(help="Practice id to fix.")] = None,
    path: Annotated[Path, typer.Option(help="Repository folder.")] = Path("."),
    list_: Annotated[bool, typer.Option("--list", help="List fixes for the open gaps.")] = False,
    dry_run: Annotated[bool, typer.Option(help="Show the unified diff; write nothing.")] = False,
    force: Annotated[bool, typer.Option(help="Also change existing files.")] = False,
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
        _write(
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
        root=path, facts=gather(path, assessment, RepoTree(path)), read=fixing.reader(path)
    )
    planned = fixing.plan(chosen, ctx)
    if dry_run:
        _write(fixing.diff(planned) or "nothing to change\n", None)
        return
    if fixing.dirty(path):
        sys.stderr.write(
            "mlkaizen: warning: the working tree has uncommitted changes; review "
            "the fix with `git diff` before committing\n"
        )
    for line in fixing.apply(path, planned, force):
        _write(line + "\n", None)


@app.command("map")
def map_(
    subjects: Annotated[
        list[Path],
        typer.Argument(
            help="Subjects: repositories, or folders of answers files (plus an optional "
            "profile.yaml)."
        ),
    ],
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="terminal, markdown, csv, json or html.")
    ] = "terminal",
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write here.")] = None,
    catalogue: CatalogueOpt = None,
) -> None:
    """Lay many subjects side by side: stage, levels, target and gap, and a heat map."""
    from mlkaizen.api import assess as run
    from mlkaizen.catalogue.loader import load_catalogue
    from mlkaizen.engine.taxonomy import load_profile, target_stage_index
    from mlkaizen.report.mapping import Row, render_map

    if fmt not in ("terminal", "markdown", "csv", "json", "html"):
        raise MLKaizenError(f"--format {fmt!r}: expected terminal, markdown, csv, json or html")
    cat = load_catalogue(catalogue)
    rows = []
    for folder in subjects:
        if not folder.is_dir():
            raise MLKaizenError("not a folder; give repositories or answers folders", str(folder))
        has_answers = any(
            p.suffix in (".yaml", ".yml")
            and p.name not in ("profile.yaml", "profile.yml")
            and "respondent:" in p.read_text(encoding="utf-8", errors="replace")[:4096]
            for p in folder.iterdir()
            if p.is_file() and not p.is_symlink()
        )
        assessment = (
            run(None, catalogue=cat, answers=[folder])
            if has_answers
            else run(folder, catalogue=cat)
        )
        profile = folder / "profile.yaml"
        target = target_stage_index(load_profile(profile)) if profile.is_file() else None
        name = assessment.subject.name if assessment.subject.name != "subject" else folder.name
        rows.append(Row(name, assessment, target))
    _write(render_map(rows, cat, fmt), out)


@app.command()
def target(
    path: Annotated[Path, typer.Argument(help="Repository folder.")] = Path("."),
    profile: Annotated[
        Path | None,
        typer.Option(
            help="Use-case profile (default: PATH/profile.yaml or .mlkaizen/profile.yaml)."
        ),
    ] = None,
    answers: Annotated[list[Path] | None, typer.Option("--answers", help="Answers files.")] = None,
    no_repo: Annotated[bool, typer.Option("--no-repo", help="From answers alone.")] = False,
    fmt: Annotated[str, typer.Option("--format", "-f", help="terminal or json.")] = "terminal",
    catalogue: CatalogueOpt = None,
) -> None:
    """The stage this use case needs (taxonomy), the gap per dimension, and the roadmap."""
    from mlkaizen.api import assess as run
    from mlkaizen.catalogue.loader import load_catalogue
    from mlkaizen.config import Config, NotApplicable, load_config
    from mlkaizen.engine.target import render_target, target_report
    from mlkaizen.engine.taxonomy import derive_target, load_profile

    found = profile or next(
        (p for p in (path / "profile.yaml", path / ".mlkaizen" / "profile.yaml") if p.is_file()),
        None,
    )
    if found is None:
        raise MLKaizenError("no profile; create one with `mlkaizen profile`", str(path))
    prof = load_profile(found)
    cat = load_catalogue(catalogue)
    gates = {s.index: dict(s.requires) for s in cat.stages}
    goal = derive_target(prof, gates, [d.id for d in cat.dimensions])
    base = Config() if no_repo else load_config(path)
    extra = {pid: NotApplicable(reason=why) for pid, why in goal.not_applicable.items()}
    config = base.model_copy(update={"not_applicable": {**base.not_applicable, **extra}})
    assessment = run(
        None if no_repo else path, catalogue=cat, config=config, answers=list(answers or [])
    )
    report = target_report(assessment, cat, goal)
    _write(
        report.model_dump_json(indent=2) + "\n" if fmt == "json" else render_target(report), None
    )


def _prompt() -> Callable[[str], str]:
    from rich.console import Console
    from rich.prompt import Prompt

    console = Console(highlight=False)

    def ask(question: str) -> str:
        return Prompt.ask(question, console=console, default="", show_default=False)

    return ask


@app.command()
def survey(
    path: Annotated[
        Path, typer.Argument(help="Repository folder (ignored with --no-repo).")
    ] = Path("."),
    respondent: Annotated[str, typer.Option(help="Who answers.")] = "",
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Answers file (default: PATH/answers/RESPONDENT.yaml)."),
    ] = None,
    answers: Annotated[
        Path | None,
        typer.Option(
            "--answers", help="Check an answers file instead of asking (non-interactive)."
        ),
    ] = None,
    no_repo: Annotated[bool, typer.Option("--no-repo", help="No repository to scan.")] = False,
    catalogue: CatalogueOpt = None,
) -> None:
    """Ask the questions the repository could not answer; saves after every answer."""
    from mlkaizen.api import assess as run
    from mlkaizen.interview import run_survey

    if answers is not None:
        result = run(None if no_repo else path, catalogue=catalogue, answers=[answers])
        conflicts = [p for p in result.practices if p.conflict]
        _write(
            f"{answers}: ok; {len(result.questions)} question(s) still open, "
            f"{len(conflicts)} conflict(s) with the repository\n",
            None,
        )
        for p in conflicts:
            _write(f"  conflict {p.id}: {p.conflict}\n", None)
        return
    if not respondent:
        raise MLKaizenError("give --respondent NAME (it names the answers file)")
    if no_repo:
        from mlkaizen.catalogue.loader import load_catalogue
        from mlkaizen.config import Config
        from mlkaizen.engine.assess import evaluate
        from mlkaizen.engine.model import Subject

        cat = load_catalogue(catalogue)
        assessment = evaluate(
            cat, [], set(), Config(), Subject(name="subject", path=""), scanned=False
        )
    else:
        assessment = run(path, catalogue=catalogue)
    target = out or (Path(".") if no_repo else path) / "answers" / f"{respondent}.yaml"
    try:
        done, left = run_survey(
            assessment, respondent, target, _prompt(), lambda text: _write(text + "\n", None)
        )
    except (EOFError, KeyboardInterrupt):
        _write(f"\nstopped; answers so far are saved in {target}; run again to resume\n", None)
        return
    _write(f"saved {done} answer(s) to {target}; {left} left\n", None)


@app.command()
def profile(
    out: Annotated[Path, typer.Option("--out", "-o", help="Profile file to write.")] = Path(
        "profile.yaml"
    ),
    force: Annotated[bool, typer.Option(help="Overwrite an existing profile.")] = False,
) -> None:
    """Record a use case's requirements and context facets (for `mlkaizen target`)."""
    import yaml
    from pydantic import ValidationError

    from mlkaizen.engine.taxonomy import Profile
    from mlkaizen.interview import run_profile

    if out.exists() and not force:
        raise MLKaizenError("profile exists; use --force to replace it", str(out))
    try:
        answers = run_profile(_prompt(), lambda text: _write(text + "\n", None))
    except (EOFError, KeyboardInterrupt):
        raise MLKaizenError("profile not finished; nothing written") from None
    try:
        Profile.model_validate(answers)
    except ValidationError as exc:
        message = str(exc.errors()[0]["msg"]).removeprefix("Value error, ")
        raise MLKaizenError(f"{message}; nothing written") from None
    out.write_text(
        "# Use-case profile written by `mlkaizen profile`.\n"
        + yaml.safe_dump(answers, sort_keys=False),
        encoding="utf-8",
    )
    _write(f"wrote {out}\n", None)


@app.command("edge-advice")
def edge_advice(
    profile: Annotated[Path, typer.Option(help="Use-case profile (mlkaizen profile).")] = Path(
        "profile.yaml"
    ),
    fmt: Annotated[str, typer.Option("--format", "-f", help="terminal or json.")] = "terminal",
) -> None:
    """Which edge architecture fits: five alternatives scored on four factors."""
    from mlkaizen.engine.edge import advise, render_advice
    from mlkaizen.engine.taxonomy import load_profile

    if not profile.is_file():
        raise MLKaizenError("profile not found; create it with `mlkaizen profile`", str(profile))
    advice = advise(load_profile(profile))
    _write(
        advice.model_dump_json(indent=2) + "\n" if fmt == "json" else render_advice(advice), None
    )


@baseline_app.command("save")
def baseline_save(
    path: Annotated[Path, typer.Argument(help="Repository folder.")] = Path("."),
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Where to write (default: PATH/.mlkaizen/baseline.json)."),
    ] = None,
    config: Annotated[Path | None, typer.Option("--config", help="Config file.")] = None,
    catalogue: CatalogueOpt = None,
) -> None:
    """Record the current stage, levels and practice states as the baseline to commit."""
    from mlkaizen.api import assess as run
    from mlkaizen.engine.compare import DEFAULT_BASELINE, save_baseline

    assessment = run(path, catalogue=catalogue, config_path=config)
    target = out or path / DEFAULT_BASELINE
    try:
        save_baseline(assessment, target)
    except OSError as exc:
        raise MLKaizenError(f"cannot write baseline ({exc.strerror})", str(target)) from None
    _write(
        f"wrote {target}: {assessment.stage}, "
        + ", ".join(f"{d.id}={d.level}" for d in assessment.dimensions)
        + "\n",
        None,
    )


@model_app.command("show")
def model_show(catalogue: CatalogueOpt = None) -> None:
    """Print the stages, gates, dimensions and practices of a catalogue."""
    from mlkaizen.catalogue.loader import load_catalogue
    from mlkaizen.explain_text import catalogue_summary

    _write(catalogue_summary(load_catalogue(catalogue)), None)


@model_app.command("validate")
def model_validate(file: Annotated[Path, typer.Argument(help="Catalogue YAML file.")]) -> None:
    """Validate a catalogue file; exit 2 with path:line on the first problem."""
    from mlkaizen.catalogue.loader import load_catalogue

    cat = load_catalogue(file)
    _write(f"{file}: ok: catalogue {cat.id} {cat.version}, {len(cat.practices)} practices\n", None)


@model_app.command("schema")
def model_schema(
    of: Annotated[str, typer.Option(help="catalogue or assessment")] = "catalogue",
) -> None:
    """Print the JSON Schema of the catalogue format (or of the JSON report)."""
    import json

    from mlkaizen.catalogue.schema import Catalogue
    from mlkaizen.engine.model import Assessment

    if of not in ("catalogue", "assessment"):
        raise MLKaizenError("--of must be one of: catalogue, assessment")
    schema = (Catalogue if of == "catalogue" else Assessment).model_json_schema()
    _write(json.dumps(schema, indent=2, sort_keys=True) + "\n", None)


@model_app.command("docs")
def model_docs(
    out: Annotated[Path, typer.Option(help="Folder to write the reference into.")] = Path("docs"),
) -> None:
    """Write the generated reference: model.md, detectors.md and the JSON Schemas."""
    from mlkaizen.catalogue.docs import write_docs
    from mlkaizen.catalogue.loader import load_catalogue

    for path in write_docs(load_catalogue(), out):
        _write(f"wrote {path}\n", None)


def main() -> None:
    """Console entry point. Usage errors exit 2 (Click); :class:`MLKaizenError` exits 2 here."""
    try:
        app()
    except MLKaizenError as exc:
        sys.stderr.write(f"mlkaizen: error: {exc}\n")
        sys.exit(EXIT_USAGE)
    except KeyboardInterrupt:
        sys.stderr.write("mlkaizen: interrupted\n")
        sys.exit(130)
    except BrokenPipeError:  # e.g. `mlkaizen assess | head`
        sys.stderr.close()
        sys.exit(0)
    except Exception as exc:
        if os.environ.get("MLKAIZEN_DEBUG"):
            raise
        sys.stderr.write(
            f"mlkaizen: internal error: {type(exc).__name__}: {exc}\n"
            "  This is a bug; set MLKAIZEN_DEBUG=1 for the traceback and report it."
            "\n"
        )
        sys.exit(EXIT_USAGE)
