"""`mlkaizen assess`: the assessment, its reports and the CI gate."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from mlkaizen.cli.common import (
    CatalogueOpt,
    Format,
    OutOpt,
    PathArg,
    QuietOpt,
    app,
    with_progress,
    write_out,
)
from mlkaizen.engine.model import ScanWarning
from mlkaizen.errors import EXIT_GATE_FAILED, MLKaizenError

if TYPE_CHECKING:
    from mlkaizen.catalogue.schema import Catalogue
    from mlkaizen.engine.model import Assessment


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
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            metavar="FILE",
            help="Config file (default: .mlkaizen.yaml or pyproject.toml).",
        ),
    ] = None,
    catalogue: CatalogueOpt = None,
    scope: Annotated[
        str | None, typer.Option(metavar="SUBDIR", help="Assess only this sub-folder.")
    ] = None,
    answers: Annotated[
        list[Path] | None,
        typer.Option(
            "--answers",
            metavar="FILE|DIR",
            help="Answers file or folder (repeatable); combined.",
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
            help="Seconds one file's parse may take; 0 = no budget (default 5).",
            min=0,
        ),
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
    if lens is not None:
        from mlkaizen.engine.lenses import LENSES
        from mlkaizen.report.lens import LENS_FORMATS

        if lens not in LENSES:
            raise MLKaizenError(f"--lens {lens!r}: expected one of {', '.join(LENSES)}")
        if fmt.value not in LENS_FORMATS:
            raise MLKaizenError(
                f"--lens cannot be rendered as {fmt.value}: a lens has no file-anchored "
                f"results; use -f {', '.join(LENS_FORMATS)}"
            )
    assessment = with_progress(
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
        from mlkaizen.engine.lenses import LENSES
        from mlkaizen.report.lens import render as render_lens

        write_out(render_lens(LENSES[lens](assessment, cat), fmt.value), out, quiet, fmt.value)
    else:
        write_out(get_renderer(fmt.value)(assessment, ctx), out, quiet, fmt.value)
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
    requested = baseline is not None or fail_on_regression
    if requested or base_path.is_file():
        try:
            comparison = compare(assessment, load_baseline(base_path), base_path)
        except MLKaizenError as exc:
            if requested:
                raise
            # found by chance in the repository, not asked for: report, do not fail the run
            assessment.warnings.append(
                ScanWarning(
                    kind="baseline",
                    message=f"baseline not used: {exc.message}",
                    file=str(base_path),
                )
            )
            return failures
        assessment.baseline = comparison
        if fail_on_regression:
            failures += regression_reasons(assessment, comparison)
    return failures
