"""The REST API on SQLite and PostgreSQL: an upload read back exactly (with ETags and 304),
its history, the portfolio and the subject list (paged); idempotent retries; every kind of
malformed upload refused with a 4xx naming the problem and nothing stored; subject
settings; plan items added, listed, abandoned and closed by a later upload."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from mlkaizen.store.db import Store
from mlkaizen.store.tables import (
    AssessmentRow,
    PlanRow,
    PracticeRow,
    SubjectAnswerRow,
    SubjectRow,
)
from tests.server.conftest import example_report, token

API = "/api/v1"


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def upload_body(report: dict[str, Any] | None = None, key: str = "churn", *,
                link_base: str | None = None, **subject: Any) -> dict[str, Any]:
    return {"subject": {"key": key, **subject}, "link_base": link_base,
            "assessment": report if report is not None else example_report()}


def counts(store: Store) -> dict[str, int]:
    """How many rows each table that an upload writes holds."""
    with store.session() as s:
        return {t.__tablename__: int(s.scalar(select(func.count()).select_from(t)) or 0)
                for t in (SubjectRow, AssessmentRow, PracticeRow, PlanRow, SubjectAnswerRow)}


@pytest.fixture
def ci(store: Store) -> Iterator[dict[str, str]]:
    """The headers of an assessor token of ``acme``."""
    yield bearer(token(store, "acme", "assessor"))


@pytest.fixture
def admin(store: Store) -> Iterator[dict[str, str]]:
    yield bearer(token(store, "acme", "admin", name="admin"))


# -- round trip ---------------------------------------------------------------------------


def test_an_upload_reads_back_exactly_with_etags_history_and_portfolio(
    client: TestClient, store: Store, ci: dict[str, str]
) -> None:
    report = example_report()
    r = client.post(f"{API}/orgs/acme/assessments", headers=ci,
                    json=upload_body(report, team="risk", target="Kaizen MLOps",
                                     link_base="https://git.example.com/risk/churn/blob/main"))
    assert r.status_code == 201, r.text
    aid, sid = r.json()["id"], r.json()["subject_id"]
    assert r.json() == {
        "id": aid, "subject_id": sid, "stage": "Manual MLOps", "stage_index": 3,
        "url": f"/api/v1/assessments/{aid}", "page": f"/orgs/acme/subjects/{sid}",
        "achieved_plans": [], "with_answers": None,
    }
    assert r.headers["location"] == f"/api/v1/assessments/{aid}"

    got = client.get(r.json()["url"], headers=ci)
    assert got.status_code == 200
    assert got.json()["report"] == report  # exactly what was uploaded
    assert (got.json()["id"], got.json()["subject_id"], got.json()["origin"]) == (
        aid, sid, "upload")
    assert got.json()["created_at"].endswith("Z")
    tag = got.headers["etag"]
    assert tag.startswith('"') and tag.endswith('"') and len(tag) == 42
    assert got.headers["cache-control"] == "private, no-cache"
    same = client.get(r.json()["url"], headers={**ci, "If-None-Match": tag})
    assert (same.status_code, same.content, same.headers["etag"]) == (304, b"", tag)
    weak = client.get(r.json()["url"], headers={**ci, "If-None-Match": f'"x", W/{tag}'})
    assert weak.status_code == 304
    near = tag[:-2] + ("1" if tag[-2] == "0" else "0") + '"'  # one character off
    other = client.get(r.json()["url"], headers={**ci, "If-None-Match": near})
    assert (other.status_code, other.json()["id"]) == (200, aid)

    history = client.get(f"{API}/orgs/acme/subjects/{sid}/history", headers=ci).json()
    levels = {d["id"]: d["level"] for d in report["dimensions"]}
    assert history["next_cursor"] is None
    assert [(p["id"], p["stage"], p["stage_index"], p["levels"], p["origin"])
            for p in history["items"]] == [(aid, "Manual MLOps", 3, levels, "upload")]

    folio = client.get(f"{API}/orgs/acme/portfolio", headers=ci).json()
    assert folio["teams"] == ["risk"]
    [row] = folio["items"]
    assert row["subject"] == {"id": sid, "key": "churn", "name": "churn-prediction",
                              "team": "risk", "target": "Kaizen MLOps",
                              "link_base": "https://git.example.com/risk/churn/blob/main"}
    assert (row["assessment_id"], row["stage"], row["stage_index"], row["levels"]) == (
        aid, "Manual MLOps", 3, levels)
    assert (row["target"], row["target_index"], row["gap"], row["trend"]) == (
        "Kaizen MLOps", 5, 2, None)
    assert (row["assessments"], row["open_plans"], row["overdue_plans"]) == (1, 0, 0)
    assert client.get(f"{API}/orgs/acme/portfolio?gap=met", headers=ci).json()["items"] == []
    assert len(client.get(f"{API}/orgs/acme/portfolio?gap=behind&team=risk",
                          headers=ci).json()["items"]) == 1
    assert client.get(f"{API}/orgs/acme/portfolio?sort=colour", headers=ci).status_code == 422

    subject = client.get(f"{API}/orgs/acme/subjects/{sid}", headers=ci).json()
    assert subject["latest"] == {"id": aid, "stage": "Manual MLOps", "stage_index": 3,
                                 "levels": levels, "created_at": got.json()["created_at"]}
    org = client.get(f"{API}/orgs/acme", headers=ci)
    assert org.json() == {"slug": "acme", "name": "acme", "role": "assessor", "subjects": 1}
    assert client.get(f"{API}/orgs/acme", headers={**ci, "If-None-Match": org.headers["etag"]}
                      ).status_code == 304


def test_the_etag_changes_with_the_body(client: TestClient, store: Store,
                                        ci: dict[str, str]) -> None:
    first = client.get(f"{API}/orgs/acme/subjects", headers=ci)
    assert first.json() == {"items": [], "next_cursor": None}
    client.post(f"{API}/orgs/acme/assessments", headers=ci, json=upload_body())
    again = client.get(f"{API}/orgs/acme/subjects",
                       headers={**ci, "If-None-Match": first.headers["etag"]})
    assert again.status_code == 200
    assert again.headers["etag"] != first.headers["etag"]
    assert [s["key"] for s in again.json()["items"]] == ["churn"]


def test_subjects_and_history_are_paged_with_opaque_cursors(
    client: TestClient, store: Store, ci: dict[str, str]
) -> None:
    for n in range(5):
        assert client.post(f"{API}/orgs/acme/assessments", headers=ci,
                           json=upload_body(key=f"s{n}")).status_code == 201
    seen, cursor, pages = [], None, 0
    while True:
        url = f"{API}/orgs/acme/subjects?limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = client.get(url, headers=ci).json()
        pages += 1
        seen += [s["key"] for s in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert (seen, pages) == (["s0", "s1", "s2", "s3", "s4"], 3)
    # junk, "x", -1, 2**31 (over the ids' integer)
    for bad in ("nope", "eyJhZnRlciI6ICJ4In0", "eyJhZnRlciI6IC0xfQ",
                "eyJhZnRlciI6IDIxNDc0ODM2NDh9"):
        r = client.get(f"{API}/orgs/acme/subjects?cursor={bad}", headers=ci)
        assert r.json() == {"error": "cursor: not one this server gave; start again without it"}
        assert r.status_code == 400
    for limit in (0, 201):
        r = client.get(f"{API}/orgs/acme/subjects?limit={limit}", headers=ci)
        assert r.status_code == 422
        assert r.json()["problems"][0].startswith("query.limit: Input should be")
    assert len(client.get(f"{API}/orgs/acme/subjects?limit=200", headers=ci).json()["items"]) == 5
    last = "eyJhZnRlciI6IDIxNDc0ODM2NDd9"  # 2**31 - 1: nothing after it
    assert client.get(f"{API}/orgs/acme/subjects?cursor={last}", headers=ci).json() == {
        "items": [], "next_cursor": None}
    for huge in (2**31, 10**20):
        r = client.get(f"{API}/orgs/acme/subjects/{huge}", headers=ci)
        assert r.status_code == 422
        assert r.json()["problems"] == [
            "path.subject_id: Input should be less than or equal to 2147483647"]
        assert client.get(f"{API}/assessments/{huge}", headers=ci).status_code == 422
    assert client.get(f"{API}/assessments/{2**31 - 1}", headers=ci).status_code == 404

    sid = client.get(f"{API}/orgs/acme/subjects?limit=1", headers=ci).json()["items"][0]["id"]
    for _ in range(2):
        client.post(f"{API}/orgs/acme/assessments", headers=ci, json=upload_body(key="s0"))
    first = client.get(f"{API}/orgs/acme/subjects/{sid}/history?limit=2", headers=ci).json()
    rest = client.get(f"{API}/orgs/acme/subjects/{sid}/history?limit=2&cursor="
                      f"{first['next_cursor']}", headers=ci).json()
    ids = [p["id"] for p in first["items"] + rest["items"]]
    assert len(ids) == 3 and ids == sorted(ids)
    assert rest["next_cursor"] is None


# -- idempotency --------------------------------------------------------------------------


def test_a_retry_with_the_same_key_lands_once(client: TestClient, store: Store,
                                              ci: dict[str, str]) -> None:
    key = {"Idempotency-Key": "ci-run-41-attempt"}
    first = client.post(f"{API}/orgs/acme/assessments", headers={**ci, **key},
                        json=upload_body())
    assert first.status_code == 201
    stored = counts(store)
    again = client.post(f"{API}/orgs/acme/assessments", headers={**ci, **key},
                        json=upload_body())
    assert (again.status_code, again.json()) == (200, first.json())
    assert again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert counts(store) == stored
    # the key belongs to the subject: another subject's upload with it is new
    elsewhere = client.post(f"{API}/orgs/acme/assessments", headers={**ci, **key},
                            json=upload_body(key="another"))
    assert elsewhere.status_code == 201 and elsewhere.json()["id"] != first.json()["id"]
    # without a key, the same body is a new assessment
    assert client.post(f"{API}/orgs/acme/assessments", headers=ci,
                       json=upload_body()).status_code == 201
    with store.session() as s:
        assert s.scalar(select(AssessmentRow.uploaded_by).where(
            AssessmentRow.id == first.json()["id"])) == "token:ci"


def test_a_key_reused_for_another_report_is_refused(client: TestClient, store: Store,
                                                    ci: dict[str, str]) -> None:
    key = {"Idempotency-Key": "k-1"}
    first = client.post(f"{API}/orgs/acme/assessments", headers={**ci, **key},
                        json=upload_body())
    stored = counts(store)
    changed = example_report()
    changed["tool_version"] = "0.0.1"
    r = client.post(f"{API}/orgs/acme/assessments", headers={**ci, **key},
                    json=upload_body(changed))
    assert r.status_code == 409
    assert r.json() == {
        "error": f"Idempotency-Key 'k-1' was used for another upload of this subject "
                 f"(assessment {first.json()['id']}); use a new key for a new assessment",
        "problems": [],
    }
    assert counts(store) == stored


@pytest.mark.parametrize("value", [b"", b"has space", b"x" * 129, "caf\u00e9".encode(),
                                   b"tab\there"])
def test_a_malformed_idempotency_key_is_refused(client: TestClient, store: Store,
                                                ci: dict[str, str], value: bytes) -> None:
    r = client.post(f"{API}/orgs/acme/assessments",
                    headers={**ci, "Idempotency-Key": value},  # type: ignore[dict-item]
                    json=upload_body())
    assert r.status_code == 400
    assert r.json()["error"] == ("Idempotency-Key: give 1 to 128 printable ASCII characters "
                                 "(no spaces)")
    assert counts(store)["assessments"] == 0


def test_an_idempotency_key_of_128_characters_is_taken(client: TestClient,
                                                       ci: dict[str, str]) -> None:
    r = client.post(f"{API}/orgs/acme/assessments",
                    headers={**ci, "Idempotency-Key": "~" * 128}, json=upload_body())
    assert r.status_code == 201


# -- malformed uploads --------------------------------------------------------------------


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(body: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = body
        for p in parents:
            node = node[int(p)] if p.isdigit() else node[p]
        if value is _DELETE:
            del node[last]
        else:
            node[last] = value
    return change


_DELETE = object()

STAGES = "Ad hoc, DataOps, Manual MLOps, Automated MLOps, Kaizen MLOps"
LINK = ("link_base: give an http:// or https:// URL of the forge, such as "
        "https://git.example.com/team/repo/blob/main")

MALFORMED: dict[str, tuple[Callable[[dict[str, Any]], None], int, str, list[str] | None]] = {
    "schema 2": (_set("assessment.schema_version", "2.0"), 422,
                 "assessment schema_version '2.0' is not supported: this server reads 1.x "
                 "(upgrade the server, or assess with a matching version)",
                 ["assessment.schema_version: '2.0' is not 1.x"]),
    "schema 0": (_set("assessment.schema_version", "0.9"), 422,
                 "assessment schema_version '0.9' is not supported: this server reads 1.x "
                 "(upgrade the server, or assess with a matching version)", None),
    "schema missing": (_set("assessment.schema_version", _DELETE), 422,
                       "assessment.schema_version: missing, or not a string such as \"1.5\"",
                       None),
    "stage missing": (_set("assessment.stage", _DELETE), 422,
                      "the upload does not match the expected shape: assessment.stage: "
                      "Field required", ["assessment.stage: Field required"]),
    "level not a number": (_set("assessment.dimensions.0.level", "high"), 422,
                           "the upload does not match the expected shape: "
                           "assessment.dimensions.0.level: Input should be a valid integer, "
                           "unable to parse string as an integer",
                           ["assessment.dimensions.0.level: Input should be a valid integer, "
                            "unable to parse string as an integer"]),
    "extra field": (_set("extra", 1), 422,
                    "the upload does not match the expected shape: extra: Extra inputs are "
                    "not permitted", None),
    "no subject": (_set("subject", _DELETE), 422,
                   "the upload does not match the expected shape: subject: Field required",
                   None),
    "unknown catalogue": (_set("assessment.catalogue.id", "acme-nope"), 422,
                          "catalogue 'acme-nope' is unknown to this server (it knows "
                          "ad-hoc-to-kaizen, acme-mlops)",
                          ["assessment.catalogue.id: 'acme-nope' is not installed here"]),
    "catalogue as a path": (_set("assessment.catalogue.id", "/etc/hostname"), 422,
                            "catalogue '/etc/hostname' is unknown to this server (it knows "
                            "ad-hoc-to-kaizen, acme-mlops)", None),
    "unknown practice": (_set("assessment.practices.0.id", "data.telepathy"), 422,
                         "practices not in catalogue 'ad-hoc-to-kaizen': data.telepathy",
                         ["assessment.practices: 'data.telepathy' is not a practice of "
                          "'ad-hoc-to-kaizen'"]),
    "unknown dimension": (_set("assessment.dimensions.0.id", "vibes"), 422,
                          "dimensions not in catalogue 'ad-hoc-to-kaizen': vibes", None),
    "stage of another index": (_set("assessment.stage_index", 4), 422,
                               "assessment.stage: 'Manual MLOps' at index 4 is not a stage of "
                               f"'ad-hoc-to-kaizen' ({STAGES})", None),
    "empty key": (_set("subject.key", "  "), 422, "subject.key: empty",
                  ["subject.key: empty"]),
    "long key": (_set("subject.key", "k" * 1025), 422, "subject.key: at most 1024 characters",
                 None),
    "long team": (_set("subject.team", "t" * 129), 422, "subject.team: 1 to 128 characters",
                  None),
    "unknown target": (_set("subject.target", "Nirvana"), 422,
                       f"subject.target: 'Nirvana' is not a stage ({STAGES})", None),
    "long tool version": (_set("assessment.tool_version", "9" * 65), 422,
                          "assessment.tool_version: at most 64 characters", None),
    "javascript link": (_set("link_base", "javascript:alert(1)//"), 422, LINK, [LINK]),
    "ftp link": (_set("link_base", "ftp://git.example.com/x"), 422, LINK, None),
    "hostless link": (_set("link_base", "https:///x"), 422, LINK, None),
    "link with a space": (_set("link_base", "https://git.example.com/a b"), 422,
                          "link_base: no spaces or control characters in a URL", None),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_a_malformed_upload_is_refused_and_nothing_is_stored(
    client: TestClient, store: Store, ci: dict[str, str], case: str
) -> None:
    change, status, error, problems = MALFORMED[case]
    body = upload_body()
    change(body)
    before = counts(store)
    r = client.post(f"{API}/orgs/acme/assessments", headers=ci, json=body)
    assert r.status_code == status, r.text
    assert r.json()["error"] == error
    if problems is not None:
        assert r.json()["problems"] == problems
    assert counts(store) == before


@pytest.mark.parametrize("change", [
    _set("assessment.schema_version", "1.9"),  # a later 1.x
    _set("subject.key", "k" * 1024),
    _set("subject.team", "t" * 128),
    _set("subject.target", "Kaizen MLOps"),
    _set("link_base", "http://git.example.com/x?ref=main#L1"),
    _set("assessment.catalogue.id", "acme-mlops"),  # an installed plugin's catalogue
], ids=["schema 1.9", "key 1024", "team 128", "target", "http link", "plugin catalogue"])
def test_near_misses_of_malformed_uploads_are_taken(
    client: TestClient, store: Store, ci: dict[str, str], change: Callable[[dict[str, Any]], None]
) -> None:
    body = upload_body()
    change(body)
    r = client.post(f"{API}/orgs/acme/assessments", headers=ci, json=body)
    assert r.status_code == 201, r.text
    assert counts(store)["assessments"] == 1


def test_a_body_that_is_not_json_is_refused(client: TestClient, store: Store,
                                            ci: dict[str, str]) -> None:
    for content, error in [
        (b"{nope", "the body is not JSON: Expecting property name enclosed in double quotes: "
                   "line 1 column 2 (char 1)"),
        (b'{"subject": NaN}', "the body is not JSON: NaN is not JSON"),
        (b"\xff\xfe", "the body is not JSON: 'utf-8' codec can't decode byte 0xff in "
                      "position 0: invalid start byte"),
    ]:
        r = client.post(f"{API}/orgs/acme/assessments", headers=ci, content=content)
        assert (r.status_code, r.json()) == (400, {"error": error, "problems": []})
    r = client.post(f"{API}/orgs/acme/assessments", headers=ci, content=b"[1, 2]")
    assert (r.status_code, r.json()["error"]) == (422, "the body must be a JSON object")
    assert counts(store)["assessments"] == 0


def test_an_oversized_upload_is_refused_by_its_length_and_by_its_bytes(
    client: TestClient, store: Store, ci: dict[str, str]
) -> None:
    body = json.dumps(upload_body()).encode()
    client.app.state.max_upload_bytes = len(body) - 1  # type: ignore[attr-defined]
    error = {"error": f"the upload is over the limit of {len(body) - 1} bytes", "problems": []}
    r = client.post(f"{API}/orgs/acme/assessments", headers=ci, content=body)
    assert (r.status_code, r.json()) == (413, error)

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        for i in range(0, len(body), 4096):
            yield body[i:i + 4096]

    r = client.post(f"{API}/orgs/acme/assessments", headers=ci, content=chunks())
    assert "content-length" not in r.request.headers
    assert (r.status_code, r.json()) == (413, error)
    assert counts(store)["assessments"] == 0
    client.app.state.max_upload_bytes = len(body)  # type: ignore[attr-defined]
    assert client.post(f"{API}/orgs/acme/assessments", headers=ci,
                       content=chunks()).status_code == 201


# -- subject settings ---------------------------------------------------------------------


def test_an_admin_sets_team_target_and_forge_link(client: TestClient, store: Store,
                                                  ci: dict[str, str], admin: dict[str, str]
                                                  ) -> None:
    sid = client.post(f"{API}/orgs/acme/assessments", headers=ci,
                      json=upload_body(team="risk")).json()["subject_id"]
    url = f"{API}/orgs/acme/subjects/{sid}"
    r = client.patch(url, headers=admin, json={"target": "Automated MLOps",
                                               "link_base": "https://forge.example/x"})
    assert r.status_code == 200
    assert (r.json()["team"], r.json()["target"], r.json()["link_base"]) == (
        "risk", "Automated MLOps", "https://forge.example/x")
    r = client.patch(url, headers=admin, json={"team": None})
    assert (r.json()["team"], r.json()["target"]) == (None, "Automated MLOps")
    bad = client.patch(url, headers=admin, json={"target": "Automated"})
    assert (bad.status_code, bad.json()) == (
        422, {"error": f"target 'Automated' is not a stage ({STAGES})"})
    bad = client.patch(url, headers=admin, json={"link_base": "javascript:alert(1)"})
    assert (bad.status_code, bad.json()) == (422, {"error": LINK})
    bad = client.patch(url, headers=admin, json={"colour": "red"})
    assert bad.status_code == 422 and bad.json()["problems"] == [
        "body.colour: Extra inputs are not permitted"]
    assert client.get(url, headers=admin).json()["target"] == "Automated MLOps"
    # an upload fills a blank team, never replaces an admin's target
    client.post(f"{API}/orgs/acme/assessments", headers=ci,
                json=upload_body(team="fraud", target="DataOps"))
    after = client.get(url, headers=admin).json()
    assert (after["team"], after["target"]) == ("fraud", "Automated MLOps")
    assert client.patch(f"{API}/orgs/acme/subjects/{sid + 1000}", headers=admin,
                        json={"team": "x"}).status_code == 404


# -- plans --------------------------------------------------------------------------------


def test_plan_items_are_added_listed_abandoned_and_closed_by_an_upload(
    client: TestClient, store: Store, ci: dict[str, str]
) -> None:
    sid = client.post(f"{API}/orgs/acme/assessments", headers=ci,
                      json=upload_body()).json()["subject_id"]
    today = dt.datetime.now(dt.UTC).date()
    plans = f"{API}/orgs/acme/subjects/{sid}/plans"
    r = client.post(plans, headers=ci, json={"practice": "model.champion-challenger",
                                             "owner": " maria ", "due": today.isoformat(),
                                             "note": "A/B the next model"})
    assert r.status_code == 201, r.text
    item = r.json()
    assert {k: item[k] for k in ("practice", "owner", "due", "note", "status")} == {
        "practice": "model.champion-challenger", "owner": "maria", "due": today.isoformat(),
        "note": "A/B the next model", "status": "open"}
    assert item["subject"] == {"id": sid, "key": "churn", "name": "churn-prediction"}
    second = client.post(plans, headers=ci, json={"practice": "data.drift-feedback",
                                                  "owner": "bo", "due": "2999-01-01"}).json()

    bad = client.post(plans, headers=ci, json={"practice": "data.telepathy", "owner": " ",
                                               "due": (today - dt.timedelta(days=1))
                                               .isoformat()})
    assert bad.status_code == 422
    assert bad.json()["problems"] == [
        "practice: 'data.telepathy' is not a practice of the catalogue",
        "owner: empty; a plan item needs someone who owns it",
        f"due: {today - dt.timedelta(days=1)} is in the past (today is {today})",
    ]

    def ids(query: str) -> list[int]:
        page = client.get(f"{API}/orgs/acme/plans{query}", headers=ci)
        assert page.status_code == 200, page.text
        return [i["id"] for i in page.json()["items"]]

    assert ids("") == [item["id"], second["id"]]
    assert ids("?status=open") == [item["id"], second["id"]]  # due today is not overdue
    assert ids("?status=overdue") == []
    assert ids("?owner=bo") == [second["id"]]
    assert ids("?limit=1") == [item["id"]]
    assert client.get(f"{API}/orgs/acme/plans?status=late", headers=ci).status_code == 422
    assert [i["id"] for i in client.get(plans, headers=ci).json()["items"]] == [
        item["id"], second["id"]]

    abandon = f"{API}/orgs/acme/plans/{second['id']}/abandon"
    short = client.post(abandon, headers=ci, json={"reason": "no"})
    assert (short.status_code, short.json()["error"]) == (
        422, "reason: say why in 3 characters or more")
    done = client.post(abandon, headers=ci, json={"reason": "not this year"})
    assert (done.status_code, done.json()["status"], done.json()["abandoned_reason"]) == (
        200, "abandoned", "not this year")
    again = client.post(abandon, headers=ci, json={"reason": "not this year"})
    assert (again.status_code, again.json()["error"]) == (
        409, f"plan item {second['id']} is abandoned, not open")
    assert ids("?status=abandoned") == [second["id"]]
    assert client.post(f"{API}/orgs/acme/plans/{second['id'] + 1000}/abandon", headers=ci,
                       json={"reason": "gone"}).status_code == 404

    # a later assessment whose evidence meets the practice closes the item
    met = example_report()
    for p in met["practices"]:
        if p["id"] == "model.champion-challenger":
            p["state"], p["source"] = "met", "detected"
            p["evidence"] = [{"detector": "x", "file": "ab/test.py", "line": 3}]
    up = client.post(f"{API}/orgs/acme/assessments", headers=ci, json=upload_body(met))
    assert up.json()["achieved_plans"] == [
        {"id": item["id"], "practice": "model.champion-challenger",
         "how": "evidence ab/test.py:3"}]
    assert ids("?status=achieved") == [item["id"]]
    closed = client.post(f"{API}/orgs/acme/plans/{item['id']}/abandon", headers=ci,
                         json={"reason": "too late"})
    assert (closed.status_code, closed.json()["error"]) == (
        409, f"plan item {item['id']} is achieved, not open")


def test_openapi_documents_the_upload_and_the_answers(client: TestClient) -> None:
    spec = client.get(f"{API}/openapi.json").json()
    post = spec["paths"]["/api/v1/orgs/{org}/assessments"]["post"]
    body = post["requestBody"]["content"]["application/json"]["schema"]
    assert body["required"] == ["subject", "assessment"]
    assert [p["name"] for p in post["parameters"] if p["in"] == "header"] == ["Idempotency-Key"]
    assert sorted(post["responses"]) == ["200", "201", "400", "401", "403", "404", "409",
                                         "413", "415", "422"]
    got = spec["paths"]["/api/v1/assessments/{assessment_id}"]["get"]
    assert got["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/AssessmentOut"}
    assert "report" in spec["components"]["schemas"]["AssessmentOut"]["properties"]


def test_a_replayed_point_without_a_report_reads_as_null(client: TestClient, store: Store,
                                                         ci: dict[str, str]) -> None:
    from mlkaizen.engine.model import Assessment
    from mlkaizen.store import accounts
    from mlkaizen.store.records import save

    acme = accounts.org(store, "acme")
    assert acme is not None
    saved = save(store, Assessment.model_validate(example_report()), key="churn",
                 name="churn-prediction", origin="history", commit="a" * 40,
                 keep_report=False, org_id=acme.id)
    r = client.get(f"{API}/assessments/{saved.id}", headers=ci)
    assert r.status_code == 200
    assert {k: r.json()[k] for k in ("id", "origin", "report")} == {
        "id": saved.id, "origin": "history", "report": None}
    # the default organisation's assessments (the command line's) are not acme's
    other = save(store, Assessment.model_validate(example_report()), key="churn",
                 name="churn-prediction")
    assert client.get(f"{API}/assessments/{other.id}", headers=ci).status_code == 404


def test_a_catalogue_installed_but_broken_is_a_clear_refusal(
    client: TestClient, store: Store, ci: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from mlkaizen.server import upload_check

    # a plugin that names a catalogue whose file does not load
    monkeypatch.setattr(upload_check, "catalogue_ids", lambda: ("ad-hoc-to-kaizen", "broken"))
    body = upload_body()
    body["assessment"]["catalogue"]["id"] = "broken"
    r = client.post(f"{API}/orgs/acme/assessments", headers=ci, json=body)
    assert (r.status_code, r.json()["error"]) == (
        422, "catalogue 'broken' is installed on this server but does not load; tell the "
             "server's administrator")
    assert counts(store)["assessments"] == 0
