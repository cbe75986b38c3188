"""The Typer apps, shared options and output helpers of the command line."""

from __future__ import annotations

import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, TypeVar

import typer

from mlkaizen.errors import MLKaizenError

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


def _show_version(value: bool) -> None:
    if value:
        from mlkaizen import __version__

        typer.echo(f"mlkaizen {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_show_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Where your MLOps practice stands, why, and what to do next."""


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


def write_out(text: str, out: Path | None) -> None:
    if out is None:
        sys.stdout.write(text)
        return
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise MLKaizenError(f"cannot write report ({exc.strerror})", str(out)) from None


def with_progress(job: Callable[[Callable[[str], None] | None], T]) -> T:
    """Run ``job`` with a transient Rich progress line on stderr (only on a terminal)."""
    if not sys.stderr.isatty():
        return job(None)
    from rich.progress import Progress

    with Progress(transient=True, console=None) as progress:
        task = progress.add_task("scanning", total=None)
        return job(lambda det: progress.update(task, description=f"detector {det}"))


def prompt() -> Callable[[str], str]:
    from rich.console import Console
    from rich.prompt import Prompt

    console = Console(highlight=False)

    def ask(question: str) -> str:
        return Prompt.ask(question, console=console, default="", show_default=False)

    return ask
