"""Sub-projects: recognised from a manifest plus ML code, outermost only, two or more; each
assessed on its own evidence, in every report."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from mlkaizen.api import assess, sub_projects
from mlkaizen.errors import MLKaizenError
from mlkaizen.evidence.projects import find_sub_projects
from mlkaizen.evidence.tree import RepoTree, SubTree
from tests.conftest import MakeRepo, files_opened_below, lines_run_in

TRACKED = (
    "import mlflow\nimport sklearn\nmlflow.start_run()\nmlflow.log_metric('auc', 0.9)\n"
    "mlflow.register_model('runs:/1/model', 'churn')\n"
)
PLAIN = "import torch\nmodel = torch.nn.Linear(2, 1)\n"

MONOREPO = {
    "services/churn/requirements.txt": "scikit-learn==1.5.0\nmlflow==2.16.0\n",
    "services/churn/train.py": TRACKED,
    "services/churn/inner/requirements.txt": "numpy==2.0.0\n",  # nested: part of churn
    "services/churn/inner/util.py": PLAIN,
    "services/vision/pyproject.toml": "[project]\nname = 'vision'\n",
    "services/vision/model.py": PLAIN,
    "docs/requirements.txt": "mkdocs==1.6.0\n",  # a manifest, but no ML code
    "tests/e2e/requirements.txt": "pytest==8.0.0\n",  # test folders are never projects
    "tests/e2e/test_churn.py": PLAIN,
    "train_all.py": PLAIN,
    ".github/CODEOWNERS": "* @ml-platform\n",
}


def test_outermost_folders_with_a_manifest_and_ml_code(make_repo: MakeRepo) -> None:
    refs = find_sub_projects(RepoTree(make_repo(MONOREPO)))
    assert [(r.path, r.manifests, r.ml_files) for r in refs] == [
        ("services/churn", ("requirements.txt",), 2),
        ("services/vision", ("pyproject.toml",), 1),
    ]
    assert refs[0].how == "declares requirements.txt; 2 files doing ML"


def test_one_project_folder_is_not_a_collection(make_repo: MakeRepo) -> None:
    one = {k: v for k, v in MONOREPO.items() if not k.startswith("services/vision")}
    assert find_sub_projects(RepoTree(make_repo(one))) == []


def test_a_manifest_without_ml_code_is_not_a_project(make_repo: MakeRepo) -> None:
    files = {**MONOREPO, "services/vision/model.py": "print('hello')\n"}
    assert find_sub_projects(RepoTree(make_repo(files))) == []


def test_a_sub_tree_shares_reads_and_sees_shared_settings(make_repo: MakeRepo) -> None:
    tree = RepoTree(make_repo(MONOREPO))
    sub = SubTree(tree, "services/churn", [".github/CODEOWNERS"])
    assert sub.files == ["inner/requirements.txt", "inner/util.py", "requirements.txt",
                         "train.py", ".github/CODEOWNERS"]
    assert sub.text("train.py") == TRACKED and sub.text(".github/CODEOWNERS") == "* @ml-platform\n"
    read = tree.files_read
    assert sub.text("train.py") == TRACKED and tree.files_read == read  # read once, shared


def test_the_files_a_root_gitlab_pipeline_includes_are_shared(make_repo: MakeRepo) -> None:
    from mlkaizen.evidence.projects import shared_files

    files = {
        **MONOREPO,
        ".gitlab-ci.yml": "include:\n  - local: ci/jobs.yml\n  - local: '/ci/extra/*.yml'\n"
                          "  - remote: https://example.com/t.yml\n  - ci/missing.yml\n",
        "ci/jobs.yml": "test:\n  script: [pytest]\n",
        "ci/extra/train.yml": "train:\n  script: [python train.py]\n",
        "ci/unused.yml": "x:\n  script: [echo]\n",  # not included: not a setting of every project
    }
    tree = RepoTree(make_repo(files))
    refs = find_sub_projects(tree)
    assert sorted(shared_files(tree, refs)) == [
        ".github/CODEOWNERS", ".gitlab-ci.yml", "ci/extra/train.yml", "ci/jobs.yml",
    ]


def test_each_sub_project_is_assessed_on_its_own_evidence(make_repo: MakeRepo) -> None:
    a = assess(make_repo(MONOREPO, git=True))
    parts = {sp.path: sp for sp in a.sub_projects}
    assert list(parts) == ["services/churn", "services/vision"]
    churn, vision = parts["services/churn"], parts["services/vision"]
    assert churn.how == "declares requirements.txt; 2 files doing ML"
    assert churn.levels["model"] == 1 and vision.levels["model"] == 0  # only churn tracks runs
    assert (churn.stage, vision.stage) == ("Ad hoc", "Ad hoc")
    assert churn.blocker == "data.versioned" and churn.next_stage == "DataOps"
    assert "holds 2 independent projects" in a.explanation
    assert a.subject.name != churn.path  # the repository keeps its own verdict


def test_sub_projects_in_every_format_and_on_the_command_line(make_repo: MakeRepo) -> None:
    root = make_repo(MONOREPO, git=True)

    def cli(*args: str) -> str:
        proc = subprocess.run([sys.executable, "-m", "mlkaizen", *args], capture_output=True,
                              text=True, check=False)
        assert proc.returncode == 0, proc.stderr
        return proc.stdout

    assert cli("assess", str(root), "--projects") == (
        "services/churn\tdeclares requirements.txt; 2 files doing ML\n"
        "services/vision\tdeclares pyproject.toml; 1 file doing ML\n"
    )
    data = json.loads(cli("assess", str(root), "-f", "json"))
    assert [sp["path"] for sp in data["sub_projects"]] == ["services/churn", "services/vision"]
    md = cli("assess", str(root), "-f", "markdown")
    assert "### Sub-projects (2), each assessed on its own evidence" in md
    assert "| `services/churn` | Ad hoc | 0 | 1 | 1 | 0 | 1 | `data.versioned` |" in md
    assert "Sub-projects (2), each on its own evidence:" in cli("assess", str(root))
    assert "<h2>Sub-projects</h2>" in cli("assess", str(root), "-f", "html")
    mapped = json.loads(cli("map", str(root), "--projects", "-f", "json"))
    rows = {row["subject"]: row for row in mapped["subjects"]}
    assert list(rows) == [root.name, f"{root.name}/services/churn", f"{root.name}/services/vision"]
    # the same view as the sub-project table: the churn service tracks and registers its runs
    assert rows[f"{root.name}/services/churn"]["model"] == 1


def test_a_single_project_lists_none(make_repo: MakeRepo) -> None:
    assert sub_projects(make_repo({"train.py": TRACKED, "requirements.txt": "mlflow\n"})) == []


def test_repo_level_settings_apply_to_each_sub_project(make_repo: MakeRepo) -> None:
    a = assess(make_repo(MONOREPO, git=True))
    assert a.practice("organization.code-ownership").state.value == "met"  # type: ignore[union-attr]
    # and the sub-project view credits the same shared CODEOWNERS file
    tree = RepoTree(make_repo(MONOREPO))
    sub = SubTree(tree, "services/vision", [".github/CODEOWNERS"])
    assert sub.named("CODEOWNERS") == [".github/CODEOWNERS"]


def test_one_sub_project_alone_and_a_wrong_name(make_repo: MakeRepo) -> None:
    root = make_repo(MONOREPO, git=True)
    churn = assess(root, part="services/churn")
    assert churn.subject.name == "services/churn" and churn.sub_projects == []
    # a registered model version is a packaged artifact (Deployment at level 1), and the
    # registry is a tool the team shares (Organization at level 1)
    assert [d.level for d in churn.dimensions] == [0, 1, 1, 0, 1]
    with pytest.raises(MLKaizenError, match="'docs' is not a sub-project"):
        assess(root, part="docs")


def test_the_components_of_one_pipeline_are_one_project(make_repo: MakeRepo) -> None:
    component = "import sklearn\nfrom sklearn.linear_model import LogisticRegression\n"
    files = {
        f"fraud/pipeline/components/{step}/{name}": body
        for step in ("prepare", "train", "evaluate")
        for name, body in (("Dockerfile", "FROM python:3.11\n"), ("main.py", component))
    }
    files["fraud/pipeline/pipeline.py"] = "from kfp import dsl\n"
    files["churn/requirements.txt"] = "scikit-learn==1.5.0\n"
    files["churn/train.py"] = TRACKED
    refs = find_sub_projects(RepoTree(make_repo(files)))
    assert [(r.path, r.manifests, r.ml_files) for r in refs] == [
        ("churn", ("requirements.txt",), 1),
        ("fraud/pipeline", ("Dockerfile",), 3),
    ]


def test_components_at_the_root_make_no_collection(make_repo: MakeRepo) -> None:
    component = "import torch\n"
    files = {
        f"components/{step}/{name}": body
        for step in ("train", "evaluate")
        for name, body in (("Dockerfile", "FROM python:3.11\n"), ("main.py", component))
    }
    assert find_sub_projects(RepoTree(make_repo(files))) == []
    # near miss: sibling folders named for use cases under a folder of another name stay
    # projects
    files = {
        f"services/{case}/{name}": body
        for case in ("churn", "vision")
        for name, body in (("Dockerfile", "FROM python:3.11\n"), ("main.py", component))
    }
    assert [r.path for r in find_sub_projects(RepoTree(make_repo(files)))] == [
        "services/churn", "services/vision",
    ]


def _steps(parent: str, steps: tuple[str, ...], files: int = 1) -> dict[str, str]:
    out = {}
    for step in steps:
        out[f"{parent}{step}/environment.yml"] = "dependencies: [scikit-learn=1.5.0]\n"
        for i in range(files):
            out[f"{parent}{step}/part{i}.py"] = "import sklearn\n"
    return out


def test_small_folders_named_for_steps_are_one_system(make_repo: MakeRepo) -> None:
    # code/train and code/deploy, each with its environment file: one project, ``code``
    files = {**_steps("code/", ("train", "deploy")), **_steps("", ("churn", "vision"))}
    refs = find_sub_projects(RepoTree(make_repo(files)))
    assert [(r.path, r.manifests, r.ml_files) for r in refs] == [
        ("churn", ("environment.yml",), 1),
        ("code", ("environment.yml",), 2),
        ("vision", ("environment.yml",), 1),
    ]
    # names are read without case, a dash as an underscore
    refs = find_sub_projects(RepoTree(make_repo(_steps("ml/", ("Train", "batch-scoring")))))
    assert refs == []  # one project, ``ml``: the repository is that project
    # at the root, only what drives them joins them (test_folders_one_driver_runs_...)
    refs = find_sub_projects(RepoTree(make_repo(_steps("", ("train", "deploy")))))
    assert [r.path for r in refs] == ["deploy", "train"]


@pytest.mark.parametrize("files", [
    # near misses: a step folder with more ML code than a step's is a project of its own;
    # a step beside a folder named for something else; one step alone
    {**_steps("code/", ("train",), files=4), **_steps("code/", ("deploy",))},
    {**_steps("code/", ("train",)), **_steps("code/", ("churn",))},
    {**_steps("code/", ("train",)), **_steps("other/", ("deploy",))},
    # a project deeper under the steps' parent: the parent is a collection, not one system
    {**_steps("projects/", ("train", "deploy")), **_steps("projects/nlp/", ("bert",))},
])
def test_step_folders_that_are_projects_stay(make_repo: MakeRepo, files: dict[str, str]) -> None:
    refs = find_sub_projects(RepoTree(make_repo(files)))
    assert sorted(r.path for r in refs) == sorted({f.rpartition("/")[0] for f in files})


def test_a_collection_is_headed_by_its_spread_never_by_pooled_evidence(
    make_repo: MakeRepo,
) -> None:
    # one project tracks and registers, the other serves: pooled, they would look like one
    # team that does both; each on its own evidence, neither does
    files = {
        "tracking/requirements.txt": "mlflow==2.16.0\n",
        "tracking/train.py": TRACKED,
        "tracking/data.dvc": "outs:\n- md5: 1\n  path: data.csv\n",
        "serving/requirements.txt": "fastapi==0.110.0\n",
        "serving/app.py": "import sklearn\nfrom fastapi import FastAPI\napp = FastAPI()\n"
        "@app.post('/predict')\ndef predict(x: dict) -> dict:\n    return x\n",
        "serving/Dockerfile": "FROM python:3.11\nCOPY model.pkl /m\nCMD uvicorn app:app\n",
    }
    a = assess(make_repo(files))
    assert a.spread is not None and a.spread.startswith("2 projects: ")
    rows = {sp.path: sp.stage_index for sp in a.sub_projects}
    assert a.stage_index == max(rows.values())
    best = a.focus  # a most mature project (ties go to the one with more practices met)
    assert best is not None and rows[best] == max(rows.values())
    assert a.explanation.startswith(a.spread + ". Confirmed stage:")
    assert f"everything below are {best}'s" in a.explanation
    # the practices shown are the focus project's own: the other project's evidence is absent
    files_seen = {e.file for p in a.practices for e in p.evidence if e.file}
    other = next(p for p in rows if p != best)
    assert not any(f.startswith(other + "/") for f in files_seen)


def test_spread_text() -> None:
    from mlkaizen.engine.portfolio import spread_text

    assert spread_text([(3, "Manual MLOps"), (2, "DataOps"), (2, "DataOps")]) == (
        "3 projects: 1 Manual MLOps, 2 DataOps"
    )


def _service(name: str, body: str) -> dict[str, str]:
    return {f"src/{name}/requirements.txt": "scikit-learn==1.5.0\n",
            f"src/{name}/Dockerfile": "FROM python:3.11\n",
            f"src/{name}/main.py": "import sklearn\n" + body}


@pytest.mark.parametrize(("bodies", "expected"), [
    # one imports the other: parts of one system, the repository is one project
    (("from model.fit import fit\n", "def fit(): ...\n"), []),
    # both import the repository's shared code: one system
    (("from helpers.s3 import fetch\n", "from helpers.s3 import fetch\n"), []),
    # near miss: each has a package of the same name of its own; still two projects
    (("from steps import train\n", "from steps import train\n"), ["src/dagster", "src/model"]),
])
def test_projects_that_import_each_other_are_one_system(
    make_repo: MakeRepo, bodies: tuple[str, str], expected: list[str]
) -> None:
    files = {**_service("dagster", bodies[0]), **_service("model", bodies[1])}
    files["src/model/fit.py"] = "def fit(): ...\n"
    files["src/helpers/s3.py"] = "import boto3\n"
    if "steps" in bodies[0]:
        for name in ("dagster", "model"):
            files[f"src/{name}/steps/__init__.py"] = "def train(): ...\n"
    assert [r.path for r in find_sub_projects(RepoTree(make_repo(files)))] == expected


def test_the_headline_of_a_collection_keeps_answers_and_repository_paths(
    make_repo: MakeRepo,
) -> None:
    root = make_repo(MONOREPO)
    answers = root / "answers.yaml"
    answers.write_text(
        "respondent: alice\ncatalogue: {id: ad-hoc-to-kaizen, version: '2026.12.0'}\n"
        "answers:\n  data.access-control: {answer: 'yes'}\n",
        encoding="utf-8",
    )
    a = assess(root, answers=[answers])
    assert a.focus is not None and a.respondents == ["alice"]
    access = a.practice("data.access-control")
    assert access is not None and access.state.value == "met" and access.source.value == "attested"
    files = {e.file for p in a.practices for e in p.evidence if e.file}
    assert files and all(f.startswith((a.focus + "/", ".")) for f in files), files


def test_a_joined_system_absorbs_the_projects_inside_it(make_repo: MakeRepo) -> None:
    files = {**_service("a", "from b.fit import fit\n"), **_service("b", "def g(): ...\n"),
             **_service("c", "import torch\n")}
    files["src/b/fit.py"] = "def fit(): ...\n"
    files = {k.replace("src/", "svc/"): v for k, v in files.items()}
    files.update({f"other/{k}": v for k, v in _service("d", "import torch\n").items()})
    refs = find_sub_projects(RepoTree(make_repo(files)))
    # a and b are one system at svc/, which holds c too: counted once, never twice
    assert [(r.path, r.ml_files) for r in refs] == [("other/src/d", 1), ("svc", 3)]


def test_map_with_projects_scans_the_tree_once(make_repo: MakeRepo) -> None:
    """``map --projects`` used to assess the repository again for each sub-project: every
    file was listed and read once more per sub-project. Now one scan gives them all."""
    from typer.testing import CliRunner

    from mlkaizen.api import assess_with_projects
    from mlkaizen.cli import app

    root = make_repo(MONOREPO)
    whole, parts = assess_with_projects(root)
    assert [p for p, _ in parts] == ["services/churn", "services/vision"]
    for path, part in parts:  # what `assess --part` judges (evidence in repository paths)
        alone = assess(root, part=path)
        assert (part.stage, part.stage_index) == (alone.stage, alone.stage_index)
        assert [(d.id, d.level) for d in part.dimensions] == [
            (d.id, d.level) for d in alone.dimensions]
        assert [(p.id, p.state, [(e.file, e.line) for e in p.evidence])
                for p in part.practices] == [
            (p.id, p.state, [(e.file if e.file == ".github/CODEOWNERS" else f"{path}/{e.file}",
                              e.line) for e in p.evidence])
            for p in alone.practices]
    assert whole.model_dump(exclude={"generated"}) == assess(root).model_dump(
        exclude={"generated"})

    with files_opened_below(root) as opened:
        result = CliRunner().invoke(app, ["map", str(root), "--projects", "-f", "json"])
    assert result.exit_code == 0, result.output
    rows = [row["subject"] for row in json.loads(result.stdout)["subjects"]]
    assert rows == [root.name, f"{root.name}/services/churn", f"{root.name}/services/vision"]
    assert opened.count("services/churn/train.py") == 1  # read by one scan, not three


def _lines_run_finding(make_repo: MakeRepo, count: int) -> tuple[int, int]:
    """How many lines of the sub-project module run to find ``count`` projects side by
    side, and how many it finds: the work, counted, not timed."""

    from mlkaizen.evidence import projects

    files: dict[str, str | bytes] = {}
    for i in range(count):
        files[f"p{i}/requirements.txt"] = "scikit-learn\n"
        files[f"p{i}/fit.py"] = "import sklearn\n"
    tree = RepoTree(make_repo(files))
    tree.importing({"sklearn"})  # parse outside the count
    found, lines = lines_run_in(projects.__file__, lambda: find_sub_projects(tree))
    return lines, len(found)


def test_many_projects_side_by_side_are_found_in_linear_work(make_repo: MakeRepo) -> None:
    """Each folder was compared with every ML file and every project found before it
    (8,000 projects: 20 seconds, 40,000: minutes)."""
    small, found = _lines_run_finding(make_repo, 150)
    assert found == 100  # the first MAX_SUB_PROJECTS, with a warning
    large, found = _lines_run_finding(make_repo, 300)
    assert found == 100
    assert large < 2.3 * small  # twice the projects, twice the work (quadratic: four times)


SYSTEM = {
    # an app and a serving image, each with a manifest and a little ML code...
    "src/flask_app/requirements.txt": "flask==3.0.0\n",
    "src/flask_app/app.py": "import torch\nmodel = torch.load('m.pt')\n",
    "environments/inference_image/Dockerfile": "FROM python:3.11\n",
    "environments/inference_image/score.py": PLAIN,
    # ...beside the pipelines and training code that make the model, in no project folder
    "src/pipeline/train_step.py": PLAIN,
    "src/pipeline/evaluate_step.py": PLAIN,
    "src/training/train.py": TRACKED,
}


@pytest.mark.parametrize(("drop", "extra", "expected"), [
    # the code around two folders does as much ML as they do: one system, one project
    ((), {}, []),
    # near miss: most of the ML code is in the folders; the training code outside is less
    (("src/pipeline/train_step.py", "src/pipeline/evaluate_step.py"), {},
     ["environments/inference_image", "src/flask_app"]),
    # near miss: tests and examples outside do not count as the system's code
    (("src/pipeline/train_step.py", "src/pipeline/evaluate_step.py", "src/training/train.py"),
     {"tests/test_a.py": PLAIN, "examples/demo.py": PLAIN},
     ["environments/inference_image", "src/flask_app"]),
    # near miss: four projects are a collection, whatever lies around them (a course)
    ((), {f"modules/m{i}/requirements.txt": "torch\n" for i in (1, 2)}
     | {f"modules/m{i}/fit.py": PLAIN for i in (1, 2)}
     | {f"homework/h{i}.py": PLAIN for i in range(6)},
     ["environments/inference_image", "modules/m1", "modules/m2", "src/flask_app"]),
])
def test_a_few_folders_beside_as_much_ml_code_are_parts_of_one_system(
    make_repo: MakeRepo, drop: tuple[str, ...], extra: dict[str, str], expected: list[str]
) -> None:
    files = {k: v for k, v in SYSTEM.items() if k not in drop} | extra
    assert [r.path for r in find_sub_projects(RepoTree(make_repo(files)))] == expected


def _notebook(*cells: str) -> str:
    return json.dumps({"cells": [{"cell_type": "code", "source": c, "metadata": {},
                                  "outputs": [], "execution_count": None} for c in cells],
                       "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


# four folders with a manifest each (two towers of one recommender, two Beam jobs), and the
# notebooks around them that build and run every one of them
RECOMMENDER = {
    **{f"src/{m}/{f}": text for m in ("ranking", "two_tower")
       for f, text in (("requirements.txt", "tensorflow\n"), ("task.py", PLAIN),
                       ("model.py", PLAIN))},
    **{f"beam_{m}/{f}": text for m in ("candidates", "training")
       for f, text in (("setup.py", "from setuptools import setup\n"), ("main.py", PLAIN))},
    "03-retrieval.ipynb": _notebook("from src.two_tower import model\n", PLAIN),
    "08-ranking.ipynb": _notebook("from src.ranking import model\n", PLAIN),
    "02-beam.ipynb": _notebook("%cd beam_candidates\n", "!python3 main.py\n",
                               "%cd ../beam_training\n", "!python3 main.py\n", PLAIN),
    **{f"0{i}-step.ipynb": _notebook(PLAIN) for i in (4, 5, 6)},
}


@pytest.mark.parametrize(("drop", "expected"), [
    # the notebooks around the four folders use every one of them: one system, one project
    ((), []),
    # near miss: one folder no notebook uses (the Beam jobs are not run from here): a
    # collection, as a course's modules beside homework that imports none of them
    (("02-beam.ipynb",), ["beam_candidates", "beam_training", "src/ranking", "src/two_tower"]),
])
def test_more_folders_that_the_code_around_them_uses_every_one_of_are_one_system(
    make_repo: MakeRepo, drop: tuple[str, ...], expected: list[str]
) -> None:
    files = {k: v for k, v in RECOMMENDER.items() if k not in drop}
    assert [r.path for r in find_sub_projects(RepoTree(make_repo(files)))] == expected


BUNDLES = {
    "pyproject.toml": "[project]\nname = 'energy'\ndependencies = ['boto3>=1.34']\n",
    "src/energy/pipeline.py": PLAIN,
    "scripts/run_training.py": "import boto3\nsm = boto3.client('sagemaker')\n",
    **{
        f"sagemaker/{name}/{file}": text
        for name in ("forecast", "forecast_tft", "anomaly", "anomaly_svm")
        for file, text in (
            ("requirements.txt", "pandas\nscikit-learn\n"),
            ("train.py", PLAIN),
            ("inference.py", PLAIN),
        )
    },
}


def test_entry_point_bundles_belong_to_the_project_around_them(make_repo: MakeRepo) -> None:
    # a SageMaker source_dir each (a requirements file, train.py and inference.py), packaged
    # by the project the root declares: one system, not four projects
    assert find_sub_projects(RepoTree(make_repo(BUNDLES))) == []


def test_near_miss_bundles_with_no_project_around_them_are_a_collection(
    make_repo: MakeRepo,
) -> None:
    files = {k: v for k, v in BUNDLES.items() if k != "pyproject.toml"}
    refs = find_sub_projects(RepoTree(make_repo(files)))
    assert [(r.path, r.ml_files) for r in refs] == [
        ("sagemaker/anomaly", 2),
        ("sagemaker/anomaly_svm", 2),
        ("sagemaker/forecast", 2),
        ("sagemaker/forecast_tft", 2),
    ]


def test_near_miss_folders_that_declare_more_than_requirements_are_projects(
    make_repo: MakeRepo,
) -> None:
    files = {
        **BUNDLES,
        **{f"sagemaker/{n}/Dockerfile": "FROM python:3.11\n" for n in ("forecast", "anomaly")},
        "sagemaker/anomaly_svm/evaluate.py": PLAIN,  # a third ML file: more than an entry point
    }
    refs = find_sub_projects(RepoTree(make_repo(files)))
    assert [(r.path, r.manifests, r.ml_files) for r in refs] == [
        ("sagemaker/anomaly", ("Dockerfile", "requirements.txt"), 2),
        ("sagemaker/anomaly_svm", ("requirements.txt",), 3),
        ("sagemaker/forecast", ("Dockerfile", "requirements.txt"), 2),
    ]


WORKSPACE = {
    "pyproject.toml": (
        "[project]\nname = 'playground'\n\n[tool.uv.workspace]\nmembers = ['packages/*']\n"
    ),
    "packages/pipelines/pyproject.toml": "[project]\nname = 'pipelines'\n",
    "packages/pipelines/pipeline.py": TRACKED,
    "packages/experiments/pyproject.toml": "[project]\nname = 'experiments'\n",
    "packages/experiments/explore.py": PLAIN,
}


def test_members_of_one_uv_workspace_are_one_project(make_repo: MakeRepo) -> None:
    # one lock file, one environment: the packages are parts of the root's project
    assert find_sub_projects(RepoTree(make_repo(WORKSPACE))) == []


@pytest.mark.parametrize(
    "root",
    [
        "[project]\nname = 'playground'\n",  # no workspace
        "[tool.uv.workspace]\nmembers = ['libs/*']\n",  # a workspace of other folders
    ],
)
def test_near_miss_folders_outside_the_workspace_stay_projects(
    make_repo: MakeRepo, root: str
) -> None:
    refs = find_sub_projects(RepoTree(make_repo({**WORKSPACE, "pyproject.toml": root})))
    assert [r.path for r in refs] == ["packages/experiments", "packages/pipelines"]


def test_near_miss_folders_the_workspace_excludes_stay_projects(make_repo: MakeRepo) -> None:
    root = (
        "[tool.uv.workspace]\nmembers = ['packages/*']\n"
        "exclude = ['packages/experiments', 'packages/research']\n"
    )
    files = {
        **WORKSPACE,
        "pyproject.toml": root,
        "packages/research/pyproject.toml": "[project]\nname = 'research'\n",
        "packages/research/study.py": PLAIN,
    }
    refs = find_sub_projects(RepoTree(make_repo(files)))
    assert [r.path for r in refs] == ["packages/experiments", "packages/research"]


DRIVEN = {
    "training/requirements.txt": "scikit-learn==1.5.0\n",
    "training/train.py": PLAIN,
    "serving/Dockerfile": "FROM python:3.11\n",
    "serving/requirements.txt": "torch==2.4.0\n",
    "serving/predict.py": PLAIN,
}
RUN_BOTH = (
    "import sagemaker\n"
    "est = sagemaker.sklearn.SKLearn(entry_point='train.py', source_dir='training')\n"
    "image = build_image('./serving/')\n"
)


def _notebook(*cells: str) -> str:
    return json.dumps({"cells": [{"cell_type": "code", "source": c, "outputs": []}
                                 for c in cells], "nbformat": 4, "nbformat_minor": 5})


@pytest.mark.parametrize(("extra", "expected"), [
    # a script at the root runs one as its estimator's code and builds the other
    ({"run_pipeline.py": RUN_BOTH}, []),
    # a notebook: the estimator's folder in a cell, the image built in a shell command
    ({"run.ipynb": _notebook("import sagemaker\nest = Est(source_dir=\"training\")\n",
                             "!docker build serving -t churn-serving\n")}, []),
    # an infrastructure program elsewhere names both by relative paths: one system
    ({"infra/lib/stack.ts": "new Asset(this, 'a', {path: '../../training/'});\n"
                            "new DockerImageAsset(this, 'b', {directory: '../../serving'});\n"},
     []),
    # near miss: a driver naming one of them only
    ({"run_pipeline.py": "import sagemaker\nsource_dir = 'training'\n"},
     ["serving", "training"]),
    # near misses: the readme and a CI workflow name both (not code that runs them), and a
    # test does
    ({"README.md": "cd training/ then serving/\n",
      ".github/workflows/ci.yml": "run: pytest training/ serving/\n",
      "tests/test_all.py": "import sklearn\npaths = ['training/', 'serving/']\n"},
     ["serving", "training"]),
    # near miss: names that only contain the folders' ('training_data', 'my-serving/x')
    ({"run_pipeline.py": "import sklearn\nx = 'training_data'\ny = 'my-serving/x'\n"},
     ["serving", "training"]),
    # near misses: a comment, prose and log lines, a mode string, a bucket key and a path
    # inside the container name the words, not the folders
    ({"run_pipeline.py": "import sklearn\n# !docker build serving/ then training/\n"
                         "log.info('training started'); log.info('serving')\n"
                         "mode = 'training'\nkey = 's3://bucket/training/'\n"
                         "data = '/opt/ml/input/data/training'\nstage = 'serving'\n"},
     ["serving", "training"]),
])
def test_folders_one_driver_runs_are_one_system(
    make_repo: MakeRepo, extra: dict[str, str], expected: list[str]
) -> None:
    refs = find_sub_projects(RepoTree(make_repo(DRIVEN | extra)))
    assert [r.path for r in refs] == expected


def test_a_driver_joins_only_what_it_names(make_repo: MakeRepo) -> None:
    # two folders of one pipeline and the script beside them that runs both are one project
    # at their folder; the projects it does not name stay as they are, even when the folder
    # that holds the driver holds them too
    files = {f"ml/fraud/{k}": v for k, v in DRIVEN.items()}
    files |= {f"ml/other/{k}": v for k, v in _service("x", "import torch\n").items()}
    files["ml/fraud/run.py"] = "import torch\nA = './training'\nB = 'fraud/serving'\n"
    refs = find_sub_projects(RepoTree(make_repo(files)))
    assert [(r.path, r.ml_files) for r in refs] == [("ml/fraud", 2), ("ml/other/src/x", 1)]
    del files["ml/fraud/run.py"]
    files["ml/launch/run.py"] = "import torch\nA = '../fraud/training'\nB = '../fraud/serving'\n"
    refs = find_sub_projects(RepoTree(make_repo(files)))
    assert [(r.path, r.ml_files) for r in refs] == [("ml/fraud", 2), ("ml/other/src/x", 1)]


def test_near_miss_a_smoke_script_naming_some_of_a_collection(make_repo: MakeRepo) -> None:
    # five examples; a script runs two of them: those two are not one project with the
    # others, and a name two projects share (``ml/model``) says neither
    files: dict[str, str] = {}
    for name in ("a", "b", "c", "d", "e"):
        files |= {f"examples/{name}/{k}": v for k, v in _service("x", "import torch\n").items()}
    files["scripts/smoke.py"] = "import torch\nRUN = ['examples/a/src/x/', 'examples/b/src/x/']\n"
    paths = [r.path for r in find_sub_projects(RepoTree(make_repo(files)))]
    assert paths == [f"examples/{n}/src/x" for n in "abcde"]
    shared = {f"team{t}/ml/model/{k}": v for t in "AB" for k, v in DRIVEN.items()
              if k.startswith("training/")}
    shared["infra/stack.ts"] = "asset('../teamA/ml/model/training');\n"
    paths = [r.path for r in find_sub_projects(RepoTree(make_repo(shared)))]
    assert paths == ["teamA/ml/model/training", "teamB/ml/model/training"]


@pytest.mark.parametrize("body", [
    "./" * 100_000, "../" * 60_000, "a" * 200_000, "a = " * 50_000, "'" * 200_000,
    "training serving " + "x=\t" * 50_000,
])
def test_a_hostile_driver_is_read_in_one_pass(make_repo: MakeRepo, body: str) -> None:
    # runs that a backtracking pattern would try from every character: these would not
    # finish here; read in one pass, they take milliseconds and name nothing
    files = DRIVEN | {"gen.py": "import sklearn\n" + body, "gen.js": body}
    assert [r.path for r in find_sub_projects(RepoTree(make_repo(files)))] == [
        "serving", "training"
    ]
