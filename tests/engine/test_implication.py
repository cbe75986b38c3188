"""Implication: evidence of a practice that presupposes another, from hand-written findings
and the built-in catalogue's ``implied_by`` (one step, never over a configured state)."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlkaizen.catalogues import load_catalogue
from mlkaizen.config import Config
from mlkaizen.engine.model import Source, State
from mlkaizen.errors import MLKaizenError
from mlkaizen.evidence.findings import Finding, Outcome
from mlkaizen.report import get_renderer
from mlkaizen.report.context import RenderContext
from tests.engine.helpers import CATALOGUE, found, run


def with_detail(detector: str, detail: str, file: str = "x.py") -> Finding:
    return Finding(detector=detector, outcome=Outcome.FOUND, file=file, line=3, detail=detail)


def test_a_registry_implies_tracked_runs() -> None:
    a = run([with_detail("model_registry_used", "MLflow Model Registry: mlflow.register_model()",
                         "register.py")])
    p = a.practice("model.experiment-tracking")
    assert p is not None
    assert (p.state, p.source, p.implied_by) == (State.MET, Source.DETECTED, ["model.registry"])
    assert p.note.startswith("implied by model.registry: a model registry keeps each version")
    assert [(e.file, e.line) for e in p.evidence] == [("register.py", 3)]
    assert not p.open_question


@pytest.mark.parametrize("tool", [
    "Metaflow", "ZenML", "Kubeflow Pipelines", "Vertex AI Pipelines", "SageMaker Pipelines",
    "Azure ML pipelines", "ClearML pipeline", "TFX",
])
def test_a_training_pipeline_on_a_platform_that_records_runs_implies_tracked_runs(
        tool: str) -> None:
    a = run([with_detail("training_in_pipeline", f"{tool} pipeline: training step 'train'",
                         "flow.py")])
    p = a.practice("model.experiment-tracking")
    assert p is not None
    assert (p.state, p.implied_by) == (State.MET, ["model.training-pipeline"])
    assert [(e.file, e.line) for e in p.evidence] == [("flow.py", 3)]


@pytest.mark.parametrize("detail", [
    "Airflow pipeline: training step 'train'",  # a scheduler keeps task logs, not runs' metrics
    "Dagster pipeline: training step 'train'",
    "DVC pipeline: training step 'train'",
])
def test_a_training_pipeline_of_a_scheduler_implies_no_tracking(detail: str) -> None:
    a = run([with_detail("training_in_pipeline", detail)])
    p = a.practice("model.experiment-tracking")
    assert p is not None and p.state is not State.MET and not p.implied_by
    # near miss: the platform's name in a CI job that trains is no pipeline of that platform
    a = run([with_detail("training_runs_in_ci", "Metaflow pipeline: training step 'train'")])
    assert a.practice("model.experiment-tracking").state is not State.MET  # type: ignore[union-attr]


@pytest.mark.parametrize("detail", [
    "Hugging Face Hub: .push_to_hub()",   # a hub keeps files, not runs
    "DVC/GTO model artifacts: churn",
])
def test_a_registry_that_keeps_no_runs_implies_nothing(detail: str) -> None:
    a = run([with_detail("model_registry_used", detail)])
    p = a.practice("model.experiment-tracking")
    assert p is not None and p.state is State.UNMET and p.implied_by == []


@pytest.mark.parametrize("detail", [
    "Vertex AI endpoint deployment: google.cloud.aiplatform.Model().deploy()",
    "Azure ML managedOnline deployment: blue",
    "Azure ML endpoint (infrastructure as code): Microsoft.MachineLearningServices/workspaces/",
])
def test_a_model_deployed_to_a_platform_endpoint_implies_a_registered_model(detail: str) -> None:
    a = run([with_detail("model_serving_present", detail, "deploy.py")])
    p = a.practice("model.registry")
    assert p is not None
    assert (p.state, p.implied_by) == (State.MET, ["deployment.serving-interface"])
    assert p.note.startswith("implied by deployment.serving-interface: a model deployed to a")
    # one step only: the implied registry does not in turn imply tracked runs
    tracking = a.practice("model.experiment-tracking")
    assert tracking is not None and tracking.state is not State.MET


@pytest.mark.parametrize(("detail", "file"), [
    ("SageMaker endpoint: model.deploy()", "deploy.py"),  # serves a model from S3 artefacts
    ("FastAPI app serving a model loaded at app.py:3", "app.py"),
    # an endpoint created empty: what is deployed to it, and from where, is not seen
    ("Vertex AI endpoint: google.cloud.aiplatform.Endpoint.create()", "deploy.py"),
    ("Terraform: a Vertex AI endpoint (the models deployed to it elsewhere): resource", "e.tf"),
    # Databricks endpoints may serve an external model (an LLM gateway), not a registered one
    ("Databricks serving endpoint (MLflow deployments client): client.create_endpoint()", "g.py"),
    ("Databricks Model Serving (Terraform): resource \"databricks_model_serving\"", "s.tf"),
    ("Vertex AI endpoint deployment: google.cloud.aiplatform.Model().deploy()", "explore.ipynb"),
])
def test_other_endpoints_imply_no_registry(detail: str, file: str) -> None:
    p = run([with_detail("model_serving_present", detail, file)]).practice("model.registry")
    assert p is not None and p.state is not State.MET and p.implied_by == []


def test_only_the_named_detector_implies() -> None:
    # a drift alarm that retrains shows monitoring ...
    a = run([found("alert_triggers_retraining", "retrain_on_drift.py")])
    p = a.practice("operations.monitoring")
    assert p is not None and p.implied_by == ["operations.alert-triggered-retraining"]
    # ... a retraining triggered by new data (the same practice, another detector) does not
    a = run([found("training_triggered_by_event", "on_new_data.py")])
    assert a.practice("operations.alert-triggered-retraining").state is State.MET  # type: ignore[union-attr]
    assert a.practice("operations.monitoring").state is not State.MET  # type: ignore[union-attr]


def test_every_implying_practice_must_hold() -> None:
    both = [found("ingestion_in_pipeline"), found("data_validation_runs_in_ci")]
    p = run(both).practice("data.shared-storage")
    assert p is not None and p.state is State.MET
    assert p.implied_by == ["data.orchestrated-ingestion", "data.validation-automated"]
    for one in both:
        q = run([one]).practice("data.shared-storage")
        assert q is not None and q.state is State.UNKNOWN and q.implied_by == []


def test_a_deploying_cd_job_implies_a_packaged_artifact_and_lifts_the_level() -> None:
    base = [found("code_under_version_control"), found("ci_configured")]
    without = run(base)
    with_cd = run([*base, found("deployment_runs_in_ci", ".github/workflows/cd.yml")])
    p = with_cd.practice("deployment.packaged-artifact")
    assert p is not None and p.implied_by == ["deployment.cicd"]
    level = {d.id: d.level for d in with_cd.dimensions}["deployment"]
    assert level > {d.id: d.level for d in without.dimensions}["deployment"]


def test_implication_is_one_step_and_never_over_a_configured_state() -> None:
    cfg = Config.model_validate({"not_applicable": {"model.experiment-tracking": {
        "reason": "no training here"}}})
    a = run([with_detail("model_registry_used", "MLflow Model Registry: x")], cfg)
    p = a.practice("model.experiment-tracking")
    assert p is not None and p.state is State.NOT_APPLICABLE and p.implied_by == []
    # an implied practice implies nothing further: a CD job that deploys implies a packaged
    # artifact, which (when detected as a serving image) would imply a reproducible
    # environment; implied, it does not
    b = run([found("deployment_runs_in_ci", ".github/workflows/cd.yml")])
    packaged = b.practice("deployment.packaged-artifact")
    env = b.practice("operations.reproducible-environment")
    assert packaged is not None and packaged.implied_by == ["deployment.cicd"]
    assert env is not None and env.implied_by == [] and env.state is not State.MET
    c = run([with_detail("model_packaged", "serving image: CMD uvicorn app:app (model server)",
                         "Dockerfile")])
    env = c.practice("operations.reproducible-environment")
    assert env is not None and env.implied_by == ["deployment.packaged-artifact"]


def test_a_detected_practice_is_not_relabelled_as_implied() -> None:
    a = run([found("experiment_tracking_used", "train.py", 7),
             with_detail("model_registry_used", "MLflow Model Registry: x")])
    p = a.practice("model.experiment-tracking")
    assert p is not None and p.implied_by == [] and p.evidence[0].file == "train.py"


def test_reports_say_implied_by() -> None:
    a = run([with_detail("model_registry_used", "MLflow Model Registry: x", "register.py")])
    ctx = RenderContext(catalogue=CATALOGUE, width=200)
    assert "model.experiment-tracking  implied by model.registry (register.py:3)" in (
        get_renderer("terminal")(a, ctx))
    assert "implied by `model.registry`: MLflow Model Registry: x" in (
        get_renderer("markdown")(a, ctx))
    assert "implied by model.registry: a model registry keeps" in get_renderer("html")(a, ctx)
    assert '"implied_by": [\n        "model.registry"\n      ]' in get_renderer("json")(a, ctx)


def test_a_catalogue_whose_implication_names_no_practice_is_refused(tmp_path: Path) -> None:
    text = Path(str(CATALOGUE_FILE)).read_text(encoding="utf-8").replace(
        "implied_by:\n      - {practices: [model.registry]",
        "implied_by:\n      - {practices: [model.regsitry]",
    )
    bad = tmp_path / "cat.yaml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(MLKaizenError) as err:
        load_catalogue(str(bad))
    assert "implied_by names 'model.regsitry', not another practice" in err.value.message
    assert err.value.line is not None


CATALOGUE_FILE = (
    Path(__file__).resolve().parents[2] / "src/mlkaizen/catalogue/ad-hoc-to-kaizen.yaml"
)


@pytest.mark.parametrize(("detail", "implied"), [
    ("SageMaker endpoint: sagemaker.model.Model().deploy()", True),
    ("Azure ML managedOnlineDeployment 'blue'", True),
    ("Databricks serving endpoint 'churn'", True),
    ("FastAPI endpoint: app.post('/predict')", False),  # a service of one's own: not by itself
    ("Azure ML batchDeployment 'nightly'", False),
    # a cloud function reports its invocations by itself; Seldon and KServe to Prometheus
    ("AWS Lambda handler serving a model loaded with joblib.load()", True),
    ("Google Cloud Function serving a model loaded with joblib.load()", True),
    ("Seldon Core: SeldonDeployment 'churn'", True),
    # near miss: a handler of one's own reading HTTP requests, wherever it runs
    ("HTTP function serving a model loaded with joblib.load()", False),
])
def test_a_managed_cloud_endpoint_implies_service_monitoring(detail: str, implied: bool) -> None:
    a = run([with_detail("model_serving_present", detail, "deploy.py")])
    p = a.practice("operations.monitoring")
    assert p is not None
    assert (p.implied_by == ["deployment.serving-interface"]) is implied
    assert (p.state is State.MET) is implied


def test_an_endpoint_created_from_a_notebook_cell_implies_no_monitoring() -> None:
    # a cell run by hand in a tutorial is a demonstration, not a service someone operates
    a = run([with_detail("model_serving_present",
                         "Vertex AI endpoint: google.cloud.aiplatform.Endpoint.create()",
                         "19_training_and_deploying_at_scale.ipynb")])
    p = a.practice("operations.monitoring")
    assert p is not None and p.implied_by == [] and p.state is not State.MET


def test_a_registered_model_version_is_a_packaged_artifact() -> None:
    a = run([with_detail("model_registry_used", "SageMaker model package group: register()",
                         "pipeline.py")])
    p = a.practice("deployment.packaged-artifact")
    assert p is not None
    assert (p.state, p.implied_by) == (State.MET, ["model.registry"])
    assert p.note.startswith("implied by model.registry: a registered model version is a "
                             "versioned, self-contained artifact")
    assert {d.id: d.level for d in a.dimensions}["deployment"] == 1


@pytest.mark.parametrize("detail", [
    "Hugging Face Hub: .push_to_hub()",
    "DVC/GTO model artifacts: churn",
])
def test_a_registry_of_files_packages_nothing(detail: str) -> None:
    p = run([with_detail("model_registry_used", detail)]).practice("deployment.packaged-artifact")
    assert p is not None and p.state is not State.MET and p.implied_by == []


def test_implied_evidence_is_a_copy_so_rebasing_a_projects_paths_moves_each_once() -> None:
    from mlkaizen.engine.portfolio import head_by_projects

    registered = [with_detail("model_registry_used", "MLflow Model Registry: x", "train.py")]
    whole, part = run(registered), run(registered)
    head_by_projects(whole, [("services/churn", part)])
    files = {p.id: [e.file for e in p.evidence] for p in whole.practices if p.evidence}
    assert files["model.registry"] == ["services/churn/train.py"]
    assert files["model.experiment-tracking"] == ["services/churn/train.py"]
    assert files["deployment.packaged-artifact"] == ["services/churn/train.py"]


def test_a_model_packaged_with_its_environment_implies_a_reproducible_environment() -> None:
    # the model's image, inference image, serving container or declared environment
    for detail, file in (
        ("SageMaker model with its inference image: sagemaker.model.Model()", "deploy.py"),
        ("SageMaker model package: sagemaker.workflow.step_collections.RegisterModel()",
         "pipeline.py"),
        ("Vertex AI model with its serving container: google.cloud.aiplatform.Model.upload()",
         "upload.py"),
        ("Azure ML (SDK v1) inference config: azureml.core.model.InferenceConfig()", "deploy.py"),
        ("TorchServe and TF Serving: runs torch-model-archiver", "build.sh"),
    ):
        env = run([with_detail("model_packaged", detail, file)]).practice(
            "operations.reproducible-environment")
        assert env is not None and env.state is State.MET, detail
        assert env.implied_by == ["deployment.packaged-artifact"], detail
    # near misses: a model file saved by itself names no environment, a model package file
    # may be anything MLEM or MLflow writes (a data file too), and a notebook's cell run by
    # hand declares no environment the team shares
    for detail, file in (
        ("model artifact: joblib.dump()", "train.py"),
        ("model artifact: mlflow.sklearn.log_model()", "train.py"),
        ("model package data/iris.mlem", "data/iris.mlem"),
        ("SageMaker model with its inference image: sagemaker.model.Model()", "deploy.ipynb"),
    ):
        env = run([with_detail("model_packaged", detail, file)]).practice(
            "operations.reproducible-environment")
        assert env is not None and env.implied_by == [] and env.state is not State.MET, detail
