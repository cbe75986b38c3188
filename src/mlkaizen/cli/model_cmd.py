"""`mlkaizen explain`, `detectors` and `model ...`: the model and its detectors."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

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
    confirm,
    found_answers,
    is_stdout,
    model_app,
    repo_path,
    write_out,
)
from mlkaizen.errors import MLKaizenError
from mlkaizen.report.escape import visible, visible_lines


@app.command()
def explain(
    item: Annotated[
        str | None,
        typer.Argument(
            metavar="[ITEM]",
            help="A practice id (model.experiment-tracking) or a detector id.",
        ),
    ] = None,
    path: PathArg = Path("."),
    old_path: DeprecatedPathOpt = None,
    stage: Annotated[bool, typer.Option("--stage", help="Explain the stage of PATH.")] = False,
    weights: Annotated[
        bool,
        typer.Option("--weights", help="Show how the catalogue's weights change PATH's result."),
    ] = False,
    config: ConfigOpt = None,
    catalogue: CatalogueOpt = None,
    allow_repo_catalogue: AllowRepoCatalogueOpt = False,
) -> None:
    """Explain a practice (rule, detectors, remediation), a detector, or a repository's stage."""
    from mlkaizen.explain_text import explain_item, explain_stage
    from mlkaizen.textfmt import terminal_width

    if item is not None and path == Path(".") and (stage or weights):
        path = Path(item)  # `explain --stage PATH`
        item = None
    path = repo_path(path, old_path)
    rules = RepoRules(config, catalogue, allow_repo_catalogue)

    if stage:
        from mlkaizen.api import assess as run
        from mlkaizen.textfmt import wrap_lines

        # the survey's answers count here as in `assess`, `target`, `map` and `history`
        a = run(path, answers=found_answers(path), **rules.kwargs())
        write_out(visible_lines(wrap_lines(explain_stage(a), terminal_width())), None)
        return
    if weights:
        from mlkaizen.api import assess as run
        from mlkaizen.explain_text import explain_weights

        settings, chosen = rules.load(path)
        cat = chosen.catalogue
        uniform = cat.model_copy(update={"weights": {}})
        found = found_answers(path)
        write_out(
            visible_lines(
                explain_weights(
                    cat,
                    run(path, catalogue=cat, config=settings, answers=found),
                    run(path, catalogue=uniform, config=settings, answers=found),
                )
            ),
            None,
        )
        return
    if item is None:
        raise MLKaizenError("give a practice or detector id, or --stage")
    write_out(visible_lines(explain_item(item, catalogue, terminal_width())), None)


@app.command()
def detectors() -> None:
    """List the built-in detectors and what each observes."""
    from mlkaizen.evidence.detectors import REGISTRY, all_detectors
    from mlkaizen.textfmt import hanging, summary, terminal_width

    detectors, problems = all_detectors()
    width = max(len(d) for d in detectors)
    write_out(
        "".join(
            hanging(
                f"{visible(d.id):<{width}}  ",
                ("" if d.id in REGISTRY else "[plugin] ") + visible(summary(d.doc)),
                terminal_width(),
            )
            for d in sorted(detectors.values(), key=lambda d: d.id)
        ),
        None,
    )
    for problem in problems:
        sys.stderr.write(f"mlkaizen: warning: {visible(problem)}\n")


@app.command()
def stacks(
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="text or json.", metavar="FORMAT")
    ] = "text",
) -> None:
    """List the stacks the packs describe, and what each evidences."""
    import json

    from mlkaizen.evidence.packs.listing import stack_rows
    from mlkaizen.textfmt import hanging, terminal_width

    if fmt not in ("text", "json"):
        raise MLKaizenError(f"--format {fmt!r}: use text or json")
    rows = stack_rows()
    if fmt == "json":
        write_out(json.dumps(rows, indent=2) + "\n", None)
        return
    width = max(len(str(r["name"])) for r in rows)
    write_out(
        "".join(
            hanging(
                f"{visible(str(r['name'])):<{width}}  ",
                f"{r['category']}: " + (", ".join(r["evidences"]) or "-")
                + (f"; CI steps: {', '.join(r['steps'])}" if r["steps"] else ""),
                terminal_width(),
            )
            for r in rows
        ),
        None,
    )


@model_app.command("show")
def model_show(catalogue: CatalogueOpt = None) -> None:
    """Print the stages, gates, dimensions and practices of a catalogue."""
    from mlkaizen.catalogues import load_catalogue
    from mlkaizen.explain_text import catalogue_summary

    write_out(visible_lines(catalogue_summary(load_catalogue(catalogue))), None)


@model_app.command("validate")
def model_validate(file: Annotated[Path, typer.Argument(help="Catalogue YAML file.")]) -> None:
    """Validate a catalogue file; exit 2 with path:line on the first problem."""
    from mlkaizen.catalogues import load_catalogue

    cat = load_catalogue(file)
    write_out(
        f"{file}: ok: catalogue {cat.id} {cat.version}, {len(cat.practices)} practices\n", None
    )


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
    write_out(json.dumps(schema, indent=2, sort_keys=True) + "\n", None)


@model_app.command("docs")
def model_docs(
    out: Annotated[
        Path, typer.Option(metavar="DIR", help="Folder to write the reference into.")
    ] = Path("docs"),
    quiet: QuietOpt = False,
) -> None:
    """Write the generated reference: model.md, detectors.md, stacks.md and the JSON Schemas."""
    from mlkaizen.catalogues import load_catalogue
    from mlkaizen.docs import write_docs

    if is_stdout(out):  # `-` is standard output by convention, never a folder named `-`
        raise MLKaizenError("--out -: the reference is several files; give a folder name")
    for path in write_docs(load_catalogue(), out):
        confirm(f"wrote {path}", quiet)
