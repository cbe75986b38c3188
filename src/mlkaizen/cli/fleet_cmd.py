"""`mlkaizen fleet scan|status|report`: assess every repository of a manifest, resumably, on
a local process pool or on Celery workers; see how far a run is; report what it found."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from mlkaizen.cli.common import HELP, DbOpt, OutOpt, QuietOpt, app, write_out
from mlkaizen.errors import MLKaizenError
from mlkaizen.fleet.options import MAX_BACKOFF, MAX_TIMEOUT
from mlkaizen.report.escape import visible
from mlkaizen.textfmt import counted

if TYPE_CHECKING:
    from mlkaizen.store.db import Store
    from mlkaizen.store.fleet import RunInfo

fleet_app = typer.Typer(
    context_settings=HELP,
    no_args_is_help=True,
    help="Assess every ML repository of an organisation, resumably.",
)
app.add_typer(fleet_app, name="fleet")


class Executor(StrEnum):
    local = "local"
    celery = "celery"


class ReportFormat(StrEnum):
    terminal = "terminal"
    json = "json"
    csv = "csv"
    markdown = "markdown"
    html = "html"


def _say(message: str, quiet: bool = False) -> None:
    if not quiet:
        sys.stderr.write(f"mlkaizen: {visible(message)}\n")


def _store(db: str | None) -> Store:
    """The store, a relative SQLite file's path made absolute (workers may run elsewhere)."""
    from mlkaizen.store import open_store
    from mlkaizen.store.db import default_url

    return open_store(_absolute(db or default_url()))


def _absolute(url: str) -> str:
    """A relative SQLite file made absolute: workers may run in another folder."""
    from sqlalchemy import make_url

    from mlkaizen.store.db import sqlite_file

    path = sqlite_file(url)
    if path is None or Path(path).is_absolute() or path.startswith("file:"):
        return url
    return str(make_url(url).set(database=str(Path(path).resolve())))


class _Progress:
    """How far the run is, on stderr: a Rich progress bar (counts, rate, ETA) on a
    terminal; elsewhere a line at each tenth of the run; nothing with ``-q``."""

    def __init__(self, quiet: bool) -> None:
        import time

        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self.quiet, self.started, self.first, self.told = quiet, time.monotonic(), -1, -1
        console = Console(stderr=True)
        self.bar: Progress | None = None
        if not quiet and console.is_terminal:
            self.bar = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[counts]}"),
                TextColumn("{task.fields[rate]}"),
                TimeElapsedColumn(),
                TimeRemainingColumn(),
                console=console,
            )

    def __call__(self, run: RunInfo) -> None:
        import time

        from mlkaizen.store.fleet import DONE, FAILED, RUNNING

        ended = run.counts[DONE] + run.counts[FAILED]
        if self.first < 0:
            self.first = ended  # a resumed run's rate counts what this process ended
        rate = (ended - self.first) / max(time.monotonic() - self.started, 1e-6) * 60
        counts = (f"{run.counts[DONE]} done · {run.counts[FAILED]} failed · "
                  f"{run.counts[RUNNING]} running")
        if self.bar is not None:
            if not self.bar.tasks:
                self.bar.add_task(f"run #{run.id}", total=run.total, completed=self.first,
                                  counts="", rate="")
            self.bar.update(self.bar.tasks[0].id, completed=ended, counts=counts,
                            rate=f"{rate:.0f}/min")
        elif not self.quiet and run.total:
            tenth = ended * 10 // run.total
            if tenth != self.told:
                self.told = tenth
                _say(f"run #{run.id}: {ended}/{run.total} ({counts}, {rate:.0f}/min)")


def _drive(store: Store, run_id: int, quiet: bool, resume: bool) -> RunInfo:
    from mlkaizen.fleet.runner import drive

    show = _Progress(quiet)
    if show.bar is None:
        return drive(store, run_id, progress=show, resume=resume)
    with show.bar:
        return drive(store, run_id, progress=show, resume=resume)


@fleet_app.command("scan")
def scan(
    ctx: typer.Context,
    manifest: Annotated[
        Path | None,
        typer.Argument(help="Local paths and git URLs, one per line, or a YAML manifest."),
    ] = None,
    resume: Annotated[
        int | None,
        typer.Option("--resume", metavar="RUN", help="Finish run RUN (killed or stopped)."),
    ] = None,
    workers: Annotated[
        int, typer.Option("--workers", "-w", min=1, max=256, help="Local worker processes.")
    ] = 2,
    executor: Annotated[
        Executor, typer.Option("--executor", help="local (a process pool) or celery.")
    ] = Executor.local,
    broker: Annotated[
        str | None,
        typer.Option(
            "--broker", metavar="URL",
            help="Celery broker (default: MLKAIZEN_BROKER, else redis://localhost:6379/0).",
        ),
    ] = None,
    retries: Annotated[
        int, typer.Option("--retries", min=0, max=20, help="Retries of a failing job.")
    ] = 2,
    retry_delay: Annotated[
        float,
        typer.Option("--retry-delay", min=0, max=MAX_BACKOFF, metavar="SECONDS",
                     help="First wait before a retry; it doubles each time."),
    ] = 5.0,
    timeout: Annotated[
        float,
        typer.Option("--timeout", min=1, max=MAX_TIMEOUT, metavar="SECONDS",
                     help="Time limit of one job."),
    ] = 600.0,
    cache: Annotated[
        Path | None,
        typer.Option("--cache", metavar="DIR",
                     help="Where git URLs are fetched (default: MLKAIZEN_FLEET_CACHE, else "
                          "your cache folder)."),
    ] = None,
    catalogue: Annotated[
        str | None, typer.Option("--catalogue", metavar="ID|FILE", help="Maturity model.")
    ] = None,
    db: DbOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Assess every repository of MANIFEST as one job each; results go to the store as each
    job ends. Killed, it is finished by `--resume RUN`.

    With `--executor celery` the jobs run on `mlkaizen worker` processes, which write to the
    same store: give a --db every worker reaches (PostgreSQL, or a SQLite file on this same
    host)."""
    from mlkaizen.fleet.manifest import check_manifest_file, read_manifest
    from mlkaizen.fleet.options import FleetOptions
    from mlkaizen.fleet.runner import start_run

    if (manifest is None) == (resume is None):
        raise MLKaizenError("give a MANIFEST to start a run, or --resume RUN to finish one")
    if broker is not None and _has_password(broker):
        raise MLKaizenError(
            "--broker: a URL with a password would be stored with the run; give it in "
            "MLKAIZEN_BROKER instead (read from the environment, never stored)"
        )
    if resume is None and executor is Executor.celery:
        _check_broker(broker)  # unreachable: one line, and no run is made
    store = _store(db)
    if resume is not None:
        from mlkaizen.store.fleet import run_info

        run = run_info(store, resume)
        given = _run_options_given(ctx)
        if given:
            _say(f"{', '.join(given)} ignored: run #{resume} keeps the options it started "
                 "with (see `mlkaizen fleet status`)")
        if run.finished and run.finished_at is not None:  # nothing to drive: it stays as it was
            _say(f"fleet run #{resume} has already finished", quiet)
            _summary(store, run)
            return
        run_id = resume
    else:
        assert manifest is not None
        check_manifest_file(manifest)
        found = read_manifest(str(manifest))
        for problem in found.problems:
            sys.stderr.write(f"mlkaizen: {visible(problem)}\n")
        if not found.entries:
            raise MLKaizenError("the manifest names no repository to assess", str(manifest))
        try:
            options = FleetOptions(
                executor=executor.value,
                workers=workers,
                retries=retries,
                retry_delay=retry_delay,
                timeout=timeout,
                catalogue=catalogue,
                broker=broker,
                **({"cache": str(cache.resolve())} if cache is not None else {}),
            )
        except ValueError as exc:
            raise MLKaizenError(f"bad fleet option: {exc}") from None
        if catalogue is not None:
            from mlkaizen.catalogues import load_catalogue

            load_catalogue(catalogue)  # a bad catalogue is said once, here, not per job
        run_id = start_run(store, found, str(manifest), options)
        _say(f"fleet run #{run_id}: {counted(len(found.entries), 'repository', 'repositories')} "
             f"({options.executor}, {counted(options.workers, 'worker')}); "
             f"finish it with `mlkaizen fleet scan --resume {run_id}` if it is stopped",
             quiet)
    try:
        run = _drive(store, run_id, quiet, resume is not None)
    except KeyboardInterrupt:
        _say(f"interrupted: finish the run with `mlkaizen fleet scan --resume {run_id}`")
        raise typer.Exit(130) from None
    _summary(store, run)
    if run.stopped:
        raise MLKaizenError(f"fleet run #{run_id} stopped: {run.stopped}; what was stored "
                            f"stays: once that is mended, `mlkaizen fleet scan --resume {run_id}`")


def _has_password(url: str) -> bool:
    from urllib.parse import urlsplit

    try:
        return urlsplit(url).password is not None
    except ValueError:
        return False


RUN_OPTIONS = {  # kept with the run: a resumed run uses the ones it started with
    "workers": "--workers", "executor": "--executor", "broker": "--broker",
    "retries": "--retries", "retry_delay": "--retry-delay", "timeout": "--timeout",
    "cache": "--cache", "catalogue": "--catalogue",
}


def _run_options_given(ctx: typer.Context) -> list[str]:
    """The run's options given on the command line (with ``--resume`` they are not used)."""
    sources = {name: ctx.get_parameter_source(name) for name in RUN_OPTIONS}
    return [RUN_OPTIONS[name] for name, source in sources.items()
            if source is not None and source.name == "COMMANDLINE"]


def _check_broker(broker: str | None) -> None:
    """The Celery broker answers (``--executor celery``), or one line says why not."""
    try:
        from mlkaizen.fleet.celery_app import check_broker, controller_app
    except ModuleNotFoundError as exc:
        if exc.name != "celery":
            raise
        raise MLKaizenError(
            "--executor celery needs Celery: pip install 'mlkaizen[celery]'"
        ) from None
    target = controller_app(broker)
    try:
        check_broker(target)
    finally:
        target.close()


def _summary(store: Store, run: RunInfo) -> None:
    """The run's end on stderr: counts by stage, the slowest repositories, every failure."""
    from mlkaizen.fleet.report import summary_lines
    from mlkaizen.fleet.summary import build

    for line in summary_lines(build(store, run.id)):
        sys.stderr.write(visible(line) + "\n")


@fleet_app.command("status")
def status(
    run: Annotated[
        int | None, typer.Argument(metavar="[RUN]", help="Run id (default: the newest).")
    ] = None,
    db: DbOpt = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="terminal or json.")] = "terminal",
) -> None:
    """How far a run is: jobs by status, rate, ETA, and every failure with its reason."""
    import json

    from mlkaizen.fleet.summary import build, status_lines
    from mlkaizen.store.fleet import latest_run

    if fmt not in ("terminal", "json"):
        raise MLKaizenError(f"--format {fmt!r}: expected terminal or json")
    store = _store(db)
    run_id = run if run is not None else latest_run(store)
    if run_id is None:
        raise MLKaizenError("no fleet run in this store yet (start one with `mlkaizen fleet scan`)")
    summary = build(store, run_id)
    if fmt == "json":
        write_out(json.dumps(summary.status_json(), indent=2) + "\n", None)
        return
    write_out("\n".join(status_lines(summary)) + "\n", None)


@fleet_app.command("report")
def report(
    run: Annotated[int, typer.Argument(metavar="RUN", help="Run id.")],
    fmt: Annotated[
        ReportFormat, typer.Option("--format", "-f", help="Output format.")
    ] = ReportFormat.terminal,
    out: OutOpt = None,
    db: DbOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """What a run found: each repository's stage (and its sub-projects'), against its
    target and its previous assessment; counts by stage; the slowest; every failure."""
    from mlkaizen.fleet.report import render
    from mlkaizen.fleet.summary import build

    store = _store(db)
    text = render(build(store, run), fmt.value)
    write_out(text, out, quiet=quiet, what=f"fleet report, {fmt.value}")


from mlkaizen.cli import fleet_schedule  # noqa: E402, F401 - registers `fleet schedule`
