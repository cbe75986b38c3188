"""``mlkaizen user``, ``token`` and ``serve`` through the real command line: exact lines and
exit codes, the store's schema judged at start-up (empty, behind, ahead, unreachable), a port
in use, the server extra missing, and the server run for real in a process of its own."""

from __future__ import annotations

import datetime as dt
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text

from mlkaizen.cli import main
from mlkaizen.server.auth import verify_password
from mlkaizen.store import accounts
from mlkaizen.store.common import shown
from mlkaizen.store.db import open_store
from mlkaizen.store.migrate import SCHEMA_HEAD
from tests.server.live import free_port, live_server

ONE_TIME = re.compile(r"^[A-Za-z0-9_-]{20}\n$")
SECRET = re.compile(r"^mlk_[A-Za-z0-9_-]{43}\n$")


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """``mlkaizen ARGS`` in this process: exit code, stdout, stderr."""
    with pytest.raises(SystemExit) as exc:
        main(args)
    out = capsys.readouterr()
    return int(exc.value.code or 0), out.out, out.err


def _revision(url: str) -> str:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return str(conn.execute(text("SELECT version_num FROM alembic_version")).scalar())
    finally:
        engine.dispose()


def _store_at(url: str, revision: str) -> None:
    """A store written by an older version: the schema up to ``revision`` only."""
    from alembic import command

    from mlkaizen.store.migrate import _config

    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url)
    with engine.begin() as conn:
        cfg = _config()
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
    engine.dispose()


# -- user and token ------------------------------------------------------------------------


def test_user_add_prints_a_one_time_password_once_and_list_shows_the_roles(
        db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["user", "add", "maria", "--org", "acme", "--role", "admin",
                          "--db", db_url], capsys)
    assert code == 0
    assert ONE_TIME.match(out), out
    where = f"store {shown(db_url)}"
    created = f"mlkaizen: created the {where} at schema revision '{SCHEMA_HEAD}'\n"
    assert err == (
        created
        + "mlkaizen: created the organisation acme\n"
        "mlkaizen: added the user maria, admin in acme; their one-time password (shown only "
        "now; they choose their own at the first sign-in):\n"
    )
    first = out.strip()
    store = open_store(db_url)
    try:
        found = accounts.password_hash(store, "maria")
        assert found is not None and verify_password(found[1], first)
        u = accounts.user(store, "maria")
        assert u is not None and (u.must_change, u.roles) == (True, {"acme": "admin"})
        accounts.add_session(store, u.id, "browser-1", "csrf", dt.timedelta(hours=1))
        assert accounts.session_of(store, "browser-1") is not None
        # again: a new password, the old one no longer valid, the role kept (no --role)
        code, out, err = run(["user", "add", "maria", "--org", "acme", "--db", db_url, "-q"],
                             capsys)
        assert (code, err) == (0, "")
        assert ONE_TIME.match(out) and out.strip() != first
        found = accounts.password_hash(store, "maria")
        assert found is not None and not verify_password(found[1], first)
        assert verify_password(found[1], out.strip())
        assert accounts.user(store, "maria").roles == {"acme": "admin"}  # type: ignore[union-attr]
        assert accounts.session_of(store, "browser-1") is None  # signed out everywhere
        # an explicit --role changes it
        assert run(["user", "add", "maria", "--org", "acme", "--role", "assessor", "--db",
                    db_url, "-q"], capsys)[0] == 0
        assert accounts.user(store, "maria").roles == {  # type: ignore[union-attr]
            "acme": "assessor"}
    finally:
        store.close()
    assert run(["user", "add", "bo", "--org", "beta", "--db", db_url, "-q"], capsys)[0] == 0
    code, out, err = run(["user", "list", "--db", db_url], capsys)
    assert (code, err) == (0, "")
    assert out == (
        "user   organisation  role      password\n"
        "bo     beta          viewer    one-time\n"
        "maria  acme          assessor  one-time\n"
    )
    code, out, _ = run(["user", "list", "--org", "beta", "--db", db_url], capsys)
    assert out == "user  organisation  role    password\nbo    beta          viewer  one-time\n"


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["user", "add", "maria", "--org", "acme", "--role", "owner"],
         "role 'owner': expected one of viewer, assessor, admin"),
        (["user", "add", "maria", "--org", "Acme Inc"],
         "organisation 'Acme Inc': use lower-case letters, digits and '-' (at most 63)"),
        (["user", "add", "<b>", "--org", "acme"],
         "user name '<b>': use letters, digits, '.', '_' and '-' (at most 63)"),
        (["token", "create", "--org", "nope", "--name", "ci"],
         "no organisation 'nope' (`mlkaizen user add NAME --org nope` creates it)"),
        (["token", "create", "--org", "acme", "--name", "ci", "--role", "root"],
         "role 'root': expected one of viewer, assessor, admin"),
        (["token", "create", "--org", "acme", "--name", " "],
         "--name: give 1 to 128 printable characters"),
        (["token", "revoke", "7", "--org", "acme"],
         "no token #7 in acme (see `mlkaizen token list --org acme`)"),
        (["user", "list", "--org", "nope"],
         "no organisation 'nope' (`mlkaizen user add NAME --org nope` creates it)"),
    ],
    ids=["role", "slug", "username", "unknown-org", "token-role", "token-name", "revoke",
         "list-org"],
)
def test_bad_input_to_user_and_token_is_one_line(args: list[str], line: str, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    db = f"sqlite:///{tmp_path / 's.db'}"
    assert run(["user", "add", "ann", "--org", "acme", "--db", db, "-q"], capsys)[0] == 0
    code, out, err = run([*args, "--db", db], capsys)
    assert (code, out, err) == (2, "", f"mlkaizen: error: {line}\n")
    store = open_store(db)
    try:  # nothing stored by a refused command
        assert [o.slug for o in accounts.orgs(store)] == ["acme", "default"]
        assert accounts.user(store, "maria") is None
        assert accounts.tokens(store, accounts.org(store, "acme").id) == []  # type: ignore[union-attr]
    finally:
        store.close()


def test_token_create_prints_the_secret_alone_list_never_shows_it_and_revoke(
        db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["user", "add", "ann", "--org", "acme", "--db", db_url, "-q"], capsys)[0] == 0
    code, out, err = run(["token", "create", "--org", "acme", "--name", "ci", "--db", db_url],
                         capsys)
    assert code == 0 and SECRET.match(out), out
    assert err == (
        "mlkaizen: created token #1 'ci', assessor in acme; its secret, shown only now (keep "
        "it as the CI secret MLKAIZEN_TOKEN for `mlkaizen push`, or send it as "
        "Authorization: Bearer ...):\n"
    )
    secret = out.strip()
    code, out, err = run(["token", "create", "--org", "acme", "--name", "read-only", "--role",
                          "viewer", "--db", db_url, "-q"], capsys)
    assert (code, err) == (0, "") and SECRET.match(out)
    code, listed, err = run(["token", "list", "--org", "acme", "--db", db_url], capsys)
    assert (code, err) == (0, "")
    assert secret not in listed and out.strip() not in listed
    lines = listed.splitlines()
    assert lines[0].split() == ["id", "name", "prefix", "role", "created", "(UTC)", "last",
                                "used", "revoked"]
    first = lines[1].split()
    assert (first[:4], first[6:]) == (["1", "ci", secret[:12] + "...", "assessor"],
                                      ["-", "-"])  # never used, not revoked
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", " ".join(first[4:6]))
    assert lines[2].split()[:4] == ["2", "read-only", out[:12] + "...", "viewer"]
    store = open_store(db_url)
    try:
        assert accounts.token_for(store, secret) is not None
        assert run(["token", "revoke", "1", "--org", "acme", "--db", db_url], capsys) == (
            0, "revoked token #1 'ci' of acme\n", "")
        assert accounts.token_for(store, secret) is None
        assert accounts.token_for(store, out.strip()) is not None  # the other one lives on
        assert run(["token", "revoke", "1", "--org", "acme", "--db", db_url], capsys) == (
            0, "token #1 'ci' of acme was already revoked\n", "")
        # near miss: another organisation's token id is not found in this one
        assert run(["user", "add", "bo", "--org", "beta", "--db", db_url, "-q"], capsys)[0] == 0
        assert run(["token", "revoke", "2", "--org", "beta", "--db", db_url], capsys) == (
            2, "", "mlkaizen: error: no token #2 in beta (see `mlkaizen token list --org "
            "beta`)\n")
        assert accounts.token_for(store, out.strip()) is not None
    finally:
        store.close()
    assert run(["token", "list", "--org", "beta", "--db", db_url], capsys) == (
        0, "no tokens in beta (create one with `mlkaizen token create`)\n", "")


def test_a_printed_token_is_accepted_by_a_live_server(
        sqlite_store: object, capsys: pytest.CaptureFixture[str]) -> None:
    from mlkaizen.store.db import Store

    assert isinstance(sqlite_store, Store)
    db = sqlite_store.url
    assert run(["user", "add", "maria", "--org", "acme", "--role", "admin", "--db", db, "-q"],
               capsys)[0] == 0
    code, out, _ = run(["token", "create", "--org", "acme", "--name", "ci", "--db", db, "-q"],
                       capsys)
    assert code == 0
    with live_server(sqlite_store) as url:
        good = httpx.get(url + "/api/v1/orgs", headers={"Authorization": f"Bearer {out.strip()}"})
        assert (good.status_code, good.json()) == (
            200, {"items": [{"slug": "acme", "role": "assessor"}]})
        assert run(["token", "revoke", "1", "--org", "acme", "--db", db], capsys)[0] == 0
        gone = httpx.get(url + "/api/v1/orgs", headers={"Authorization": f"Bearer {out.strip()}"})
        assert gone.status_code == 401


# -- serve: refusals ------------------------------------------------------------------------


def test_serve_refuses_a_store_behind_and_says_how_to_upgrade(
        db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    _store_at(db_url, "0002")
    code, out, err = run(["serve", "--db", db_url, "--port", "0"], capsys)
    assert (code, out) == (2, "")
    assert err == (
        f"mlkaizen: error: store {shown(db_url)} is at schema revision '0002', behind this "
        f"mlkaizen's '{SCHEMA_HEAD}': back it up, then run `mlkaizen serve --upgrade` to bring "
        "it up to date\n"
    )
    assert _revision(db_url) == "0002"  # untouched
    # the other commands of the server refuse it the same way
    code, out, err2 = run(["user", "list", "--db", db_url], capsys)
    assert (code, out, err2) == (2, "", err)


def test_serve_refuses_a_store_ahead_and_never_touches_it(
        db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    open_store(db_url).close()
    engine = create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0099_future'"))
    engine.dispose()
    code, out, err = run(["serve", "--db", db_url, "--port", "0"], capsys)
    assert (code, out) == (2, "")
    assert err == (
        f"mlkaizen: error: store {shown(db_url)} is at schema revision '0099_future', newer "
        f"than this mlkaizen knows (up to '{SCHEMA_HEAD}'): upgrade mlkaizen to use it\n"
    )
    assert _revision(db_url) == "0099_future"


def test_serve_says_so_in_one_line_when_the_database_is_unreachable(
        capsys: pytest.CaptureFixture[str]) -> None:
    port = free_port()  # nothing listens there
    url = f"postgresql+psycopg://mlk:secret-pw@127.0.0.1:{port}/mlkaizen"
    code, out, err = run(["serve", "--db", url, "--port", "0"], capsys)
    assert (code, out) == (2, "")
    assert err.count("\n") == 1 and "secret-pw" not in err
    assert err.startswith(f"mlkaizen: error: store postgresql+psycopg://mlk:***@127.0.0.1:"
                          f"{port}/mlkaizen: connection failed: ")
    assert err.endswith("Connection refused; check the URL (--db or MLKAIZEN_DB) and that the "
                        "database is up\n")


def test_serve_says_so_in_one_line_when_the_port_is_in_use(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, out, err = run(["serve", "--db", f"sqlite:///{tmp_path / 's.db'}", "--port",
                              str(port)], capsys)
    assert (code, out) == (2, "")
    assert err.endswith(  # after the note that the empty store was created
        f"mlkaizen: error: port {port} on 127.0.0.1 is in use: stop what listens there, or "
        "give another with --port\n")
    assert err.count("\n") == 2


@pytest.mark.parametrize(
    ("blocked", "args", "line"),
    [
        ("uvicorn", ["serve", "--port", "0"],
         "`mlkaizen serve` needs the server extra (uvicorn is not installed): "
         "pip install 'mlkaizen[server]'"),
        ("argon2", ["user", "add", "maria", "--org", "acme"],
         "`mlkaizen user` needs the server extra (argon2 is not installed): "
         "pip install 'mlkaizen[server]'"),
        ("fastapi", ["token", "list", "--org", "acme"],
         "`mlkaizen token` needs the server extra (fastapi is not installed): "
         "pip install 'mlkaizen[server]'"),
    ],
    ids=["serve", "user", "token"],
)
def test_without_the_server_extra_one_line_says_what_to_install(
        blocked: str, args: list[str], line: str, tmp_path: Path) -> None:
    # the module made unimportable in a process of its own, as if never installed
    probe = (f"import sys\nsys.modules[{blocked!r}] = None\n"
             "from mlkaizen.cli import main\nmain(sys.argv[1:])\n")
    db = tmp_path / "s.db"
    done = subprocess.run([sys.executable, "-c", probe, *args, "--db", f"sqlite:///{db}"],
                          capture_output=True, text=True, check=False)
    assert (done.returncode, done.stdout, done.stderr) == (2, "", f"mlkaizen: error: {line}\n")
    assert not db.exists()  # refused before the store was opened


# -- serve: for real ---------------------------------------------------------------------------


def _serve(args: list[str], log: Path) -> tuple[subprocess.Popen[str], str]:
    """``mlkaizen serve ARGS`` in a process of its own, and the URL it printed."""
    env = {k: v for k, v in os.environ.items() if k != "MLKAIZEN_DB"}
    with log.open("w") as err:  # the child keeps its own copy of the file
        proc = subprocess.Popen([sys.executable, "-m", "mlkaizen", "serve", "--port", "0",
                                 *args], stdout=subprocess.PIPE, stderr=err, text=True, env=env)
    assert proc.stdout is not None
    line = proc.stdout.readline()  # the first line, once it listens (empty if it died)
    found = re.match(r"^Serving MLKaizen on (http://127\.0\.0\.1:\d+) \(store (.+)\); stop "
                     r"with Ctrl\+C\n$", line)
    if found is None:
        proc.kill()
        proc.wait()
        raise AssertionError(f"{line!r}; {log.read_text()}")
    return proc, found[1]


def _until_healthy(url: str) -> None:
    for _ in range(500):  # a count of polls, not a clock
        try:
            if httpx.get(url + "/healthz", timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.02)
    raise AssertionError(f"{url} never answered /healthz")


def _stop(proc: subprocess.Popen[str]) -> int:
    proc.terminate()
    code = proc.wait()
    assert proc.stdout is not None
    proc.stdout.close()
    return code


def test_serve_creates_a_fresh_store_and_serves_the_api(db_url: str, tmp_path: Path) -> None:
    log = tmp_path / "serve.log"
    proc, url = _serve(["--db", db_url], log)
    try:
        _until_healthy(url)
        spec = httpx.get(url + "/api/v1/openapi.json")
        assert (spec.status_code, spec.json()["info"]["title"]) == (200, "MLKaizen")
        assert "/api/v1/orgs" in spec.json()["paths"]
        anonymous = httpx.get(url + "/api/v1/orgs")
        assert anonymous.status_code == 401
        login = httpx.get(url + "/login")
        assert "<h1>Sign in</h1>" in login.text
    finally:
        code = _stop(proc)
    assert code == 0  # a stop asked for: uvicorn shut down gracefully
    err = log.read_text()
    assert err.splitlines()[0] == (
        f"mlkaizen: created the store {shown(db_url)} at schema revision '{SCHEMA_HEAD}'")
    assert "warning" not in err  # loopback: nothing to warn about
    assert _revision(db_url) == SCHEMA_HEAD


def test_serve_upgrades_an_old_store_when_asked_and_runs_workers(
        db_url: str, tmp_path: Path) -> None:
    _store_at(db_url, "0002")
    log = tmp_path / "serve.log"
    proc, url = _serve(["--db", db_url, "--upgrade", "--workers", "2"], log)
    try:
        _until_healthy(url)
        for _ in range(4):  # whichever worker answers, over the upgraded store
            r = httpx.get(url + "/api/v1/openapi.json")
            assert r.status_code == 200
            assert httpx.get(url + "/api/v1/orgs").json() == {
                "error": "sign in, or send an API token: Authorization: Bearer mlk_..."}
    finally:
        code = _stop(proc)
    assert code == 0
    err = log.read_text()
    assert err.splitlines()[0] == (
        f"mlkaizen: upgraded the store {shown(db_url)} from schema revision '0002' to "
        f"'{SCHEMA_HEAD}'")
    assert _revision(db_url) == SCHEMA_HEAD


def test_serve_warns_once_when_asked_to_listen_beyond_this_machine(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = f"sqlite:///{tmp_path / 's.db'}"
    open_store(db).close()
    with socket.socket() as taken:  # taken: the warning is given, nothing ever listens
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, out, err = run(["serve", "--host", "0.0.0.0", "--port", str(port), "--db", db],
                             capsys)
    assert (code, out) == (2, "")
    assert err == (
        "mlkaizen: warning: listening on 0.0.0.0, beyond this machine: serve it behind a "
        "reverse proxy that terminates TLS, and trust that proxy with --forwarded-allow-ips so "
        "that cookies are marked Secure when it says https\n"
        f"mlkaizen: error: port {port} on 0.0.0.0 is in use: stop what listens there, or give "
        "another with --port\n"
    )
    # near miss: loopback names warn of nothing
    for host in ("localhost", "127.0.0.2", "::1"):
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as taken:
            taken.bind((host, 0))
            taken.listen()
            code, _, err = run(["serve", "--host", host, "--port",
                                str(taken.getsockname()[1]), "--db", db], capsys)
        assert code == 2 and "warning" not in err, err


@pytest.mark.parametrize(("trusted", "secure"), [(None, True), ("10.1.2.3", False)],
                         ids=["proxy-trusted", "proxy-not-trusted"])
def test_cookies_are_secure_when_a_trusted_proxy_says_https(
        trusted: str | None, secure: bool, tmp_path: Path) -> None:
    log = tmp_path / "serve.log"
    extra = [] if trusted is None else ["--forwarded-allow-ips", trusted]
    proc, url = _serve(["--db", f"sqlite:///{tmp_path / 's.db'}", *extra], log)
    try:
        _until_healthy(url)
        page = httpx.get(url + "/login", headers={"X-Forwarded-Proto": "https"})
        assert ("; secure" in page.headers["set-cookie"].lower()) is secure
        plain = httpx.get(url + "/login")  # no proxy header: never Secure
        assert "; secure" not in plain.headers["set-cookie"].lower()
    finally:
        _stop(proc)
