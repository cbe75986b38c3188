"""The command line: thin. Parse arguments, call the API, pick a renderer.

One module a group of commands; one user-facing error type (:class:`MLKaizenError`) becomes
``mlkaizen: error: ...`` and exit code 2, in :func:`main` and nowhere else.
"""

from __future__ import annotations

import os
import sys

from mlkaizen.cli import (  # noqa: F401 - registers
    assess_cmd,
    ci_cmd,
    history_cmd,
    interview_cmd,
    model_cmd,
    store_cmd,
)
from mlkaizen.cli.common import app
from mlkaizen.errors import EXIT_USAGE, MLKaizenError

__all__ = ["app", "main"]


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
