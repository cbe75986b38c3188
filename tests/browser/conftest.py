"""The HTML pages in a real browser: Playwright for Python driving the system's Chromium
(Debian's ``chromium`` package; Playwright's own browser download is never used).

Without Playwright or Chromium the tests are skipped, with the reason; with
``MLKAIZEN_REQUIRE_BROWSER=1`` (set by ``.ci/run``) they fail instead, so CI never passes
without having run them. Screenshots of every page are kept in ``ARTIFACTS``
(``tests/browser/artifacts/``, git-ignored), named at the end of the run."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("MLKAIZEN_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"


def _unavailable() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed (pip install -e '.[test]')"
    if shutil.which(CHROMIUM) is None:
        return f"{CHROMIUM} not found (apt-get install chromium)"
    return None


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    reason = _unavailable()
    if reason is not None:
        if os.environ.get("MLKAIZEN_REQUIRE_BROWSER") == "1":
            pytest.fail(f"browser tests required (MLKAIZEN_REQUIRE_BROWSER=1): {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@dataclass
class Visit:
    """A page opened from a file, with every console error, page error, failed request,
    request that left the file system, and dialog seen while it loaded."""

    page: Any
    errors: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def clean(self) -> None:
        assert self.errors == [], self.errors
        assert self.failed == [], self.failed
        assert self.outside == [], self.outside
        assert self.dialogs == [], self.dialogs


def watched(browser: Any, own: tuple[str, ...], *, http_errors: bool = False
            ) -> tuple[Any, Any, Visit]:
    """A new page (and its context) whose console errors, page errors, failed requests
    (``http_errors``: responses of 400 and above too), requests to anything but ``own``
    prefixes, and dialogs are collected in its :class:`Visit`."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(0)  # no wall-clock limit: the machine may be slow
    v = Visit(page)
    page.on("console", lambda m: v.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: v.errors.append(str(e)))
    page.on("requestfailed", lambda r: v.failed.append(r.url))
    if http_errors:
        page.on("response", lambda r: v.failed.append(f"{r.status} {r.url}")
                if r.status >= 400 else None)
    page.on("request", lambda r: None if r.url.startswith((*own, "data:", "about:"))
            else v.outside.append(r.url))

    def on_dialog(d: Any) -> None:
        v.dialogs.append(d.message)
        d.dismiss()

    page.on("dialog", on_dialog)
    return context, page, v


@pytest.fixture
def visit(browser: Any) -> Iterator[Any]:
    """``visit(path, shot="name")``: open the file, wait for it to load, save a full-page
    screenshot as ``ARTIFACTS/name.png``."""
    contexts = []

    def open_page(path: Path, shot: str) -> Visit:
        context, page, v = watched(browser, ("file:",))
        contexts.append(context)
        page.goto(path.resolve().as_uri(), wait_until="load")
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{shot}.png"), full_page=True)
        return v

    yield open_page
    for c in contexts:
        c.close()
