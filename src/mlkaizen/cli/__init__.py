"""The command line: thin. Parse arguments, call the API, pick a renderer.

One module a group of commands. Every way out is decided in :func:`main` and nowhere else:
usage errors and :class:`MLKaizenError` become one line ``mlkaizen: error: ...`` and exit 2;
a bug becomes one line ``mlkaizen: internal error: ...`` and exit 3.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from mlkaizen import __version__
from mlkaizen.errors import EXIT_INTERNAL, EXIT_OK, EXIT_USAGE, MLKaizenError

if TYPE_CHECKING:
    import typer
    from typer._click.exceptions import UsageError

__all__ = ["app", "main"]


#: the module that registers each top-level command: a run imports and builds only its own
#: command (building every command's options cost about 45 ms of each run)
COMMAND_MODULES = {
    "assess": "assess_cmd",
    "badge": "ci_cmd",
    "baseline": "ci_cmd",
    "fix": "ci_cmd",
    "history": "history_cmd",
    "edge-advice": "interview_cmd",
    "map": "interview_cmd",
    "profile": "interview_cmd",
    "survey": "interview_cmd",
    "target": "interview_cmd",
    "detectors": "model_cmd",
    "stacks": "model_cmd",
    "explain": "model_cmd",
    "fleet": "fleet_cmd",
    "model": "model_cmd",
    "diff": "store_cmd",
    "log": "store_cmd",
    "metrics": "live_cmd",
    "plan": "store_cmd",
    "push": "server_cmd",
    "serve": "server_cmd",
    "token": "server_cmd",
    "user": "server_cmd",
    "worker": "worker_cmd",
}


def load_app(command: str | None = None) -> typer.Typer:
    """The Typer app with ``command`` registered, or every command (for help, completion and
    anything not a command name). Imported on first use: ``--version`` and
    ``import mlkaizen.cli`` need none of it."""
    from importlib import import_module

    from mlkaizen.cli.common import app

    only = COMMAND_MODULES.get(command or "")
    for name in (only,) if only else sorted(set(COMMAND_MODULES.values())):
        import_module(f"mlkaizen.cli.{name}")  # registers its commands on the app
    return app


def __getattr__(name: str) -> Any:
    if name == "app":
        return load_app()
    raise AttributeError(f"module 'mlkaizen.cli' has no attribute {name!r}")


def visible(text: str) -> str:
    """``text`` with control characters shown, not acted on (imported only when needed)."""
    from mlkaizen.report.escape import visible as shown

    return shown(text)


def usage_message(exc: UsageError) -> str:
    """A Click usage error as one line, with where to look for help."""
    text = " ".join(exc.format_message().split()).replace("Value error, ", "").rstrip(".")
    where = exc.ctx.command_path if exc.ctx is not None else "mlkaizen"
    return f"mlkaizen: error: {visible(text)} (see `{where} --help`)\n"


def main(argv: Sequence[str] | None = None) -> None:
    """Console entry point. Exit codes: 0 ok, 1 gate failed, 2 usage or input error, 3 bug."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args == ["--version"]:  # the cheapest path: no Typer, no catalogue
        sys.stdout.write(f"mlkaizen {__version__}\n")
        return
    from mlkaizen.cli import collector

    as_process = argv is None  # the console script: this run is the whole process
    if as_process:
        collector.tune()
    if os.environ.get("MLKAIZEN_PROFILE"):  # benchmarks only: see mlkaizen.profiling
        from mlkaizen.profiling import install

        install()
    from typer import Abort
    from typer._click.exceptions import (  # the Click that Typer bundles (>= 0.29)
        ClickException,
        NoArgsIsHelpError,
        UsageError,
    )

    try:
        code = load_app(args[0] if args else None)(
            args=args, prog_name="mlkaizen", standalone_mode=False
        )
    except NoArgsIsHelpError as exc:
        sys.stdout.write(exc.format_message() + "\n")
        code = EXIT_OK
    except UsageError as exc:
        sys.stderr.write(usage_message(exc))
        code = EXIT_USAGE
    except ClickException as exc:  # e.g. a file Click could not open
        sys.stderr.write(f"mlkaizen: error: {visible(' '.join(exc.format_message().split()))}\n")
        code = EXIT_USAGE
    except MLKaizenError as exc:
        sys.stderr.write(f"mlkaizen: error: {visible(str(exc))}\n")
        code = EXIT_USAGE
    except (KeyboardInterrupt, Abort):
        sys.stderr.write("\nmlkaizen: interrupted\n")
        code = 130
    except BrokenPipeError:  # e.g. `mlkaizen assess | head`
        sys.stderr.close()
        code = EXIT_OK
    except Exception as exc:
        if os.environ.get("MLKAIZEN_DEBUG"):
            raise
        message = " ".join(str(exc).split())[:200]
        sys.stderr.write(
            f"mlkaizen: internal error: {type(exc).__name__}: {visible(message)} (a bug: please "
            "report it, with the output of MLKAIZEN_DEBUG=1 mlkaizen ...)\n"
        )
        code = EXIT_INTERNAL
    if as_process:
        collector.settle()
    sys.exit(code if isinstance(code, int) else EXIT_OK)
