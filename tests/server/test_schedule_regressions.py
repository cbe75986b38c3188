"""A new regression stored by a fleet run shows on the portfolio and the plan board ("regressed
since #N": the newest assessment below the one just before it, however recent), and a
monorepo's sub-projects stand under their repository's row."""

from __future__ import annotations

import datetime as dt
import re

from fastapi.testclient import TestClient

from mlkaizen.store import accounts, plans
from mlkaizen.store.db import Store
from mlkaizen.store.fleet import StoredSubject, claim, complete, create_run
from tests.server.conftest import member, sign_in, token
from tests.server.test_ui import ALL_PRACTICES, DRIFT, NOW, assessment, save

API = "services/api"


def fleet_run(store: Store, org: str, when: dt.datetime, churn: int, api: int,
              fraud: int) -> dict[str, int]:
    """A fleet run of two repositories (churn with one sub-project), stored as a worker
    stores it; the assessment id of each subject key."""
    o = accounts.org(store, org)
    assert o is not None
    entries = [{"location": "/srv/churn", "kind": "path"},
               {"location": "/srv/fraud", "kind": "path"}]
    run_id = create_run(store, "schedule nightly", entries, executor="local", options={},
                        problems=[], org_id=o.id, now=when)
    found: dict[str, int] = {}
    subjects: list[list[StoredSubject]] = [
        [StoredSubject("/srv/churn", "churn", assessment(churn)),
         StoredSubject(f"/srv/churn#{API}", f"churn:{API}", assessment(api),
                       parent="/srv/churn")],
        [StoredSubject("/srv/fraud", "fraud", assessment(fraud))],
    ]
    for n, job_subjects in enumerate(subjects):
        job = claim(store, _job_id(store, run_id, n), "w", lease=dt.timedelta(minutes=5),
                    now=when)
        assert job is not None
        assert complete(store, job.id, job_subjects, now=when)
    from mlkaizen.store.fleet import jobs

    for job in jobs(store, run_id):
        for r in job.results:
            found[r["key"]] = r["assessment_id"]
    return found


def _job_id(store: Store, run_id: int, position: int) -> int:
    from mlkaizen.store.fleet import jobs

    return jobs(store, run_id)[position].id


def rows(html: str) -> list[tuple[bool, str, str]]:
    """The portfolio's rows: (a sub-project row, the subject, the stage cell's text)."""
    out = []
    for tr in re.findall(r"<tr( class=\"sub-project\")?>\s*(<td class=\"subject-name\">.*?)</tr>",
                         html, re.S):
        name = re.search(r'<a href="/orgs/[^"]+/subjects/\d+">([^<]*)</a>', tr[1])
        stage = re.search(r'<td class="stage-cell[^"]*">(.*?)</td>', tr[1], re.S)
        assert name is not None and stage is not None
        out.append((bool(tr[0]), name.group(1), re.sub(r"<[^>]+>", "", stage.group(1))))
    return out


def test_a_fleet_regression_is_marked_on_the_portfolio(client: TestClient, store: Store) -> None:
    member(store, "acme", "maria", "viewer")
    first = fleet_run(store, "acme", NOW - dt.timedelta(days=2), churn=3, api=2, fraud=2)
    save(store, "acme", "churn-legacy", assessment(1))  # a repository of its own
    sign_in(client, "maria")
    html = client.get("/orgs/acme/portfolio").text
    # one assessment each: nothing to fall from
    assert "regressed" not in html
    fleet_run(store, "acme", NOW, churn=2, api=2, fraud=3)
    html = client.get("/orgs/acme/portfolio").text
    # churn fell from 3 to 2 since the run before; the trend over 30 days has no data (both
    # runs are recent), so only the marker tells it. fraud went up, the sub-project stayed
    assert rows(html) == [
        (False, "churn", f"2 DataOps regressed since #{first['/srv/churn']}"),
        (True, f"churn:{API}", "2 DataOps"),
        (False, "churn-legacy", "1 Ad hoc"),
        (False, "fraud", "3 Manual MLOps"),
    ]
    churn = html.split(">churn</a>")[1].split("</tr>")[0]
    assert '<td class="trend">no data</td>' in churn
    assert (f'title="down from 3 Manual MLOps at assessment #{first["/srv/churn"]}">regressed '
            f'since #{first["/srv/churn"]}</a>') in churn
    # the sub-project under its repository whatever the sort: by stage, highest first
    by_stage = rows(client.get("/orgs/acme/portfolio?sort=stage&desc=1").text)
    assert [(sub, name) for sub, name, _ in by_stage] == [
        (False, "fraud"), (False, "churn"), (True, f"churn:{API}"), (False, "churn-legacy")]


def test_a_sub_project_whose_repository_is_filtered_out_says_whose_it_is(
    client: TestClient, store: Store
) -> None:
    member(store, "acme", "maria", "viewer")
    fleet_run(store, "acme", NOW, churn=3, api=2, fraud=2)
    sign_in(client, "maria")
    html = client.get("/orgs/acme/portfolio?stage=DataOps").text
    assert [(sub, name) for sub, name, _ in rows(html)] == [
        (False, f"churn:{API}"), (False, "fraud")]
    assert f'>churn:{API}</a> <span class="muted">(in churn)</span>' in html
    assert "(in " not in html.split(">fraud</a>")[1].split("</tr>")[0]


def test_a_fleet_regression_shows_on_the_plan_board(client: TestClient, store: Store) -> None:
    member(store, "acme", "maria", "viewer")
    first = fleet_run(store, "acme", NOW - dt.timedelta(days=1), churn=3, api=2, fraud=2)
    o = accounts.org(store, "acme")
    assert o is not None
    for key, name in (("/srv/churn", "churn"), ("/srv/fraud", "fraud")):
        plans.add(store, key=key, name=name, practice=DRIFT, owner="ana",
                  due=NOW.date() + dt.timedelta(days=30), note="", known=ALL_PRACTICES,
                  today=NOW.date(), org_id=o.id)
    sign_in(client, "maria")
    assert "regressed" not in client.get("/orgs/acme/plans").text
    second = fleet_run(store, "acme", NOW, churn=2, api=2, fraud=3)
    html = client.get("/orgs/acme/plans").text
    section = html.split('<section class="regressions"')[1].split("</section>")[0]
    assert "1 subject below their previous assessment" in section
    items = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", li)).strip()
             for li in re.findall(r"<li>(.*?)</li>", section, re.S)]
    assert items == [f"churn regressed since #{first['/srv/churn']} 3 Manual MLOps → 2 DataOps "
                     f"(#{second['/srv/churn']}, {NOW.date().isoformat()})"]
    cards = dict(re.findall(r'<a href="/orgs/acme/subjects/\d+#plans" class="subject-name">'
                            r"([^<]*)</a>(.*?)</div>", html, re.S))
    assert f'<span class="regressed">regressed since #{first["/srv/churn"]}</span>' in cards[
        "churn"]
    assert "regressed" not in cards["fraud"]  # near miss: it went up
    # near miss: an assessment shaped alike but at the same stage is no regression
    fleet_run(store, "acme", NOW + dt.timedelta(minutes=1), churn=2, api=2, fraud=3)
    assert "regressed" not in client.get("/orgs/acme/plans").text


def test_a_regression_between_two_recent_uploads_is_marked_too(client: TestClient,
                                                               store: Store) -> None:
    # near miss of the trend column: 40 days ago and now at the same stage ("no change"),
    # yet down since yesterday's assessment
    member(store, "acme", "maria", "viewer")
    save(store, "acme", "beta", assessment(2), days_ago=40)
    yesterday = save(store, "acme", "beta", assessment(3), days_ago=1)
    save(store, "acme", "beta", assessment(2))
    sign_in(client, "maria")
    html = client.get("/orgs/acme/portfolio").text
    beta = html.split(">beta</a>")[1].split("</tr>")[0]
    assert '<td class="trend">→ no change</td>' in beta
    assert f">regressed since #{yesterday}</a>" in beta


def test_the_api_portfolio_says_it_too(client: TestClient, store: Store) -> None:
    member(store, "acme", "maria", "viewer")
    first = fleet_run(store, "acme", NOW - dt.timedelta(days=1), churn=3, api=2, fraud=2)
    fleet_run(store, "acme", NOW, churn=2, api=2, fraud=3)
    secret = token(store, "acme", "viewer")
    folio = client.get("/api/v1/orgs/acme/portfolio",
                       headers={"Authorization": f"Bearer {secret}"}).json()
    got = {r["subject"]["name"]: (r["regressed_since"], r["parent_id"]) for r in folio["items"]}
    ids = {r["subject"]["name"]: r["subject"]["id"] for r in folio["items"]}
    assert got == {"churn": (first["/srv/churn"], None), f"churn:{API}": (None, ids["churn"]),
                   "fraud": (None, None)}
