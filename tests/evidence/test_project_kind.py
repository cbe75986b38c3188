"""An ML library's own source is recognised (by name, or as a published distribution that does
ML), and its verdict says its stage is not the stage of the teams that use it."""

from __future__ import annotations

from mlkaizen.api import assess
from mlkaizen.evidence.detectors.project_kind import repo_is_ml_tool_source
from mlkaizen.evidence.tree import RepoTree
from tests.conftest import MakeRepo

PUBLISH = (
    "on: {release: {types: [published]}}\njobs:\n  pypi:\n    runs-on: ubuntu-latest\n"
    "    steps:\n      - run: python -m build\n"
    "      - uses: pypa/gh-action-pypi-publish@release/v1\n"
)
LIBRARY = {
    "pyproject.toml": "[project]\nname = 'conformal-kit'\n",
    "conformal_kit/__init__.py": "",
    "conformal_kit/regression.py": "from sklearn.base import BaseEstimator\n",
    ".github/workflows/publish.yml": PUBLISH,
}


def test_a_published_distribution_that_does_ml_is_a_library(make_repo: MakeRepo) -> None:
    found = repo_is_ml_tool_source.detect(RepoTree(make_repo(LIBRARY)))
    assert [(f.file, f.outcome.value, f.values) for f in found] == [
        ("pyproject.toml", "info", {"tool": "conformal-kit"})
    ]
    assert ".github/workflows/publish.yml:7" in found[0].detail


def test_twine_upload_counts_as_publishing(make_repo: MakeRepo) -> None:
    twine = PUBLISH.replace("uses: pypa/gh-action-pypi-publish@release/v1",
                            "run: twine upload dist/*")
    files = {**LIBRARY, ".github/workflows/publish.yml": twine}
    assert len(repo_is_ml_tool_source.detect(RepoTree(make_repo(files)))) == 1


def test_near_misses_are_projects(make_repo: MakeRepo) -> None:
    # published, but its own package does no ML (a CLI that only shells out)
    no_ml = {**LIBRARY, "conformal_kit/regression.py": "import subprocess\n"}
    # does ML, but nothing publishes it (a team's service with a package layout)
    unpublished = {k: v for k, v in LIBRARY.items() if not k.startswith(".github")}
    # the word "publish" alone (a docs site) is not a package upload
    docs = {**LIBRARY, ".github/workflows/publish.yml":
            PUBLISH.replace("uses: pypa/gh-action-pypi-publish@release/v1",
                            "run: mkdocs gh-deploy  # publish the docs")}
    for files in (no_ml, unpublished, docs):
        assert repo_is_ml_tool_source.detect(RepoTree(make_repo(files))) == []


def test_the_verdict_says_a_library_stage_is_not_its_users_stage(make_repo: MakeRepo) -> None:
    a = assess(make_repo(LIBRARY))
    assert a.subject.kind == "ml-tool-source"
    assert "the stage of a library's repository is not the stage of the teams that use it" in (
        a.explanation
    )
