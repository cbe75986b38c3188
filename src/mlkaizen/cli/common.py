"""The Typer apps, shared options and output helpers of the command line."""

from __future__ import annotations

import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, TypeVar

import typer

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


AllowRepoCatalogueOpt = Annotated[
    bool,
    typer.Option(
        "--allow-repo-catalogue",
        help="Trust a catalogue file named by the repository's own config (refused by "
        "default: a pull request could ship rules that require nothing).",
    ),
]


def write_out(text: str, out: Path | None, root: Path | None = None) -> None:
    """Print ``text``, or write it to ``out`` through the safe writer (``root``: the
    repository the command reads, where no committed link is followed)."""
    if out is None:
        sys.stdout.write(text)
        return
    from mlkaizen.fsio.write import write_text

    write_text(out, text, root=root)


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

    from mlkaizen.report.escape import terminal

    console = Console(highlight=False)

    def ask(question: str) -> str:  # catalogue text: shown as is, never as Rich markup
        return Prompt.ask(terminal(question), console=console, default="", show_default=False)

    return ask
