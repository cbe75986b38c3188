"""`mlkaizen log`, `diff` and `plan`: the stored assessments of a subject, what changed
between two of them, and improvement plans closed by evidence."""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from mlkaizen.cli.common import (
    HELP,
    AllowRepoCatalogueOpt,
    CatalogueOpt,
    ConfigOpt,
    DbOpt,
    DeprecatedPathOpt,
    RepoRules,
    app,
    checked_path,
    repo_path,
    write_out,
)
from mlkaizen.errors import MLKaizenError
from mlkaizen.report.escape import visible

if TYPE_CHECKING:
    from mlkaizen.engine.model import Assessment
    from mlkaizen.inputs import Inputs
    from mlkaizen.store import Store
    from mlkaizen.store.plans import Item
    from mlkaizen.store.records import LogLine
    from mlkaizen.store.snapshots import Snapshot

plan_app = typer.Typer(
    context_settings=HELP, no_args_is_help=True, help="Improvement plans, achieved by evidence."
)
app.add_typer(plan_app, name="plan")

PlanPathArg = Annotated[
    Path,
    typer.Argument(
        metavar="PATH",
        help="Repository folder the plan is for (default: the current one).",
        callback=checked_path,
    ),
]
TextFormat = Annotated[str, typer.Option("--format", "-f", help="terminal or json.")]


def open_db(db: str | None, root: Path | None = None) -> Store:
    """The store (imported here, by the commands that use it: start-up stays light). A
    SQLite file below ``root`` (the repository) or the working folder is never reached
    through a link."""
    from mlkaizen.store import open_store

    return open_store(db, root=root)


def _fmt(fmt: str) -> str:
    if fmt not in ("terminal", "json"):
        raise MLKaizenError(f"--format {fmt!r}: expected terminal or json")
    return fmt


def _key(path: Path) -> tuple[str, str]:
    from mlkaizen.store.snapshots import subject_key

    if not path.is_dir():
        raise MLKaizenError("not a directory; give the repository folder", str(path))
    return subject_key(path)


def head_commit(path: Path) -> tuple[str | None, dt.datetime | None]:
    """The commit checked out at ``path`` (``None`` outside git), warning when its date
    cannot be kept."""
    from mlkaizen.evidence.git import head_commit as read_head

    sha, when = read_head(path)
    if sha is not None and when is None:
        sys.stderr.write(
            "mlkaizen: warning: the commit date of HEAD is malformed or out of range; "
            "stored without it\n"
        )
    return sha, when


def subject_of(assessment: Assessment, path: Path | None) -> tuple[str, str]:
    """The store's key and display name of what ``assessment`` is about."""
    if path is None:
        return f"answers:{assessment.subject.name}", assessment.subject.name
    return _key(path)


def attach_history(
    store: Store, assessment: Assessment, path: Path | None, today: dt.date | None = None
) -> None:
    """Hand the reports what the store knows, as plain data on the assessment: what changed
    since the subject's newest stored assessment (with the open plan item a lost practice
    had), and the open plan items past due that this assessment does not achieve. The
    reports never read the store themselves."""
    from mlkaizen.engine.model import OverduePlan
    from mlkaizen.store import plans
    from mlkaizen.store.diff import since_previous
    from mlkaizen.store.records import latest_snapshot
    from mlkaizen.store.snapshots import snapshot_of

    key, _ = subject_of(assessment, path)
    current = snapshot_of(assessment, "now")
    found = plans.items(store, key)
    previous = latest_snapshot(store, key)
    if previous is not None:
        open_items = {i.practice: i.id for i in found if i.status == "open"}
        assessment.previous = since_previous(previous, current, open_items)
    assessment.overdue_plans = [
        OverduePlan(id=i.id, practice=i.practice, owner=i.owner, due=i.due, note=i.note)
        for i in plans.overdue(found, current, today or dt.date.today())
    ]


def save_assessment(
    store: Store, assessment: Assessment, path: Path | None, inputs: Inputs | None = None
) -> None:
    """Store an assessment with its inputs; say on stderr what changed since the stored
    predecessor, which plan items it achieved and which are overdue."""
    from mlkaizen.store import plans
    from mlkaizen.store.diff import compare, summary_lines
    from mlkaizen.store.records import save

    key, name = subject_of(assessment, path)
    commit, when = head_commit(path) if path is not None else (None, None)
    saved = save(
        store, assessment, key=key, name=name, commit=commit, commit_date=when, inputs=inputs
    )
    out = [f"mlkaizen: saved as assessment #{saved.id} of {visible(name)}"]
    items = plans.items(store, key)  # as they stand once this assessment is saved
    if saved.previous is not None:
        open_items = {i.practice: i.id for i in items if i.status == "open"}
        d = compare(saved.previous, saved.current, open_items)
        if d.gained or d.lost:
            out.append(f"since {visible(saved.previous.label)}:")
            out += ["  " + line for line in summary_lines(d)]
    out += [
        f"plan item #{i} achieved: {visible(p)} ({visible(how)})" for i, p, how in saved.achieved
    ]
    for item in items:
        claim = plans.attested_only(saved.current, item.practice)
        if item.status == "open" and claim is not None:
            practice = visible(item.practice)
            out.append(f"plan item #{item.id} stays open: {practice} {visible(claim)}")
    out += _overdue_lines(items)
    sys.stderr.write("\n".join(out) + "\n")


def _overdue_lines(items: list[Item]) -> list[str]:
    today = dt.date.today()
    return [
        f"overdue plan item #{i.id}: {visible(i.practice)} (owner {visible(i.owner)}, "
        f"due {i.due})"
        for i in items
        if i.shown_status(today) == "overdue"
    ]


@app.command("log")
def log_cmd(
    path: Annotated[
        Path, typer.Argument(help="Repository folder.", callback=checked_path)
    ] = Path("."),
    db: DbOpt = None,
    limit: Annotated[int, typer.Option(help="Most entries shown.", min=1)] = 50,
    fmt: TextFormat = "terminal",
) -> None:
    """Stored assessments of this subject, newest first."""
    from mlkaizen.store.records import log

    _fmt(fmt)
    key, name = _key(path)
    store = open_db(db, path)
    lines = log(store, key, limit)
    if fmt == "json":
        write_out(json.dumps([asdict(x) for x in lines], indent=2, default=str) + "\n", None)
        return
    if not lines:
        write_out(
            f"no stored assessments of {visible(name)} (save one with `assess --save`)\n", None
        )
        return
    wide = max(len("stage"), *(len(visible(x.stage)) for x in lines))  # columns aligned
    text = [f"{'id':>6}  {'saved':<16}  {'commit':<7}  {'origin':<7}  {'stage':<{wide}}  levels"]
    for x in lines:
        levels = " ".join(f"{visible(k)}={v}" for k, v in x.levels.items())
        sup = f" (supersedes #{x.supersedes})" if x.supersedes else ""
        text.append(
            f"{x.id:>6}  {x.created_at:%Y-%m-%d %H:%M}  {visible((x.commit or '-')[:7]):<7}  "
            f"{visible(x.origin):<7}  {visible(x.stage):<{wide}}  {levels}{sup}{_inputs_note(x)}"
        )
    from mlkaizen.store import plans

    overdue = _overdue_lines(plans.items(store, key))
    write_out("\n".join(text) + "\n" + "".join(s + "\n" for s in overdue), None)


def _inputs_note(x: LogLine) -> str:
    """``; 4 answers by 2 respondents; 2 attestations; target Manual MLOps`` (empty without
    inputs): survey answers counted apart from the config's attestations, as the report's
    "Used 4 answers from alice, bob." does."""
    note = ""
    if x.answers:
        people = "1 respondent" if x.respondents == 1 else f"{x.respondents} respondents"
        note += f"; {x.answers} answer{'s' if x.answers != 1 else ''} by {people}"
    if x.attestations:
        note += f"; {x.attestations} attestation{'s' if x.attestations != 1 else ''}"
    if x.target:
        note += f"; target {visible(x.target)}"
    return note


def _stored_id(text: str) -> int | None:
    match = re.fullmatch(r"#?(\d{1,9})", text.strip())
    return int(match[1]) if match else None


@app.command("diff")
def diff_cmd(
    a: Annotated[
        str, typer.Argument(metavar="A", help="Stored assessment id (#12) or a commit.")
    ],
    b: Annotated[str, typer.Argument(metavar="B", help="Stored assessment id or a commit.")],
    path: Annotated[
        Path,
        typer.Argument(
            metavar="PATH",
            help="Repository, for commits (default: the current one).",
            callback=checked_path,
        ),
    ] = Path("."),
    old_path: DeprecatedPathOpt = None,
    db: DbOpt = None,
    config: ConfigOpt = None,
    catalogue: CatalogueOpt = None,
    allow_repo_catalogue: AllowRepoCatalogueOpt = False,
    fmt: TextFormat = "terminal",
) -> None:
    """What changed between two stored assessments, or two commits (replayed from git)."""
    from mlkaizen.store.diff import compare, render

    _fmt(fmt)
    path = repo_path(path, old_path)
    ids = (_stored_id(a), _stored_id(b))
    if ids[0] is not None and ids[1] is not None:
        from mlkaizen.store import plans
        from mlkaizen.store.records import get

        store = open_db(db)
        before, key = get(store, ids[0])
        after, other = get(store, ids[1])
        if key != other:
            raise MLKaizenError(f"#{ids[0]} and #{ids[1]} are assessments of different subjects")
        open_items = {i.practice: i.id for i in plans.items(store, key) if i.status == "open"}
        write_out(render(compare(before, after, open_items), fmt), None)
        return
    if ids[0] is not None or ids[1] is not None:
        raise MLKaizenError(
            "compare two stored assessments (#12 #15) or two commits, not one of each"
        )
    before, after = _commit_snapshots(
        path, [a, b], RepoRules(config, catalogue, allow_repo_catalogue)
    )
    covered: dict[str, int] = {}
    if db is not None:  # a store named: call out a lost practice its open plan covered
        from mlkaizen.store import plans

        found = plans.items(open_db(db, path), _key(path)[0])
        covered = {i.practice: i.id for i in found if i.status == "open"}
    write_out(render(compare(before, after, covered), fmt), None)


def _commit_snapshots(
    path: Path, revisions: list[str], rules: RepoRules
) -> tuple[Snapshot, Snapshot]:
    from mlkaizen.evidence.gitopen import open_repository
    from mlkaizen.evidence.limits import ScanLimits
    from mlkaizen.history.replay import Replayer
    from mlkaizen.history.timeline import resolve
    from mlkaizen.store.snapshots import snapshot_of

    _, chosen = rules.load(path)
    objects, top, prefix = open_repository(path)
    worker = Replayer(
        objects,
        top,
        prefix,
        catalogue=chosen.catalogue,
        limits=ScanLimits(),
        today=None,
        config=rules.explicit_config(path),
    )
    try:
        snaps = []
        for rev in revisions:
            commit = resolve(objects, [rev])[0]
            seen = worker.assess(commit, full=True)
            if seen.assessment is None:
                raise MLKaizenError(f"commit {commit.short} cannot be assessed: {seen.error}")
            snaps.append(snapshot_of(seen.assessment, commit.short, commit.sha))
    finally:
        worker.close()
    return snaps[0], snaps[1]


@plan_app.command("add")
def plan_add(
    practice: Annotated[
        str,
        typer.Argument(metavar="PRACTICE", help="Practice id, e.g. model.experiment-tracking."),
    ],
    owner: Annotated[str, typer.Option(help="Who owns the step.")],
    due: Annotated[str, typer.Option(help="Due date, YYYY-MM-DD (today or later).")],
    note: Annotated[str, typer.Option(help="What is planned.")] = "",
    path: PlanPathArg = Path("."),
    old_path: DeprecatedPathOpt = None,
    db: DbOpt = None,
    catalogue: CatalogueOpt = None,
) -> None:
    """Plan a step: it is achieved only when a stored assessment shows the evidence."""
    path = repo_path(path, old_path)
    from mlkaizen.catalogues import load_catalogue
    from mlkaizen.store import plans

    try:
        when = dt.date.fromisoformat(due)
    except ValueError:
        raise MLKaizenError(f"--due {due!r}: expected a date YYYY-MM-DD") from None
    known = {p.id for p in load_catalogue(catalogue).practices}
    key, name = _key(path)
    if practice not in known:  # refused before the store is even opened
        raise MLKaizenError(f"unknown practice {practice!r} (see `mlkaizen model show`)")
    store = open_db(db, path)
    _refuse_met(store, key, practice)
    item = plans.add(
        store,
        key=key,
        name=name,
        practice=practice,
        owner=owner,
        due=when,
        note=note,
        known=known,
        today=dt.date.today(),
    )
    write_out(
        f"plan item #{item.id}: {visible(item.practice)}, owner {visible(item.owner)}, "
        f"due {item.due}\n",
        None,
    )


def _refuse_met(store: Store, key: str, practice: str) -> None:
    """A practice the subject's newest stored assessment shows met by evidence is not
    planned (nothing to do); one met only by an attestation may be, to verify it."""
    from mlkaizen.store.plans import how_achieved
    from mlkaizen.store.records import latest_snapshot

    snap = latest_snapshot(store, key)
    how = how_achieved(snap, practice) if snap is not None else None
    if snap is not None and how is not None:
        raise MLKaizenError(
            f"{practice} is already met in the stored assessment {snap.label} ({how}); "
            "nothing to plan"
        )


@plan_app.command("list")
def plan_list(
    path: PlanPathArg = Path("."),
    old_path: DeprecatedPathOpt = None,
    db: DbOpt = None,
    fmt: TextFormat = "terminal",
) -> None:
    """Plan items: open, achieved (by evidence), overdue, abandoned."""
    path = repo_path(path, old_path)
    from mlkaizen.store import plans

    _fmt(fmt)
    key, name = _key(path)
    today = dt.date.today()
    found = plans.items(open_db(db, path), key)
    if fmt == "json":
        rows = [{**asdict(i), "status": i.shown_status(today)} for i in found]
        write_out(json.dumps(rows, indent=2, default=str) + "\n", None)
        return
    if not found:
        write_out(
            f"no plan items for {visible(name)} (add one with `mlkaizen plan add`)\n", None
        )
        return
    lines = []
    for i in found:
        status = i.shown_status(today)
        why = i.achieved_how or i.abandoned_reason or i.note
        lines.append(
            f"#{i.id:<4} {status:<9} {visible(i.practice)}  owner {visible(i.owner)}, "
            f"due {i.due}" + (f"  ({visible(why)})" if why else "")
        )
    write_out("\n".join(lines) + "\n", None)


@plan_app.command("abandon")
def plan_abandon(
    item: Annotated[int, typer.Argument(help="Plan item id.", min=1, max=2**63 - 1)],
    path: PlanPathArg = Path("."),
    reason: Annotated[str, typer.Option(help="Why it is dropped.")] = "",
    old_path: DeprecatedPathOpt = None,
    db: DbOpt = None,
) -> None:
    """Abandon an open plan item of this subject, with a reason (an item is never closed by
    hand)."""
    path = repo_path(path, old_path)
    from mlkaizen.store import plans

    if len(reason.strip()) < 3:
        raise MLKaizenError("--reason is required to abandon a plan item (3 characters or more)")
    key = _key(path)[0]
    done = plans.abandon(open_db(db, path), item, reason, key)
    write_out(f"plan item #{done.id} abandoned: {visible(done.abandoned_reason or '')}\n", None)


@plan_app.command("stats")
def plan_stats(
    path: PlanPathArg = Path("."),
    old_path: DeprecatedPathOpt = None,
    every_subject: Annotated[bool, typer.Option("--all", help="Over every subject.")] = False,
    db: DbOpt = None,
    fmt: TextFormat = "terminal",
) -> None:
    """Planned vs achieved, the median time to achieve, and what is planned but never done."""
    path = repo_path(path, old_path)
    from mlkaizen.store import plans

    _fmt(fmt)
    key = None if every_subject else _key(path)[0]
    s = plans.stats(open_db(db, path), key, dt.date.today())
    if fmt == "json":
        write_out(json.dumps(asdict(s), indent=2) + "\n", None)
        return
    median = "-" if s.median_days_to_achieve is None else f"{s.median_days_to_achieve:g} days"
    lines = [
        f"planned {s.planned}, achieved {s.achieved}, open {s.open} ({s.overdue} overdue), "
        f"abandoned {s.abandoned}",
        f"median time to achieve: {median}",
    ]
    if s.never_achieved:
        lines.append("planned and never achieved (past due or abandoned):")
        lines += [f"  {visible(p)} ({n}x)" for p, n in s.never_achieved[:10]]
    if s.not_yet_due:
        lines.append("planned, not due yet:")
        lines += [f"  {visible(p)} ({n}x)" for p, n in s.not_yet_due[:10]]
    write_out("\n".join(lines) + "\n", None)
