"""The bounded HTTP side of the MLflow source: one connection to one server, its
credentials from the caller's environment, and every request checked against the budgets.

A request either gives parsed JSON or raises :class:`CutError` with a one-line message (never a
secret in it) and whether the whole reading must stop (the server unreachable, credentials
refused, a budget spent, a redirect elsewhere) or only the part being read (a timeout, a
missing endpoint, a server error, a malformed or oversized answer).
"""

from __future__ import annotations

import base64
import json
import ssl
import threading
import time
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

import httpx

from mlkaizen.evidence.sources.deadline import LateError, within
from mlkaizen.evidence.sources.mlflow_urls import one_line, origin, public_url

_REDIRECTS = 3  # same-origin redirects followed, at most
_GRACE = 1.0  # seconds a request may run past its timeout before it is abandoned
_CHUNK = 64 * 1024


class CutError(Exception):
    """A request gave no usable answer. ``fatal``: stop reading the server altogether;
    ``missing``: the endpoint does not exist there (an older or a different server)."""

    def __init__(self, message: str, fatal: bool = False, missing: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.fatal = fatal
        self.missing = missing


@dataclass
class Target:
    """Where to send requests and with what: built from the URL and the environment."""

    base: str  # scheme://host[:port][/prefix], no user info, no query
    auth: httpx.Auth | None = None
    headers: dict[str, str] = field(default_factory=dict)
    verify: ssl.SSLContext | bool = True
    credential: str = ""  # what to check when the server refuses them (names, never values)
    secrets: tuple[str, ...] = ()


def _tls(env: Mapping[str, str]) -> ssl.SSLContext | bool:
    """TLS as the MLFLOW_TRACKING_* variables set it: verified by default."""
    if env.get("MLFLOW_TRACKING_INSECURE_TLS", "").strip().lower() == "true":
        return False
    ca = env.get("MLFLOW_TRACKING_SERVER_CERT_PATH", "").strip()
    client = env.get("MLFLOW_TRACKING_CLIENT_CERT_PATH", "").strip()
    if not ca and not client:
        return True
    try:
        context = ssl.create_default_context(cafile=ca or None)
    except (OSError, ssl.SSLError) as exc:
        raise CutError(f"MLFLOW_TRACKING_SERVER_CERT_PATH: cannot use {ca} ({exc})", True) from None
    if client:
        try:
            context.load_cert_chain(client)
        except (OSError, ssl.SSLError) as exc:
            raise CutError(f"MLFLOW_TRACKING_CLIENT_CERT_PATH: cannot use {client} ({exc})",
                      True) from None
    return context


def _bearer(variable: str, token: str) -> str:
    """The ``Authorization`` header of ``token``; raises :class:`CutError` (naming the
    variable, never the value) when a header cannot carry it."""
    if not all(33 <= ord(c) < 127 for c in token):
        raise CutError(f"{variable}: it has spaces, control or non-ASCII characters, which an "
                       "HTTP header cannot carry", True)
    return f"Bearer {token}"


def _basic(user: str, password: str) -> str:
    """The credentials as the ``Authorization: Basic`` header carries them (a server that
    quotes the header must not show them either)."""
    return base64.b64encode(f"{user}:{password}".encode()).decode("ascii")


def target_of(url: str, env: Mapping[str, str]) -> Target:
    """The server's base URL and credentials; raises :class:`CutError` when they cannot be
    made (``databricks`` without ``DATABRICKS_HOST``, an unreadable certificate)."""
    secrets: list[str] = []
    if url.strip() == "databricks":
        host = env.get("DATABRICKS_HOST", "").strip()
        token = env.get("DATABRICKS_TOKEN", "").strip()
        if not host:
            raise CutError("databricks: DATABRICKS_HOST is not set", True)
        if "://" not in host:
            host = "https://" + host
        target = Target(base=public_url(host), verify=_tls(env), credential="DATABRICKS_TOKEN")
        if token:
            target.headers["Authorization"] = _bearer("DATABRICKS_TOKEN", token)
            secrets.append(token)
        target.secrets = tuple(secrets)
        return target
    parts = urlsplit(url.strip())
    target = Target(base=public_url(url), verify=_tls(env))
    user = env.get("MLFLOW_TRACKING_USERNAME", "")
    password = env.get("MLFLOW_TRACKING_PASSWORD", "")
    token = env.get("MLFLOW_TRACKING_TOKEN", "").strip()
    if parts.username is not None or parts.password is not None:
        name, word = unquote(parts.username or ""), unquote(parts.password or "")
        target.auth = httpx.BasicAuth(name, word)
        target.credential = "the user name and password in the URL"
        secrets += [name, word, parts.username or "", parts.password or "", _basic(name, word)]
    elif user and password:
        target.auth = httpx.BasicAuth(user, password)
        target.credential = "MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD"
        secrets += [user, password, _basic(user, password)]
    elif token:
        target.headers["Authorization"] = _bearer("MLFLOW_TRACKING_TOKEN", token)
        target.credential = "MLFLOW_TRACKING_TOKEN"
        secrets.append(token)
    else:
        target.credential = ("MLFLOW_TRACKING_TOKEN or MLFLOW_TRACKING_USERNAME and "
                             "MLFLOW_TRACKING_PASSWORD (none is set)")
    target.secrets = tuple(s for s in secrets if len(s) >= 3)
    return target


class Connection:
    """Requests to one server within the budgets: ``max_requests`` requests, ``deadline``
    seconds in all, ``timeout`` seconds each, ``max_body`` bytes an answer."""

    def __init__(self, target: Target, max_requests: int, deadline: float, timeout: float,
                 max_body: int) -> None:
        self.target = target
        self.requests = 0
        self._lock = threading.Lock()
        self._max_requests = max_requests
        self._ends = time.monotonic() + deadline
        self._deadline = deadline
        self._timeout = timeout
        self._max_body = max_body
        self._http = httpx.Client(
            auth=target.auth, headers={**target.headers, "Accept": "application/json",
                                       "Accept-Encoding": "gzip, deflate, identity"},
            verify=target.verify, follow_redirects=False, trust_env=False,
        )

    def close(self) -> None:
        self._http.close()

    def clean(self, text: str) -> str:
        """``text`` without any secret, on one line."""
        for secret in self.target.secrets:
            text = text.replace(secret, "***")
        return one_line(text, 300)

    def call(self, method: str, endpoint: str, params: Mapping[str, str] | None = None,
             body: Mapping[str, Any] | None = None) -> Any:
        """The JSON answer of ``endpoint`` (a path after ``/api/2.0/mlflow/``)."""
        url = f"{self.target.base}/api/2.0/mlflow/{endpoint}"
        what = f"{method} {endpoint}"
        for _ in range(_REDIRECTS + 1):
            status, headers, data = self._send(method, url, params, body, what)
            if 300 <= status < 400 and "location" in headers:
                url = self._redirect(url, headers["location"], what)
                continue
            return self._answer(status, data, what)
        raise CutError(f"{what}: more than {_REDIRECTS} redirects", True)

    def _redirect(self, url: str, location: str, what: str) -> str:
        to = urljoin(url, location.strip())
        (scheme, host, port), (s2, h2, p2) = origin(url), origin(to)
        upgrade = scheme == "http" and s2 == "https" and host == h2
        if not upgrade and (scheme, host, port) != (s2, h2, p2):
            where = public_url(to) or "elsewhere"
            raise CutError(f"{what} was redirected to {where}: not followed (another host or "
                           "scheme); give the server's own URL", True)
        return public_url(to)  # no user info, no query (the parameters are sent again)

    def _send(self, method: str, url: str, params: Mapping[str, str] | None,
              body: Mapping[str, Any] | None, what: str) -> tuple[int, httpx.Headers, bytes]:
        left = self._ends - time.monotonic()
        if left <= 0:
            raise CutError(f"the deadline of {self._deadline:g} s passed before {what}", True)
        with self._lock:  # the runs are read by several threads
            if self.requests >= self._max_requests:
                raise CutError(f"the budget of {self._max_requests} requests was spent before "
                               f"{what}", True)
            self.requests += 1
        wait = min(self._timeout, left)
        try:  # a second past httpx's own bound, so that its own error comes first
            return within(wait + _GRACE, lambda: self._exchange(method, url, params, body,
                                                                 what=what, wait=wait))
        except LateError:
            raise self._late(wait, what) from None

    def _exchange(self, method: str, url: str, params: Mapping[str, str] | None,
                  body: Mapping[str, Any] | None, *, what: str,
                  wait: float) -> tuple[int, httpx.Headers, bytes]:
        ends = time.monotonic() + wait
        try:
            with self._http.stream(method, url, params=params, json=body,
                                   timeout=httpx.Timeout(wait)) as response:
                data = b""
                if not 300 <= response.status_code < 400:
                    data = self._body(response, ends, what)
                return response.status_code, response.headers, data
        except httpx.TimeoutException:
            raise self._late(wait, what) from None
        except httpx.ConnectError as exc:
            if "CERTIFICATE_VERIFY_FAILED" in str(exc):
                raise CutError(self.clean(
                    f"{self.target.base}: its TLS certificate is not trusted here ({exc}); "
                    "give its CA bundle in MLFLOW_TRACKING_SERVER_CERT_PATH"), True) from None
            raise CutError(self.clean(f"{self.target.base} is unreachable ({exc})"), True) from None
        except httpx.RemoteProtocolError:
            raise CutError(f"{what}: the answer was cut off (truncated)") from None
        except httpx.HTTPError as exc:
            fatal = "CERTIFICATE_VERIFY_FAILED" in str(exc)
            raise CutError(self.clean(f"{what}: {type(exc).__name__} ({exc})"), fatal) from None
        except (httpx.InvalidURL, httpx.StreamError, ValueError, OSError) as exc:
            raise CutError(self.clean(f"{what}: {url} cannot be used ({exc})"), True) from None

    def _late(self, wait: float, what: str) -> CutError:
        if wait < self._timeout:
            return CutError(f"the deadline of {self._deadline:g} s passed during {what}", True)
        return CutError(f"{what}: no answer within {self._timeout:g} s (request timeout)")

    def _body(self, response: httpx.Response, ends: float, what: str) -> bytes:
        """The body, read up to ``max_body`` bytes (decoded), never more held."""
        limit = self._max_body
        too_big = CutError(f"{what}: the answer is over {limit} bytes (max_body); not read")
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise too_big
        coding = response.headers.get("content-encoding", "identity").strip().lower()
        if coding not in ("identity", "", "gzip", "deflate"):
            raise CutError(f"{what}: the answer has an unknown encoding ({one_line(coding, 40)})")
        inflate = zlib.decompressobj(47) if coding in ("gzip", "deflate") else None
        chunks: list[bytes] = []
        size = 0
        for raw in response.iter_raw(_CHUNK):
            data = raw
            while data:
                if inflate is None:
                    piece, data = data, b""
                else:
                    try:
                        piece = inflate.decompress(data, limit - size + 1)
                    except zlib.error:
                        raise CutError(f"{what}: the answer's compression is broken") from None
                    data = inflate.unconsumed_tail
                size += len(piece)
                if size > limit:
                    raise too_big
                chunks.append(piece)
            if time.monotonic() > ends:
                raise httpx.ReadTimeout("slow answer")
        return b"".join(chunks)

    def _answer(self, status: int, data: bytes, what: str) -> Any:
        try:
            parsed = json.loads(data) if data else None
        except (ValueError, RecursionError):
            parsed = None
            if status == 200:
                raise CutError(f"{what}: the answer is not JSON (malformed or truncated)") from None
        code = parsed.get("error_code") if isinstance(parsed, dict) else None
        said = parsed.get("message") if isinstance(parsed, dict) else None
        detail = f" {code}" if isinstance(code, str) else ""
        detail += f": {said}" if isinstance(said, str) else ""
        if status == 403 and b"Invalid Host header" in data[:200]:  # MLflow 3's guard
            host = urlsplit(self.target.base).hostname
            raise CutError(f"{what}: the server refuses the host name it was reached by (403 "
                           f"Invalid Host header); its --allowed-hosts must include {host}", True)
        if status in (401, 403):
            raise CutError(f"not authorised ({status}) for {what}: check "
                      f"{self.target.credential}", True)
        if status == 404 or code == "ENDPOINT_NOT_FOUND":
            raise CutError(self.clean(f"{what}: the server has no such endpoint "
                                      f"({status}{detail}); an older MLflow?"), missing=True)
        if status >= 500:
            raise CutError(self.clean(f"{what}: server error {status}{detail}"))
        if status != 200:
            raise CutError(self.clean(f"{what}: the server answered {status}{detail}"))
        if parsed is None:
            raise CutError(f"{what}: the answer is empty, not JSON")
        return parsed
