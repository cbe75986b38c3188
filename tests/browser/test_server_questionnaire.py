"""The web questionnaire in a real browser, against a real server: sign in, open a subject's
questionnaire, answer with the keyboard and the mouse, save, and see the stage change."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi", reason="the server extra is not installed")

from mlkaizen.store.db import Store, open_store
from tests.browser.conftest import ARTIFACTS
from tests.server.conftest import PASSWORD
from tests.server.live import live_server
from tests.server.test_questionnaire import GOVERNANCE, seed


@pytest.fixture
def served(tmp_path: Path) -> Any:
    store: Store = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    yield store
    store.close()


def test_answer_the_questionnaire_and_see_the_stage_change(browser: Any, served: Store) -> None:
    s = seed(served)
    with live_server(served) as url:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.set_default_timeout(0)  # no wall-clock limit: the machine may be slow
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        refused: list[str] = []
        page.on("response", lambda r: refused.append(r.url) if r.status >= 400 else None)
        questionnaire = f"{url}/orgs/acme/subjects/{s.subject}/questionnaire"
        page.goto(questionnaire)
        # not signed in: the sign-in page, and back to the questionnaire after it
        page.fill("#username", "maria")
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(questionnaire)
        assert page.inner_text("strong.stage") == "Manual MLOps"
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "server-questionnaire.png"), full_page=True)

        # the first open question by the keyboard: focus its first radio, arrow to "No"...
        first = page.locator(f'input[name="answer:{GOVERNANCE}"]').first
        first.focus()
        page.keyboard.press("ArrowRight")
        page.keyboard.press("ArrowRight")
        assert page.locator(f'input[name="answer:{GOVERNANCE}"][value="no"]').is_checked()
        # ...then every practice that blocks the next stage by its label, "Yes"
        for pid in s.blocking:
            fieldset = page.locator(f'fieldset[id="q-{pid}"]')
            if not fieldset.is_visible():  # in a collapsed dimension: open it
                page.locator("details.dimension", has=fieldset).locator("summary").click()
            fieldset.get_by_label("Yes", exact=True).check()
        page.fill(f'input[id="comment-{GOVERNANCE}"]', "release job runs policy checks")
        page.fill(f'input[id="link-{GOVERNANCE}"]', "https://wiki.example/policy")
        page.screenshot(path=str(ARTIFACTS / "server-questionnaire-answered.png"),
                        full_page=True)
        page.click("p.submit button")
        # the subject page is another part of the server: the redirect is what is asserted
        page.wait_for_url(f"{url}/orgs/acme/subjects/{s.subject}")
        page.goto(questionnaire)
        assert page.inner_text("strong.stage") == "Automated MLOps"
        assert page.locator(f'input[name="answer:{GOVERNANCE}"][value="yes"]').is_checked()
        assert "Answered by maria." in page.inner_text("p.now")
        page.screenshot(path=str(ARTIFACTS / "server-questionnaire-saved.png"), full_page=True)
        # no script error; nothing refused but the subject page (built elsewhere) and an icon
        assert [e for e in errors if not e.startswith("Failed to load resource")] == []
        allowed = {f"{url}/orgs/acme/subjects/{s.subject}", f"{url}/favicon.ico"}
        assert set(refused) <= allowed, refused
        context.close()
