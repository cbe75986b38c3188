"""`mlkaizen serve`, `user`, `token` and `push`: the self-hosted server, the people and CI
that use it, and an assessment uploaded to it.

The server's own modules come with the ``server`` extra and are imported only here, by the
commands that need them; ``push`` needs only httpx (the base install)."""

from __future__ import annotations

import errno
import os
import signal
import socket
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from mlkaizen.cli.common import (
    HELP,
    AllowRepoCatalogueOpt,
    CatalogueOpt,
    ConfigOpt,
    DbOpt,
    NoCacheOpt,
    PathArg,
    QuietOpt,
    app,
    with_progress,
)
from mlkaizen.errors import MLKaizenError
from mlkaizen.report.escape import visible

if TYPE_CHECKING:
    from mlkaizen.store.accounts import Org
    from mlkaizen.store.db import Store

user_app = typer.Typer(context_settings=HELP, no_args_is_help=True,
                       help="The people who sign in to the server, and their roles.")
app.add_typer(user_app, name="user")
token_app = typer.Typer(context_settings=HELP, no_args_is_help=True,
                        help="API tokens for CI (`mlkaizen push`), one organisation each.")
app.add_typer(token_app, name="token")

OrgOpt = Annotated[str, typer.Option("--org", metavar="ORG", help="Organisation (slug).")]
RoleHelp = "viewer (reads), assessor (also uploads, answers, plans) or admin (also manages)."


def _say(message: str, quiet: bool = False) -> None:
    """One line for the person at the terminal, on stderr (standard output keeps only what
    a script captures)."""
    if not quiet:
        sys.stderr.write(f"mlkaizen: {visible(message)}\n")


def _warn(message: str) -> None:
    sys.stderr.write(f"mlkaizen: warning: {visible(message)}\n")


def _store(db: str | None, what: str) -> Store:
    """The server's store for a command, with the server extra checked first."""
    from mlkaizen.server.cli_support import open_server_store, require_extra

    require_extra(what=what)  # passwords and tokens are made by the server's modules
    store, note = open_server_store(db)
    if note is not None:
        _say(note)
    return store


def _existing_org(store: Store, slug: str) -> Org:
    from mlkaizen.store import accounts

    accounts.check_slug(slug)
    found = accounts.org(store, slug)
    if found is None:
        raise MLKaizenError(
            f"no organisation {slug!r} (`mlkaizen user add NAME --org {slug}` creates it)"
        )
    return found


def _table(header: list[str], rows: list[list[str]]) -> str:
    cells = [header, *[[visible(c) for c in row] for row in rows]]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    return "".join(
        "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() + "\n"
        for r in cells
    )


# -- serve --------------------------------------------------------------------------------


def _bind(host: str, port: int) -> socket.socket:
    """The listening socket, bound as uvicorn binds it (so a port in use is one line here,
    and ``--port 0`` picks a free one)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family=family, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host.strip("[]"), port))
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise MLKaizenError(
                f"port {port} on {host} is in use: stop what listens there, or give "
                "another with --port"
            ) from None
        raise MLKaizenError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    sock.set_inheritable(True)
    return sock


@app.command()
def serve(
    host: Annotated[
        str, typer.Option(metavar="ADDRESS",
                          help="Address to listen on (default: this machine only).")
    ] = "127.0.0.1",
    port: Annotated[
        int, typer.Option(min=0, max=65535, metavar="N",
                          help="Port to listen on (0: any free one).")
    ] = 8000,
    db: DbOpt = None,
    workers: Annotated[
        int, typer.Option(min=1, max=64, metavar="N",
                          help="Worker processes (each with its own pool).")
    ] = 1,
    upgrade: Annotated[
        bool,
        typer.Option(
            "--upgrade",
            help="Bring a store written by an older version up to this version's schema "
            "(back it up first).",
        ),
    ] = False,
    forwarded_allow_ips: Annotated[
        str | None,
        typer.Option(
            "--forwarded-allow-ips",
            metavar="ADDRESSES",
            help="Reverse proxies trusted for X-Forwarded-Proto/-For, comma-separated "
            "(default: 127.0.0.1); through them, https makes the cookies Secure.",
        ),
    ] = None,
    schedule: Annotated[
        bool,
        typer.Option(
            "--schedule/--no-schedule",
            help="Start the scan schedules' runs (`mlkaizen fleet schedule`) when due; turn "
            "it off where Celery beat starts them.",
        ),
    ] = True,
) -> None:
    """Run the server: the web UI and the REST API (/api/v1) over the store."""
    from mlkaizen.push import is_loopback
    from mlkaizen.server.cli_support import open_server_store, require_extra

    require_extra(what="`mlkaizen serve`")
    store, note = open_server_store(db, upgrade=upgrade)
    try:
        if note is not None:
            _say(note)
        if not is_loopback(host):
            _warn(
                f"listening on {host}, beyond this machine: serve it behind a reverse proxy "
                "that terminates TLS, and trust that proxy with --forwarded-allow-ips so "
                "that cookies are marked Secure when it says https"
            )
        sock = _bind(host, port)
        shown_host = f"[{host.strip('[]')}]" if ":" in host else host
        url = f"http://{shown_host}:{sock.getsockname()[1]}"
        from mlkaizen.store.common import shown

        sys.stdout.write(f"Serving MLKaizen on {url} (store {visible(shown(store.url))}); "
                         "stop with Ctrl+C\n")
        sys.stdout.flush()
        _run(store, sock, workers, forwarded_allow_ips, schedule)
    finally:
        store.close()


@contextmanager
def _stopped_quietly() -> Iterator[None]:
    """Ctrl+C or SIGTERM stop the server (uvicorn shuts down gracefully, then hands the
    signal back): a stop asked for, exit 0, as the supervisor of ``--workers N`` does."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    stops = (signal.SIGINT, signal.SIGTERM)
    before = {sig: signal.signal(sig, lambda *_: None) for sig in stops}
    try:
        yield
    finally:
        for sig, handler in before.items():
            signal.signal(sig, handler)


def _run(store: Store, sock: socket.socket, workers: int, forwarded: str | None,
         schedule: bool) -> None:
    import uvicorn

    from mlkaizen.server.cli_support import WORKER_DB_ENV, WORKER_SCHEDULE_ENV

    # the lifespan starts and stops the scan scheduler
    options: dict[str, Any] = {"proxy_headers": True, "lifespan": "on",
                               "server_header": False}
    if forwarded is not None:
        options["forwarded_allow_ips"] = forwarded
    try:
        if workers == 1:
            from mlkaizen.server.app import create_app

            server = uvicorn.Server(uvicorn.Config(create_app(store, schedule=schedule),
                                                   **options))
            with _stopped_quietly():
                server.run(sockets=[sock])
            return
        from uvicorn.supervisors import Multiprocess

        os.environ[WORKER_DB_ENV] = store.url  # for the workers, which open it themselves
        os.environ[WORKER_SCHEDULE_ENV] = "1" if schedule else "0"
        config = uvicorn.Config("mlkaizen.server.cli_support:app_from_environment",
                                factory=True, workers=workers, **options)
        Multiprocess(config, sockets=[sock]).run()
    finally:
        sock.close()


# -- users --------------------------------------------------------------------------------


@user_app.command("add")
def user_add(
    name: Annotated[str, typer.Argument(metavar="NAME", help="User name (sign-in).")],
    org: OrgOpt,
    role: Annotated[
        str | None,
        typer.Option(metavar="ROLE", help=RoleHelp + " Default: viewer for a new member, "
                     "the role they have for a member."),
    ] = None,
    db: DbOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Add a user (or reset one's password) with a one-time password, and grant a role.

    The password is printed once, alone on standard output; the user chooses their own at
    the first sign-in."""
    from mlkaizen.store import accounts

    if role is not None:
        accounts.check_role(role)
    accounts.check_slug(org)
    if not accounts.USERNAME.match(name):
        raise MLKaizenError(
            f"user name {name!r}: use letters, digits, '.', '_' and '-' (at most 63)"
        )
    store = _store(db, "`mlkaizen user`")
    try:
        from mlkaizen.server.auth import hash_password, new_password

        o, new_org = accounts.ensure_org(store, org)
        if new_org:
            _say(f"created the organisation {o.slug}", quiet)
        password = new_password()
        u, created = accounts.add_user(store, name, hash_password(password), must_change=True)
        if not created:
            _end_sessions(store, u.id)  # a reset password signs the user out everywhere
        role = role or u.roles.get(o.slug) or "viewer"
        accounts.grant(store, u.id, o.id, role)
        did = "added the user" if created else "reset the password of"
        _say(f"{did} {u.username}, {role} in {o.slug}; their one-time password (shown only "
             "now; they choose their own at the first sign-in):", quiet)
        sys.stdout.write(password + "\n")
    finally:
        store.close()


def _end_sessions(store: Store, user_id: int) -> None:
    from sqlalchemy import delete

    from mlkaizen.store.tables import SessionRow

    with store.session() as session:
        session.execute(delete(SessionRow).where(SessionRow.user_id == user_id))


@user_app.command("list")
def user_list(
    org: Annotated[
        str | None, typer.Option("--org", metavar="ORG", help="Only this organisation's.")
    ] = None,
    db: DbOpt = None,
) -> None:
    """The users, their roles, and whose password is still a one-time one."""
    from sqlalchemy import select

    from mlkaizen.store.tables import MembershipRow, OrgRow, UserRow

    store = _store(db, "`mlkaizen user`")
    try:
        only = _existing_org(store, org) if org is not None else None
        with store.session() as session:
            query = (
                select(UserRow.username, OrgRow.slug, MembershipRow.role, UserRow.must_change,
                       UserRow.disabled)
                .join(MembershipRow, MembershipRow.user_id == UserRow.id, isouter=True)
                .join(OrgRow, OrgRow.id == MembershipRow.org_id, isouter=True)
                .order_by(UserRow.username, OrgRow.slug)
            )
            if only is not None:
                query = query.where(MembershipRow.org_id == only.id)
            rows = session.execute(query).all()
        if not rows:
            where = f" in {only.slug}" if only is not None else ""
            sys.stdout.write(f"no users{where} (add one with `mlkaizen user add`)\n")
            return
        table = [
            [user, slug or "-", role or "-",
             "disabled" if disabled else "one-time" if must_change else "set"]
            for user, slug, role, must_change, disabled in rows
        ]
        sys.stdout.write(_table(["user", "organisation", "role", "password"], table))
    finally:
        store.close()


# -- tokens -------------------------------------------------------------------------------


@token_app.command("create")
def token_create(
    org: OrgOpt,
    name: Annotated[str, typer.Option("--name", metavar="NAME", help="What it is for (ci).")],
    role: Annotated[str, typer.Option(metavar="ROLE", help=RoleHelp)] = "assessor",
    db: DbOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Create an API token and print its secret once, alone on standard output
    (TOKEN=$(mlkaizen token create --org acme --name ci -q))."""
    from mlkaizen.store import accounts

    accounts.check_role(role)
    label = name.strip()
    if not label or len(label) > 128 or not label.isprintable():
        raise MLKaizenError("--name: give 1 to 128 printable characters")
    store = _store(db, "`mlkaizen token`")
    try:
        from mlkaizen.server.auth import new_token_secret

        o = _existing_org(store, org)
        secret = new_token_secret()
        t = accounts.add_token(store, o.id, label, secret, role)
        _say(f"created token #{t.id} {t.name!r}, {t.role} in {o.slug}; its secret, shown "
             "only now (keep it as the CI secret MLKAIZEN_TOKEN for `mlkaizen push`, or send "
             "it as Authorization: Bearer ...):", quiet)
        sys.stdout.write(secret + "\n")
    finally:
        store.close()


def _when(value: Any) -> str:
    return "-" if value is None else f"{value:%Y-%m-%d %H:%M}"


@token_app.command("list")
def token_list(org: OrgOpt, db: DbOpt = None) -> None:
    """An organisation's tokens (never their secrets)."""
    from mlkaizen.store import accounts

    store = _store(db, "`mlkaizen token`")
    try:
        o = _existing_org(store, org)
        found = accounts.tokens(store, o.id)
        if not found:
            sys.stdout.write(f"no tokens in {o.slug} (create one with `mlkaizen token "
                             "create`)\n")
            return
        rows = [
            [str(t.id), t.name, t.prefix + "...", t.role, _when(t.created_at),
             _when(t.last_used_at), "revoked" if t.revoked else "-"]
            for t in found
        ]
        sys.stdout.write(_table(
            ["id", "name", "prefix", "role", "created (UTC)", "last used", "revoked"], rows))
    finally:
        store.close()


@token_app.command("revoke")
def token_revoke(
    token_id: Annotated[int, typer.Argument(metavar="ID", help="The token's id (token list).")],
    org: OrgOpt,
    db: DbOpt = None,
) -> None:
    """Revoke a token: it is refused from now on."""
    from mlkaizen.store import accounts

    store = _store(db, "`mlkaizen token`")
    try:
        o = _existing_org(store, org)
        before = next((t for t in accounts.tokens(store, o.id) if t.id == token_id), None)
        if before is None or not accounts.revoke_token(store, o.id, token_id):
            raise MLKaizenError(f"no token #{token_id} in {o.slug} (see `mlkaizen token list "
                                f"--org {o.slug}`)")
        if before.revoked:
            sys.stdout.write(f"token #{token_id} {before.name!r} of {o.slug} was already "
                             "revoked\n")
        else:
            sys.stdout.write(f"revoked token #{token_id} {before.name!r} of {o.slug}\n")
    finally:
        store.close()


# -- push ---------------------------------------------------------------------------------


@app.command()
def push(
    path: PathArg = Path("."),
    server: Annotated[
        str,
        typer.Option("--server", metavar="URL", envvar="MLKAIZEN_SERVER",
                     help="The server's URL, e.g. https://mlkaizen.example.com."),
    ] = "",
    report: Annotated[
        Path | None,
        typer.Option("--report", metavar="FILE.json",
                     help="Upload this JSON report (`assess -f json`) instead of assessing "
                     "PATH."),
    ] = None,
    org: Annotated[
        str | None,
        typer.Option("--org", metavar="ORG",
                     help="Organisation (default: MLKAIZEN_ORG, else the token's own)."),
    ] = None,
    subject: Annotated[
        str | None,
        typer.Option("--subject", metavar="KEY",
                     help="The subject's key on the server (default: the origin remote, "
                     "e.g. github.com/acme/churn, else the folder's name)."),
    ] = None,
    name: Annotated[
        str | None, typer.Option(metavar="NAME", help="Display name (default: the report's).")
    ] = None,
    team: Annotated[str | None, typer.Option(metavar="TEAM", help="The owning team.")] = None,
    target: Annotated[
        str | None, typer.Option(metavar="STAGE", help="The stage the use case needs.")
    ] = None,
    link_base: Annotated[
        str | None,
        typer.Option(metavar="URL", help="URL prefix for evidence links on the server, e.g. "
                     "https://github.com/o/r/blob/<sha>/"),
    ] = None,
    config: ConfigOpt = None,
    catalogue: CatalogueOpt = None,
    allow_repo_catalogue: AllowRepoCatalogueOpt = False,
    scope: Annotated[
        str | None, typer.Option(metavar="SUBDIR", help="Assess only this sub-folder.")
    ] = None,
    answers: Annotated[
        list[Path] | None,
        typer.Option("--answers", metavar="FILE|DIR",
                     help="Answers file or folder (repeatable; default: "
                     "PATH/.mlkaizen/answers/)."),
    ] = None,
    no_cache: NoCacheOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Upload an assessment to a server: PATH assessed as `assess` does, or a JSON report.

    The API token is read from MLKAIZEN_TOKEN only (never a flag: it would show in process
    lists and CI logs). Retried uploads never duplicate (an Idempotency-Key)."""
    from mlkaizen import push as client

    token = client.token_from_environment(dict(os.environ))
    if not server:
        raise MLKaizenError("give the server with --server URL (or MLKAIZEN_SERVER)")
    base = client.check_http_url(server, "--server")
    warning = client.plain_http_warning(base)
    if warning is not None:
        _warn(warning)
    if link_base is not None:
        client.check_http_url(link_base, "--link-base")
    chosen_org = org or os.environ.get(client.ORG_ENV) or None
    if chosen_org is not None:
        from mlkaizen.store.accounts import check_slug

        check_slug(chosen_org)
    if report is not None:
        ignored = [flag for flag, value in (
            ("--config", config), ("--catalogue", catalogue), ("--scope", scope),
            ("--answers", answers), ("--allow-repo-catalogue", allow_repo_catalogue))
            if value]
        if ignored:
            raise MLKaizenError(f"{', '.join(ignored)}: for assessing PATH; --report uploads "
                                "the report as it is (give one or the other)")
        data = client.read_report(report)
        fallback = str(data.get("subject", {}).get("name") or path.resolve().name)
    else:
        data = _assess(path, config, catalogue, allow_repo_catalogue, scope, answers, no_cache,
                       quiet)
        fallback = str(data["subject"]["name"])
    scoped = scope if report is None else data.get("subject", {}).get("scope")
    key, source = client.subject_key(path, subject, fallback, scoped)
    _say(f"subject {key} (from {source})", quiet)
    body = {
        "subject": {"key": key, "name": name or data.get("subject", {}).get("name") or key,
                    "team": team, "target": target},
        "link_base": link_base,
        "assessment": data,
    }
    http = client.Client(base, token)
    try:
        slug = chosen_org or http.the_org()
        done = http.upload(slug, body, client.idempotency_key(key, data))
    finally:
        http.close()
    what = "Already uploaded:" if done.replayed else "Uploaded assessment"
    sys.stdout.write(visible(f"{what} #{done.id} of {key}: {done.stage} — {done.page}") + "\n")


def _assess(
    path: Path,
    config: Path | None,
    catalogue: str | None,
    allow_repo_catalogue: bool,
    scope: str | None,
    answers: list[Path] | None,
    no_cache: bool,
    quiet: bool,
) -> dict[str, Any]:
    """PATH assessed as `mlkaizen assess PATH -f json` does (the same config, catalogue,
    answers and scope), as the JSON report's data."""
    import json

    from mlkaizen.api import assess_judged, in_repository_terms, repository_prefix
    from mlkaizen.cli.common import use_fact_cache
    from mlkaizen.engine.model import ScanWarning
    from mlkaizen.inputs import answers_to_use

    use_fact_cache(no_cache, None)
    found, notes = answers_to_use(path, answers)
    assessment, _ = with_progress(
        lambda cb: assess_judged(
            path,
            catalogue=catalogue,
            config_path=config,
            scope=scope,
            answers=list[str | Path](found or []),
            progress=cb,
            allow_repo_catalogue=allow_repo_catalogue,
        ),
        quiet,
    )
    assessment.warnings += [ScanWarning(kind="answers", message=m) for m in notes]
    if scope is None:  # a sub-folder of a repository: said so, as `assess` says it
        from mlkaizen.cli.assess_cmd import _name_the_top

        _name_the_top(assessment, path, quiet)
    in_repository_terms(assessment, repository_prefix(path, assessment))
    data: dict[str, Any] = json.loads(assessment.model_dump_json())
    return data
