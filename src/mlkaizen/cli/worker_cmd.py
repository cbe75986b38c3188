"""`mlkaizen worker`: a Celery worker for MLKaizen's fleet jobs (`fleet scan --executor
celery`), on this host or any other that reaches the broker and the store.

Celery comes with the ``celery`` extra and is imported only when the command runs, never by
`mlkaizen --help` or `assess`."""

from __future__ import annotations

import tempfile
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from mlkaizen.cli.common import DbOpt, app
from mlkaizen.errors import MLKaizenError


class LogLevel(StrEnum):
    debug = "debug"
    info = "info"
    warning = "warning"
    error = "error"
    critical = "critical"


@app.command()
def worker(
    broker: Annotated[
        str | None,
        typer.Option("--broker", metavar="URL",
                     help="Celery broker (default: MLKAIZEN_BROKER, else "
                          "redis://localhost:6379/0)."),
    ] = None,
    concurrency: Annotated[
        int,
        typer.Option("--concurrency", "-c", min=1, max=256, metavar="N",
                     help="Jobs run at once (one process each)."),
    ] = 2,
    queue: Annotated[
        str | None,
        typer.Option("--queue", "-Q", metavar="NAME",
                     help="Queue to take jobs from (default: MLKAIZEN_QUEUE, else mlkaizen); "
                          "whoever sends jobs must use the same."),
    ] = None,
    beat: Annotated[
        bool,
        typer.Option("--beat", help="Also run Celery beat: start the fleet runs whose schedule "
                                    "is due (every minute); run it in one worker only."),
    ] = False,
    loglevel: Annotated[
        LogLevel, typer.Option("--loglevel", "-l", help="Log level.")
    ] = LogLevel.info,
    name: Annotated[
        str,
        typer.Option("--name", "-n", metavar="NAME",
                     help="This worker's node name (%h: the host name); unique per host."),
    ] = "mlkaizen@%h",
    db: DbOpt = None,
) -> None:
    """Run a Celery worker for MLKaizen fleet jobs, until Ctrl-C.

    Each job writes its results to the store its run names (`fleet scan --db`), which every
    worker must reach: PostgreSQL, or a SQLite file on this same host. --db (or MLKAIZEN_DB)
    is the store of the scheduled runs (--beat) and of the runs this worker drives."""
    try:
        from celery.utils.nodenames import default_nodename, host_format
    except ModuleNotFoundError:
        raise MLKaizenError(
            "`mlkaizen worker` needs Celery: pip install 'mlkaizen[celery]'"
        ) from None
    from celery.signals import worker_shutting_down

    from mlkaizen.cli.fleet_cmd import _absolute
    from mlkaizen.fleet.celery_app import app as celery
    from mlkaizen.fleet.celery_app import check_broker, configure, queue_name
    from mlkaizen.fleet.celery_runs import beat_schedule
    from mlkaizen.usercache import cache_dir

    configure(celery, broker, queue)
    check_broker(celery)
    from mlkaizen.server.cli_support import open_server_store
    from mlkaizen.store.db import default_url

    # reachable and at this version's schema (created when empty), as the server judges it:
    # a worker never upgrades a shared store behind the server's back
    store, _ = open_server_store(_absolute(db or default_url()))
    store_url = store.url
    store.close()
    celery.conf.beat_schedule = beat_schedule(store_url) if beat else {}
    # beat's own record of when it last ticked (the store decides what is due: losing it
    # costs nothing); in the user cache, else a folder of this run
    cache = cache_dir() or Path(tempfile.mkdtemp(prefix="mlkaizen-beat-"))
    cache.mkdir(parents=True, exist_ok=True)
    running = celery.Worker(
        hostname=host_format(default_nodename(name)),
        concurrency=concurrency,
        queues=[queue_name(queue)],
        loglevel=loglevel.value.upper(),
        beat=beat,
        schedule_filename=str(cache / "celerybeat-schedule"),
        quiet=True,
    )
    asked: list[str] = []

    def shutting_down(sig: str = "", **_: object) -> None:
        asked.append(sig)

    worker_shutting_down.connect(shutting_down, weak=False)
    running.start()  # Ctrl-C (or SIGTERM): the jobs under way end, then it stops
    code = int(getattr(running, "exitcode", 0) or 0)
    if code and not (asked and asked[0] in ("SIGINT", "SIGTERM")):  # asked to stop: a clean end
        raise typer.Exit(code)
