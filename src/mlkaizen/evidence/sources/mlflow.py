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
from collections.abc import Mapping
from dataclasses import dataclass

from mlkaizen.evidence.facts.live import MlflowFacts


@dataclass(frozen=True)
class MlflowOptions:
    """Where the server is and how much of it to read. ``url`` is ``http(s)://...`` or
    ``databricks`` (the workspace of ``DATABRICKS_HOST``)."""

    url: str
    max_requests: int = 2000
    deadline: float = 60.0  # seconds for the whole reading
    request_timeout: float = 15.0  # seconds for one request (connect, read)
    max_body: int = 16 * 1024 * 1024  # bytes of one response


def check_url(url: str) -> str:
    """``url`` as given when it is usable (``http``/``https`` with a host, or
    ``databricks``); raises :class:`~mlkaizen.errors.MLKaizenError` otherwise."""
    raise NotImplementedError


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
    raise NotImplementedError
