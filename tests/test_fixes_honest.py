"""Fixes fit the stack and never fake progress: offered only where they fit (else the
practice's guidance), generated workflows install every tool they call and run every step
that is the practice, placeholders count as partial, unreadable files are never replaced, and
--dry-run on a met practice says so."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from mlkaizen import assess
from tests.conftest import committed_repo
from tests.test_fixes import BARE, SERVE, TRAIN, cli

AZURE = {
    "azure-pipelines.yml": "trigger: [main]\npool: {vmImage: ubuntu-latest}\nsteps:\n"
                           "  - script: python -m pytest\n",
    "requirements.txt": "azure-ai-ml==1.15.0\nscikit-learn==1.5.0\n",
    "src/churn/__init__.py": "",
    "src/churn/train.py": TRAIN.replace("data/raw/customers.csv", "data/raw/c.csv"),
    "data/raw/c.csv": "tenure,churned\n1,0\n",
    "tests/test_train.py": "def test_x():\n    assert True\n",
}
DVC = {
    **BARE,
    "dvc.yaml": "stages:\n  train:\n    cmd: python src/churnlite/train.py\n"
                "    deps: [data/raw]\n    outs: [model.joblib]\n",
    ".dvc/config": "[core]\n    remote = store\n['remote \"store\"']\n    url = s3://bucket/churn\n",
}


def make(tmp_path: Path, files: dict[str, str], name: str = "repo") -> Path:
    return committed_repo(tmp_path / name, files)


def listed(root: Path) -> tuple[list[str], str]:
    proc = cli("fix", "--list", str(root), cwd=root)
    assert proc.returncode == 0, proc.stderr
    offered, _, unfit = proc.stdout.partition("Not offered")
    return [line.split()[0] for line in offered.splitlines() if line.strip()], unfit


# --- offered only where it fits ----------------------------------------------------------


def test_azure_devops_and_azure_ml_get_no_github_actions_or_mlflow(tmp_path: Path) -> None:
    root = make(tmp_path, AZURE)
    offered, unfit = listed(root)
    assert "model.experiment-tracking" not in offered
    assert "organization.code-ownership" not in offered
    assert "model.experiment-tracking: the team tracks experiments with Azure ML" in unfit
    proc = cli("fix", "--list", str(root), cwd=root)
    assert "model.ct-triggers                    unmet    Azure Pipelines: scheduled retraining" \
        in proc.stdout
    assert "GitHub Actions" not in proc.stdout
    proc = cli("fix", "model.experiment-tracking", cwd=root)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1
    assert "no fix for model.experiment-tracking fits this repository" in proc.stderr
    assert "What to do instead:" in proc.stderr
    assert not (root / "src" / "churn" / "tracking.py").exists()
    assert cli("fix", "organization.review-process", cwd=root).returncode == 0
    assert (root / ".azuredevops" / "pull_request_template.md").is_file()
    assert not (root / ".github").exists()


def test_near_miss_github_repository_gets_the_github_fixes(tmp_path: Path) -> None:
    files = {**AZURE, ".github/workflows/ci.yml": "on: push\njobs: {}\n"}
    del files["azure-pipelines.yml"]
    files["requirements.txt"] = "scikit-learn==1.5.0\n"
    offered, _ = listed(make(tmp_path, files))
    assert {"model.experiment-tracking", "model.ct-triggers"} <= set(offered)


def test_no_data_folder_no_dvc_pointer(tmp_path: Path) -> None:
    files = {k: v for k, v in BARE.items() if not k.startswith("data/")}
    root = make(tmp_path, files)
    offered, unfit = listed(root)
    assert "data.versioned" not in offered
    assert "data.versioned: no data folder" in unfit
    proc = cli("fix", "data.versioned", cwd=root)
    assert proc.returncode == 2 and "no data folder" in proc.stderr
    assert not (root / "data.dvc").exists() and not (root / ".dvc").exists()


def test_no_serving_app_no_dockerfile(tmp_path: Path) -> None:
    files = {k: v for k, v in BARE.items() if not k.endswith("serve.py")}
    root = make(tmp_path, files)
    assert cli("fix", "deployment.packaged-artifact", cwd=root).returncode == 2
    assert not (root / "Dockerfile").exists()


def test_dvc_without_a_remote_gets_no_retraining_workflow(tmp_path: Path) -> None:
    files = {**DVC, ".dvc/config": "[core]\n    autostage = true\n"}
    root = make(tmp_path, files)
    proc = cli("fix", "model.ct-triggers", cwd=root)
    assert proc.returncode == 2 and "DVC pipeline has no remote" in proc.stderr


# --- generated files are complete and runnable --------------------------------------------

TOOL_OF = {"pytest": "pytest", "dvc": "dvc"}


def check_workflow(root: Path, rel: str) -> None:
    """Every step a workflow runs: no `|| true`, scripts that exist, tools that are installed
    by the workflow itself (or by the project's own requirements)."""
    doc = yaml.safe_load((root / rel).read_text())
    steps = [s for job in doc["jobs"].values() for s in job["steps"]]
    runs = [s["run"] for s in steps if "run" in s]
    install = next(s["run"] for s in steps if s.get("name") == "Install")
    installed = set(re.findall(r"pip install (?:\"?)([a-z][\w-]*)", install))
    installed |= {w.strip('"').split("[")[0] for line in install.splitlines()
                  if line.strip().startswith("pip install ") and " -r " not in line
                  for w in line.split()[2:]}
    for run in runs:
        assert "|| true" not in run
        for line in run.splitlines():
            words = line.split()
            if not words or words[0] == "pip" or words[:3] == ["python", "-m", "pip"]:
                continue
            if words[:2] == ["python", "-m"]:
                assert words[2] in installed, (rel, line, installed)
            elif words[0] == "python":
                assert (root / words[1]).is_file(), (rel, line)
            elif words[0] in TOOL_OF:
                assert TOOL_OF[words[0]] in installed, (rel, line, installed)


def test_dvc_retraining_installs_dvc_for_its_remote_and_pulls_for_real(tmp_path: Path) -> None:
    root = make(tmp_path, DVC)
    assert cli("fix", "model.ct-triggers", cwd=root).returncode == 0
    text = (root / ".github/workflows/mlkaizen-retrain.yml").read_text()
    assert 'pip install "dvc[s3]"' in text and "dvc pull\n          dvc repro" in text
    check_workflow(root, ".github/workflows/mlkaizen-retrain.yml")


def test_dvc_retraining_keeps_what_it_trains_and_says_so(tmp_path: Path) -> None:
    """`dvc repro` alone retrains on the runner and throws the result away: the generated
    workflow pushes the outputs, commits dvc.lock and the metrics, and may push them."""
    root = committed_repo(tmp_path / "repo", DVC, branch="main")
    dry = cli("fix", "model.ct-triggers", "--dry-run", cwd=root)
    assert dry.returncode == 0, dry.stderr
    assert dry.stderr.splitlines()[0] == (
        "mlkaizen: this fix: weekly, GitHub Actions pulls the data (`dvc pull`), retrains "
        "(`dvc repro`), pushes the new outputs to the DVC remote (`dvc push`) and commits "
        "dvc.lock and the metrics to main")
    assert cli("fix", "model.ct-triggers", cwd=root).returncode == 0
    doc = yaml.safe_load((root / ".github/workflows/mlkaizen-retrain.yml").read_text())
    job = doc["jobs"]["retrain"]
    assert job["permissions"] == {"contents": "write"}
    runs = [(s.get("name"), s["run"]) for s in job["steps"] if "run" in s][1:]
    assert runs == [
        ("Train", "dvc pull\ndvc repro\n"),
        ("Store the outputs in the DVC remote", "dvc push\n"),
        ("Commit dvc.lock and the metrics",
         'git config user.name "github-actions[bot]"\n'
         'git config user.email "41898282+github-actions[bot]@users.noreply.github.com"\n'
         "git add dvc.lock\ngit add --update\n"
         'git diff --cached --quiet || git commit -m "Scheduled retraining: dvc.lock and '
         'metrics [skip ci]"\ngit push origin HEAD:main\n'),
    ]
    # the DVC credentials only where DVC runs
    assert [("env" in s) for s in job["steps"] if "run" in s] == [False, True, True, False]
    result = assess(root).practice("model.ct-triggers")
    assert result is not None and result.state.value == "met", result.note


def test_retraining_a_script_that_keeps_nothing_stays_partial_and_says_what_is_left(
        tmp_path: Path) -> None:
    root = make(tmp_path, BARE)
    proc = cli("fix", "model.ct-triggers", cwd=root)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == (
        "mlkaizen: created .github/workflows/mlkaizen-retrain.yml\n"
        "mlkaizen: this fix: weekly, GitHub Actions runs `python src/churnlite/train.py`\n"
        "mlkaizen: next step: src/churnlite/train.py keeps nothing beyond the CI runner, so the "
        "weekly run retrains and throws the model away: make it register or upload the model "
        "(e.g. `mlflow.<flavour>.log_model(..., registered_model_name=...)`, an upload to your "
        "model store); until then model.ct-triggers stays partial\n")
    result = assess(root).practice("model.ct-triggers")
    assert result is not None and result.state.value == "partial"
    assert "keeps nothing" in (result.note or "")
    # near miss: a script that registers its model completes the loop, and nothing is left
    registers = TRAIN.replace("import joblib\n", "import joblib\nimport mlflow.sklearn\n").replace(
        '    joblib.dump(model, "model.joblib")\n',
        '    mlflow.sklearn.log_model(model, "model", registered_model_name="churn")\n')
    kept = make(tmp_path, {**BARE, "src/churnlite/train.py": registers}, "kept")
    proc = cli("fix", "model.ct-triggers", cwd=kept)
    assert proc.returncode == 0 and "next step" not in proc.stderr, proc.stderr
    result = assess(kept).practice("model.ct-triggers")
    assert result is not None and result.state.value == "met"


def test_every_generated_workflow_runs_only_what_it_installs(tmp_path: Path) -> None:
    root = make(tmp_path, BARE)
    for practice in ("deployment.tests-in-ci", "model.ct-triggers", "operations.monitoring"):
        assert cli("fix", practice, "--force", cwd=root).returncode == 0
    workflows = sorted(p.relative_to(root).as_posix()
                       for p in (root / ".github" / "workflows").glob("*.yml"))
    assert len(workflows) == 3
    for rel in workflows:
        check_workflow(root, rel)
    ci = (root / ".github/workflows/mlkaizen-ci.yml").read_text()
    assert "pip install -e ." in ci and "pip install pytest pandas pandera" in ci


def test_generated_data_validation_runs_and_catches_a_changed_file(tmp_path: Path) -> None:
    root = make(tmp_path, BARE)
    assert cli("fix", "deployment.tests-in-ci", cwd=root).returncode == 0
    run = [sys.executable, "scripts/validate_data.py"]
    ok = subprocess.run(run, cwd=root, capture_output=True, text=True, check=False)
    assert ok.returncode == 0, ok.stderr
    csv = root / "data" / "raw" / "customers.csv"
    csv.write_text(csv.read_text().replace("c2,3,pro,1", "c2,three,pro,1"))
    bad = subprocess.run(run, cwd=root, capture_output=True, text=True, check=False)
    assert bad.returncode == 1 and "customers.csv" in bad.stderr
    (root / "data" / "raw" / "new.csv").write_text("a\n1\n")
    csv.write_text(BARE["data/raw/customers.csv"])
    unknown = subprocess.run(run, cwd=root, capture_output=True, text=True, check=False)
    assert unknown.returncode == 1 and "new.csv: no schema declared" in unknown.stderr


def test_flask_apps_are_served_by_gunicorn(tmp_path: Path) -> None:
    flask = ('import joblib\nfrom flask import Flask\n\nmodel = joblib.load("model.joblib")\n'
             'app = Flask(__name__)\n\n\n@app.route("/predict")\ndef predict():\n'
             '    return {"p": 1}\n')
    root = make(tmp_path, {**BARE, "src/churnlite/serve.py": flask,
                           "requirements.txt": "flask\njoblib\n"})
    assert cli("fix", "deployment.packaged-artifact", cwd=root).returncode == 0
    text = (root / "Dockerfile").read_text()
    assert "pip install --no-cache-dir -r requirements.txt gunicorn" in text
    assert 'CMD ["gunicorn", "--bind", "0.0.0.0:8000", "churnlite.serve:app"]' in text
    assert SERVE  # the FastAPI app of the other fixtures gets uvicorn


def test_model_card_names_the_training_script(tmp_path: Path) -> None:
    evaluate = ("import joblib\nfrom sklearn.metrics import accuracy_score\n"
                "from sklearn.linear_model import LogisticRegression\n\n"
                "def main():\n    LogisticRegression().fit([[0]], [0])\n")
    root = make(tmp_path, {**BARE, "src/churnlite/a_evaluate.py": evaluate})
    assert cli("fix", "model.model-card", cwd=root).returncode == 0
    card = (root / "MODEL_CARD.md").read_text()
    assert "- Trained by: `src/churnlite/train.py`" in card


# --- placeholders count as partial ----------------------------------------------------------


def test_placeholder_card_is_partial_until_filled(tmp_path: Path) -> None:
    root = make(tmp_path, BARE)
    assert cli("fix", "model.model-card", cwd=root).returncode == 0
    card = root / "MODEL_CARD.md"
    result = assess(root).practice("model.model-card")
    assert result is not None and result.state.value == "partial"
    assert "placeholders to fill" in (result.note or "")
    card.write_text("\n".join(line for line in card.read_text().splitlines()
                              if "mlkaizen:placeholder" not in line) + "\n")
    filled = assess(root).practice("model.model-card")
    assert filled is not None and filled.state.value == "met"


def test_empty_schema_is_marked_but_an_inferred_one_is_not(tmp_path: Path) -> None:
    files = {k: v for k, v in BARE.items() if not k.startswith("data/")}
    root = make(tmp_path, files)
    assert cli("fix", "data.schema-declared", cwd=root).returncode == 0
    assert "mlkaizen:placeholder" in (root / "src/churnlite/schemas.py").read_text()
    inferred = make(tmp_path, BARE, "inferred")
    assert cli("fix", "data.schema-declared", cwd=inferred).returncode == 0
    assert "mlkaizen:placeholder" not in (inferred / "src/churnlite/schemas.py").read_text()


# --- files it cannot read, practices already met -------------------------------------------


@pytest.mark.parametrize("content", [b"FROM python:3.11\n# caf\xe9\n",  # latin-1, not UTF-8
                                     b"FROM python:3.11\n" + b"#" * (3 * 1024 * 1024)])
def test_an_unreadable_existing_file_is_never_replaced(tmp_path: Path, content: bytes) -> None:
    root = make(tmp_path, BARE)
    (root / "Dockerfile").write_bytes(content)
    for args in ((), ("--force",)):
        proc = cli("fix", "deployment.packaged-artifact", *args, cwd=root)
        if proc.returncode == 0:  # the existing Dockerfile may already satisfy the practice
            assert "already" in proc.stdout
        else:
            assert proc.returncode == 2 and "cannot read existing file Dockerfile" in proc.stderr
        assert (root / "Dockerfile").read_bytes() == content


def test_an_unreadable_file_is_shown_not_diffed(tmp_path: Path) -> None:
    root = make(tmp_path, {k: v for k, v in BARE.items() if "data/" not in k})
    (root / "DATA_CARD.md").write_bytes(b"# Data\n\xff\xfe\n")
    proc = cli("fix", "data.documented-sources", "--dry-run", cwd=root)
    assert proc.returncode == 0
    if "already" not in proc.stdout:
        assert "DATA_CARD.md: exists but cannot be read fully; left as it is" in proc.stdout
        assert "+++ b/DATA_CARD.md" not in proc.stdout
    assert cli("fix", "data.documented-sources", "--force", cwd=root).returncode in (0, 2)
    assert (root / "DATA_CARD.md").read_bytes() == b"# Data\n\xff\xfe\n"


def test_dry_run_on_a_met_practice_shows_nothing_to_apply(tmp_path: Path) -> None:
    card = ("# Model card\n\n## Intended use\nScoring churn for retention offers.\n\n"
            "## Training data\nBilling export.\n\n## Evaluation\nAUC 0.81.\n\n"
            "## Limitations\nNew customers.\n")
    root = make(tmp_path, {**BARE, "MODEL_CARD.md": card})
    result = assess(root).practice("model.model-card")
    assert result is not None and result.state.value == "met"
    proc = cli("fix", "model.model-card", "--dry-run", cwd=root)
    assert proc.returncode == 0
    assert proc.stdout == "model.model-card is already met; nothing to apply\n"
    forced = cli("fix", "model.model-card", "--force", cwd=root)
    assert forced.stdout == "model.model-card is already met; nothing to apply\n"
    assert (root / "MODEL_CARD.md").read_text() == card


# --- the environment fix adapts to the files that declare it ---------------------------------

ENV = "operations.reproducible-environment"
SRC_REQS = {**{k: v for k, v in BARE.items() if k != "pyproject.toml"},
            "src/requirements.txt": "scikit-learn\npandas\n"}


def planned_files(root: Path) -> tuple[dict[str, str], str]:
    """What `fix --dry-run` would write (path -> added text), and its stderr."""
    proc = cli("fix", ENV, "--dry-run", cwd=root)
    assert proc.returncode == 0, proc.stderr
    files: dict[str, str] = {}
    current = None
    for line in proc.stdout.splitlines():
        if line.startswith("+++ b/"):
            current = line[6:]
            files[current] = ""
        elif current and line.startswith("+"):
            files[current] += line[1:] + "\n"
    return files, proc.stderr


def test_an_existing_root_devcontainer_is_pointed_at_never_duplicated(tmp_path: Path) -> None:
    container = ('{"image": "mcr.microsoft.com/devcontainers/python:3.10",\n'
                 ' "postCreateCommand": "pip3 install --user -r src/requirements.txt"}\n')
    root = make(tmp_path, {**SRC_REQS, ".devcontainer.json": container})
    result = assess(root).practice(ENV)  # the dev container counts; nothing is pinned yet
    assert result is not None and result.state.value == "partial"
    assert result.note == "partly: dev container; missing: dependencies_pinned"
    files, stderr = planned_files(root)
    assert list(files) == ["LOCKING.md"]
    assert ("- `src/requirements.txt`: move the direct dependencies to `src/requirements.in`, "
            "then `pip-compile --generate-hashes src/requirements.in -o src/requirements.txt`\n"
            ) in files["LOCKING.md"]
    assert "The environment (`.devcontainer.json`) should install from the pinned files." \
        in files["LOCKING.md"]
    assert "`requirements.txt`" not in files["LOCKING.md"].replace("src/requirements.txt", "")
    assert stderr == (
        "mlkaizen: this fix: instructions to pin the dependencies (src/requirements.txt) in "
        "LOCKING.md; .devcontainer.json already declares the environment and is kept as it is\n")
    # near miss: the same container in the folder form is found too
    folder = make(tmp_path, {**SRC_REQS, ".devcontainer/devcontainer.json": container}, "folder")
    assert list(planned_files(folder)[0]) == ["LOCKING.md"]


def test_a_new_devcontainer_installs_the_files_that_exist(tmp_path: Path) -> None:
    def post_create(files: dict[str, str], name: str) -> str | None:
        written, _ = planned_files(make(tmp_path, files, name))
        doc = json.loads(written[".devcontainer/devcontainer.json"])
        return doc.get("postCreateCommand")

    assert post_create(SRC_REQS, "src") == "pip install -r src/requirements.txt"
    folder = {**{k: v for k, v in SRC_REQS.items() if k != "src/requirements.txt"},
              "requirements/base.txt": "pandas\n", "requirements/dev.txt": "-r base.txt\n"}
    assert post_create(folder, "folder") == (
        "pip install -r requirements/base.txt && pip install -r requirements/dev.txt")
    assert post_create(BARE, "pyproject") == "pip install -e ."  # no requirements.txt to name
    none = {k: v for k, v in SRC_REQS.items() if k != "src/requirements.txt"}
    assert post_create(none, "none") is None


def test_a_conda_environment_is_the_environment(tmp_path: Path) -> None:
    conda = {**BARE, "environment.yml": "name: churn\ndependencies:\n  - python=3.11\n"
                                        "  - pandas\n"}
    files, stderr = planned_files(make(tmp_path, conda))
    assert list(files) == ["LOCKING.md"]
    assert "- `environment.yml`: `conda-lock -f environment.yml`\n" in files["LOCKING.md"]
    assert "environment.yml already declares the environment" in stderr
