"""The server's pages in Chromium, against a real server on a loopback port: sign in through
the form, find the subject on the portfolio, open its page, add a plan item through its form,
then see the item achieved on the plan board once a later assessment shows the practice met.
No console error (the Content-Security-Policy blocks nothing of the pages' own), no failed
request, no request leaving the server. Screenshots in ``tests/browser/artifacts/``."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import pytest

pytest.importorskip("fastapi", reason="the server extra is not installed")

from mlkaizen.cli import main
from mlkaizen.store import records
from mlkaizen.store.db import Store
from tests.browser.conftest import ARTIFACTS, Visit, watched
from tests.server.conftest import (  # noqa: F401 - the fixture
    PASSWORD,
    member,
    sqlite_store,
    token,
)
from tests.server.live import live_server
from tests.server.test_ui import DRIFT, assessment, drift_met, org_id


@pytest.fixture
def site(sqlite_store: Store) -> Iterator[tuple[str, Store]]:  # noqa: F811 - the fixture
    member(sqlite_store, "acme", "maria", "assessor")
    acme = org_id(sqlite_store, "acme")
    records.save(sqlite_store, assessment(2, {"data": 1}), key="repo/churn", name="churn",
                 org_id=acme, now=dt.datetime.now(dt.UTC) - dt.timedelta(days=45),
                 origin="history")
    records.save(sqlite_store, assessment(3), key="repo/churn", name="churn", org_id=acme)
    with live_server(sqlite_store) as url:
        yield url, sqlite_store


def _page(browser: Any, url: str) -> tuple[Any, Any, Visit]:
    return watched(browser, (url + "/",), http_errors=True)


def _shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _push(url: str, store: Store, tmp_path: Any, monkeypatch: pytest.MonkeyPatch,
          capsys: pytest.CaptureFixture[str]) -> int:
    """``mlkaizen push`` of the example with drift alerts detected, with an assessor's API
    token; the id it uploaded."""
    monkeypatch.setenv("MLKAIZEN_TOKEN", token(store, "acme", "assessor"))
    report = tmp_path / "assessment.json"
    report.write_text(drift_met().model_dump_json(), encoding="utf-8")
    capsys.readouterr()
    with pytest.raises(SystemExit) as done:
        main(["push", "--server", url, "--report", str(report), "--subject", "repo/churn"])
    assert done.value.code in (0, None)
    pushed = re.search(r"Uploaded assessment #(\d+) of repo/churn", capsys.readouterr().out)
    assert pushed is not None
    return int(pushed.group(1))


def test_sign_in_portfolio_subject_plan_and_its_achievement(
    browser: Any, site: tuple[str, Store], tmp_path: Any, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url, store = site
    context, page, v = _page(browser, url)
    try:
        page.goto(url + "/orgs/acme/portfolio", wait_until="load")
        assert page.locator("h1").inner_text() == "Sign in"
        page.fill("#username", "maria")
        page.fill("#password", PASSWORD)
        with page.expect_navigation(wait_until="load"):
            page.click("button[type=submit]")
        assert page.url == url + "/orgs/acme/portfolio"
        row = page.locator("table.portfolio tbody tr")
        assert row.count() == 1
        assert row.locator("td.stage-cell").inner_text() == "3 Manual MLOps"
        assert row.locator("td.trend").inner_text() == "↑ up 1 stage"
        # the level cells are coloured by the style sheet (the CSP let it load)
        data = row.locator("td.level-cell").first
        assert data.inner_text() == "2 automated ↑1"
        assert data.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(116, 196, 118)"
        _shot(page, "server-portfolio")

        with page.expect_navigation(wait_until="load"):
            page.click("text=churn")
        assert page.locator("h1").inner_text() == "churn"
        assert page.locator(".stage-pill").inner_text() == "Stage 3/5: Manual MLOps"
        assert page.locator("#chart svg").first.is_visible()
        assert page.locator(".chart svg").first.is_visible()
        _shot(page, "server-subject")

        due = (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=21)).isoformat()
        page.select_option("#practice", DRIFT)
        page.fill("#owner", "ana")
        page.fill("#due", due)
        page.fill("#note", "alert on PSI above 0.2")
        with page.expect_navigation(wait_until="load"):
            page.click("form.plan-form button[type=submit]")
        item = page.locator("table.plan-items tr.plan-open")
        assert item.count() == 1
        assert "ana" in item.inner_text()
        assert item.locator("td.status").inner_text() == "open"
        _shot(page, "server-subject-planned")

        # CI pushes a later assessment that shows drift alerts detected: `mlkaizen push`
        # over HTTP with an API token, as a CI job runs it
        later = _push(url, store, tmp_path, monkeypatch, capsys)
        with page.expect_navigation(wait_until="load"):
            page.click("nav >> text=Plan board")
        achieved = page.locator(".column-achieved .plan-card")
        assert achieved.count() == 1
        assert (f"achieved by assessment #{later}" in achieved.inner_text())
        assert "evidence monitoring/alerts.py:7" in achieved.inner_text()
        assert page.locator(".column-open .plan-card").count() == 0
        _shot(page, "server-plan-board")
        v.clean()
    finally:
        context.close()


def test_a_hostile_assessment_is_shown_as_text_and_runs_nothing(
    browser: Any, sqlite_store: Store  # noqa: F811 - the fixture
) -> None:
    from tests.server.test_ui_hostile import BAD, SCRIPT, hostile_assessment

    member(sqlite_store, "acme", "maria", "viewer")
    acme = org_id(sqlite_store, "acme")
    records.save(sqlite_store, hostile_assessment(), key="evil", name=BAD, org_id=acme,
                 commit=SCRIPT)
    with live_server(sqlite_store) as url:
        context, page, v = _page(browser, url)
        try:
            page.goto(url + "/login", wait_until="load")
            page.fill("#username", "maria")
            page.fill("#password", PASSWORD)
            with page.expect_navigation(wait_until="load"):
                page.click("button[type=submit]")
            name = page.locator("td.subject-name a")
            assert name.inner_text().startswith(SCRIPT + " javascript:alert(1) [x](")
            assert page.evaluate("document.querySelectorAll('script, img').length") == 0
            _shot(page, "server-portfolio-hostile")
            with page.expect_navigation(wait_until="load"):
                name.click()
            assert page.locator("h1").inner_text().startswith(SCRIPT)
            assert "\\x1b[31m" in page.locator("h1").inner_text()
            assert page.evaluate("document.querySelectorAll('script, img').length") == 0
            # the page is no wider than the window: long names wrap
            assert page.evaluate("document.documentElement.scrollWidth") <= 1280
            _shot(page, "server-subject-hostile")
            v.clean()
        finally:
            context.close()
