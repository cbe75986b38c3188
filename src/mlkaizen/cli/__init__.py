"""The command line: thin. Parse arguments, call the API, pick a renderer.

One module a group of commands; one user-facing error type (:class:`MLKaizenError`) becomes
``mlkaizen: error: ...`` and exit code 2, in :func:`main` and nowhere else.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any

from mlkaizen import __version__
from mlkaizen.errors import EXIT_USAGE, MLKaizenError
from mlkaizen.report.escape import visible

if TYPE_CHECKING:
    import typer

__all__ = ["app", "main"]


def load_app() -> typer.Typer:
    """The Typer app with every command registered (imported on first use: ``--version`` and
    ``import mlkaizen.cli`` need none of it)."""
    from mlkaizen.cli import (  # noqa: F401 - registers
        assess_cmd,
        ci_cmd,
        history_cmd,
        interview_cmd,
        model_cmd,
        store_cmd,
    )
    from mlkaizen.cli.common import app

    return app


def __getattr__(name: str) -> Any:
    if name == "app":
        return load_app()
    raise AttributeError(f"module 'mlkaizen.cli' has no attribute {name!r}")


def main() -> None:
    """Console entry point. Usage errors exit 2 (Click); :class:`MLKaizenError` exits 2 here."""
    if sys.argv[1:] == ["--version"]:  # the cheapest path: no Typer, no catalogue
        sys.stdout.write(f"mlkaizen {__version__}\n")
        return
    if os.environ.get("MLKAIZEN_PROFILE"):  # benchmarks only: see mlkaizen.profiling
        from mlkaizen.profiling import install

        install()
    try:
        load_app()()
    except MLKaizenError as exc:
        sys.stderr.write(f"mlkaizen: error: {visible(str(exc))}\n")
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
            f"mlkaizen: internal error: {type(exc).__name__}: {visible(str(exc))}\n"
            "  This is a bug; set MLKAIZEN_DEBUG=1 for the traceback and report it."
            "\n"
        )
        sys.exit(EXIT_USAGE)
