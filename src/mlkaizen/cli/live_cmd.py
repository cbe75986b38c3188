"""`mlkaizen metrics`: ML delivery metrics from live sources; and the live-source options
`assess` shares (`--mlflow`, `--window`)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from mlkaizen.cli.common import OutOpt, PathArg, QuietOpt, app, write_out
from mlkaizen.errors import MLKaizenError

if TYPE_CHECKING:
    from mlkaizen.evidence.live import LiveOptions

MlflowOpt = Annotated[
    str | None,
    typer.Option(
        "--mlflow",
        metavar="URL",
        help="Also read this MLflow tracking server (read-only; `databricks` for the "
        "workspace of DATABRICKS_HOST). Credentials only from MLFLOW_TRACKING_TOKEN, "
        "MLFLOW_TRACKING_USERNAME/PASSWORD (or DATABRICKS_TOKEN), never from the repository.",
    ),
]
WindowOpt = Annotated[
    str | None,
    typer.Option(
        "--window",
        metavar="DURATION",
        help="Also read the git history of this window (90d, 26w, 1y); the MLflow server is "
        "read over it too (default 180d).",
    ),
]


def live_options(
    mlflow: str | None, window: str | None, *, history: bool | None = None
) -> LiveOptions | None:
    """The live sources named by ``--mlflow`` and ``--window`` (``None`` for neither);
    ``history`` forces reading the git history (default: when a window is given)."""
    if mlflow is None and window is None and not history:
        return None
    from mlkaizen.evidence.live import DEFAULT_WINDOW, LiveOptions, parse_window
    from mlkaizen.evidence.sources.mlflow import MlflowOptions, check_url

    return LiveOptions(
        window=parse_window(window) if window is not None else DEFAULT_WINDOW,
        history=window is not None if history is None else history,
        mlflow=MlflowOptions(check_url(mlflow)) if mlflow is not None else None,
    )


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
    """ML delivery metrics (release frequency, lead time, change-failure rate, time to
    restore) with their trend, from the repository's git history and an MLflow server."""
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
