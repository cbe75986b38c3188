"""`mlkaizen assess`: the assessment, its reports and the CI gate."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from mlkaizen.cli.common import (
    AllowRepoCatalogueOpt,
    CatalogueOpt,
    Format,
    NoCacheOpt,
    OutOpt,
    PathArg,
    QuietOpt,
    app,
    terminal_style,
    use_fact_cache,
    with_progress,
    write_out,
)
from mlkaizen.cli.live_opts import MlflowOpt, WindowOpt, live_options
from mlkaizen.engine.model import ScanWarning
from mlkaizen.errors import EXIT_GATE_FAILED, MLKaizenError
from mlkaizen.report.escape import visible

if TYPE_CHECKING:
    from mlkaizen.catalogue.schema import Catalogue
    from mlkaizen.engine.model import Assessment
    from mlkaizen.evidence.live import LiveOptions
    from mlkaizen.trusted_ref import TrustedRules


# the formats whose evidence locations are links (SARIF: relative to the repository's root)
LINKED = frozenset({Format.html, Format.markdown, Format.sarif})


@app.command()
def assess(
    path: PathArg = Path("."),
    fmt: Annotated[
        Format,
        typer.Option(
            "--format", "-f", metavar="FORMAT", help="terminal, json, markdown, html or sarif."
        ),
    ] = Format.terminal,
    out: OutOpt = None,
    quiet: QuietOpt = False,
    no_cache: NoCacheOpt = False,
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs",
            "-j",
            metavar="N",
            min=1,
            help="Processes that parse a large, uncached tree's Python files and notebooks "
            "(default: the usable cores; 1: serial).",
            show_default=False,
        ),
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            metavar="FILE",
            help="Config file (default: .mlkaizen.yaml or pyproject.toml).",
        ),
    ] = None,
    catalogue: CatalogueOpt = None,
    allow_repo_catalogue: AllowRepoCatalogueOpt = False,
    scope: Annotated[
        str | None, typer.Option(metavar="SUBDIR", help="Assess only this sub-folder.")
    ] = None,
    answers: Annotated[
        list[Path] | None,
        typer.Option(
            "--answers",
            metavar="FILE|DIR",
            help="Answers file or folder (repeatable); combined (default: "
            "PATH/.mlkaizen/answers/, where `mlkaizen survey` saves them).",
        ),
    ] = None,
    no_repo: Annotated[
        bool, typer.Option("--no-repo", help="Assess from the answers alone (no repository).")
    ] = False,
    subject: Annotated[
        str | None, typer.Option(metavar="NAME", help="Name of what is assessed.")
    ] = None,
    lens: Annotated[
        str | None,
        typer.Option(
            metavar="LENS",
            help="Report through another framework: google, azure, ml-test-score, marvelous "
            "(formats terminal, json, markdown, html).",
        ),
    ] = None,
    fail_under: Annotated[
        str | None,
        typer.Option(
            metavar="STAGE|LEVELS",
            help='Exit 1 below a stage ("Manual MLOps") or levels ("data=2,model=1").',
        ),
    ] = None,
    fail_on_regression: Annotated[
        bool, typer.Option(help="Exit 1 if anything satisfied in the baseline is not any more.")
    ] = False,
    baseline: Annotated[
        Path | None,
        typer.Option(
            metavar="FILE",
            help="Baseline file (default: PATH/.mlkaizen/baseline.json if present).",
        ),
    ] = None,
    link_base: Annotated[
        str | None,
        typer.Option(
            metavar="URL",
            help="URL prefix for evidence links, e.g. https://github.com/o/r/blob/main/",
        ),
    ] = None,
    max_file_bytes: Annotated[
        int | None,
        typer.Option(metavar="N", help="Largest file read, in bytes (default 2 MiB).", min=1),
    ] = None,
    max_files: Annotated[
        int | None, typer.Option(metavar="N", help="Most files scanned (default 500,000).", min=1)
    ] = None,
    max_bytes_read: Annotated[
        int | None,
        typer.Option(metavar="N", help="Most bytes read in one scan (default 512 MiB).", min=1),
    ] = None,
    max_yaml_nodes: Annotated[
        int | None,
        typer.Option(
            metavar="N",
            help="Most nodes of one YAML document, aliases expanded (default 100,000).",
            min=1,
        ),
    ] = None,
    max_yaml_depth: Annotated[
        int | None, typer.Option(metavar="N", help="Deepest YAML nesting (default 200).", min=1)
    ] = None,
    parse_timeout: Annotated[
        float | None,
        typer.Option(
            metavar="SECONDS",
            help="Seconds one file's parse may take, a safety net; 0 = none (default 30).",
            min=0,
        ),
    ] = None,
    save: Annotated[
        bool, typer.Option("--save", help="Record the assessment in the store.")
    ] = False,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            metavar="URL",
            help="Store URL (default: MLKAIZEN_DB, else a local SQLite file); given, the "
            "report shows what changed since the stored predecessor and overdue plan items.",
        ),
    ] = None,
    projects: Annotated[
        bool,
        typer.Option(
            "--projects", help="List the sub-projects found and how each was recognised; exit."
        ),
    ] = False,
    trusted_ref: Annotated[
        str | None,
        typer.Option(
            "--trusted-ref",
            metavar="REF",
            help="Judge by the rules of this commit (a pull request's base): config, "
            "exemptions, attestations, answers and baseline are read from REF, the code from "
            "the work tree; changes to them are listed, not applied.",
        ),
    ] = None,
    mlflow: MlflowOpt = None,
    window: WindowOpt = None,
) -> None:
    """Assess a repository: stage, dimension levels, evidence, blockers, roadmap, questions."""
    if projects:
        from mlkaizen.api import sub_projects

        found = sub_projects(path / scope if scope else path)
        inside = f"{Path(scope).as_posix().strip('/')}/" if scope else ""  # the repository's paths
        lines = [f"{inside}{ref.path}\t{ref.how}" for ref in found]
        write_out(
            "\n".join(lines) + "\n" if lines else "no sub-projects found\n",
            out,
            path,
            quiet,
            "sub-projects",
        )
        return

    flags = {
        "max_file_bytes": max_file_bytes,
        "max_files": max_files,
        "max_bytes_read": max_bytes_read,
        "max_yaml_nodes": max_yaml_nodes,
        "max_yaml_depth": max_yaml_depth,
        "parse_timeout": parse_timeout,
    }
    limits = {k: v for k, v in flags.items() if v is not None}
    live = live_options(mlflow, window)
    if live is not None and no_repo:
        raise MLKaizenError("--mlflow and --window need a repository (not --no-repo)")
    if lens is not None:
        _check_lens(lens, fmt)
    from mlkaizen.inputs import answers_to_use

    # without --answers, the repository's own (.mlkaizen/answers/, where `survey` saves)
    found_answers = not answers and not no_repo
    answers, answer_notes = answers_to_use(None if no_repo else path, answers)
    trusted = None
    if trusted_ref is not None:
        if no_repo:
            raise MLKaizenError("--trusted-ref needs a repository (not --no-repo)")
        from mlkaizen.trusted_ref import load_trusted

        trusted = load_trusted(
            path,
            trusted_ref,
            config_path=config,
            answers=list(answers or []),
            baseline=baseline,
            allow_repo_catalogue=allow_repo_catalogue,
            catalogue=catalogue,
            found_answers=found_answers,
        )
        answer_notes = []
    try:
        _assess(
            path, fmt, out, quiet, no_cache, jobs, config, catalogue, allow_repo_catalogue,
            scope, answers, no_repo, subject, lens, fail_under, fail_on_regression, baseline,
            link_base, limits, save, db, trusted, answer_notes, live,
        )
    except MLKaizenError as exc:
        if trusted is not None:
            trusted.own_path(exc)
        raise
    finally:
        if trusted is not None:
            trusted.close()


def _assess(
    path: Path,
    fmt: Format,
    out: Path | None,
    quiet: bool,
    no_cache: bool,
    jobs: int | None,
    config: Path | None,
    catalogue: str | None,
    allow_repo_catalogue: bool,
    scope: str | None,
    answers: list[Path] | None,
    no_repo: bool,
    subject: str | None,
    lens: str | None,
    fail_under: str | None,
    fail_on_regression: bool,
    baseline: Path | None,
    link_base: str | None,
    limits: dict[str, Any],
    save: bool,
    db: str | None,
    trusted: TrustedRules | None,
    answer_notes: list[str],
    live: LiveOptions | None = None,
) -> None:
    from mlkaizen.api import assess_judged

    use_fact_cache(no_cache, jobs)
    store = None
    if save or db is not None:  # opened first: an unusable store stops the run at once
        from mlkaizen.cli.store_cmd import open_db

        store = open_db(db, None if no_repo else path)
    assessment, chosen = with_progress(
        lambda cb: assess_judged(
            None if no_repo else path,
            catalogue=catalogue
            if trusted is None or trusted.catalogue is None
            else trusted.catalogue.catalogue,
            config=None if trusted is None else trusted.config,
            config_path=config,
            scope=scope,
            limits=limits,
            answers=list[str | Path](answers or [] if trusted is None else trusted.answers),
            subject=subject,
            progress=cb,
            allow_repo_catalogue=allow_repo_catalogue,
            live=live,
        ),
        quiet,
    )
    assessment.warnings += [ScanWarning(kind="answers", message=m) for m in answer_notes]
    if not no_repo and scope is None:
        _name_the_top(assessment, path, quiet)
    if not no_repo:  # a sub-folder's paths, as the repository has them (links, SARIF)
        from mlkaizen.api import in_repository_terms, repository_prefix

        in_repository_terms(assessment, repository_prefix(path, assessment))
    if trusted is not None:
        if trusted.catalogue is not None:
            chosen = trusted.catalogue
        # what the pull request changed in its own rules: shown first, never applied
        assessment.warnings[:0] = trusted.changed
    cat = chosen.catalogue
    failures = _gate(
        assessment,
        cat,
        None if no_repo else path,
        fail_under,
        fail_on_regression,
        baseline,
        trusted,
    )
    root = None if no_repo else (path / scope if scope else path)
    inputs = None
    if store is not None:
        from mlkaizen.cli.store_cmd import attach_history
        from mlkaizen.inputs import gather

        attach_history(store, assessment, root)
        if save:
            inputs = gather(None if no_repo else path, cat,
                            answers=list(answers or [] if trusted is None else trusted.answers),
                            config_path=config, fail_under=fail_under,
                            fail_on_regression=fail_on_regression, baseline=baseline,
                            config=None if trusted is None else trusted.config)
            assessment.warnings += [ScanWarning(kind="inputs", message=m) for m in inputs.problems]
    _write_report(assessment, cat, fmt, out, root, quiet, lens, link_base)
    if save and store is not None:
        from mlkaizen.cli.store_cmd import save_assessment

        save_assessment(store, assessment, root, inputs)
    label = visible(chosen.label)  # a gate always says what it judged against
    if trusted is not None:
        label += f", rules from {visible(trusted.label)}"
    if failures:
        for reason in failures:
            sys.stderr.write(f"mlkaizen: gate failed: {visible(reason)} [{label}]\n")
        raise typer.Exit(EXIT_GATE_FAILED)
    if fail_under is not None or fail_on_regression:
        sys.stderr.write(f"mlkaizen: gate passed [{label}]\n")


def _write_report(
    assessment: Assessment,
    cat: Catalogue,
    fmt: Format,
    out: Path | None,
    root: Path | None,
    quiet: bool,
    lens: str | None,
    link_base: str | None,
) -> None:
    """Render the assessment (or a lens of it, or the one line for nothing found) where
    ``--out`` says, and warn when a report file's links are relative."""
    from mlkaizen.report import RenderContext, get_renderer

    nothing = _nothing_found(assessment)
    color, width = terminal_style() if out is None else (False, 80)
    ctx = RenderContext(
        catalogue=cat,
        scan_root=root,
        out=out,
        link_base=link_base,
        color=color and fmt is Format.terminal,
        width=width,
    )
    if lens is not None:
        from mlkaizen.engine.lenses import LENSES
        from mlkaizen.report.lens import render as render_lens

        write_out(
            render_lens(LENSES[lens](assessment, cat), fmt.value), out, root, quiet, fmt.value
        )
    elif nothing is not None and fmt is Format.terminal:  # one line, not a report of gaps
        write_out(f"{visible(nothing)}\n", out, root, quiet, fmt.value)
    else:
        write_out(get_renderer(fmt.value)(assessment, ctx), out, root, quiet, fmt.value)
    if out is not None and link_base is None and root is not None and lens is None and (
        fmt in LINKED
    ):  # a report file, shared or published: where do its links lead?
        sys.stderr.write(
            "mlkaizen: warning: evidence links are relative to the repository's root: read "
            "the report from there, or give --link-base URL\n"
        )


# manifests that list dependencies only: often kept in a code folder of a larger project
DEPENDENCY_LISTS = frozenset(
    {"requirements.txt", "environment.yml", "environment.yaml", "conda.yaml"}
)


def _nothing_found(assessment: Assessment) -> str | None:
    """The one line that replaces a report of nothing found (an empty folder, or no sign of
    any practice), kept as the report's first warning too; ``None`` when something was
    found, or the report has more to say (what changed since the baseline or the stored
    assessment, overdue plan items)."""
    from mlkaizen.engine.explain import nothing_found

    nothing = nothing_found(assessment)
    if nothing is None:
        return None
    assessment.warnings.insert(0, ScanWarning(kind="nothing-found", message=nothing))
    if assessment.baseline or assessment.previous or assessment.overdue_plans:
        return None
    return nothing


def _name_the_top(assessment: Assessment, path: Path, quiet: bool) -> None:
    """PATH inside a git repository but not its top: the sub-folder is assessed, as asked,
    and one line says so and where the whole repository is; the report carries it too
    (named relative to the repository only). A sub-folder that declares a project of its
    own (a manifest, as sub-projects are recognised: the bundled example, one project of a
    monorepo) is that project, assessed as one without a note; a bare dependency list
    (``src/requirements.txt``) does not make one."""
    from mlkaizen.evidence.git import top_of
    from mlkaizen.evidence.projects import MANIFESTS

    own = [m for m in MANIFESTS if m not in DEPENDENCY_LISTS and (path / m).is_file()]
    found = top_of(path)
    if found is None or not found[1] or own:
        return
    top, prefix = found
    assessment.warnings.insert(0, ScanWarning(
        kind="sub-folder",
        message=f"assessed the sub-folder {prefix} of the repository {top.name} alone: what "
        "lies outside it (CI, settings, other projects) is not seen; assess the repository's "
        "top for the whole",
    ))
    if not quiet:
        here = os.path.relpath(top)
        sys.stderr.write(
            f"mlkaizen: note: assessing the sub-folder {visible(prefix)} of the repository "
            f"{visible(top.name)}; run `mlkaizen assess {visible(here)}` for the whole "
            "repository\n"
        )


def _gate(
    assessment: Assessment,
    cat: Catalogue,
    path: Path | None,
    fail_under: str | None,
    fail_on_regression: bool,
    baseline: Path | None,
    trusted: TrustedRules | None = None,
) -> list[str]:
    """Attach the baseline comparison (if any) and return the reasons the gate fails.

    A baseline the regression gate asks for that is missing, a link (even dangling), behind a
    linked folder, or unreadable fails the run (exit 2): the gate never passes for want of
    a baseline."""
    from mlkaizen.engine.compare import (
        compare,
        excused_by_rule_change,
        gate_failures,
        parse_threshold,
        regression_reasons,
    )
    from mlkaizen.engine_files import BASELINE_NOT_FOUND, parse_baseline

    stages = [s.name for s in sorted(cat.stages, key=lambda s: s.index)]
    under: list[str] = []
    if fail_under is not None:
        stage_min, levels = parse_threshold(fail_under, stages, [d.id for d in cat.dimensions])
        under = gate_failures(assessment, stage_min, levels, stages)
    if path is None and baseline is None:
        return under  # nothing scanned, no repository baseline to compare with
    requested = baseline is not None or fail_on_regression

    def not_used(exc: MLKaizenError) -> list[str]:
        if requested:
            raise MLKaizenError(
                f"{exc.message}; the regression gate cannot be judged without it",
                exc.path,
                exc.line,
            )
        # found by chance in the repository, not asked for: report, do not fail the run
        assessment.warnings.append(
            ScanWarning(kind="baseline", message=f"baseline not used: {exc.message}",
                        file=exc.path)
        )
        return under

    try:
        text, display = _baseline_text(path or Path("."), baseline, trusted)
    except MLKaizenError as exc:
        return not_used(exc)
    if text is None:
        if requested:
            raise MLKaizenError(BASELINE_NOT_FOUND, display)
        return under
    try:
        base = parse_baseline(text, display)
        comparison = compare(assessment, base, Path(display))
    except MLKaizenError as exc:
        if requested:
            raise
        return not_used(exc)
    assessment.baseline = comparison
    if (
        under
        and fail_under is not None
        and excused_by_rule_change(comparison, gate_failures(base, stage_min, levels, stages))
    ):
        comparison.note += (
            f"; --fail-under {fail_under} not enforced: the baseline met it and no practice "
            "was lost, so the fall comes from the changed level rule"
        )
        under = []
    return under + (regression_reasons(assessment, comparison) if fail_on_regression else [])


def _baseline_text(
    root: Path, baseline: Path | None, trusted: TrustedRules | None
) -> tuple[str | None, str]:
    """The baseline's text (``None`` when there is none) and how to name it: the trusted
    commit's, else a file the user named (read as given), else the repository's own,
    reached without following any link."""
    from mlkaizen.engine.compare import DEFAULT_BASELINE
    from mlkaizen.engine_files import MAX_BASELINE_BYTES, read_repository_baseline

    if trusted is not None and trusted.baseline_display:
        if trusted.baseline_error is not None:
            raise trusted.baseline_error
        return trusted.baseline, trusted.baseline_display
    if baseline is not None:
        from mlkaizen.fsio.read import read_text

        if not os.path.lexists(baseline):
            return None, str(baseline)
        return read_text(baseline, "baseline", MAX_BASELINE_BYTES), str(baseline)
    return (
        read_repository_baseline(root, DEFAULT_BASELINE.as_posix()),
        str(root / DEFAULT_BASELINE),
    )


def _check_lens(lens: str, fmt: Format) -> None:
    """Refuse an unknown lens, or a format a lens cannot be rendered in."""
    from mlkaizen.engine.lenses import LENSES
    from mlkaizen.report.lens import LENS_FORMATS

    if lens not in LENSES:
        raise MLKaizenError(f"--lens {lens!r}: expected one of {', '.join(LENSES)}")
    if fmt.value not in LENS_FORMATS:
        raise MLKaizenError(
            f"--lens cannot be rendered as {fmt.value}: a lens has no file-anchored "
            f"results; use -f {', '.join(LENS_FORMATS)}"
        )
