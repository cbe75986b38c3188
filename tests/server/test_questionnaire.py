"""The web questionnaire: each respondent's answers are stored (a new one replaces theirs),
every respondent's answers re-judge the subject's newest repository assessment into a new
stored assessment, roles and organisations are enforced, bad input stores nothing, and
whatever people typed is shown escaped."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from mlkaizen.engine.model import Assessment
from mlkaizen.store import accounts, records, web_answers
from mlkaizen.store.db import Store
from mlkaizen.store.tables import AssessmentRow, SubjectAnswerRow, SubjectRow
from tests.server.conftest import csrf_of, example_report, member, sign_in

GOVERNANCE = "organization.automated-governance"


@dataclass
class Seeded:
    subject: int  # acme's subject: the example, assessed
    blank: int  # acme's subject never assessed
    foreign: int  # another organisation's subject
    key: str
    org_id: int
    blocking: list[str]  # what blocks the example's next stage


def seed(store: Store) -> Seeded:
    member(store, "acme", "maria", "assessor")
    member(store, "acme", "bo", "assessor")
    member(store, "acme", "vic", "viewer")
    member(store, "other", "eve", "admin")
    acme = accounts.org(store, "acme")
    other = accounts.org(store, "other")
    assert acme is not None and other is not None
    a = Assessment.model_validate(example_report())
    saved = records.save(store, a, key="git:churn", name="churn-prediction", org_id=acme.id,
                         commit="c0ffee", now=dt.datetime(2026, 12, 1, tzinfo=dt.UTC))
    theirs = records.save(store, a, key="git:churn", name="churn-prediction", org_id=other.id)
    with store.session() as session:
        blank = SubjectRow(org_id=acme.id, key="git:blank", name="blank",
                           created_at=dt.datetime(2026, 12, 1, tzinfo=dt.UTC))
        session.add(blank)
        session.flush()
        ids = {}
        for assessment_id in (saved.id, theirs.id):
            row = session.get(AssessmentRow, assessment_id)
            assert row is not None
            ids[assessment_id] = row.subject_id
        blank_id = blank.id
    blocking = sorted({b.practice for d in a.dimensions for b in d.blockers})
    return Seeded(ids[saved.id], blank_id, ids[theirs.id], "git:churn", acme.id, blocking)


def page(s: Seeded, subject: int | None = None, org: str = "acme") -> str:
    return f"/orgs/{org}/subjects/{subject or s.subject}/questionnaire"


def stored(store: Store, subject: int) -> list[tuple[str, str, str, str | None, str | None]]:
    return [(w.respondent, w.practice, w.answer, w.comment, w.link)
            for w in web_answers.answers_of(store, subject)]


def assessments(store: Store, subject: int) -> list[tuple[str, str, str | None]]:
    with store.session() as session:
        return [tuple(r) for r in session.execute(  # type: ignore[misc]
            select(AssessmentRow.origin, AssessmentRow.stage, AssessmentRow.uploaded_by)
            .where(AssessmentRow.subject_id == subject).order_by(AssessmentRow.id))]


def submit(client: TestClient, s: Seeded, answers: dict[str, str], **extra: str) -> object:
    data = {"csrf_token": csrf_of(client, page(s))}
    data.update({f"answer:{pid}": a for pid, a in answers.items()})
    data.update(extra)
    return client.post(page(s), data=data, follow_redirects=False)


def test_the_page_asks_the_open_questions_first_then_every_practice(
    client: TestClient, store: Store
) -> None:
    s = seed(store)
    sign_in(client, "maria")
    r = client.get(page(s))
    assert r.status_code == 200
    a = Assessment.model_validate(example_report())
    html = r.text
    assert f"<h2>Open questions ({len(a.questions)})</h2>" in html
    first = html.index(f'id="q-{a.questions[0].practice}"')
    groups = html.index("<h2>The other practices</h2>")
    assert first < groups
    assert html.count('<details class="dimension"') == 5
    assert "Stage now: <strong class=\"stage\">Manual MLOps</strong>" in html
    # every practice once, five choices each, labels around the radios, the CSRF field
    assert html.count('<fieldset class="question"') == len(a.practices)
    assert html.count('type="radio"') == 5 * len(a.practices)
    assert f'<label><input type="radio" name="answer:{GOVERNANCE}" value="unknown"> ' \
           "Don't know</label>" in html.replace("&#39;", "'")
    assert f'<label for="link-{GOVERNANCE}">' in html
    assert 'name="csrf_token"' in html and '<form method="post" class="questionnaire">' in html
    fieldset = html[html.index(f'id="q-{GOVERNANCE}"'):]
    assert "blocks the next stage" in fieldset[:fieldset.index("</fieldset>")]
    # no inline style or script anywhere (the CSP forbids them)
    assert "<script" not in html and "style=" not in html and "<style" not in html


def test_a_viewer_reads_without_a_form(client: TestClient, store: Store) -> None:
    s = seed(store)
    sign_in(client, "vic")
    html = client.get(page(s)).text
    assert '<form method="post" class="questionnaire">' not in html
    assert "You are a viewer here" in html
    assert html.count(" disabled>") == html.count('type="radio"') > 0


def test_answers_are_stored_per_respondent_and_a_second_submit_replaces(
    client: TestClient, store: Store
) -> None:
    s = seed(store)
    sign_in(client, "maria")
    r = submit(client, s, {GOVERNANCE: "yes", "deployment.rollback": "partly"},
               **{f"comment:{GOVERNANCE}": "policy checks in the release job",
                  f"link:{GOVERNANCE}": "https://wiki.example/release"})
    assert r.status_code == 303  # type: ignore[attr-defined]
    assert r.headers["location"] == f"/orgs/acme/subjects/{s.subject}"  # type: ignore[attr-defined]
    assert stored(store, s.subject) == [
        ("maria", "deployment.rollback", "partly", None, None),
        ("maria", GOVERNANCE, "yes", "policy checks in the release job",
         "https://wiki.example/release"),
    ]
    r = submit(client, s, {GOVERNANCE: "no"})
    assert r.status_code == 303  # type: ignore[attr-defined]
    assert stored(store, s.subject) == [
        ("maria", "deployment.rollback", "partly", None, None),
        ("maria", GOVERNANCE, "no", None, None),
    ]
    # each submit re-judged the repository's assessment: two new rows, by maria
    assert assessments(store, s.subject) == [
        ("assess", "Manual MLOps", None),
        ("answers", "Manual MLOps", "maria"),
        ("answers", "Manual MLOps", "maria"),
    ]
    # the earlier answers show again, pre-filled
    html = client.get(page(s)).text
    assert f'name="answer:{GOVERNANCE}" value="no" checked>' in html
    assert f'name="answer:{GOVERNANCE}" value="yes">' in html


def test_two_people_combine_and_the_stage_changes(client: TestClient, store: Store) -> None:
    s = seed(store)
    sign_in(client, "maria")
    assert submit(client, s, dict.fromkeys(s.blocking, "yes")
                  ).status_code == 303  # type: ignore[attr-defined]
    newest = web_answers.newest(store, s.subject)
    assert newest is not None and newest[1:] == ("Automated MLOps", 4)
    # what blocked the next stage does no more: the page says so from the newest judgement
    html = client.get(page(s)).text
    fieldset = html[html.index(f'id="q-{GOVERNANCE}"'):]
    fieldset = fieldset[:fieldset.index("</fieldset>")]
    assert "now <span class=\"state\">met</span>" in fieldset
    assert "blocks the next stage" not in fieldset
    lines = records.log(store, s.key, org_id=s.org_id)
    assert (lines[0].origin, lines[0].answers, lines[0].respondents) == (
        "answers", len(s.blocking), 1)
    assert lines[0].commit == "c0ffee"  # the same commit, judged again
    # bo disagrees on one: the most cautious answer wins, the stage falls back
    bo = TestClient(client.app, base_url="http://127.0.0.1")
    sign_in(bo, "bo")
    assert submit(bo, s, {GOVERNANCE: "no"}).status_code == 303  # type: ignore[attr-defined]
    newest = web_answers.newest(store, s.subject)
    assert newest is not None and newest[1:] == ("Manual MLOps", 3)
    with store.session() as session:
        report = session.scalar(select(AssessmentRow.report).where(
            AssessmentRow.id == newest[0]))
    a = Assessment.model_validate(report)
    governance = a.practice(GOVERNANCE)
    assert governance is not None
    assert (governance.state.value, governance.disagreement) == ("unmet", True)
    assert governance.note == "attested 'no' by bo, maria (most cautious answer)"
    assert a.respondents == ["bo", "maria"]
    html = client.get(page(s)).text
    assert "respondents disagree" in html and "Answered by bo, maria." in html
    # bo changes his mind to "don't know": it settles nothing, maria's yes counts again
    assert submit(bo, s, {GOVERNANCE: "unknown"}).status_code == 303  # type: ignore[attr-defined]
    newest = web_answers.newest(store, s.subject)
    assert newest is not None and newest[1] == "Automated MLOps"


def test_roles_csrf_and_organisations(client: TestClient, store: Store) -> None:
    s = seed(store)
    sign_in(client, "vic")
    r = submit(client, s, {GOVERNANCE: "yes"})
    assert r.status_code == 403  # type: ignore[attr-defined]
    assert "needs the assessor role" in r.text  # type: ignore[attr-defined]
    maria = TestClient(client.app, base_url="http://127.0.0.1")
    sign_in(maria, "maria")
    no_csrf = maria.post(page(s), data={f"answer:{GOVERNANCE}": "yes"}, follow_redirects=False)
    assert no_csrf.status_code == 403 and "CSRF" in no_csrf.text
    wrong = maria.post(page(s), data={"csrf_token": "x" * 43, f"answer:{GOVERNANCE}": "yes"},
                       follow_redirects=False)
    assert wrong.status_code == 403
    # another organisation's subject, through either organisation's name: as missing
    assert maria.get(page(s, s.foreign)).status_code == 404
    assert maria.get(page(s, org="other")).status_code == 404
    r = submit(maria, s, {})
    foreign = maria.post(page(s, s.foreign), data={"csrf_token": csrf_of(maria, page(s)),
                                                    f"answer:{GOVERNANCE}": "yes"})
    assert foreign.status_code == 404
    eve = TestClient(client.app, base_url="http://127.0.0.1")
    sign_in(eve, "eve")
    assert eve.get(page(s)).status_code == 404
    assert eve.post(page(s), data={"csrf_token": csrf_of(eve, "/login"),
                                   f"answer:{GOVERNANCE}": "yes"}).status_code == 404
    assert stored(store, s.subject) == [] and stored(store, s.foreign) == []
    assert len(assessments(store, s.subject)) == 1
    # not signed in: to the sign-in page
    anonymous = TestClient(client.app, base_url="http://127.0.0.1")
    r = anonymous.get(page(s), follow_redirects=False)
    assert (r.status_code, r.headers["location"]) == (303, f"/login?next={page(s)}")


def test_bad_answers_store_nothing_and_show_the_form_again(
    client: TestClient, store: Store
) -> None:
    s = seed(store)
    sign_in(client, "maria")
    cases = [
        ({GOVERNANCE: "maybe"}, {}, "unknown answer 'maybe'"),
        ({"model.nope": "yes"}, {}, "unknown practice 'model.nope'"),
        ({GOVERNANCE: "yes"}, {f"link:{GOVERNANCE}": "javascript:alert(1)"},
         "the link must be an http:// or https:// address"),
        ({GOVERNANCE: "yes"}, {f"comment:{GOVERNANCE}": "x" * 2001}, "longer than 2000"),
        ({}, {f"comment:{GOVERNANCE}": "no answer chosen"}, "choose an answer"),
        ({}, {}, "choose at least one answer"),
        ({GOVERNANCE: "yes"}, {"bogus": "1"}, "unexpected field 'bogus'"),
    ]
    for answers, extra, why in cases:
        # one good answer beside the bad one: nothing at all is stored
        r = submit(client, s, {"deployment.rollback": "yes", **answers}, **extra) if answers \
            else submit(client, s, answers, **extra)
        assert r.status_code == 400, why  # type: ignore[attr-defined]
        text = r.text.replace("&#39;", "'")  # type: ignore[attr-defined]
        assert "Nothing was saved: " in text and why in text, (why, text[:2000])
        assert '<form method="post" class="questionnaire">' in text
    assert stored(store, s.subject) == []
    assert len(assessments(store, s.subject)) == 1
    # the form comes back as it was sent
    r = submit(client, s, {GOVERNANCE: "maybe", "deployment.rollback": "no"},
               **{"comment:deployment.rollback": "kept for you"})
    assert 'name="answer:deployment.rollback" value="no" checked>' in r.text  # type: ignore[attr-defined]
    assert 'value="kept for you"' in r.text  # type: ignore[attr-defined]
    # near miss: a good answer is stored
    assert submit(client, s, {GOVERNANCE: "yes"}, **{f"link:{GOVERNANCE}": "http://w.example/x"}
                  ).status_code == 303  # type: ignore[attr-defined]
    assert stored(store, s.subject) == [("maria", GOVERNANCE, "yes", None, "http://w.example/x")]


def test_a_subject_never_assessed_offers_no_form(client: TestClient, store: Store) -> None:
    s = seed(store)
    sign_in(client, "maria")
    html = client.get(page(s, s.blank)).text
    assert "This subject has never been assessed" in html
    assert '<form method="post" class="questionnaire">' not in html
    r = client.post(page(s, s.blank), data={"csrf_token": csrf_of(client, page(s)),
                                             f"answer:{GOVERNANCE}": "yes"})
    assert r.status_code == 409
    assert "no stored assessment of a repository yet" in r.text
    assert stored(store, s.blank) == []


def test_what_people_typed_is_shown_escaped_and_only_web_links_are_links(
    client: TestClient, store: Store
) -> None:
    s = seed(store)
    now = dt.datetime(2026, 12, 2, tzinfo=dt.UTC)
    # stored behind the form's back (the form refuses such a link): shown, never a link
    web_answers.store_answers(store, s.subject, "mallory", [
        web_answers.Given(GOVERNANCE, "yes", "<script>alert('c')</script>",
                          "javascript:alert(1)"),
        web_answers.Given("deployment.rollback", "no", "\x1b[31mred\x1b[0m <b>bold</b>",
                          "https://ok.example/?a=<x>"),
    ], now)
    sign_in(client, "vic")
    html = client.get(page(s)).text
    assert "<script>alert" not in html and "&lt;script&gt;alert(" in html
    assert 'href="javascript:' not in html and ">javascript:alert(1)</span>" in html
    assert "<b>bold</b>" not in html and "&lt;b&gt;bold&lt;/b&gt;" in html
    assert "\x1b" not in html
    assert 'href="https://ok.example/?a=&lt;x&gt;"' in html
    with store.session() as session:
        count = session.scalar(select(func.count()).select_from(SubjectAnswerRow))
    assert count == 2
    names = re.findall(r'<span class="who">([^<]*)</span>', html)
    assert names == ["mallory", "mallory"]


def _subject_with(store: Store, report: dict[str, object], name: str) -> int:
    acme = accounts.org(store, "acme")
    assert acme is not None
    saved = records.save(store, Assessment.model_validate(report), key=f"git:{name[:40]}",
                         name=name, org_id=acme.id)
    with store.session() as session:
        row = session.get(AssessmentRow, saved.id)
        assert row is not None
        return row.subject_id


def test_a_hostile_report_is_shown_escaped(client: TestClient, store: Store) -> None:
    s = seed(store)
    report = example_report()
    q = report["questions"][0]
    q["question"] = "Found at <script>alert('q')</script>: javascript:alert(1). Is it used?"
    hostile_title = "<img src=x onerror=alert(1)>" + "w" * 3000
    practice = next(p for p in report["practices"] if p["id"] == q["practice"])
    practice["title"] = hostile_title
    subject = _subject_with(store, report, "<script>alert('name')</script>")
    sign_in(client, "maria")
    r = client.get(page(s, subject))
    assert r.status_code == 200
    html = r.text
    assert "<script>" not in html and "<img src=x" not in html
    assert "Found at &lt;script&gt;alert(&#39;q&#39;)&lt;/script&gt;: javascript:alert(1)" in html
    assert "&lt;script&gt;alert(&#39;name&#39;)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" + "w" * 3000 in html
    assert 'href="javascript:' not in html


def test_a_report_of_another_catalogue_cannot_be_answered(client: TestClient,
                                                          store: Store) -> None:
    s = seed(store)
    report = example_report()
    report["catalogue"] = {**report["catalogue"], "id": "in-house"}  # type: ignore[dict-item]
    subject = _subject_with(store, report, "in-house")
    sign_in(client, "maria")
    html = client.get(page(s, subject)).text.replace("&#39;", "'")
    assert "judged against catalogue in-house" in html
    assert '<form method="post" class="questionnaire">' not in html
    r = client.post(page(s, subject), data={"csrf_token": csrf_of(client, page(s)),
                                             f"answer:{GOVERNANCE}": "yes"})
    assert r.status_code == 409 and "judged against catalogue in-house" in r.text
    assert stored(store, subject) == []
