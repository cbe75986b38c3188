"""Which authors and committers are automation: bots and CI accounts, not people."""

from __future__ import annotations

import pytest

from mlkaizen.evidence.facts.history_accounts import is_automation

AUTOMATION = [
    ("dependabot[bot]", "49699333+dependabot[bot]@users.noreply.github.com"),
    ("github-actions[bot]", "41898282+github-actions[bot]@users.noreply.github.com"),
    ("GitHub Actions", "actions@github.com"),
    ("github-actions", "github-actions@github.com"),
    ("Someone", "action@github.com"),
    ("gitlab-ci", "gitlab-ci@example.org"),
    ("Jenkins", "jenkins@ci.example.org"),
    ("Build", "jenkins@example.org"),
    ("cml", "cml@example.org"),
    ("CML", "cml-bot@example.org"),
    ("Buildkite Agent", "agent@example.org"),
    ("Azure Pipelines", "pipelines@example.org"),
    ("Project Collection Build Service (contoso)", "build@example.org"),
    ("renovate", "renovate@whitesourcesoftware.com"),
    ("ci-bot", "ci@example.org"),
    ("MLOps Bot", "mlops@example.org"),
    ("ReleaseBot", "release@example.org"),
    ("Retrain", "retrain_bot@example.org"),
    ("pre-commit-ci", "66853113+pre-commit-ci@users.noreply.github.com"),
]

PEOPLE = [
    ("Pieter Botha", "pieter.botha@example.org"),
    ("Robert Smith", "robert@example.org"),
    ("Jane Abbott", "jane@abbott.example"),
    ("Mary Jenkins", "mary.jenkins@example.org"),
    ("Alice", "12345+alice@users.noreply.github.com"),
    ("GitHub", "noreply@github.com"),  # the committer of a change made in GitHub's pages
    ("Ci Wang", "ci.wang@example.org"),
    ("Bo Tan", "bo.tan@example.org"),
    ("Cmlee", "cmlee@example.org"),
    ("Abbot Builder", "abbot@example.org"),
    ("", ""),
]


@pytest.mark.parametrize(("name", "email"), AUTOMATION)
def test_automation_accounts(name: str, email: str) -> None:
    assert is_automation(name, email)


@pytest.mark.parametrize(("name", "email"), PEOPLE)
def test_people_are_not_automation(name: str, email: str) -> None:
    assert not is_automation(name, email)
