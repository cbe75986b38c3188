"""`mlkaizen fleet schedule add|list|remove|enable|disable`: repositories the server
re-assesses on a cron schedule.

The manifest's text is kept in the store, so a schedule does not depend on the file staying
where it was. The server's own scheduler (`mlkaizen serve`), or Celery beat, fires it."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from mlkaizen.cli.common import HELP, DbOpt, QuietOpt, app
from mlkaizen.errors import MLKaizenError
from mlkaizen.report.escape import visible

if TYPE_CHECKING:
    from mlkaizen.store.db import Store

schedule_app = typer.Typer(
    context_settings=HELP,
    no_args_is_help=True,
    help="Manifests the server re-assesses on a cron schedule (five fields, UTC).",
)


def _fleet_group() -> typer.Typer:
    """The `fleet` group (registered by :mod:`mlkaizen.cli.fleet_cmd`, which imports this
    module last: importing it back would make a ring)."""
    for group in app.registered_groups:
        if group.name == "fleet" and group.typer_instance is not None:
            return group.typer_instance
    raise RuntimeError("the fleet command group is not registered")  # pragma: no cover


_fleet_group().add_typer(schedule_app, name="schedule")

OrgOpt = Annotated[
    str | None,
    typer.Option("--org", metavar="SLUG", help="Organisation (default: the default one)."),
]


def _say(message: str, quiet: bool = False) -> None:
    if not quiet:
        sys.stderr.write(f"mlkaizen: {visible(message)}\n")


def _open(db: str | None) -> Store:
    from mlkaizen.store import open_store
    from mlkaizen.store.db import default_url

    return open_store(db or default_url())


def _org_id(store: Store, slug: str | None) -> int:
    from mlkaizen.store import accounts
    from mlkaizen.store.tables import DEFAULT_ORG_ID

    if slug is None:
        return DEFAULT_ORG_ID
    accounts.check_slug(slug)
    found = accounts.org(store, slug)
    if found is None:
        raise MLKaizenError(f"no organisation {slug!r} (`mlkaizen user add NAME --org {slug}` "
                            "creates it)")
    return found.id


NameArg = Annotated[str, typer.Argument(metavar="NAME", help="The schedule's name.")]

@schedule_app.command("add")
def add(
    name: NameArg,
    manifest: Annotated[
        Path, typer.Argument(metavar="MANIFEST",
                             help="Local paths and git URLs, one per line, or a YAML manifest.")
    ],
    cron: Annotated[
        str, typer.Option("--cron", metavar="CRON",
                          help='Five fields in UTC, e.g. "0 3 * * *" (03:00 every day).')
    ],
    workers: Annotated[
        int, typer.Option("--workers", "-w", min=1, max=256, help="Worker processes a run uses.")
    ] = 2,
    executor: Annotated[
        str, typer.Option("--executor", metavar="local|celery",
                          help="local (a process pool of the server) or celery.")
    ] = "local",
    db: DbOpt = None,
    org: OrgOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Re-assess the repositories of MANIFEST on a cron schedule (its text is kept: the file
    may move or go). Entries the manifest refuses are shown now."""
    from mlkaizen.fleet.manifest import check_manifest_file, read_manifest
    from mlkaizen.fleet.options import FleetOptions
    from mlkaizen.fleet.schedule import add_schedule, check_name, next_time
    from mlkaizen.fsio.read import read_text

    check_name(name)
    if executor not in ("local", "celery"):
        raise MLKaizenError(f"--executor {executor!r}: expected local or celery")
    import datetime as dt

    next_time(cron, dt.datetime.now(dt.UTC))  # a bad cron is said before anything is read
    check_manifest_file(manifest)
    text = read_text(manifest, "the manifest")
    found = read_manifest(str(manifest), text)
    for problem in found.problems:
        sys.stderr.write(f"mlkaizen: {visible(problem)}\n")
    if not found.entries:
        raise MLKaizenError("the manifest names no repository to assess", str(manifest))
    options = FleetOptions(executor="celery" if executor == "celery" else "local",
                           workers=workers)
    store = _open(db)
    try:
        s = add_schedule(store, name, cron, text, options, manifest_path=str(manifest),
                         org_id=_org_id(store, org))
    finally:
        store.close()
    _say(f"schedule {s.name}: {len(found.entries)} repositories on {s.cron!r} (UTC), "
         f"first at {s.next_at:%Y-%m-%d %H:%M} UTC; `mlkaizen serve` (or Celery beat) "
         "starts its runs", quiet)


def _row(s: Any, slug: str) -> dict[str, Any]:
    return {
        "name": s.name,
        "org": slug,
        "cron": s.cron,
        "enabled": s.enabled,
        "next_at": s.next_at.isoformat(),
        "last_run": s.last_run_id,
        "executor": s.options.get("executor", "local"),
        "workers": s.options.get("workers"),
        "created_at": s.created_at.isoformat(),
    }


@schedule_app.command("list")
def list_(
    db: DbOpt = None,
    org: OrgOpt = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="terminal or json.")] = "terminal",
) -> None:
    """The schedules: cron, next run (UTC), the newest run each started."""
    import json

    from mlkaizen.store import accounts, schedules

    if fmt not in ("terminal", "json"):
        raise MLKaizenError(f"--format {fmt!r}: expected terminal or json")
    store = _open(db)
    try:
        only = _org_id(store, org) if org is not None else None
        slugs = {o.id: o.slug for o in accounts.orgs(store)}
        rows = [_row(s, slugs.get(s.org_id, str(s.org_id)))
                for s in schedules.schedules(store, only)]
    finally:
        store.close()
    if fmt == "json":
        sys.stdout.write(json.dumps(rows, indent=2) + "\n")
        return
    if not rows:
        sys.stdout.write("no schedules (add one with `mlkaizen fleet schedule add`)\n")
        return
    header = ["name", "org", "cron", "next (UTC)", "last run", "executor", "state"]
    table = [[r["name"], r["org"], r["cron"], r["next_at"][:16].replace("T", " "),
              f"#{r['last_run']}" if r["last_run"] else "-",
              f"{r['executor']} ×{r['workers']}", "on" if r["enabled"] else "off"]
             for r in rows]
    cells = [header, *[[visible(c) for c in row] for row in table]]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    sys.stdout.write("".join(
        "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() + "\n"
        for r in cells))


@schedule_app.command("remove")
def remove(
    name: NameArg,
    db: DbOpt = None,
    org: OrgOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Remove a schedule; the runs it started stay in the store."""
    from mlkaizen.store import schedules

    store = _open(db)
    try:
        gone = schedules.remove(store, name, _org_id(store, org))
    finally:
        store.close()
    if not gone:
        raise _no_schedule(name)
    _say(f"removed the schedule {name}; the runs it started stay", quiet)


def _no_schedule(name: str) -> MLKaizenError:
    return MLKaizenError(f"no schedule named {name!r} (see `mlkaizen fleet schedule list`)")


def _switch(name: str, on: bool, db: str | None, org: str | None, quiet: bool) -> None:
    from mlkaizen.fleet.schedule import enable
    from mlkaizen.store import schedules

    store = _open(db)
    try:
        org_id = _org_id(store, org)
        if not enable(store, name, on, org_id=org_id):
            raise _no_schedule(name)
        s = schedules.get(store, name, org_id)
    finally:
        store.close()
    assert s is not None
    if on:
        _say(f"schedule {name} is on; next at {s.next_at:%Y-%m-%d %H:%M} UTC", quiet)
    else:
        _say(f"schedule {name} is off (`mlkaizen fleet schedule enable {name}` turns it back "
             "on)", quiet)


@schedule_app.command("enable")
def enable_(
    name: NameArg,
    db: DbOpt = None,
    org: OrgOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Turn a schedule back on, from its next slot (the slots it was off for are not made
    up)."""
    _switch(name, True, db, org, quiet)


@schedule_app.command("disable")
def disable(
    name: NameArg,
    db: DbOpt = None,
    org: OrgOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Turn a schedule off (kept, with its runs; `enable` turns it back on)."""
    _switch(name, False, db, org, quiet)
