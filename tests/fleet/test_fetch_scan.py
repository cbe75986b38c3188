"""Fleet jobs of git URLs and of local repositories at a ref: assessed straight from git
objects, with monorepos split into sub-project subjects; the same files give the same
assessment from a work tree and from a commit."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlkaizen.catalogues import load_catalogue
from mlkaizen.engine.model import Assessment
from mlkaizen.evidence.limits import ScanLimits
from mlkaizen.fleet.job import JobError, Scanned, scan_entry
from mlkaizen.fleet.manifest import Entry
from tests.history.gitrepo import commit, git, init

PROJECT = {
    "README.md": "# churn\n\nTrain with `python train.py`.\n",
    "train.py": (
        "import mlflow\nimport pandas as pd\nfrom sklearn.linear_model import LogisticRegression\n"
        "mlflow.log_metric('auc', 0.9)\n"
    ),
    "requirements.txt": "mlflow==2.9.2\npandas==2.1.4\nscikit-learn==1.3.2\n",
    "Dockerfile": "FROM python:3.11-slim\nCOPY . .\nRUN pip install -r requirements.txt\n",
    "dvc.yaml": "stages:\n  train:\n    cmd: python train.py\n    deps: [train.py]\n",
    "tests/test_train.py": "def test_train():\n    assert True\n",
    ".github/workflows/ci.yml": (
        "on: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - uses: actions/checkout@v4\n      - run: pip install -r requirements.txt\n"
        "      - run: pytest\n"
    ),
}
PART = {
    "pyproject.toml": "[project]\nname = '{name}'\ndependencies = ['scikit-learn']\n",
    "train.py": "from sklearn.ensemble import RandomForestClassifier\nprint('{name}')\n",
}


def _scan(entry: Entry, cache: Path) -> Scanned:
    return scan_entry(entry, cache=cache, catalogue=load_catalogue(None), limits=ScanLimits())


def _shape(a: Assessment) -> tuple[str, dict[str, int], dict[str, str]]:
    return (a.stage, {d.id: d.level for d in a.dimensions},
            {p.id: p.state for p in a.practices})


def _remote(tmp_path: Path, work: Path) -> str:
    bare = tmp_path / f"{work.name}.git"
    git(tmp_path, "clone", "-q", "--bare", str(work), str(bare))
    return f"file://{bare}"


def test_the_same_files_give_the_same_assessment_from_a_work_tree_and_a_commit(
    tmp_path: Path,
) -> None:
    work = init(tmp_path / "churn")
    first = commit(work, {"README.md": "# churn\n"}, "2025-01-10", "Ann", "Start")
    head = commit(work, PROJECT, "2025-02-10", "Bob", "The project")
    url = _remote(tmp_path, work)
    cache = tmp_path / "cache"
    from_tree = _scan(Entry(location=str(work), kind="path"), cache)
    from_url = _scan(Entry(location=url, kind="git"), cache)
    at_ref = _scan(Entry(location=str(work), kind="path", ref="main"), cache)
    assert [s.commit for s in (from_tree, from_url, at_ref)] == [head, head, head]
    assert from_tree.commit_date == from_url.commit_date == at_ref.commit_date
    assert from_tree.commit_date is not None and from_tree.commit_date.day == 10
    shapes = [_shape(s.subjects[0].assessment) for s in (from_tree, from_url, at_ref)]
    assert shapes[0] == shapes[1] == shapes[2]
    satisfied = sorted(p for p, state in shapes[0][2].items() if state == "met")
    assert satisfied == [  # a dvc.yaml of one stage is partly a training pipeline
        "deployment.tests-in-ci", "model.experiment-tracking",
        "operations.reproducible-environment", "organization.shared-tooling",
        "organization.version-control",
    ]
    assert shapes[0][2]["model.training-pipeline"] == "partial"
    vc = "organization.version-control"
    assert shapes[1][2][vc] == "met"  # a commit is under version control
    assert from_url.subjects[0].assessment.scan is not None
    assert from_url.subjects[0].assessment.scan.listing == "git-commit"
    assert [(s.key, s.name, s.parent) for s in from_url.subjects] == [(url, "churn", None)]
    assert from_url.subjects[0].assessment.subject.path == url
    # an older ref of the local repository: the older commit's files
    old = _scan(Entry(location=str(work), kind="path", ref=first), cache)
    assert old.commit == first
    assert old.subjects[0].key == f"{work}@{first}"
    assert _shape(old.subjects[0].assessment)[0] == "Ad hoc"
    assert not (work / ".git" / "shallow").exists()  # the local repository is only read


def test_a_monorepo_becomes_a_repository_subject_and_one_per_sub_project(tmp_path: Path) -> None:
    work = init(tmp_path / "mono")
    files = {"README.md": "# two models\n"}
    for name in ("churn", "fraud"):
        files.update({f"{name}/{rel}": text.replace("{name}", name) for rel, text in PART.items()})
    head = commit(work, files, "2025-03-01", "Ann", "Two projects")
    url = _remote(tmp_path, work)
    got = _scan(Entry(location=url, kind="git", team="ml"), tmp_path / "cache")
    assert got.commit == head
    assert [(s.key, s.name, s.parent, s.team) for s in got.subjects] == [
        (url, "mono", None, "ml"),
        (f"{url}#churn", "mono:churn", url, "ml"),
        (f"{url}#fraud", "mono:fraud", url, "ml"),
    ]
    assert [r.path for r in got.subjects[0].assessment.sub_projects] == ["churn", "fraud"]
    # a near miss: one folder declaring a project is not a monorepo
    single = init(tmp_path / "single")
    commit(single, {f"churn/{rel}": text for rel, text in PART.items()}, "2025-03-01", "Ann",
           "One project")
    one = _scan(Entry(location=_remote(tmp_path, single), kind="git"), tmp_path / "cache")
    assert len(one.subjects) == 1


def test_a_sub_path_entry_assesses_that_folder_of_the_commit(tmp_path: Path) -> None:
    work = init(tmp_path / "mono")
    files = {f"svc/{rel}": text for rel, text in PROJECT.items()}
    files["README.md"] = "# the platform\n"
    commit(work, files, "2025-03-01", "Ann", "A service")
    url = _remote(tmp_path, work)
    cache = tmp_path / "cache"
    got = _scan(Entry(location=url, kind="git", subpath="svc"), cache)
    assert [(s.key, s.name) for s in got.subjects] == [(f"{url}//svc", "mono/svc")]
    tree = _scan(Entry(location=str(work), kind="path", subpath="svc"), cache)
    at_ref = _scan(Entry(location=str(work / "svc"), kind="path", ref="main"), cache)
    assert _shape(got.subjects[0].assessment) == _shape(at_ref.subjects[0].assessment)
    assert _shape(got.subjects[0].assessment)[2] == _shape(tree.subjects[0].assessment)[2]
    with pytest.raises(JobError) as missing:
        _scan(Entry(location=url, kind="git", subpath="nope"), cache)
    assert missing.value.permanent
    assert missing.value.message.startswith(f"{url}: no folder 'nope' in commit ")


def test_local_repositories_at_a_ref_that_cannot_be_read_fail_permanently(
    tmp_path: Path,
) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    cache = tmp_path / "cache"
    with pytest.raises(JobError) as not_git:
        _scan(Entry(location=str(plain), kind="path", ref="main"), cache)
    assert not_git.value.permanent
    assert not_git.value.message == f"{plain}: not a git repository (history needs one)"
    work = init(tmp_path / "work")
    commit(work, {"README.md": "# x\n"}, "2025-01-10", "Ann", "Start")
    with pytest.raises(JobError) as no_ref:
        _scan(Entry(location=str(work), kind="path", ref="nope"), cache)
    assert no_ref.value.permanent
    assert no_ref.value.message == f"{work}: ref 'nope' not found in the repository"
    # a work tree outside git: assessed, with no commit
    loose = _scan(Entry(location=str(plain), kind="path"), cache)
    assert (loose.commit, loose.commit_date) == (None, None)


def test_a_project_template_reads_the_same_from_a_commit(tmp_path: Path) -> None:
    """``train.py.tmpl`` is listed as ``train.py``; a commit reads it from the template's
    blob, as a work tree reads the template's file."""
    work = init(tmp_path / "template")
    files = {f"{rel}.tmpl" if rel.endswith((".py", ".txt")) else rel: text
             for rel, text in PROJECT.items()}
    files["train.py.tmpl"] = "{{- if .tracking }}\n" + PROJECT["train.py"] + "{{- end }}\n"
    commit(work, files, "2025-03-01", "Ann", "A template")
    cache = tmp_path / "cache"
    from_tree = _scan(Entry(location=str(work), kind="path"), cache)
    from_url = _scan(Entry(location=_remote(tmp_path, work), kind="git"), cache)
    assert _shape(from_url.subjects[0].assessment) == _shape(from_tree.subjects[0].assessment)
    states = _shape(from_url.subjects[0].assessment)[2]
    assert states["model.experiment-tracking"] == "met"
    scan = from_url.subjects[0].assessment.scan
    assert scan is not None and scan.skipped.get("missing_blob", 0) == 0
