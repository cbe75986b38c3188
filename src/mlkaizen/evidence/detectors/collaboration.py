"""Ownership, review and shared conventions."""

from __future__ import annotations

from mlkaizen.evidence.detectors.base import detector
from mlkaizen.evidence.findings import Finding
from mlkaizen.evidence.tree import RepoTree


@detector("codeowners_present")
def codeowners_present(tree: RepoTree) -> list[Finding]:
    """Code ownership is declared in a CODEOWNERS file (root, .github/, .gitlab/ or docs/)."""
    out: list[Finding] = []
    for rel in tree.named("CODEOWNERS"):
        if rel in ("CODEOWNERS", ".github/CODEOWNERS", ".gitlab/CODEOWNERS", "docs/CODEOWNERS"):
            text = tree.text(rel) or ""
            rules = [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
            out.append(tree.finding("codeowners_present", rel, 1, f"{len(rules)} ownership rules"))
    return out


@detector("pr_template_present")
def pr_template_present(tree: RepoTree) -> list[Finding]:
    """Changes go through a review template (GitHub PR or GitLab MR template)."""
    files = [
        f
        for f in tree.files
        if "pull_request_template" in f.lower()
        or f.lower().startswith(".gitlab/merge_request_templates/")
    ]
    return [tree.finding("pr_template_present", rel, 1, "review template") for rel in files]


@detector("pre_commit_configured")
def pre_commit_configured(tree: RepoTree) -> list[Finding]:
    """Shared conventions are enforced with pre-commit hooks."""
    return [
        tree.finding("pre_commit_configured", rel, 1, "pre-commit hooks")
        for rel in tree.named(".pre-commit-config.yaml", ".pre-commit-config.yml")
    ]


@detector("dependency_updates_automated")
def dependency_updates_automated(tree: RepoTree) -> list[Finding]:
    """Dependency changes raise notifications or PRs (Dependabot, Renovate)."""
    return [
        tree.finding("dependency_updates_automated", rel, 1, rel)
        for rel in tree.named(
            "dependabot.yml",
            "dependabot.yaml",
            "renovate.json",
            "renovate.json5",
            ".renovaterc",
            ".renovaterc.json",
        )
    ]


@detector("project_template_used")
def project_template_used(tree: RepoTree) -> list[Finding]:
    """The project was generated from, or publishes, a shared template or platform entry
    (cookiecutter/cruft/copier answers, Backstage catalog or software template)."""
    out = [
        tree.finding("project_template_used", rel, 1, f"template record {rel}")
        for rel in tree.named(
            ".cruft.json",
            ".copier-answers.yml",
            ".copier-answers.yaml",
            "cookiecutter.json",
            "copier.yml",
            "copier.yaml",
        )
    ]
    out += [
        tree.finding("project_template_used", rel, 1, "Backstage catalog entry")
        for rel in tree.named("catalog-info.yaml", "catalog-info.yml")
    ]
    return out


DETECTORS = [
    codeowners_present,
    pr_template_present,
    pre_commit_configured,
    dependency_updates_automated,
    project_template_used,
]
