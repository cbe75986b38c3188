"""Whether a commit's author or committer is automation (a bot or a CI account), not a
person: a pure function of a name and an e-mail address.

Told by: ``[bot]`` anywhere (GitHub Apps: ``dependabot[bot]``, ``github-actions[bot]``); a
whole name or e-mail user that is a known CI or bot account (``github-actions``,
``gitlab-ci``, ``jenkins``, ``cml``, ``buildkite``, ``azure-pipelines``, ``renovate``...); a
``bot`` word in the name or user (``ci-bot``, ``mlops_bot``, ``Release Bot``); Azure DevOps'
``Build Service`` accounts; the addresses GitHub Actions commits with.

People are not automation even when a word looks alike: ``Botha``, ``Abbott``,
``robert@...``, ``Mary Jenkins`` (a surname, not the account), a person's
``12345+alice@users.noreply.github.com``, and ``GitHub <noreply@github.com>``, the committer
of every change made in GitHub's web pages (a person clicked it).
"""

from __future__ import annotations

import re

_ACCOUNTS = frozenset({
    "github-actions", "github action", "github actions", "actions-user", "actions-bot",
    "gitlab-ci", "gitlab ci", "gitlab-runner", "jenkins", "jenkins-ci", "cml", "cml-bot",
    "buildkite", "buildkite-agent", "buildkite agent", "azure-pipelines", "azure pipelines",
    "azuredevops", "travis-ci", "travis ci", "circleci", "teamcity", "renovate",
    "dependabot", "dependabot-preview", "pre-commit-ci", "semantic-release-bot", "mergify",
    "snyk-bot", "greenkeeper", "codecov", "argocd", "argo cd", "flux", "fluxcd",
    "airflow", "automation", "automated", "ci", "cd", "ci-cd", "cicd", "bot", "robot",
    "build", "builder", "release", "releaser",
})
_ADDRESSES = frozenset({
    "action@github.com", "actions@github.com", "github-actions@github.com",
    "noreply@buildkite.com", "ci@gitlab.com",
})
_BOT_WORD = frozenset({"bot", "bots", "robot", "cibot", "buildbot", "autobot"})
_WORDS = re.compile(r"[^a-z0-9]+")
_CAMEL = re.compile(r"([a-z0-9])([A-Z])")


def _words(text: str) -> set[str]:
    return set(_WORDS.split(_CAMEL.sub(r"\1 \2", text).lower())) - {""}


def _user(email: str) -> str:
    """The user part of an address, without GitHub's ``12345+`` id prefix."""
    user = email.strip().lower().rpartition("@")[0] or email.strip().lower()
    return user.partition("+")[2] if re.match(r"^\d+\+", user) else user


def is_automation(name: str, email: str) -> bool:
    """Whether ``name <email>`` is a bot or CI account (see the module's notes)."""
    low_name, low_email = name.strip().lower(), email.strip().lower()
    if "[bot]" in low_name or "[bot]" in low_email:
        return True
    if low_email in _ADDRESSES:
        return True
    user = _user(low_email)
    if low_name in _ACCOUNTS or user in _ACCOUNTS:
        return True
    if "build service" in low_name:  # Azure DevOps: "Project Collection Build Service (org)"
        return True
    return bool(_BOT_WORD & (_words(name) | _words(user)))
