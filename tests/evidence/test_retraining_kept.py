"""Continuous training is credited only when the run keeps what it trains: a scheduled (or
data-triggered) CI job that runs `dvc repro` or a training script and then pushes, registers,
uploads or commits nothing retrains and throws the model away, so it is partial, and the
practice says what is left. Near misses both ways."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlkaizen import assess
from mlkaizen.evidence.detectors import REGISTRY
from mlkaizen.evidence.tree import RepoTree
from tests.conftest import MakeRepo, lines_run_in

TRAIN_LOCAL = (
    "import joblib\nfrom sklearn.linear_model import LogisticRegression\n\n"
    "model = LogisticRegression().fit([[0], [1]], [0, 1])\n"
    'joblib.dump(model, "model.joblib")\n'
)
TRAIN_REGISTERS = (
    "import mlflow.sklearn\nfrom sklearn.linear_model import LogisticRegression\n\n"
    "model = LogisticRegression().fit([[0], [1]], [0, 1])\n"
    'mlflow.sklearn.log_model(model, "model", registered_model_name="churn")\n'
)
DVC_YAML = (
    "stages:\n  train:\n    cmd: python src/train.py\n    deps: [data/raw]\n"
    "    outs: [model.joblib]\n    metrics: [{metrics.json: {cache: false}}]\n"
)


def scheduled(*steps: str, trigger: str = 'schedule:\n    - cron: "0 3 * * 1"') -> str:
    body = "".join(f"      - run: {s}\n" for s in steps)
    return f"on:\n  {trigger}\njobs:\n  retrain:\n    runs-on: ubuntu-latest\n    steps:\n{body}"


def repo(make_repo: MakeRepo, workflow: str, train: str = TRAIN_LOCAL) -> Path:
    return make_repo({
        ".github/workflows/retrain.yml": workflow,
        "dvc.yaml": DVC_YAML,
        "src/train.py": train,
    })


def outcomes(root: Path, detector: str) -> list[tuple[str, str]]:
    return [(f.outcome.value, f.detail) for f in REGISTRY[detector].detect(RepoTree(root))]


KEEPS_NOTHING = (
    ", but keeps nothing: no step pushes, registers or uploads what it trains "
    "(e.g. `dvc push` and a commit of dvc.lock, or a model registration)"
)


@pytest.mark.parametrize(("steps", "train", "outcome"), [
    # the workflow: pull, reproduce, nothing kept
    (("dvc pull && dvc repro",), TRAIN_LOCAL, "partial"),
    (("dvc pull", "dvc repro"), TRAIN_LOCAL, "partial"),
    # the outputs pushed back to the remote, or dvc.lock committed and pushed
    (("dvc pull", "dvc repro", "dvc push"), TRAIN_LOCAL, "found"),
    (("dvc repro", 'git commit -am "retrain" && git push'), TRAIN_LOCAL, "found"),
    # near miss: a push before the training keeps nothing of this run
    (("dvc push", "dvc repro"), TRAIN_LOCAL, "partial"),
    # near miss: a step that only talks about pushing
    (("dvc repro", "echo push the model by hand"), TRAIN_LOCAL, "partial"),
    # the training script itself stores the model: read through dvc.yaml, or run directly
    (("dvc repro",), TRAIN_REGISTERS, "found"),
    (("python src/train.py",), TRAIN_REGISTERS, "found"),
    (("python src/train.py",), TRAIN_LOCAL, "partial"),
    (("python src/train.py", "aws s3 cp model.joblib s3://models/churn/"), TRAIN_LOCAL, "found"),
])
def test_scheduled_training_is_met_only_when_the_run_is_kept(
        make_repo: MakeRepo, steps: tuple[str, ...], train: str, outcome: str) -> None:
    root = repo(make_repo, scheduled(*steps), train)
    found = outcomes(root, "training_scheduled")
    detail = "github-actions job 'retrain' trains on a schedule"
    assert found == [(outcome, detail + (KEEPS_NOTHING if outcome == "partial" else ""))]


def test_a_later_job_that_registers_the_model_keeps_the_run(make_repo: MakeRepo) -> None:
    workflow = scheduled("dvc repro") + (
        "  register:\n    needs: retrain\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: az ml model create --name churn --path model.joblib\n"
    )
    assert outcomes(repo(make_repo, workflow), "training_scheduled")[0][0] == "found"


def test_data_triggered_training_that_keeps_nothing_is_partial(make_repo: MakeRepo) -> None:
    trigger = "push:\n    paths: ['data/**']"
    lost = repo(make_repo, scheduled("python src/train.py", trigger=trigger))
    assert outcomes(lost, "training_triggered_by_event") == [
        ("partial", "github-actions job 'retrain' retrains on data changes" + KEEPS_NOTHING)]
    kept = repo(make_repo, scheduled("python src/train.py", "dvc push", trigger=trigger))
    assert outcomes(kept, "training_triggered_by_event") == [
        ("found", "github-actions job 'retrain' retrains on data changes")]


def test_the_practice_says_what_is_left(make_repo: MakeRepo) -> None:
    root = repo(make_repo, scheduled("dvc pull && dvc repro"))
    result = assess(root).practice("model.ct-triggers")
    assert result is not None and result.state.value == "partial"
    assert result.note == (
        "partly: github-actions job 'retrain' trains on a schedule" + KEEPS_NOTHING)
    kept = repo(make_repo, scheduled("dvc pull && dvc repro", "dvc push"))
    result = assess(kept).practice("model.ct-triggers")
    assert result is not None and result.state.value == "met"


def _lines_run(root: Path) -> tuple[int, list[str]]:
    """The lines of the ``keep`` detection run to judge ``root``'s scheduled training, and
    the outcomes: the work, counted, not timed."""

    from mlkaizen.evidence.detectors import ci_kept

    tree = RepoTree(root)
    found, count = lines_run_in(
        ci_kept.__file__, lambda: REGISTRY["training_scheduled"].detect(tree)
    )
    return count, [f.outcome.value for f in found]


def _many_jobs(n: int) -> str:
    jobs = "".join(
        f"  j{i}:\n    runs-on: ubuntu-latest\n    steps:\n      - run: python src/train.py\n"
        for i in range(n)
    )
    return 'on:\n  schedule:\n    - cron: "0 3 * * 1"\njobs:\n' + jobs


def test_many_training_jobs_are_judged_in_linear_work(make_repo: MakeRepo) -> None:
    """Each training job once looked at every step after it (3,000 one-step jobs: a minute);
    the steps are now looked at once a pipeline."""
    small, found = _lines_run(repo(make_repo, _many_jobs(60)))
    assert found == ["partial"] * 60  # no step keeps the model: each job says so
    large, found = _lines_run(repo(make_repo, _many_jobs(120)))
    assert found == ["partial"] * 120
    assert large < 2.3 * small  # twice the jobs, twice the work (quadratic: four times)


def test_a_step_that_keeps_still_counts_for_every_job_before_it(make_repo: MakeRepo) -> None:
    workflow = _many_jobs(3) + (
        "  register:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: az ml model create --name churn --path model.joblib\n"
    )
    assert [o for o, _ in outcomes(repo(make_repo, workflow), "training_scheduled")] == [
        "found", "found", "found"]
