"""Every page rendered with a hostile repository's assessment: script tags, ``javascript:``
URLs, Markdown links, attribute breakers, terminal escapes, bidi overrides and a very long
name in the subject's name, file names, evidence, notes, questions, roadmap, sub-projects,
commit, team, target, link_base, plan owners and notes. Nothing runs, nothing links to a
script, every value is shown as escaped text with its control characters made visible."""

from __future__ import annotations

import datetime as dt
from html.parser import HTMLParser

from fastapi.testclient import TestClient

from mlkaizen.engine.model import Assessment
from mlkaizen.store import plans, records
from mlkaizen.store.db import Store
from tests.server.conftest import csrf_of, member, sign_in
from tests.server.test_ui import (
    ALL_PRACTICES,
    DRIFT,
    example_report,
    org_id,
    plan_rows,
    settings,
)

SCRIPT = "<script>alert(1)</script>"
JS = "javascript:alert(1)"
MD = "[x](javascript:alert(1))"
ATTR = '"><img src=x onerror=alert(1)>'
ESC = "\x1b[31m"
BIDI = "\u202e"
BAD = f"{SCRIPT} {JS} {MD} {ATTR} {ESC}red{BIDI}txt.exe"
LONG = "n" * 5000


def hostile_assessment() -> Assessment:
    data = example_report()
    data["subject"]["name"] = BAD + LONG
    data["explanation"] = f"{data['explanation']} {BAD}"
    data["respondents"] = [BAD]
    data["spread"], data["focus"] = BAD, BAD
    data["dimensions"][0]["name"] = f"Data {BAD}"
    data["dimensions"][0]["level_name"] = BAD
    for p in data["practices"]:
        if p["id"] == "data.versioned":
            p["evidence"] = [
                {"detector": BAD, "file": f"{SCRIPT}/{ATTR}{ESC}{BIDI}.py", "line": 3,
                 "detail": BAD},
                {"detector": "x", "file": JS, "line": 1, "detail": MD},
                {"detector": "x", "file": LONG + ".py", "detail": LONG},
            ]
            p["note"] = BAD
            p["title"] = BAD
    data["roadmap"][0]["question"] = BAD
    data["roadmap"][1]["remediation"] = f"run `{SCRIPT}` then {MD} {BAD}"
    data["roadmap"][1]["title"] = BAD
    data["questions"][0]["question"] = BAD
    data["sub_projects"] = [{"path": BAD, "how": BAD, "stage": "DataOps", "stage_index": 2,
                             "levels": {"data": 1}, "blocker": BAD}]
    return Assessment.model_validate(data)


class Tags(HTMLParser):
    """Every element and attribute of a page, as a browser's parser sees them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


def check(html: str, where: str) -> None:
    parser = Tags()
    parser.feed(html)
    names = {tag for tag, _ in parser.tags}
    assert not names & {"script", "img", "iframe", "object", "embed", "base"}, where
    for tag, attrs in parser.tags:
        for attr, value in attrs:
            assert not attr.startswith("on"), (where, tag, attr)
            assert attr != "style", (where, tag)
            if (tag, attr, value) == ("link", "href", "data:,"):  # no favicon to fetch
                continue
            if attr in ("href", "src", "action", "formaction", "xlink:href"):
                assert value is not None
                assert value.startswith(("/", "#", "https://", "http://")), (where, value)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, where
    assert "\x1b" not in html and "\u202e" not in html, where
    assert "\\x1b[31m" in html and "\\u202e" in html, where


def test_every_page_renders_a_hostile_assessment_as_text(client: TestClient, store: Store
                                                         ) -> None:
    member(store, "acme", "maria", "assessor")
    acme = org_id(store, "acme")
    name = (BAD + LONG)[:500]  # the store's subject names hold 512 characters
    a = hostile_assessment()
    records.save(store, a, key="evil", name=name, org_id=acme, commit=f"{SCRIPT}{ESC}{BIDI}",
                 uploaded_by=BAD[:128], now=dt.datetime.now(dt.UTC) - dt.timedelta(days=40))
    records.save(store, a, key="evil", name=name, org_id=acme, uploaded_by=BAD[:128])
    today = dt.datetime.now(dt.UTC).date()
    plans.add(store, key="evil", name=name, practice=DRIFT, owner=BAD[:200],
              due=today + dt.timedelta(days=3), note=BAD + LONG, known=ALL_PRACTICES,
              today=today, org_id=acme)
    item = plans.add(store, key="evil", name=name, practice=DRIFT, owner=BAD[:200],
                     due=today + dt.timedelta(days=3), note=BAD, known=ALL_PRACTICES,
                     today=today, org_id=acme)
    plans.abandon(store, item.id, BAD, key="evil", org_id=acme)
    with store.session() as session:
        from mlkaizen.store.tables import SubjectRow

        sid = session.query(SubjectRow).filter_by(key="evil").one().id
    settings(store, sid, team=BAD[:120], target=SCRIPT, link_base=JS + "//")
    sign_in(client, "maria")
    pages = {
        "portfolio": client.get("/orgs/acme/portfolio"),
        "portfolio sorted": client.get("/orgs/acme/portfolio?sort=team&desc=1"),
        "subject": client.get(f"/orgs/acme/subjects/{sid}"),
        "board": client.get("/orgs/acme/plans"),
    }
    for where, r in pages.items():
        assert r.status_code == 200, where
        check(r.text, where)
    subject = pages["subject"].text
    # the whole 5,000-character name, escaped, and the Markdown link as plain text
    assert "The report names it " + SCRIPT.replace("<", "&lt;").replace(">", "&gt;") in subject
    assert LONG in subject
    assert MD in subject
    # javascript: as link_base: the evidence is shown, never linked
    assert "<code>&lt;script&gt;alert(1)&lt;/script&gt;/&#34;&gt;&lt;img" in subject
    # the forge over https: hostile file names are percent-encoded into the path
    settings(store, sid, link_base="https://forge.example/evil/blob/main")
    linked = client.get(f"/orgs/acme/subjects/{sid}").text
    check(linked, "subject, https forge")
    assert ('href="https://forge.example/evil/blob/main/%3Cscript%3Ealert%281%29%3C/script%3E/'
            '%22%3E%3Cimg%20src%3Dx%20onerror%3Dalert%281%29%3E%1B%5B31m%E2%80%AE.py#L3"') in linked
    assert 'href="https://forge.example/evil/blob/main/javascript%3Aalert%281%29#L1"' in linked
    # a hostile answer to the plan form is stored as typed and shown as text
    csrf = csrf_of(client, f"/orgs/acme/subjects/{sid}")
    r = client.post(f"/orgs/acme/subjects/{sid}/plans", follow_redirects=False,
                    data={"csrf_token": csrf, "practice": DRIFT, "owner": BAD[:120],
                          "due": (today + dt.timedelta(days=9)).isoformat(), "note": BAD})
    assert r.status_code == 303
    assert len(plan_rows(store)) == 3
    check(client.get("/orgs/acme/plans").text, "board after the form")
    bad_form = client.post(f"/orgs/acme/subjects/{sid}/plans",
                           data={"csrf_token": csrf, "practice": BAD, "owner": BAD,
                                 "due": BAD, "note": BAD})
    assert bad_form.status_code == 400
    check(bad_form.text, "the form's error page")
    assert len(plan_rows(store)) == 3
