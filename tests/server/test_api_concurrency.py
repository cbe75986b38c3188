"""Uploads at the same moment, over real sockets to a real server (uvicorn on loopback), on
SQLite and PostgreSQL: different uploads for one subject all land, none lost, in time
order; the same upload retried at once with one idempotency key lands once, and every
caller gets the same answer."""

from __future__ import annotations

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
from sqlalchemy import select

from mlkaizen.store.db import Store
from mlkaizen.store.tables import AssessmentRow
from tests.server.conftest import example_report, token
from tests.server.live import live_server
from tests.server.test_api import upload_body

THREADS = 10


def _together(n: int, call: Any) -> list[httpx.Response]:
    """``call(i)`` in ``n`` threads, released at once."""
    gate = threading.Barrier(n)

    def run(i: int) -> httpx.Response:
        gate.wait()
        return call(i)

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(run, range(n)))


def _rows(store: Store) -> list[tuple[int, Any, str | None, str]]:
    with store.session() as s:
        return [tuple(r) for r in s.execute(  # type: ignore[misc]
            select(AssessmentRow.id, AssessmentRow.created_at, AssessmentRow.idempotency_key,
                   AssessmentRow.tool_version).order_by(AssessmentRow.id))]


def test_concurrent_uploads_for_one_subject_all_land_in_time_order(store: Store) -> None:
    headers = {"Authorization": f"Bearer {token(store, 'acme', 'assessor')}"}
    reports = []
    for i in range(THREADS):
        r = example_report()
        r["tool_version"] = f"0.{i}"  # tells them apart
        reports.append(r)
    with live_server(store) as url:
        def send(i: int) -> httpx.Response:
            with httpx.Client(base_url=url, timeout=120) as c:
                return c.post("/api/v1/orgs/acme/assessments", headers=headers,
                              json=upload_body(reports[i]))

        answers = _together(THREADS, send)
        assert [a.status_code for a in answers] == [201] * THREADS, [a.text for a in answers]
        ids = sorted(a.json()["id"] for a in answers)
        assert len(set(ids)) == THREADS
        assert len({a.json()["subject_id"] for a in answers}) == 1
        sid = answers[0].json()["subject_id"]
        history = httpx.get(f"{url}/api/v1/orgs/acme/subjects/{sid}/history?limit=200",
                            headers=headers).json()["items"]
    rows = _rows(store)
    assert [r[0] for r in rows] == ids == [p["id"] for p in history]
    assert sorted(r[3] for r in rows) == sorted(f"0.{i}" for i in range(THREADS))
    times = [r[1] for r in rows]
    assert times == sorted(times)  # the order of the ids is the order in time
    shown = [dt.datetime.fromisoformat(p["created_at"]) for p in history]
    assert shown == sorted(shown)


def test_the_same_key_at_the_same_moment_lands_once(store: Store) -> None:
    headers = {"Authorization": f"Bearer {token(store, 'acme', 'assessor')}",
               "Idempotency-Key": "pipeline-7-job-3"}
    body = upload_body()
    with live_server(store) as url:
        def send(_: int) -> httpx.Response:
            with httpx.Client(base_url=url, timeout=120) as c:
                return c.post("/api/v1/orgs/acme/assessments", headers=headers, json=body)

        answers = _together(THREADS, send)
    codes = sorted(a.status_code for a in answers)
    assert codes == [200] * (THREADS - 1) + [201], [a.text for a in answers]
    assert len({a.content for a in answers}) == 1  # one answer for all
    replayed = [a.headers.get("idempotent-replayed") for a in answers]
    assert sorted(replayed, key=str) == sorted(["true"] * (THREADS - 1) + [None], key=str)
    rows = _rows(store)
    assert [(r[0], r[2]) for r in rows] == [(answers[0].json()["id"], "pipeline-7-job-3")]


def test_an_oversized_upload_over_a_socket_gets_its_413(sqlite_store: Store) -> None:
    headers = {"Authorization": f"Bearer {token(sqlite_store, 'acme', 'assessor')}"}
    big = b'{"subject": {"key": "x"}, "pad": "' + b"a" * (5 * 1024 * 1024) + b'"}'
    error = {"error": "the upload is over the limit of 5242880 bytes", "problems": []}

    def chunks() -> Any:
        for i in range(0, len(big), 65536):
            yield big[i:i + 65536]

    with live_server(sqlite_store) as url, httpx.Client(base_url=url, timeout=120) as c:
        sized = c.post("/api/v1/orgs/acme/assessments", headers=headers, content=big)
        streamed = c.post("/api/v1/orgs/acme/assessments", headers=headers,
                          content=chunks())
    assert (sized.status_code, sized.json()) == (413, error)
    assert "content-length" not in streamed.request.headers
    assert (streamed.status_code, streamed.json()) == (413, error)
    assert _rows(sqlite_store) == []
