"""``mlkaizen push``'s client: an assessment uploaded to a self-hosted server.

Plain httpx (TLS verified, bounded timeouts, redirects never followed), the API token only
from the environment, an ``Idempotency-Key`` derived from the subject and the report so a
retried or re-run push never stores the assessment twice, and retries with exponential
backoff on what may pass (a connection error, a timeout, 429 and 5xx), never on another 4xx.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import hashlib
import ipaddress
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

from mlkaizen.errors import MLKaizenError

if TYPE_CHECKING:
    import httpx

TOKEN_ENV = "MLKAIZEN_TOKEN"
ORG_ENV = "MLKAIZEN_ORG"
TRIES = 4  # the first try and three retries
RETRY_BASE = 1.0  # seconds before the first retry, doubled before each next one
MAX_RETRY_AFTER = 60.0  # a server's Retry-After is honoured up to this many seconds
TIMEOUT = 30.0  # seconds to read an answer (connecting: 10)
MAX_KEY = 255


def is_loopback(host: str) -> bool:
    """Whether ``host`` names this machine only (``localhost``, 127.0.0.0/8, ``::1``)."""
    name = host.strip("[]").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def check_http_url(url: str, what: str) -> str:
    """``url`` if it is an absolute http(s) URL with a host (never ``javascript:``,
    ``file:`` or a bare path), without a trailing slash."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise MLKaizenError(f"{what} {url!r}: expected an http:// or https:// URL")
    if parts.username is not None or parts.password is not None:
        raise MLKaizenError(f"{what}: give the URL without a user name or password")
    return url.strip().rstrip("/")


def plain_http_warning(server: str) -> str | None:
    """The warning for a token sent in clear to another machine, if so."""
    parts = urlsplit(server)
    if parts.scheme == "http" and not is_loopback(parts.hostname or ""):
        return (
            f"{server} is plain http to another machine: the token and the report cross the "
            "network unencrypted; use https"
        )
    return None


# -- the subject key ----------------------------------------------------------------------

_SCP = re.compile(r"^(?:[^@/]+@)?([^:/]+):(?!//)(.+)$")  # git@github.com:acme/churn.git


def normalised_remote(url: str) -> str | None:
    """A remote's URL as a subject key: ``github.com/acme/churn`` from
    ``https://github.com/acme/churn.git``, ``git@github.com:acme/churn.git`` or
    ``ssh://git@github.com:22/acme/churn``; user names, passwords and ports dropped (a token
    in a CI checkout's remote never leaves the machine); ``None`` for a local path."""
    url = url.strip()
    if "://" in url:
        parts = urlsplit(url)
        if parts.scheme == "file" or not parts.hostname:
            return None
        host, path = parts.hostname, parts.path
    else:
        found = _SCP.match(url)
        if found is None:
            return None  # a path on this machine
        host, path = found[1], found[2]
    path = path.strip("/").removesuffix(".git").strip("/")
    if not path or not host:
        return None
    return f"{host.lower()}/{path}"[:MAX_KEY]


def origin_remote(path: Path) -> str | None:
    """The URL of ``path``'s ``origin`` remote (git run with the safe settings), or
    ``None`` outside git or without one."""
    from mlkaizen.evidence.git import run_git, work_tree_of

    if work_tree_of(path.resolve()) is None:
        return None
    proc = run_git(path, "config", "--get", "remote.origin.url")
    if proc is None or proc.returncode != 0:
        return None
    return proc.stdout.strip() or None


def subject_key(path: Path, given: str | None, fallback: str, scope: str | None = None
                ) -> tuple[str, str]:
    """The subject's key and where it came from: ``--subject``, else the repository's
    ``origin`` remote (with the sub-folder assessed, as the repository names it:
    ``github.com/acme/mono/ml/churn``), else ``fallback`` (the folder's or the report's
    name)."""
    if given is not None:
        key = given.strip()
        if not key or len(key) > MAX_KEY:
            raise MLKaizenError(f"--subject: give a key of 1 to {MAX_KEY} characters")
        return key, "--subject"
    remote = origin_remote(path) if path.is_dir() else None
    found = normalised_remote(remote) if remote else None
    if found is not None:
        from mlkaizen.evidence.git import top_of

        top = top_of(path)
        inside = "/".join(p.strip("/") for p in (top[1] if top else "", scope or "")
                          if p.strip("/"))
        return (f"{found}/{inside}" if inside else found)[:MAX_KEY], "the origin remote"
    return fallback[:MAX_KEY], "the folder name"


def idempotency_key(key: str, report: dict[str, Any]) -> str:
    """The same subject and the same report give the same key, whatever the file's layout."""
    canonical = json.dumps(report, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(f"{key}\n{canonical}".encode()).hexdigest()


# -- the report ---------------------------------------------------------------------------


def read_report(path: Path, limit: int = 64 * 1024 * 1024) -> dict[str, Any]:
    """A JSON report (schema 1.x) read and validated as this version reads it; the data
    as it is in the file (a newer 1.x's fields kept for the server)."""
    from pydantic import ValidationError

    from mlkaizen.engine.model import Assessment
    from mlkaizen.fsio.read import read_text

    text = read_text(path, "report", limit)
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, RecursionError, ValueError) as exc:
        raise MLKaizenError(f"not JSON ({exc})", str(path), getattr(exc, "lineno", None)
                            ) from None
    if not isinstance(data, dict):
        raise MLKaizenError("not an MLKaizen JSON report (not an object)", str(path))
    version = str(data.get("schema_version", ""))
    if version.split(".", maxsplit=1)[0] != "1":
        raise MLKaizenError(
            f"schema_version {version!r}: this mlkaizen uploads reports of schema 1.x "
            "(`mlkaizen assess -f json`)",
            str(path),
        )
    try:
        Assessment.model_validate(data)
    except ValidationError as exc:
        from mlkaizen.formats.datafile import first_error

        raise MLKaizenError(f"not an MLKaizen JSON report: {first_error(exc)[1]}", str(path)
                            ) from None
    return data


# -- the upload ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Uploaded:
    id: int
    stage: str
    page: str  # absolute
    replayed: bool


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after", "").strip()
    if not value:
        return None
    if value.isdigit():
        return min(float(value), MAX_RETRY_AFTER)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return min(max((when - dt.datetime.now(dt.UTC)).total_seconds(), 0.0), MAX_RETRY_AFTER)


def _error_of(response: httpx.Response) -> str:
    """The server's ``error`` (and its first problems), else the status's reason."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and isinstance(body.get("error"), str):
        text = body["error"]
        problems = body.get("problems")
        if isinstance(problems, list) and problems:
            shown = "; ".join(str(p) for p in problems[:3])
            more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
            text += f": {shown}{more}"
        return " ".join(text.split())[:500]
    return response.reason_phrase or f"HTTP {response.status_code}"


class Client:
    """Requests to one server with one token, retried as :data:`TRIES` says."""

    def __init__(self, server: str, token: str,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        import httpx

        self.server = server
        self._token = token
        self._sleep = sleep
        self._http = httpx.Client(
            timeout=httpx.Timeout(TIMEOUT, connect=10.0),
            follow_redirects=False,
            verify=True,
            headers={"Authorization": f"Bearer {token}", "Accept": "application/json",
                     "User-Agent": _product()},
        )

    def close(self) -> None:
        self._http.close()

    def _clean(self, text: str) -> str:
        """Never the token, whatever a message quotes."""
        return text.replace(self._token, "***") if self._token else text

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """The first answer that is not worth retrying (a 2xx, 3xx or a 4xx other than
        429); :class:`MLKaizenError` once the tries are spent, or for a redirect."""
        import httpx

        url = self.server + path
        last = ""
        for attempt in range(TRIES):
            wait = RETRY_BASE * 2**attempt
            try:
                response = self._http.request(method, url, **kwargs)
            except httpx.TransportError as exc:  # connection refused, reset, timeout
                if "CERTIFICATE_VERIFY_FAILED" in str(exc):  # no retry mends that
                    raise MLKaizenError(self._clean(
                        f"{self.server}: its TLS certificate is not trusted here ({exc}); "
                        "nothing was uploaded")) from None
                last = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            else:
                status = response.status_code
                if status != 429 and status < 500:
                    if 300 <= status < 400:
                        where = response.headers.get("location", "?")
                        raise MLKaizenError(self._clean(
                            f"{url} answered {status}, a redirect to {where}: give --server "
                            "the server's own URL (redirects are not followed)"))
                    return response
                last = f"{status} {_error_of(response)}"
                after = _retry_after(response)
                if after is not None:
                    wait = after
            if attempt + 1 < TRIES:
                self._sleep(wait)
        raise MLKaizenError(self._clean(
            f"no usable answer from {self.server} after {TRIES} tries (last: "
            f"{' '.join(last.split())[:300]}); nothing was uploaded, try again later"))

    def refused(self, response: httpx.Response, what: str) -> MLKaizenError:
        return MLKaizenError(self._clean(
            f"the server refused {what} ({response.status_code}): {_error_of(response)}"))

    def the_org(self) -> str:
        """The one organisation the token belongs to."""
        response = self.request("GET", "/api/v1/orgs")
        if response.status_code in (401, 403):
            raise self.refused(response, "the token")
        if response.status_code != 200:
            raise MLKaizenError(self._clean(
                f"{self.server} answered GET /api/v1/orgs with {response.status_code} "
                f"({_error_of(response)}): is it an MLKaizen server? (or give --org)"))
        try:
            items = [str(i["slug"]) for i in response.json()["items"]]
        except (ValueError, KeyError, TypeError):
            raise MLKaizenError(f"{self.server} is not an MLKaizen server (GET /api/v1/orgs "
                                "gave no list of organisations)") from None
        if len(items) != 1:
            names = ", ".join(items) or "none"
            raise MLKaizenError(f"the token belongs to {len(items)} organisations ({names}): "
                                f"give --org or {ORG_ENV}")
        return items[0]

    def upload(self, org: str, body: dict[str, Any], key: str) -> Uploaded:
        response = self.request(
            "POST", f"/api/v1/orgs/{quote(org, safe='')}/assessments",
            content=json.dumps(body, ensure_ascii=False).encode("utf-8"),
            headers={"Content-Type": "application/json", "Idempotency-Key": key},
        )
        if response.status_code not in (200, 201):
            raise self.refused(response, "the upload")
        try:
            answer = response.json()
            found = Uploaded(
                id=int(answer["id"]),
                stage=str(answer["stage"]),
                page=self.server + str(answer.get("page") or answer.get("url") or ""),
                replayed=response.status_code == 200
                and response.headers.get("idempotent-replayed", "").lower() == "true",
            )
        except (ValueError, KeyError, TypeError):
            raise MLKaizenError(f"{self.server} accepted the upload ({response.status_code}) "
                                "but its answer is not an MLKaizen upload's") from None
        return found


def _product() -> str:
    from mlkaizen import __version__

    return f"mlkaizen/{__version__}"


def token_from_environment(environ: dict[str, str]) -> str:
    token = environ.get(TOKEN_ENV, "").strip()
    if not token:
        raise MLKaizenError(
            f"no API token: set {TOKEN_ENV} (made by `mlkaizen token create`; in CI, from a "
            "secret); it is never taken as a flag"
        )
    return token
