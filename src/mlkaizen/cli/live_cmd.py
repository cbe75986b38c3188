"""`mlkaizen metrics`: ML delivery metrics from live sources (git history, MLflow)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from mlkaizen.cli.common import OutOpt, PathArg, QuietOpt, app, write_out
from mlkaizen.cli.live_opts import MlflowOpt, live_options
from mlkaizen.errors import MLKaizenError


class MetricsFormat(StrEnum):
    terminal = "terminal"
    json = "json"
    markdown = "markdown"
    html = "html"


@app.command()
def metrics(
    path: PathArg = Path("."),
    mlflow: MlflowOpt = None,
    window: Annotated[
        str,
        typer.Option(
            "--window", metavar="DURATION", help="The window measured (90d, 26w, 1y)."
        ),
    ] = "365d",
    fmt: Annotated[
        MetricsFormat, typer.Option("--format", "-f", help="Output format.")
    ] = MetricsFormat.terminal,
    out: OutOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """ML delivery metrics and their trend, from git history and an MLflow server.

    Model release frequency, lead time, change-failure rate and time to restore, each with
    its source and confidence (docs/delivery-metrics.md)."""
    import mlkaizen.report.delivery_metrics as render
    from mlkaizen.evidence.live import LiveOptions, gather

    if not path.is_dir():
        raise MLKaizenError("not a directory; give the repository folder", str(path))
    from mlkaizen.evidence.delivery_metrics import delivery_metrics

    options = live_options(mlflow, window, history=True) or LiveOptions()
    facts = gather(path, options)
    measured = delivery_metrics(facts)
    if facts.history is None and facts.mlflow is None:
        reasons = "; ".join(f"{p.source}: {p.message}" for p in facts.problems)
        raise MLKaizenError(f"no source could be read ({reasons})", str(path))
    subject = path.resolve().name
    if fmt is MetricsFormat.terminal:
        from io import StringIO

        from rich.console import Console

        from mlkaizen.cli.common import is_stdout, terminal_style

        to_screen = out is None or is_stdout(out)
        colour, width = terminal_style() if to_screen else (False, 100)
        buffer = StringIO()
        console = Console(file=buffer, no_color=not colour, force_terminal=colour, width=width)
        render.print_text(measured, subject, console)
        text = buffer.getvalue()
    elif fmt is MetricsFormat.json:
        text = render.to_json(measured)
    elif fmt is MetricsFormat.markdown:
        text = render.to_markdown(measured, subject)
    else:
        text = render.to_html(measured, subject)
    write_out(text, out, path, quiet, "delivery metrics")
