"""Open questions narrowed by what the repository shows: asked as a confirmation that names the
evidence (catalogue data says which findings narrow which question), never credited as the
practice itself; evidence of another practice, or in an example folder, narrows nothing."""

from __future__ import annotations

from pathlib import Path

import yaml

from mlkaizen import assess
from mlkaizen.engine.model import Assessment, Question, State
from mlkaizen.evidence.findings import Context, Finding, Outcome
from mlkaizen.interview import run_survey
from tests.conftest import MakeRepo
from tests.engine.helpers import CATALOGUE, found, run
from tests.engine.test_roadmap_next_stage import DVC_PROJECT
from tests.evidence.test_detectors import AZURE_ROLLBACK

ROLLBACK_JOB = Finding(detector="rollback_job_named", outcome=Outcome.FOUND,
                       file="azure-pipelines.yml", line=15,
                       detail="azure-pipelines job 'Roll_Back'")
ROLLBACK_CONFIRM = ("Found at azure-pipelines.yml:15: azure-pipelines job 'Roll_Back'. Is it "
                    "used to restore the previous model version in minutes, and has it been "
                    "tested?")


def question(a: Assessment, practice: str) -> Question:
    return next(q for q in a.questions if q.practice == practice)


def plain(practice: str) -> str:
    p = CATALOGUE.practice(practice)
    assert p is not None and p.question
    return p.question


def test_a_job_named_rollback_turns_the_rollback_question_into_a_confirmation() -> None:
    a = run([ROLLBACK_JOB])
    q = question(a, "deployment.rollback")
    assert q.question == ROLLBACK_CONFIRM
    assert q.confirms is not None
    assert (q.confirms.file, q.confirms.line) == ("azure-pipelines.yml", 15)
    # a name is not a rollback: the practice stays an open question, unknown
    rollback = a.practice("deployment.rollback")
    assert rollback is not None and rollback.state is State.UNKNOWN and not rollback.evidence
    # a plain repository asks the plain question
    assert question(run([]), "deployment.rollback").question == plain("deployment.rollback")
    assert question(run([]), "deployment.rollback").confirms is None


def test_evidence_for_another_practice_does_not_narrow_a_question() -> None:
    a = run([ROLLBACK_JOB, found("model_registry_used", "register.py", 7)])
    # the rollback job narrows only the rollback question ...
    for other in ("deployment.documented-release", "operations.monitoring",
                  "data.documented-sources"):
        assert question(a, other).question == plain(other)
        assert question(a, other).confirms is None
    # ... and the registry only the model-card question
    card = question(a, "model.model-card")
    assert card.question.startswith("Found at register.py:7: model_registry_used seen. Does "
                                    "every model registered there")
    assert question(a, "deployment.rollback").question == ROLLBACK_CONFIRM


def test_a_hint_in_an_example_folder_or_only_as_context_narrows_nothing() -> None:
    in_example = ROLLBACK_JOB.model_copy(update={"file": "examples/azure-pipelines.yml",
                                                 "context": Context.TUTORIAL})
    info = ROLLBACK_JOB.model_copy(update={"outcome": Outcome.INFO})
    for hint in (in_example, info):
        q = question(run([hint]), "deployment.rollback")
        assert (q.question, q.confirms) == (plain("deployment.rollback"), None)


def test_a_partly_seen_practice_is_asked_with_its_own_evidence() -> None:
    # a CODEOWNERS file is part of a review process; the rest (branch protection) lives on
    # the hosting service: the question names the file
    a = run([found("codeowners_present", ".github/CODEOWNERS", 1)])
    review = a.practice("organization.review-process")
    assert review is not None and review.state is State.PARTIAL and review.open_question
    q = question(a, "organization.review-process")
    assert q.question == ("Found at .github/CODEOWNERS:1: codeowners_present seen. "
                          + plain("organization.review-process"))


def test_a_narrowed_blocker_is_verified_with_the_narrowed_question() -> None:
    serving = found("model_serving_present", "serve/app.py", 3)
    a = run([*DVC_PROJECT, serving])
    step = next(r for r in a.roadmap if r.practice == "operations.monitoring")
    assert step.action == "verify" and step.step == 1
    assert step.question == ("Found at serve/app.py:3: model_serving_present seen. Are this "
                             "service's health and the model's inputs and outputs monitored "
                             "in production?")
    assert step.question == question(a, "operations.monitoring").question


def test_confirmations_come_right_after_what_blocks_the_next_stage() -> None:
    a = run([ROLLBACK_JOB])
    order = [(q.blocks_next_stage, q.confirms is not None) for q in a.questions]
    assert order == sorted(order, key=lambda o: (not o[0], not o[1]))
    assert [q.practice for q in a.questions if q.confirms] == ["deployment.rollback"]


def test_assess_names_the_rollback_job_of_a_real_pipeline(make_repo: MakeRepo) -> None:
    root = make_repo({"azure-pipelines.yml": AZURE_ROLLBACK, "train.py": "import sklearn\n"})
    q = question(assess(root), "deployment.rollback")
    assert q.confirms is not None and q.confirms.file == "azure-pipelines.yml"
    assert q.question.startswith(
        f"Found at azure-pipelines.yml:{q.confirms.line}: azure-pipelines job 'Roll_Back'. ")
    assert "Roll_Back" in AZURE_ROLLBACK.splitlines()[q.confirms.line - 1]


def test_survey_asks_a_confirmation_as_such_and_enter_confirms(tmp_path: Path) -> None:
    a = run([ROLLBACK_JOB])
    a.questions = [q for q in a.questions
                   if q.practice in ("deployment.rollback", "deployment.documented-release")]
    asked: list[str] = []
    said: list[str] = []
    replies = iter(["", "", "", "", "n", ""])

    def ask(prompt: str) -> str:
        asked.append(prompt)
        return next(replies)

    out = tmp_path / "answers" / "alice.yaml"
    assert run_survey(a, "alice", out, ask, said.append) == (2, 0)
    assert asked[0] == f"{ROLLBACK_CONFIRM} [Y/n]"
    assert "(confirm what the repository shows)" in said[1]
    # a plain question has no default: Enter is asked again
    assert asked[2:5] == [plain("deployment.documented-release")] * 3
    assert said.count("  please answer y, p, n, na or dk") == 2
    assert said[0].endswith("1 to confirm: Enter confirms what the repository shows.")
    answers = yaml.safe_load(out.read_text())["answers"]
    assert answers == {"deployment.rollback": {"answer": "yes"},
                       "deployment.documented-release": {"answer": "no"}}
