"""The live-source options `assess` and `metrics` share: `--mlflow URL`, `--window`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

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
