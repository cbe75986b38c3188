"""Small stand-ins for an MLflow server: an ``http.server`` on 127.0.0.1 (port 0) in a
thread, answering each request as a test's function says, recording every request.

``MINIMAL`` holds the answers of a tiny but well-formed server; a test replaces the one
endpoint it makes misbehave.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import ssl
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

API = "/api/2.0/mlflow/"
STALL = 60.0  # seconds a stalled answer waits at most (released when the stub stops)


@dataclass(frozen=True)
class Request:
    method: str
    endpoint: str  # the path after /api/2.0/mlflow/ (else the whole path)
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any


@dataclass
class Reply:
    status: int = 200
    body: Any = None  # bytes sent as they are, anything else as JSON
    headers: dict[str, str] = field(default_factory=dict)
    stall: bool = False  # never answer (until the stub stops)
    length: int | None = None  # a Content-Length to declare instead of the real one
    chunks: int = 1  # the body sent in this many writes


Answer = Callable[[Request], Reply]

MINIMAL: dict[str, Any] = {
    "experiments/search": {"experiments": [
        {"experiment_id": "1", "name": "churn", "creation_time": 1735689600000,
         "last_update_time": 1735689600000}]},
    "runs/search": {"runs": [{
        "info": {"run_id": "r1", "experiment_id": "1", "start_time": 1740787200000,
                 "end_time": 1740787260000, "status": "FINISHED", "user_id": "alice"},
        "data": {"params": [{"key": "lr", "value": "0.1"}],
                 "metrics": [{"key": "auc", "value": 0.9}],
                 "tags": [{"key": "mlflow.source.git.commit", "value": "abc"}]}}]},
    "registered-models/search": {"registered_models": [
        {"name": "churn", "creation_timestamp": 1740787200000,
         "last_updated_timestamp": 1740787200000,
         "aliases": [{"alias": "champion", "version": "1"}]}]},
    "model-versions/search": {"model_versions": [
        {"name": "churn", "version": "1", "creation_timestamp": 1740787200000,
         "last_updated_timestamp": 1740787200000, "current_stage": "None",
         "run_id": "r1", "status": "READY"}]},
}


def minimal(overrides: Mapping[str, Reply | Answer] | None = None) -> Answer:
    """The tiny server's answers, with ``overrides`` by endpoint."""
    table = dict(overrides or {})

    def answer(request: Request) -> Reply:
        found = table.get(request.endpoint)
        if isinstance(found, Reply):
            return found
        if found is not None:
            return found(request)
        if request.endpoint in MINIMAL:
            return Reply(body=MINIMAL[request.endpoint])
        return Reply(404, {"error_code": "ENDPOINT_NOT_FOUND", "message": "no such path"})

    return answer


class Stub:
    """A running stand-in server: ``url``, and ``requests`` as they came."""

    def __init__(self, answer: Answer, host: str = "127.0.0.1",
                 tls: ssl.SSLContext | None = None) -> None:
        self.requests: list[Request] = []
        self.release = threading.Event()
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _serve(self) -> None:
                parts = urlsplit(self.path)
                size = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(size) if size else b""
                path = parts.path
                request = Request(
                    method=self.command,
                    endpoint=path.split(API, 1)[1] if API in path else path,
                    query=parse_qs(parts.query), headers=dict(self.headers.items()),
                    body=json.loads(raw) if raw else None)
                stub.requests.append(request)
                reply = answer(request)
                if reply.stall:
                    stub.release.wait(STALL)
                    return
                body = reply.body if isinstance(reply.body, bytes) else (
                    b"" if reply.body is None else json.dumps(reply.body).encode())
                self.send_response(reply.status)
                for key, value in reply.headers.items():
                    self.send_header(key, value)
                if reply.length != -1:
                    self.send_header("Content-Length", str(
                        len(body) if reply.length is None else reply.length))
                self.end_headers()
                step = max(1, len(body) // reply.chunks)
                for start in range(0, len(body), step):
                    self.wfile.write(body[start:start + step])
                    self.wfile.flush()

            do_GET = _serve  # noqa: N815
            do_POST = _serve  # noqa: N815

        self._server = ThreadingHTTPServer((host, 0), Handler)
        self._server.daemon_threads = True
        if tls is not None:
            self._server.socket = tls.wrap_socket(self._server.socket, server_side=True)
        self.port = int(self._server.server_address[1])
        self.url = f"{'https' if tls else 'http'}://{host}:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def endpoints(self) -> list[str]:
        return [r.endpoint for r in self.requests]


@contextmanager
def serving(answer: Answer, host: str = "127.0.0.1",
            tls: ssl.SSLContext | None = None) -> Iterator[Stub]:
    stub = Stub(answer, host, tls)
    stub._thread.start()
    try:
        yield stub
    finally:
        stub.release.set()
        stub._server.shutdown()
        stub._server.server_close()


def self_signed(folder: Path) -> tuple[ssl.SSLContext, Path]:
    """A server TLS context with a certificate for 127.0.0.1 signed by itself, and the
    certificate's file (the CA bundle a client must be given to trust it)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    return context, cert_file
