"""The organisation's pages, in-process on SQLite and PostgreSQL: the portfolio (levels,
stage, gap, trend; filters that filter, sorts that sort), a subject's page (its newest
assessment, timeline, evidence linked to the forge only over http(s), plan items and the
forms that add and abandon them) and the plan board (items by owner, achieved by a later
assessment). Another organisation's subject is a 404; a viewer may not change a plan; a
form without its CSRF token changes nothing."""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
import shutil
import subprocess
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from mlkaizen.engine.model import Assessment
from mlkaizen.server.portfolio import stage_names
from mlkaizen.store import accounts, plans, records
from mlkaizen.store.db import Store
from mlkaizen.store.tables import PlanRow, SubjectRow
from tests.server.conftest import EXAMPLE, csrf_of, member, sign_in

NOW = dt.datetime.now(dt.UTC)
DRIFT = "operations.drift-alerts"  # unmet in the example


@cache
def _example_json() -> str:
    from mlkaizen.api import assess

    # a copy in a repository of its own: the same stage wherever the tests run (the example
    # inside a checkout, or in an unpacked archive with no version control around it)
    with tempfile.TemporaryDirectory() as d:
        repo = shutil.copytree(EXAMPLE, Path(d) / "churn-prediction")
        subprocess.run(["git", "init", "-q", str(repo)], check=True)
        return assess(repo).model_dump_json()


def example_report() -> dict[str, Any]:
    """The bundled example's assessment (Manual MLOps), as ``assess -f json`` writes it."""
    return copy.deepcopy(json.loads(_example_json()))


ALL_PRACTICES = {p["id"] for p in example_report()["practices"]}


def assessment(stage: int = 3, levels: dict[str, int] | None = None,
               **practices: dict[str, Any]) -> Assessment:
    """The example's assessment at stage ``stage`` with these dimension ``levels`` and these
    practices changed (``{"operations.drift-alerts": {"state": "met", ...}}``)."""
    data = example_report()
    data["stage"], data["stage_index"] = stage_names()[stage - 1], stage
    for d in data["dimensions"]:
        if levels and d["id"] in levels:
            d["level"] = levels[d["id"]]
    for p in data["practices"]:
        p.update(practices.get(p["id"], {}))
    return Assessment.model_validate(data)


def drift_met() -> Assessment:
    """The example, now with drift alerts detected (which achieves a plan item about it)."""
    return assessment(**{DRIFT: {"state": "met", "source": "detected", "evidence": [
        {"detector": "drift_alerts", "file": "monitoring/alerts.py", "line": 7,
         "detail": "Evidently drift alert"}]}})


def org_id(store: Store, slug: str) -> int:
    o = accounts.org(store, slug)
    assert o is not None
    return o.id


def save(store: Store, slug: str, name: str, a: Assessment, *, days_ago: int = 0,
         origin: str = "assess") -> int:
    return records.save(store, a, key=f"repo/{name}", name=name, org_id=org_id(store, slug),
                        now=NOW - dt.timedelta(days=days_ago), origin=origin).id


def subject_id(store: Store, slug: str, name: str) -> int:
    with store.session() as session:
        row = session.query(SubjectRow).filter_by(org_id=org_id(store, slug),
                                                  key=f"repo/{name}").one()
        return row.id


def settings(store: Store, sid: int, **values: str | None) -> None:
    """A subject's team, target or link_base, as an admin sets them."""
    with store.session() as session:
        row = session.get(SubjectRow, sid)
        assert row is not None
        for k, v in values.items():
            setattr(row, k, v)


def plan(store: Store, slug: str, name: str, practice: str = DRIFT, owner: str = "ana",
         due: dt.date | None = None, note: str = "", today: dt.date | None = None) -> int:
    today = today or NOW.date()
    return plans.add(store, key=f"repo/{name}", name=name, practice=practice, owner=owner,
                     due=due or today + dt.timedelta(days=30), note=note, known=ALL_PRACTICES,
                     today=today, org_id=org_id(store, slug)).id


def plan_rows(store: Store) -> list[tuple[int, str, str]]:
    with store.session() as session:
        return [(r.id, r.owner, r.status) for r in session.query(PlanRow).order_by(PlanRow.id)]


def names_in_order(html: str) -> list[str]:
    """The subjects of the portfolio's table, top to bottom."""
    return re.findall(r'<td class="subject-name"><a href="[^"]+">([^<]*)</a>', html)


def row_of(html: str, name: str) -> str:
    """The portfolio's table row of subject ``name``."""
    found = re.search(r"<tr>\s*<td class=\"subject-name\"><a href=\"[^\"]+\">"
                      + re.escape(name) + r"</a>.*?</tr>", html, re.S)
    assert found is not None, name
    return found.group(0)


def portfolio_org(store: Store) -> None:
    """acme: three subjects (teams, targets, trends), one more in globex."""
    member(store, "acme", "maria", "admin")
    member(store, "globex", "gus", "admin")
    # alpha: DataOps 40 days ago, Manual MLOps now (up one stage), target Automated MLOps
    save(store, "acme", "alpha", assessment(2, {"data": 1}), days_ago=40)
    save(store, "acme", "alpha", assessment(3, {"data": 2}))
    # beta: Manual MLOps then, DataOps now (down), target DataOps (met)
    save(store, "acme", "beta", assessment(3), days_ago=40)
    save(store, "acme", "beta", assessment(2, {"data": 3, "model": 0}))
    # gamma: Automated MLOps, assessed once, 10 days ago, no target
    save(store, "acme", "gamma", assessment(4, {"model": 2}), days_ago=10)
    settings(store, subject_id(store, "acme", "alpha"), team="vision", target="Automated MLOps")
    settings(store, subject_id(store, "acme", "beta"), team="pricing", target="DataOps")
    settings(store, subject_id(store, "acme", "gamma"), team="vision")
    save(store, "globex", "secret-project", assessment(5))


# -- the portfolio ------------------------------------------------------------------------------


def test_the_portfolio_shows_levels_stage_gap_and_trend(client: TestClient, store: Store
                                                        ) -> None:
    portfolio_org(store)
    plan(store, "acme", "alpha")
    plan(store, "acme", "alpha", owner="bo", today=dt.date(2020, 1, 1),
         due=dt.date(2020, 2, 1))  # overdue
    sign_in(client, "maria")
    page = client.get("/orgs/acme/portfolio")
    assert page.status_code == 200
    html = page.text
    assert names_in_order(html) == ["alpha", "beta", "gamma"]
    assert "secret-project" not in html
    alpha = row_of(html, "alpha")
    assert '<td class="stage-cell stage-3">3 Manual MLOps</td>' in alpha
    assert ('<td class="level-cell lvl-2" title="Data: level 2">2 automated '
            '<span class="delta">↑1</span></td>') in alpha
    assert '<td class="level-cell lvl-1" title="Model: level 1">1 standardised</td>' in alpha
    assert '<td>Automated MLOps</td>' in alpha
    assert '<td class="gap behind">1 stage behind</td>' in alpha
    assert '<td class="trend up">↑ up 1 stage</td>' in alpha
    assert '<td class="plans">2 open, <span class="unmet">1 overdue</span></td>' in alpha
    assert f"<td>{NOW.date().isoformat()} <span class=\"muted\">(2)</span></td>" in alpha
    beta = row_of(html, "beta")
    # down since its previous assessment: marked (alpha, up, is not)
    assert re.search(r'<td class="stage-cell stage-2">2 DataOps <a class="regressed" '
                     r'href="/orgs/acme/subjects/\d+" title="down from 3 Manual MLOps at '
                     r'assessment #(\d+)">regressed since #\1</a></td>', beta)
    assert '<td class="level-cell lvl-3" title="Data: level 3">3 continuously improved' in beta
    assert '<td class="level-cell lvl-0" title="Model: level 0">0 fragmented' in beta
    assert '<td class="gap met">met</td>' in beta
    assert '<td class="trend down">↓ down 1 stage</td>' in beta
    gamma = row_of(html, "gamma")
    assert '<td class="gap">no target</td>' in gamma
    assert '<td class="trend">no data</td>' in gamma  # assessed only 10 days ago
    # each subject links to its page
    assert f'<a href="/orgs/acme/subjects/{subject_id(store, "acme", "gamma")}">gamma</a>' in gamma
    # over 7 days, gamma's assessment is old enough for a trend: no change
    week = client.get("/orgs/acme/portfolio?period=7").text
    assert '<td class="trend">→ no change</td>' in row_of(week, "gamma")
    assert '<option value="7" selected>7 days</option>' in week
    # over 90 days, nothing is that old
    quarter = client.get("/orgs/acme/portfolio?period=90").text
    assert '<td class="trend">no data</td>' in row_of(quarter, "alpha")


def test_the_portfolio_filters_filter(client: TestClient, store: Store) -> None:
    portfolio_org(store)
    sign_in(client, "maria")

    def names(query: str) -> list[str]:
        r = client.get(f"/orgs/acme/portfolio?{query}")
        assert r.status_code == 200, r.text
        return names_in_order(r.text)

    assert names("team=vision") == ["alpha", "gamma"]
    assert names("team=pricing") == ["beta"]
    assert names("stage=DataOps") == ["beta"]
    assert names("stage=Automated+MLOps") == ["gamma"]
    assert names("gap=behind") == ["alpha"]
    assert names("gap=met") == ["beta"]
    assert names("gap=none") == ["gamma"]
    assert names("team=vision&gap=none") == ["gamma"]
    none = client.get("/orgs/acme/portfolio?team=pricing&stage=Kaizen+MLOps").text
    assert names_in_order(none) == []
    assert "No subject matches these filters." in none
    assert '<option value="pricing" selected>pricing</option>' in none
    # the teams offered are the organisation's, never another's
    assert re.findall(r'<option value="([^"]*)"[^>]*>[^<]*</option>',
                      none.split('name="team"')[1].split("</select>")[0]) == [
        "", "pricing", "vision"]
    bad = client.get("/orgs/acme/portfolio?gap=sideways")
    assert bad.status_code == 422
    assert "gap" in bad.text


def test_the_portfolio_sorts_sort(client: TestClient, store: Store) -> None:
    portfolio_org(store)
    sign_in(client, "maria")

    def names(query: str) -> list[str]:
        return names_in_order(client.get(f"/orgs/acme/portfolio?{query}").text)

    assert names("sort=stage") == ["beta", "alpha", "gamma"]
    assert names("sort=stage&desc=1") == ["gamma", "alpha", "beta"]
    assert names("sort=trend") == ["gamma", "beta", "alpha"]  # no data, down, up
    assert names("sort=gap&desc=1") == ["alpha", "beta", "gamma"]
    assert names("sort=assessed") == ["gamma", "alpha", "beta"]
    assert names("sort=team") == ["beta", "alpha", "gamma"]
    html = client.get("/orgs/acme/portfolio?sort=stage&team=vision").text
    # the header sorted on flips its direction, the others keep the filters
    assert ('<th scope="col" aria-sort="ascending"><a href="/orgs/acme/portfolio?'
            'team=vision&amp;sort=stage&amp;desc=1">Stage ▲</a></th>') in html
    assert '<a href="/orgs/acme/portfolio?team=vision&amp;sort=gap">Gap</a>' in html


def test_an_empty_portfolio_says_how_to_push(client: TestClient, store: Store) -> None:
    member(store, "initech", "peter", "viewer")
    sign_in(client, "peter")
    html = client.get("/orgs/initech/portfolio").text
    assert "No subject has been assessed in initech yet." in html
    assert "<code>mlkaizen push --server http://127.0.0.1</code>" in html
    assert "<code>mlkaizen token create --org initech --name ci</code>" in html
    assert '<a href="/orgs/initech/plans">Plan board</a>' in html
    assert '<a href="/orgs/initech/portfolio" aria-current="page">Portfolio</a>' in html


def test_pages_need_a_signed_in_member(client: TestClient, store: Store) -> None:
    portfolio_org(store)
    r = client.get("/orgs/acme/portfolio", follow_redirects=False)
    assert (r.status_code, r.headers["location"]) == (303, "/login?next=/orgs/acme/portfolio")
    sign_in(client, "gus")  # of globex
    secret = subject_id(store, "acme", "alpha")
    for path in ("/orgs/acme/portfolio", f"/orgs/acme/subjects/{secret}", "/orgs/acme/plans"):
        r = client.get(path)
        assert r.status_code == 404, path
        assert "no organisation &#39;acme&#39; of yours" in r.text
        assert "alpha" not in r.text
    # acme's subject through globex's own pages: as missing as one that never was
    mine = client.get(f"/orgs/globex/subjects/{secret}")
    never = client.get("/orgs/globex/subjects/999999")
    assert (mine.status_code, never.status_code) == (404, 404)
    assert f"<p>no subject {secret} in &#39;globex&#39;</p>" in mine.text
    assert "<p>no subject 999999 in &#39;globex&#39;</p>" in never.text
    assert "alpha" not in mine.text


# -- the subject page ---------------------------------------------------------------------------


def test_the_subject_page_shows_the_newest_assessment(client: TestClient, store: Store) -> None:
    member(store, "acme", "maria", "viewer")
    save(store, "acme", "churn", assessment(2, {"data": 1}), days_ago=90, origin="history")
    save(store, "acme", "churn", assessment(3))
    sid = subject_id(store, "acme", "churn")
    settings(store, sid, link_base="https://forge.example/acme/churn/blob/abc123/")
    sign_in(client, "maria")
    html = client.get(f"/orgs/acme/subjects/{sid}").text
    assert '<h1 class="subject-title">churn</h1>' in html
    assert '<span class="stage-pill stage-3">Stage 3/5: Manual MLOps</span>' in html
    assert "It is not Automated MLOps yet: Model, Deployment" in html
    # the practice matrix (the report's SVG) and the dimensions' levels
    assert 'aria-label="Practices satisfied per level, vs what Automated MLOps needs"' in html
    assert '<tr><td>Data</td><td class="level-cell lvl-2">2 automated</td>' in html
    # the timeline: both assessments, origins told apart
    assert 'aria-label="Stage and levels over time"' in html
    assert '<span class="origin origin-history">history</span>' in html
    assert '<span class="origin origin-assess">assess</span>' in html
    # blockers, the roadmap in order with its action, the questions and the questionnaire
    assert '<td><a href="#operations.dependency-updates"><code>' in html
    steps = re.findall(r'<span class="action action-(do|verify)">', html)
    assert steps == ["verify", "do", "do", "do", "do", "do"]
    roadmap = html.split('<h2 id="roadmap">')[1].split("</table>")[0]
    assert roadmap.index("operations.dependency-updates</code></a><br>") < roadmap.index(
        "model.ct-triggers</code></a><br>")
    assert f'<a class="button" href="/orgs/acme/subjects/{sid}/questionnaire">' in html
    assert "Approvals and governance are automated" in html
    # evidence linked to the forge: link_base/file#Lline
    assert ('<a href="https://forge.example/acme/churn/blob/abc123/dvc.yaml#L3">dvc.yaml:3</a>'
            in html)
    assert "<td> version control: .git</td>" in html  # evidence without a file: no link
    # a viewer sees the items but no form
    assert "Add a plan item" not in html
    assert "No plan item yet." in html


def test_evidence_links_only_to_an_http_forge(client: TestClient, store: Store) -> None:
    member(store, "acme", "maria", "viewer")
    save(store, "acme", "churn", assessment(3))
    sid = subject_id(store, "acme", "churn")
    sign_in(client, "maria")
    for base in ("javascript:alert(1)//", "JavaScript:alert(1)", "data:text/html,x",
                 " https://forge.example/x", "https://forge.example/a b", "//forge.example/x",
                 "https:/no-host"):
        settings(store, sid, link_base=base)
        html = client.get(f"/orgs/acme/subjects/{sid}").text
        assert '<code>dvc.yaml:3</code>' in html, base
        assert "dvc.yaml#L3" not in html, base
        assert not re.search(r"<a [^>]*href=\"\s*(javascript|data):", html, re.I), base
    settings(store, sid, link_base="http://git.internal/churn")
    html = client.get(f"/orgs/acme/subjects/{sid}").text
    assert '<a href="http://git.internal/churn/dvc.yaml#L3">dvc.yaml:3</a>' in html


def test_a_subject_never_assessed_says_so(client: TestClient, store: Store) -> None:
    member(store, "acme", "maria", "assessor")
    plan(store, "acme", "newcomer")  # a plan item makes the subject, with no assessment
    sid = subject_id(store, "acme", "newcomer")
    sign_in(client, "maria")
    r = client.get(f"/orgs/acme/subjects/{sid}")
    assert r.status_code == 200
    assert "newcomer has not been assessed yet" in r.text
    assert f'<a href="/orgs/acme/subjects/{sid}/questionnaire">questionnaire</a>' in r.text
    assert '<td class="status status-open">open' in r.text
    assert "not assessed" in row_of(client.get("/orgs/acme/portfolio").text, "newcomer")


# -- plan items: adding and abandoning ----------------------------------------------------------


def _add(client: TestClient, sid: int, csrf: str | None, **fields: str) -> Any:
    data = {"practice": DRIFT, "owner": "ana", "due": (NOW.date() + dt.timedelta(days=14))
            .isoformat(), "note": "alert on PSI"} | fields
    if csrf is not None:
        data["csrf_token"] = csrf
    return client.post(f"/orgs/acme/subjects/{sid}/plans", data=data, follow_redirects=False)


def test_an_assessor_adds_a_plan_item_and_bad_input_stores_nothing(
    client: TestClient, store: Store
) -> None:
    member(store, "acme", "maria", "assessor")
    save(store, "acme", "churn", assessment(3))
    sid = subject_id(store, "acme", "churn")
    sign_in(client, "maria")
    page = client.get(f"/orgs/acme/subjects/{sid}").text
    assert '<h3 id="add-plan">Add a plan item</h3>' in page
    assert f'<option value="{DRIFT}">{DRIFT}: ' in page
    csrf = csrf_of(client, f"/orgs/acme/subjects/{sid}")
    yesterday = (NOW.date() - dt.timedelta(days=1)).isoformat()
    for fields, message in (
        ({"practice": "operations.nope"}, "Choose a practice from the list."),
        ({"owner": "  "}, "Name the owner: a plan item needs someone who owns it."),
        ({"owner": "x" * 129}, "The owner is too long (at most 128 characters)."),
        ({"due": "next week"}, "Give the due date as YYYY-MM-DD."),
        ({"due": yesterday}, f"the due date {yesterday} is in the past"),
    ):
        r = _add(client, sid, csrf, **fields)
        assert r.status_code == 400, fields
        assert '<p class="flash" role="alert" id="plan-error">' + message in r.text, r.text
        assert plan_rows(store) == [], fields
    # the form keeps what was typed
    assert 'value="alert on PSI"' in _add(client, sid, csrf, due="x").text
    r = _add(client, sid, csrf)
    assert (r.status_code, r.headers["location"]) == (303, f"/orgs/acme/subjects/{sid}#plans")
    [(item, owner, status)] = plan_rows(store)
    assert (owner, status) == ("ana", "open")
    page = client.get(f"/orgs/acme/subjects/{sid}").text
    assert f'<tr id="plan-{item}" class="plan-open"><td>#{item}</td>' in page
    assert "<td class=\"note\">alert on PSI</td>" in page


def test_a_viewer_may_not_add_and_a_missing_csrf_token_stores_nothing(
    client: TestClient, store: Store
) -> None:
    member(store, "acme", "vic", "viewer")
    member(store, "acme", "maria", "assessor")
    member(store, "globex", "gus", "admin")
    save(store, "acme", "churn", assessment(3))
    save(store, "globex", "theirs", assessment(3))
    sid = subject_id(store, "acme", "churn")
    sign_in(client, "vic")
    r = _add(client, sid, csrf_of(client, f"/orgs/acme/subjects/{sid}"))
    assert r.status_code == 403
    assert "this needs the assessor role in &#39;acme&#39;; you are viewer" in r.text
    assert plan_rows(store) == []
    with TestClient(client.app, base_url="http://127.0.0.1") as other:
        sign_in(other, "maria")
        assert _add(other, sid, None).status_code == 403
        assert _add(other, sid, "not-the-token").status_code == 403
        assert plan_rows(store) == []
        # another organisation's subject: 404, nothing stored
        theirs = subject_id(store, "globex", "theirs")
        good = csrf_of(other, "/")
        r = other.post(f"/orgs/acme/subjects/{theirs}/plans", follow_redirects=False,
                       data={"csrf_token": good, "practice": DRIFT, "owner": "a",
                             "due": "2099-01-01"})
        assert r.status_code == 404
        assert plan_rows(store) == []
        assert _add(other, sid, good).status_code == 303
        assert len(plan_rows(store)) == 1


def test_abandoning_needs_a_reason_the_role_and_the_subject(client: TestClient, store: Store
                                                            ) -> None:
    member(store, "acme", "maria", "assessor")
    save(store, "acme", "churn", assessment(3))
    save(store, "acme", "other", assessment(3))
    sid = subject_id(store, "acme", "churn")
    item = plan(store, "acme", "churn")
    elsewhere = plan(store, "acme", "other")
    sign_in(client, "maria")
    csrf = csrf_of(client, f"/orgs/acme/subjects/{sid}")
    url = f"/orgs/acme/subjects/{sid}/plans/{item}/abandon"
    assert client.post(url, data={"reason": "no longer needed"},
                       follow_redirects=False).status_code == 403  # no CSRF token
    short = client.post(url, data={"csrf_token": csrf, "reason": "no"})
    assert short.status_code == 400
    assert "A reason is needed to abandon a plan item (3 characters or more)" in short.text
    r = client.post(f"/orgs/acme/subjects/{sid}/plans/{elsewhere}/abandon",
                    data={"csrf_token": csrf, "reason": "not ours"})
    assert r.status_code == 404
    assert [s for _, _, s in plan_rows(store)] == ["open", "open"]
    done = client.post(url, data={"csrf_token": csrf, "reason": "no longer needed"},
                       follow_redirects=False)
    assert done.status_code == 303
    assert [s for _, _, s in plan_rows(store)] == ["abandoned", "open"]
    page = client.get(f"/orgs/acme/subjects/{sid}").text
    assert ('<td class="status status-abandoned">abandoned<div class="muted">no longer needed'
            '</div></td>') in page
    again = client.post(url, data={"csrf_token": csrf, "reason": "twice"})
    assert again.status_code == 400
    assert f"plan item #{item} is abandoned, not open" in again.text


# -- the plan board ------------------------------------------------------------------------------


def test_the_plan_board_groups_by_owner_and_shows_what_achieved_an_item(
    client: TestClient, store: Store
) -> None:
    member(store, "acme", "maria", "viewer")
    member(store, "globex", "gus", "admin")
    save(store, "acme", "churn", assessment(3))
    save(store, "acme", "pricing", assessment(2))
    achieved = plan(store, "acme", "churn", owner="ana", note="PSI alerts")
    still_open = plan(store, "acme", "pricing", owner="ana")
    late = plan(store, "acme", "pricing", practice="model.champion-challenger", owner="bo",
                today=dt.date(2020, 1, 1), due=dt.date(2020, 2, 1))
    plan(store, "globex", "theirs", owner="zed")
    later = save(store, "acme", "churn", drift_met())
    sign_in(client, "maria")
    html = client.get("/orgs/acme/plans").text
    lanes = re.findall(r'<h2 id="owner-\d+">([^<]*) <span class="muted">([^<]*)</span>', html)
    assert lanes == [("ana", "1 open · 0 overdue · 1 achieved"),
                     ("bo", "0 open · 1 overdue · 0 achieved")]
    assert "zed" not in html
    card = html.split(f'id="plan-{achieved}">')[1].split("</li>")[0]
    assert ">churn</a>" in card
    assert "Drift alerts" in card or "drift" in card.lower()
    assert (f'<div class="met">achieved by assessment #{later} of {NOW.date().isoformat()}: '
            "evidence monitoring/alerts.py:7</div>") in card
    assert '<div class="note">PSI alerts</div>' in card
    late_card = html.split(f'id="plan-{late}">')[1].split("</li>")[0]
    assert "due 2020-02-01" in late_card
    assert f"({(NOW.date() - dt.date(2020, 2, 1)).days} days late)" in late_card
    assert 'class="plan-card plan-overdue"' in html.split(f'id="plan-{late}">')[0][-60:]
    assert 'class="plan-card plan-open"' in html.split(f'id="plan-{still_open}">')[0][-60:]
    only_bo = client.get("/orgs/acme/plans?owner=bo").text
    assert re.findall(r'<h2 id="owner-\d+">([^<]*) ', only_bo) == ["bo"]
    assert '<option value="bo" selected>bo</option>' in only_bo
    assert "nobody owns no plan item." in client.get("/orgs/acme/plans?owner=nobody").text
    # the subject page shows the item achieved, with how
    sid = subject_id(store, "acme", "churn")
    page = client.get(f"/orgs/acme/subjects/{sid}").text
    assert ('<td class="status status-achieved">achieved<div class="muted">evidence '
            f"monitoring/alerts.py:7 by assessment #{later}</div></td>") in page


def test_the_portfolio_pages_after_filtering_and_sorting(client: TestClient, store: Store,
                                                         monkeypatch: Any) -> None:
    from mlkaizen.server import ui

    monkeypatch.setattr(ui, "PAGE_ROWS", 2)
    portfolio_org(store)
    sign_in(client, "maria")
    first = client.get("/orgs/acme/portfolio?sort=stage&desc=1").text
    assert names_in_order(first) == ["gamma", "alpha"]
    assert "3 subjects (showing 1 to 2)" in first
    assert '<a href="/orgs/acme/portfolio?sort=stage&amp;desc=1&amp;page=2" rel="next">' in first
    assert 'rel="prev"' not in first
    second = client.get("/orgs/acme/portfolio?sort=stage&desc=1&page=2").text
    assert names_in_order(second) == ["beta"]
    assert "3 subjects (showing 3 to 3)" in second and 'rel="next"' not in second
    # a page past the last shows the last; one page needs no pager
    assert names_in_order(client.get("/orgs/acme/portfolio?sort=stage&desc=1&page=9").text
                          ) == ["beta"]
    one = client.get("/orgs/acme/portfolio?team=vision").text
    assert names_in_order(one) == ["alpha", "gamma"] and 'class="pager"' not in one
