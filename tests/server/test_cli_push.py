"""``mlkaizen push`` through the real command line, against a small stand-in for the upload
route (an ``http.server`` on loopback that records every request and answers as scripted:
a 503 first, a replay for a key it has seen, a 4xx) and against the real server for the
organisation the token belongs to."""

from __future__ import annotations

import json
import os
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from mlkaizen import push as client
from mlkaizen.cli import main
from tests.conftest import EXAMPLE, committed_repo
from tests.server.conftest import example_report
from tests.server.live import free_port

TOKEN = "mlk_test-secret-never-shown-0123456789abcdefghijklmn"


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exc:
        main(args)
    out = capsys.readouterr()
    return int(exc.value.code or 0), out.out, out.err


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class StandIn:
    """The upload route's contract, played on loopback: ``script`` answers the next POSTs
    (status, headers, body) before the route's own behaviour (201 for a new key, 200
    ``Idempotent-Replayed`` for a key seen before)."""

    orgs: list[str] = field(default_factory=lambda: ["acme"])
    script: list[tuple[int, dict[str, str], dict[str, Any]]] = field(default_factory=list)
    seen: list[Seen] = field(default_factory=list)
    stored: dict[str, dict[str, Any]] = field(default_factory=dict)
    url: str = ""

    def posts(self) -> list[Seen]:
        return [s for s in self.seen if s.method == "POST"]

    def answer(self, seen: Seen) -> tuple[int, dict[str, str], dict[str, Any]]:
        if seen.headers.get("authorization") != f"Bearer {TOKEN}":
            return 401, {}, {"error": "sign in, or send an API token"}
        if seen.method == "GET" and seen.path == "/api/v1/orgs":
            return 200, {}, {"items": [{"slug": s, "role": "assessor"} for s in self.orgs]}
        if seen.method == "POST" and self.script:
            return self.script.pop(0)
        if seen.method == "POST" and seen.path == "/api/v1/orgs/acme/assessments":
            key = seen.headers.get("idempotency-key", "")
            if key in self.stored:
                return 200, {"Idempotent-Replayed": "true"}, self.stored[key]
            number = 12 + len(self.stored)
            self.stored[key] = {"id": number, "subject_id": 3, "stage": "Manual MLOps",
                                "stage_index": 3, "url": f"/api/v1/assessments/{number}",
                                "page": "/orgs/acme/subjects/3", "achieved_plans": []}
            return 201, {}, self.stored[key]
        return 404, {}, {"error": "Not Found"}


@pytest.fixture
def stand_in() -> Iterator[StandIn]:
    state = StandIn()
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def _any(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            seen = Seen(self.command, self.path, {k.lower(): v for k, v in self.headers.items()},
                        self.rfile.read(length))
            with lock:
                state.seen.append(seen)
                status, headers, body = state.answer(seen)
            data = json.dumps(body).encode()
            self.send_response(status)
            for k, v in {"Content-Type": "application/json", **headers}.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = _any  # noqa: N815 - http.server's names

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def report(tmp_path: Path) -> Path:
    path = tmp_path / "report.json"
    path.write_text(json.dumps(example_report(), indent=2))
    return path


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLKAIZEN_TOKEN", TOKEN)
    for name in ("MLKAIZEN_ORG", "MLKAIZEN_SERVER"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(client, "RETRY_BASE", 0.0)  # retries at once (counted, not timed)


def _push(stand_in: StandIn, report: Path, *extra: str) -> list[str]:
    return ["push", "--server", stand_in.url, "--report", str(report),
            "--subject", "github.com/acme/churn", *extra]


def test_a_503_is_retried_and_lands_once_with_one_idempotency_key(
        stand_in: StandIn, report: Path, capsys: pytest.CaptureFixture[str]) -> None:
    stand_in.script.append((503, {"Retry-After": "0"}, {"error": "starting up"}))
    code, out, err = run([*_push(stand_in, report, "--org", "acme", "--team", "risk",
                                 "--target", "Automated MLOps", "--link-base",
                                 "https://github.com/acme/churn/blob/abc123/")], capsys)
    assert (code, err) == (0, "mlkaizen: subject github.com/acme/churn (from --subject)\n")
    assert out == ("Uploaded assessment #12 of github.com/acme/churn: Manual MLOps — "
                   f"{stand_in.url}/orgs/acme/subjects/3\n")
    posts = stand_in.posts()
    assert len(stand_in.seen) == len(posts) == 2  # --org given: no GET of the orgs
    assert posts[0].headers["idempotency-key"] == posts[1].headers["idempotency-key"]
    assert posts[0].body == posts[1].body
    assert posts[0].headers["authorization"] == f"Bearer {TOKEN}"
    body = json.loads(posts[1].body)
    assert body["subject"] == {"key": "github.com/acme/churn", "name": "churn-prediction",
                               "team": "risk", "target": "Automated MLOps"}
    assert body["link_base"] == "https://github.com/acme/churn/blob/abc123/"
    assert body["assessment"] == json.loads(report.read_text())  # as in the file
    assert posts[1].headers["idempotency-key"] == client.idempotency_key(
        "github.com/acme/churn", body["assessment"])
    assert TOKEN not in out + err


def test_a_push_run_again_is_a_replay_not_a_second_upload(
        stand_in: StandIn, report: Path, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    assert run(_push(stand_in, report, "-q"), capsys)[:2] == (
        0, f"Uploaded assessment #12 of github.com/acme/churn: Manual MLOps — {stand_in.url}"
        "/orgs/acme/subjects/3\n")
    # the same report laid out differently is the same upload
    again = tmp_path / "again.json"
    again.write_text(json.dumps(json.loads(report.read_text())))
    code, out, err = run(_push(stand_in, again, "-q"), capsys)
    assert (code, out, err) == (
        0, f"Already uploaded: #12 of github.com/acme/churn: Manual MLOps — {stand_in.url}"
        "/orgs/acme/subjects/3\n", "")
    assert len(stand_in.stored) == 1
    # near miss: another subject is another upload
    code, out, _ = run(["push", "--server", stand_in.url, "--report", str(report), "--subject",
                        "github.com/acme/other", "-q"], capsys)
    assert out.startswith("Uploaded assessment #13 of github.com/acme/other: ")
    # the organisation came from the token (GET /api/v1/orgs) each time
    assert [s.path for s in stand_in.seen if s.method == "GET"] == ["/api/v1/orgs"] * 3


def test_a_4xx_is_one_line_with_the_servers_error_and_never_retried(
        stand_in: StandIn, report: Path, capsys: pytest.CaptureFixture[str]) -> None:
    stand_in.script.append((422, {}, {"error": "practices not in the catalogue",
                                      "problems": ["model.nope", "data.nope"]}))
    code, out, err = run(_push(stand_in, report, "--org", "acme"), capsys)
    assert (code, out) == (2, "")
    assert err == ("mlkaizen: subject github.com/acme/churn (from --subject)\n"
                   "mlkaizen: error: the server refused the upload (422): practices not in the "
                   "catalogue: model.nope; data.nope\n")
    assert len(stand_in.posts()) == 1


def test_a_server_that_keeps_failing_is_tried_four_times_then_one_line(
        stand_in: StandIn, report: Path, capsys: pytest.CaptureFixture[str]) -> None:
    stand_in.script += [(502, {}, {"error": "bad gateway"})] * 3 + [(429, {}, {"error": "slow"})]
    code, out, err = run(_push(stand_in, report, "--org", "acme", "-q"), capsys)
    assert (code, out) == (2, "")
    assert err == (f"mlkaizen: error: no usable answer from {stand_in.url} after 4 tries (last: "
                   "429 slow); nothing was uploaded, try again later\n")
    assert len(stand_in.posts()) == 4 and stand_in.stored == {}


def test_an_unreachable_server_is_one_line_after_the_retries(
        report: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    code, out, err = run(["push", "--server", url, "--report", str(report), "--org", "acme",
                          "-q"], capsys)
    assert (code, out) == (2, "")
    assert err.startswith(f"mlkaizen: error: no usable answer from {url} after 4 tries (last: "
                          "ConnectError: ")
    assert err.endswith("); nothing was uploaded, try again later\n") and err.count("\n") == 1


def test_without_a_token_one_line_and_no_request(
        stand_in: StandIn, report: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("MLKAIZEN_TOKEN")
    assert run(_push(stand_in, report), capsys) == (
        2, "", "mlkaizen: error: no API token: set MLKAIZEN_TOKEN (made by `mlkaizen token "
        "create`; in CI, from a secret); it is never taken as a flag\n")
    assert stand_in.seen == []
    code, _, err = run([*_push(stand_in, report), "--token", TOKEN], capsys)
    assert code == 2 and "No such option: --token" in err


def test_a_token_refused_by_the_server_is_one_line_without_the_token(
        stand_in: StandIn, report: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("MLKAIZEN_TOKEN", "mlk_wrong")
    code, out, err = run(_push(stand_in, report, "-q"), capsys)
    assert (code, out) == (2, "")
    assert err == ("mlkaizen: error: the server refused the token (401): sign in, or send an "
                   "API token\n")


def test_the_organisation_must_be_named_when_the_token_has_several(
        stand_in: StandIn, report: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    stand_in.orgs = ["acme", "beta"]
    assert run(_push(stand_in, report, "-q"), capsys) == (
        2, "", "mlkaizen: error: the token belongs to 2 organisations (acme, beta): give --org "
        "or MLKAIZEN_ORG\n")
    assert stand_in.posts() == []
    monkeypatch.setenv("MLKAIZEN_ORG", "acme")
    assert run(_push(stand_in, report, "-q"), capsys)[0] == 0
    assert [s.method for s in stand_in.seen] == ["GET", "POST"]


def test_a_redirect_is_not_followed(stand_in: StandIn, report: Path,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    stand_in.script.append((307, {"Location": "https://elsewhere.example/upload"}, {}))
    code, out, err = run(_push(stand_in, report, "--org", "acme", "-q"), capsys)
    assert (code, out) == (2, "")
    assert err == (f"mlkaizen: error: {stand_in.url}/api/v1/orgs/acme/assessments answered 307, "
                   "a redirect to https://elsewhere.example/upload: give --server the server's "
                   "own URL (redirects are not followed)\n")
    assert len(stand_in.seen) == 1


@pytest.mark.parametrize(
    ("content", "line"),
    [
        ("{not json", "{report}:1: not JSON (Expecting property name enclosed in double quotes: "
                      "line 1 column 2 (char 1))"),
        ('["a"]', "{report}: not an MLKaizen JSON report (not an object)"),
        ('{"schema_version": "2.0"}', "{report}: schema_version '2.0': this mlkaizen uploads "
                                      "reports of schema 1.x (`mlkaizen assess -f json`)"),
        ('{"schema_version": "1.5", "stage": "Ad hoc"}',
         "{report}: not an MLKaizen JSON report: tool_version: Field required"),
    ],
    ids=["not-json", "not-object", "schema-2", "invalid"],
)
def test_a_bad_report_is_one_line_and_nothing_is_sent(
        content: str, line: str, stand_in: StandIn, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(content)
    assert run(_push(stand_in, bad, "--org", "acme"), capsys) == (
        2, "", f"mlkaizen: error: {line.format(report=bad)}\n")
    assert stand_in.seen == []


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["--server", "javascript:alert(1)"],
         "--server 'javascript:alert(1)': expected an http:// or https:// URL"),
        (["--server", "ftp://127.0.0.1/x"],
         "--server 'ftp://127.0.0.1/x': expected an http:// or https:// URL"),
        (["--server", "http://u:p@127.0.0.1:9"],
         "--server: give the URL without a user name or password"),
        (["--server", "http://127.0.0.1:9", "--link-base", "javascript:alert(1)//"],
         "--link-base 'javascript:alert(1)//': expected an http:// or https:// URL"),
        (["--server", "http://127.0.0.1:9", "--org", "Acme!"],
         "organisation 'Acme!': use lower-case letters, digits and '-' (at most 63)"),
        (["--server", "http://127.0.0.1:9", "--subject", ""],
         "--subject: give a key of 1 to 255 characters"),
        (["--server", "http://127.0.0.1:9", "--scope", "ml", "--catalogue", "x"],
         "--catalogue, --scope: for assessing PATH; --report uploads the report as it is (give "
         "one or the other)"),
    ],
    ids=["javascript", "ftp", "credentials", "link-base", "org", "subject", "report-and-flags"],
)
def test_bad_urls_and_names_are_refused_before_anything_is_sent(
        args: list[str], line: str, report: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["push", "--report", str(report), *args], capsys) == (
        2, "", f"mlkaizen: error: {line}\n")


def test_plain_http_to_another_machine_is_warned_about(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.json"  # refused before any request: nothing leaves this machine
    bad.write_text("[]")
    code, _, err = run(["push", "--server", "http://mlkaizen.example.com/", "--report",
                        str(bad)], capsys)
    assert code == 2
    assert err.splitlines()[0] == (
        "mlkaizen: warning: http://mlkaizen.example.com is plain http to another machine: the "
        "token and the report cross the network unencrypted; use https")
    for server in ("https://mlkaizen.example.com", "http://localhost:8000", "http://[::1]:80"):
        run(["push", "--server", server, "--report", str(bad)], capsys)
        assert "warning" not in capsys.readouterr().err


def test_push_assesses_the_repository_and_keys_it_by_its_origin_remote(
        stand_in: StandIn, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = tmp_path / "churn-prediction"
    shutil.copytree(EXAMPLE, repo)
    files = {str(p.relative_to(repo)): p.read_text() for p in repo.rglob("*") if p.is_file()}
    committed_repo(repo, files)
    import subprocess

    subprocess.run(["git", "-C", str(repo), "remote", "add", "origin",
                    "https://ci-user:ghs_leaky@GitHub.com/Acme/Churn.git"], check=True)
    code, out, err = run(["push", str(repo), "--server", stand_in.url, "--org", "acme",
                          "--no-cache"], capsys)
    assert (code, err) == (0, "mlkaizen: subject github.com/Acme/Churn (from the origin remote)\n")
    assert out.startswith("Uploaded assessment #12 of github.com/Acme/Churn: Manual MLOps — ")
    sent = json.loads(stand_in.posts()[0].body)
    assert "ghs_leaky" not in stand_in.posts()[0].body.decode()
    assert sent["subject"]["name"] == "churn-prediction"
    # the same assessment `assess -f json` makes
    code, report, _ = run(["assess", str(repo), "-f", "json", "-q", "--no-cache"], capsys)
    expected = json.loads(report)
    for data in (sent["assessment"], expected):
        data.pop("scan")  # what was read from the cache and what was parsed again
    assert sent["assessment"] == expected
    assert expected["stage"] == "Manual MLOps"
    # without a remote: the folder's name, said so
    subprocess.run(["git", "-C", str(repo), "remote", "remove", "origin"], check=True)
    code, out, err = run(["push", str(repo), "--server", stand_in.url, "--org", "acme", "-q"],
                         capsys)
    assert code == 0
    assert out.startswith("Uploaded assessment #13 of churn-prediction: Manual MLOps")
    code, out, err = run(["push", str(repo), "--server", stand_in.url, "--org", "acme"], capsys)
    assert err == "mlkaizen: subject churn-prediction (from the folder name)\n"
    assert out.startswith("Already uploaded: #13 of churn-prediction: ")


@pytest.mark.parametrize(
    ("remote", "key"),
    [
        ("https://github.com/acme/churn.git", "github.com/acme/churn"),
        ("https://x-access-token:ghs_abc@github.com/acme/churn", "github.com/acme/churn"),
        ("git@github.com:acme/churn.git", "github.com/acme/churn"),
        ("ssh://git@gitlab.example.com:2222/group/sub/churn.git/",
         "gitlab.example.com/group/sub/churn"),
        ("HTTPS://GitLab.Example.com/Group/Churn", "gitlab.example.com/Group/Churn"),
        ("/srv/git/churn.git", None),
        ("file:///srv/git/churn.git", None),
        ("../churn", None),
        ("https://github.com/", None),
    ],
)
def test_remote_urls_are_normalised_to_keys_without_credentials(remote: str,
                                                                 key: str | None) -> None:
    assert client.normalised_remote(remote) == key


def test_push_to_the_real_server_with_a_token_the_command_line_made(
        sqlite_store: Any, report: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    from tests.server.live import live_server

    db = sqlite_store.url
    assert run(["user", "add", "maria", "--org", "acme", "--db", db, "-q"], capsys)[0] == 0
    code, secret, _ = run(["token", "create", "--org", "acme", "--name", "ci", "--db", db,
                           "-q"], capsys)
    assert code == 0
    monkeypatch.setenv("MLKAIZEN_TOKEN", secret.strip())
    with live_server(sqlite_store) as url:
        spec = httpx.get(url + "/api/v1/openapi.json").json()
        assert "post" in spec["paths"]["/api/v1/orgs/{org}/assessments"]
        # no --org: the organisation is the token's own, asked of the server
        args = ["push", "--server", url, "--report", str(report), "--subject",
                "github.com/acme/churn", "-q"]
        code, out, err = run(args, capsys)
        assert (code, err) == (0, "")
        first = out
        assert first.startswith("Uploaded assessment #")
        assert first.endswith(f" of github.com/acme/churn: Manual MLOps — {url}/orgs/acme/"
                              f"subjects/1\n")
        code, out, err = run(args, capsys)
        assert (code, err) == (0, "")
        assert out == first.replace("Uploaded assessment #", "Already uploaded: #")
    assert secret.strip() not in first



def test_push_needs_no_server_extra_and_assess_loads_no_server_module(
        stand_in: StandIn, report: Path, tmp_path: Path) -> None:
    import subprocess
    import sys

    server_modules = ("fastapi", "starlette", "uvicorn", "argon2", "python_multipart", "multipart")
    probe = (
        "import sys\n"
        f"for name in {server_modules!r}:\n"
        "    sys.modules[name] = None  # as if the server extra were not installed\n"
        "from mlkaizen.cli import main\n"
        "try:\n    main(sys.argv[1:])\nexcept SystemExit as exc:\n"
        "    print('exit', exc.code, file=sys.stderr)\n"
    )
    env = {**os.environ, "MLKAIZEN_TOKEN": TOKEN}
    done = subprocess.run([sys.executable, "-c", probe, *_push(stand_in, report, "--org",
                                                               "acme", "-q")],
                          capture_output=True, text=True, check=False, env=env)
    assert (done.stdout, done.stderr) == (
        f"Uploaded assessment #12 of github.com/acme/churn: Manual MLOps — {stand_in.url}"
        "/orgs/acme/subjects/3\n", "exit 0\n")
    # and `assess` imports neither the server nor the HTTP client
    loaded = ("fastapi", "starlette", "uvicorn", "argon2", "httpx", "mlkaizen.push",
              "mlkaizen.server.cli_support")
    look = ("import sys\nfrom mlkaizen.cli import main\n"
            "try:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
            f"print(sorted(m for m in {loaded!r} if m in sys.modules), file=sys.stderr)\n")
    (tmp_path / "repo").mkdir()
    (tmp_path / "repo" / "train.py").write_text("import mlflow\n")
    done = subprocess.run([sys.executable, "-c", look, "assess", str(tmp_path / "repo"), "-q",
                           "-f", "json"], capture_output=True, text=True, check=False)
    assert done.stderr.splitlines()[-1] == "[]"


def test_a_server_without_the_api_is_named_as_such(
        stand_in: StandIn, report: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = stand_in.url + "/not-here"  # every path below it is a 404 of the stand-in
    code, out, err = run(["push", "--server", url, "--report", str(report), "--subject", "s",
                          "-q"], capsys)
    assert (code, out) == (2, "")
    assert err == (f"mlkaizen: error: {url} answered GET /api/v1/orgs with 404 (Not Found): is "
                   "it an MLKaizen server? (or give --org)\n")
    assert [s.path for s in stand_in.seen] == ["/not-here/api/v1/orgs"]


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl makes the test's certificate")
def test_a_certificate_not_trusted_is_refused_at_once(
        tmp_path: Path, report: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import ssl
    import subprocess

    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                    str(key), "-out", str(cert), "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)
    handshakes: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # never reached: the client refuses the certificate
            handshakes.append(self.path)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"https://127.0.0.1:{server.server_address[1]}"
    try:
        code, out, err = run(["push", "--server", url, "--report", str(report), "--org",
                              "acme", "--subject", "s", "-q"], capsys)
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
    assert (code, out, handshakes) == (2, "", [])
    assert err.startswith(f"mlkaizen: error: {url}: its TLS certificate is not trusted here (")
    assert err.endswith("); nothing was uploaded\n") and err.count("\n") == 1


def test_push_refuses_a_catalogue_file_the_repository_names_as_assess_does(
        stand_in: StandIn, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = tmp_path / "repo"
    (repo / "rules").mkdir(parents=True)
    (repo / ".mlkaizen.yaml").write_text("catalogue: rules/team.yaml\n")
    (repo / "rules" / "team.yaml").write_text("id: team-rules\n")
    (repo / "train.py").write_text("import mlflow\n")
    line = run(["assess", str(repo)], capsys)
    assert line[0] == 2 and "a repository cannot choose the rules it is judged by" in line[2]
    assert run(["push", str(repo), "--server", stand_in.url, "--org", "acme"], capsys) == line
    assert stand_in.seen == []


def test_a_sub_folder_of_a_repository_is_keyed_below_its_remote(
        stand_in: StandIn, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import subprocess

    mono = tmp_path / "mono"
    files = {f"ml/churn/{p.relative_to(EXAMPLE)}": p.read_text()
             for p in EXAMPLE.rglob("*") if p.is_file()}
    files["README.md"] = "# many projects\n"
    committed_repo(mono, files)
    subprocess.run(["git", "-C", str(mono), "remote", "add", "origin",
                    "git@github.com:acme/mono.git"], check=True)
    code, out, err = run(["push", str(mono / "ml" / "churn"), "--server", stand_in.url,
                          "--org", "acme"], capsys)
    assert code == 0, err
    assert err.splitlines()[-1] == (
        "mlkaizen: subject github.com/acme/mono/ml/churn (from the origin remote)")
    assert out.startswith("Uploaded assessment #12 of github.com/acme/mono/ml/churn: ")
    sent = json.loads(stand_in.posts()[0].body)["assessment"]
    code, report, _ = run(["assess", str(mono / "ml" / "churn"), "-f", "json", "-q"], capsys)
    expected = json.loads(report)
    for data in (sent, expected):
        data.pop("scan")
    assert sent == expected
    # --scope: the scoped folder, as the repository names it
    code, out, err = run(["push", str(mono), "--scope", "ml/churn", "--server", stand_in.url,
                          "--org", "acme", "-q"], capsys)
    assert (code, err) == (0, "")
    assert out.startswith("Uploaded assessment #13 of github.com/acme/mono/ml/churn: ")


def test_a_pushed_repository_with_a_script_in_its_folder_name_shows_escaped(
        sqlite_store: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """The issue's last check, end to end: a fresh store, a user and a token made by the
    command line, `push` of a repository whose folder is named with a script, and the
    portfolio that shows it as text."""
    import re
    import shutil

    from tests.server.conftest import EXAMPLE
    from tests.server.live import live_server

    hostile = "<script>alert(1)<\\script><img src=x onerror=alert(2)>"
    repo = tmp_path / hostile
    shutil.copytree(EXAMPLE, repo)
    db = sqlite_store.url
    code, password, _ = run(["user", "add", "maria", "--org", "acme", "--role", "admin",
                             "--db", db, "-q"], capsys)
    assert code == 0
    code, secret, _ = run(["token", "create", "--org", "acme", "--name", "ci", "--db", db,
                           "-q"], capsys)
    monkeypatch.setenv("MLKAIZEN_TOKEN", secret.strip())
    with live_server(sqlite_store) as url:
        code, _out, err = run(["push", str(repo), "--server", url, "-q"], capsys)
        assert (code, err) == (0, ""), err
        with httpx.Client(base_url=url) as browser:

            def sign_in(secret_word: str) -> None:
                field = re.search(r'name="csrf_token" value="([^"]+)"',
                                  browser.get("/login").text)
                assert field is not None
                r = browser.post("/login", data={"username": "maria", "password": secret_word,
                                                 "csrf_token": field.group(1), "next": "/"})
                assert r.status_code == 303

            # the one-time password first, then a password of maria's own
            sign_in(password.strip())
            assert browser.get("/orgs/acme/portfolio").headers["location"] == "/password"
            field = re.search(r'name="csrf_token" value="([^"]+)"',
                              browser.get("/password").text)
            assert field is not None
            browser.post("/password", data={"csrf_token": field.group(1),
                                            "password": "maria's own password",
                                            "again": "maria's own password"})
            sign_in("maria's own password")
            page = browser.get("/orgs/acme/portfolio").text
    assert "<script>alert(1)" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;\\script&gt;&lt;img src=x onerror=alert(2)&gt;" in page
