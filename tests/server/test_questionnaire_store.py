"""The answers in the store: respondents answering at once all land in the newest
assessment, and a new assessment of the repository is judged again with the answers already
given."""

from __future__ import annotations

import datetime as dt
import threading

from sqlalchemy import select

from mlkaizen.engine.model import Assessment
from mlkaizen.server.portfolio import catalogue
from mlkaizen.store import records, web_answers
from mlkaizen.store.db import Store
from mlkaizen.store.tables import AssessmentRow
from tests.server.conftest import example_report
from tests.server.test_questionnaire import GOVERNANCE, assessments, seed


def newest_report(store: Store, subject: int) -> Assessment:
    with store.session() as session:
        report = session.scalar(select(AssessmentRow.report)
                                .where(AssessmentRow.subject_id == subject)
                                .order_by(AssessmentRow.id.desc()).limit(1))
    return Assessment.model_validate(report)


def test_respondents_answering_at_once_all_land(store: Store) -> None:
    s = seed(store)
    people = ["ann", "ben", "cy", "dee"]
    failures: list[BaseException] = []

    def answer(who: str) -> None:
        try:
            web_answers.answer(store, catalogue(), org_id=s.org_id, subject_id=s.subject,
                               respondent=who, given=[web_answers.Given(GOVERNANCE, "yes")])
        except BaseException as exc:  # reported below
            failures.append(exc)

    threads = [threading.Thread(target=answer, args=(who,)) for who in people]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    assert sorted(w.respondent for w in web_answers.answers_of(store, s.subject)) == people
    assert [o for o, _, _ in assessments(store, s.subject)] == ["assess"] + ["answers"] * 4
    newest = newest_report(store, s.subject)
    assert newest.respondents == people
    governance = newest.practice(GOVERNANCE)
    assert governance is not None and governance.agreement == 1.0
    assert governance.note == "attested 'yes' by ann, ben, cy, dee (most cautious answer)"


def test_a_new_assessment_of_the_repository_is_judged_again_with_the_answers(
    store: Store,
) -> None:
    s = seed(store)
    given = [web_answers.Given(p, "yes") for p in s.blocking]
    done = web_answers.answer(store, catalogue(), org_id=s.org_id, subject_id=s.subject,
                              respondent="maria", given=given)
    assert done.stage == "Automated MLOps"
    # CI uploads a new assessment of the repository: judged without the web's answers...
    upload = records.save(store, Assessment.model_validate(example_report()), key=s.key,
                          name="churn-prediction", org_id=s.org_id,
                          now=dt.datetime(2026, 12, 3, tzinfo=dt.UTC))
    assert web_answers.newest(store, s.subject) == (upload.id, "Manual MLOps", 3)
    # ...until the answers already given judge it again
    again = web_answers.refresh(store, catalogue(), org_id=s.org_id, subject_id=s.subject,
                                by="ci")
    assert again is not None and (again.stage, again.stage_index) == ("Automated MLOps", 4)
    assert web_answers.newest(store, s.subject) == (again.id, "Automated MLOps", 4)
    assert assessments(store, s.subject)[-1] == ("answers", "Automated MLOps", "ci")
    # near misses: nobody answered, another organisation's subject, a subject never assessed
    assert web_answers.refresh(store, catalogue(), org_id=s.org_id + 1, subject_id=s.foreign,
                               by="ci") is None
    other = [o for o, _, _ in assessments(store, s.foreign)]
    assert web_answers.refresh(store, catalogue(), org_id=s.org_id, subject_id=s.foreign,
                               by="ci") is None
    assert [o for o, _, _ in assessments(store, s.foreign)] == other == ["assess"]
    assert web_answers.refresh(store, catalogue(), org_id=s.org_id, subject_id=s.blank,
                               by="ci") is None
