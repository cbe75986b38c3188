"""An MLflow tracking server, read through its REST API with httpx: experiments and their
runs over a window, registered models, their versions, stages and aliases.

Read-only (only ``GET``/search calls), bounded (requests, total time, body size), TLS
verified by default, no redirect to another host, never a secret in a message.
Credentials come only from the caller's environment (the standard ``MLFLOW_TRACKING_*``
variables, ``DATABRICKS_HOST``/``DATABRICKS_TOKEN`` for ``databricks``), never from the
scanned repository.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from mlkaizen.errors import MLKaizenError
from mlkaizen.evidence.facts.live import (
    Experiment,
    MlflowFacts,
    ModelVersion,
    Problem,
    RegisteredModel,
    Run,
)
from mlkaizen.evidence.sources import mlflow_shapes as shapes
from mlkaizen.evidence.sources.mlflow_http import Connection, CutError, target_of
from mlkaizen.evidence.sources.mlflow_paging import Pager
from mlkaizen.evidence.sources.mlflow_urls import public_url

_IDS_PER_SEARCH = 100  # experiment ids in one runs/search
_MAX_MODEL_PAGE = 1000  # registered-models/search refuses more on MLflow's own server


@dataclass(frozen=True)
class MlflowOptions:
    """Where the server is and how much of it to read. ``url`` is ``http(s)://...`` or
    ``databricks`` (the workspace of ``DATABRICKS_HOST``). ``page_size`` is the
    ``max_results`` of each search (servers guarantee at least 1000); ``parallel`` how many
    searches of runs may run at once (1 for a server that must be spared); ``max_items``
    how many experiments, runs, models and versions are kept, each."""

    url: str
    max_requests: int = 2000
    deadline: float = 60.0  # seconds for the whole reading
    request_timeout: float = 15.0  # seconds for one request (connect, read)
    max_body: int = 16 * 1024 * 1024  # bytes of one response
    page_size: int = 1000
    parallel: int = 4  # run searches at a time (slices of the window)
    max_items: int = 100_000  # facts kept of each part (experiments, runs, models, versions)


def check_url(url: str) -> str:
    """``url`` as given when it is usable (``http``/``https`` with a host, or
    ``databricks``); raises :class:`~mlkaizen.errors.MLKaizenError` otherwise."""
    if url == "databricks":
        return url
    shown = _shown(url)
    if any(ord(c) < 32 or ord(c) == 127 or c.isspace() for c in url):
        raise MLKaizenError(f"MLflow URL {shown!r}: it has spaces or control characters")
    try:
        parts = urlsplit(url)
        usable = (parts.scheme in ("http", "https") and bool(parts.hostname)
                  and (parts.port is None or parts.port > 0))
    except ValueError:  # a port out of range, a malformed IPv6 host
        usable = False
    if not usable:
        raise MLKaizenError(f"MLflow URL {shown!r}: expected http://host[:port] or "
                            "https://host[:port] (or databricks)")
    return url


def _shown(url: str) -> str:
    """``url`` as it may be shown in a message: without user info, query or fragment."""
    url = url.partition("#")[0].partition("?")[0]
    head, sep, rest = url.partition("://")
    if not sep:
        return _printable(url)
    netloc, slash, path = rest.partition("/")
    return _printable(f"{head}://{netloc.rpartition('@')[2]}{slash}{path}")


def _printable(text: str) -> str:
    return "".join(c if c.isprintable() else "?" for c in text)[:200]


def read_mlflow(
    options: MlflowOptions,
    since: dt.datetime,
    until: dt.datetime,
    env: Mapping[str, str] | None = None,
) -> MlflowFacts:
    """What the server shows between ``since`` and ``until``. Never raises for the server's
    behaviour: an unreachable server, 401/403, a timeout, a malformed or oversized response,
    a redirect to another host or a missing endpoint each become one problem in the facts,
    and what was read before it stands (``complete`` False when cut short)."""
    since, until = since.astimezone(dt.UTC), until.astimezone(dt.UTC)
    environ: Mapping[str, str] = os.environ if env is None else env
    server = "databricks" if options.url == "databricks" else _printable(public_url(options.url))
    try:
        check_url(options.url)
        target = target_of(options.url, environ)
    except (MLKaizenError, CutError) as exc:
        return MlflowFacts(server=server, since=since, until=until, complete=False,
                           problems=[Problem(source="mlflow", message=exc.message)])
    connection = Connection(target, options.max_requests, options.deadline,
                            options.request_timeout, options.max_body)
    reader = _Reader(connection, options, since, until)
    try:
        reader.read()
    finally:
        connection.close()
    return MlflowFacts(
        server=target.base, since=since, until=until, experiments=reader.experiments,
        runs=reader.runs, models=reader.models, versions=reader.versions,
        complete=reader.complete, requests=connection.requests,
        problems=[Problem(source="mlflow", message=connection.clean(m))
                  for m in reader.problems],
    )


class _Reader(Pager):
    """The four parts read in turn; a fatal cut stops the rest. Runs are read ``parallel``
    searches at a time, each over a slice of the window (a server answers a page of runs
    slowly: it is the bulk of the time)."""

    def __init__(self, connection: Connection, options: MlflowOptions, since: dt.datetime,
                 until: dt.datetime) -> None:
        super().__init__(options.max_items)
        self.http = connection
        self.page = max(1, options.page_size)
        self.parallel = max(1, options.parallel)
        self.since, self.until = since, until
        self.experiments: list[Experiment] = []
        self.runs: list[Run] = []
        self.models: list[RegisteredModel] = []
        self.versions: list[ModelVersion] = []

    def read(self) -> None:
        self._experiments()
        if not self.stopped:
            self._runs()
        if not self.stopped:
            self._models()
        if not self.stopped:
            self._versions()

    def _experiments(self) -> None:
        def fetch(token: str | None) -> Any:
            params = {"max_results": str(self.page)} | ({"page_token": token} if token else {})
            return self.http.call("GET", "experiments/search", params=params)

        self.pages("experiments", "experiments", fetch, convert=shapes.experiment,
                    into=self.experiments, ident=lambda e: e.id)

    def _runs(self) -> None:
        ids = [e.id for e in self.experiments]
        batches = [ids[i:i + _IDS_PER_SEARCH] for i in range(0, len(ids), _IDS_PER_SEARCH)]
        jobs = [(b, lo, hi) for b in batches for lo, hi in shapes.slices(
            shapes.ms(self.since, up=True), shapes.ms(self.until, up=False), self.parallel)]
        if not jobs:
            return
        with ThreadPoolExecutor(min(self.parallel, len(jobs))) as pool:
            parts = list(pool.map(self._runs_of, jobs))
        once = {r.id: r for part in parts for r in part}
        # a server that ignores the filter shows runs out of the window: never kept
        self.runs = [r for r in once.values() if self.since <= r.start <= self.until]

    def _runs_of(self, job: tuple[list[str], int, int]) -> list[Run]:
        batch, lo, hi = job
        window = f"attributes.start_time >= {lo} AND attributes.start_time <= {hi}"
        found: list[Run] = []

        def fetch(token: str | None) -> Any:
            body: dict[str, Any] = {"experiment_ids": batch, "filter": window,
                                    "max_results": self.page, "run_view_type": "ACTIVE_ONLY"}
            if token:
                body["page_token"] = token
            return self.http.call("POST", "runs/search", body=body)

        self.pages("runs", "runs", fetch, convert=shapes.run, into=found, ident=lambda r: r.id)
        return found

    def _models(self) -> None:
        size = str(min(self.page, _MAX_MODEL_PAGE))

        def fetch(token: str | None) -> Any:
            params = {"max_results": size} | ({"page_token": token} if token else {})
            return self.http.call("GET", "registered-models/search", params=params)

        self.pages("registered models", "registered_models", fetch, convert=shapes.model,
                    into=self.models, ident=lambda m: m.name)

    def _versions(self) -> None:
        failed: list[tuple[str, CutError]] = []
        for owner in self.models:
            if len(self.versions) >= self.max_items:
                self.limited("model versions")
                break
            try:
                found = self._versions_of(owner)
                self.versions.extend(found[:self.take("model versions", len(found))])
            except CutError as cut:
                if cut.fatal or cut.missing:
                    self.cut("model versions", cut)
                    return
                failed.append((owner.name, cut))
        if failed:
            name, first = failed[0]
            more = f" (and {len(failed) - 1} more models)" if len(failed) > 1 else ""
            self.cut("model versions", CutError(f"{first.message}, for model {name!r}{more}"))

    def _versions_of(self, owner: RegisteredModel) -> list[ModelVersion]:
        query, exact = shapes.version_filter(owner.name)
        raw: list[Any] = []
        token: str | None = None
        seen: set[str] = set()
        while True:
            params = {"filter": query, "max_results": str(self.page)}
            answer = self.http.call("GET", "model-versions/search",
                                    params=params | ({"page_token": token} if token else {}))
            found = shapes.items(answer, "model_versions")
            if found is None:
                raise CutError("the answer has no list of model_versions (unexpected shape)")
            raw.extend(found)
            token = shapes.next_token(answer)
            if token is None or token in seen or len(raw) > self.max_items:
                break  # past the limit: what is kept of it is decided by the caller
            seen.add(token)
        mine = [v for v in raw if shapes.text(v, "name") == owner.name or
                (exact and shapes.text(v, "name") is None)]
        aliases = shapes.pointing(owner)
        out = [v for v in (shapes.version(item, owner, aliases) for item in mine)
               if v is not None]
        if len(out) < len(mine):
            self.note(f"model versions: {len(mine) - len(out)} of model {owner.name!r} left "
                      "out (unexpected shape)")
        once = {v.version: v for v in out}  # a version shown twice across pages: once
        return sorted(once.values(), key=lambda v: (len(v.version), v.version))
