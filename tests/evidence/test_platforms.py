"""Cloud ML platform evidence: Azure ML (SDK v1, v2, CLI v2), Vertex AI / TFX, SageMaker and
Databricks, on extracts shaped like real repositories and on near misses.

Every test states the exact set of (detector, file) findings over the detectors that read
platform evidence, so a new false alarm fails as surely as a lost finding.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mlkaizen.evidence.detectors import REGISTRY
from mlkaizen.evidence.detectors.usage import Signature, find_usage
from mlkaizen.evidence.tree import RepoTree
from tests.conftest import MakeRepo
from tests.evidence import platform_extracts as px

PLATFORM_DETECTORS = (
    "alert_rules_defined",
    "alert_triggers_retraining",
    "champion_challenger_present",
    "data_assets_versioned",
    "data_quality_tracked",
    "data_validation_in_pipeline",
    "deployment_in_pipeline",
    "drift_detection_used",
    "experiment_tracking_used",
    "ingestion_in_pipeline",
    "model_registry_used",
    "model_serving_present",
    "pipeline_defined",
    "prediction_logging_present",
    "progressive_delivery_configured",
    "shared_tracking_server",
    "training_in_pipeline",
    "training_scheduled",
    "training_triggered_by_event",
    "validation_gate_present",
)
Pairs = set[tuple[str, str]]


def found(root: Path, detectors: tuple[str, ...] = PLATFORM_DETECTORS) -> Pairs:
    tree = RepoTree(root)
    return {(f.detector, f.file or "") for d in detectors for f in REGISTRY[d].detect(tree)}


def lines_of(root: Path, detector: str) -> dict[str, str]:
    """file -> the source line each finding of ``detector`` points at."""
    out = {}
    for f in REGISTRY[detector].detect(RepoTree(root)):
        assert f.file is not None and f.line is not None
        out[f.file] = (root / f.file).read_text().splitlines()[f.line - 1].strip()
    return out


# ------------------------------------------------------------------ extracts of real repos
V1_PIPE = "ml_service/pipelines/build_train_pipeline.py"
V2 = "mlops/azureml/"
TFX = "src/tfx_pipelines/training_pipeline.py"
SM = "pipelines/abalone/pipeline.py"
DB = "taxi/resources/"

EXTRACTS: list[tuple[str, px.Files, Pairs]] = [
    ("azureml-v1", px.AZUREML_V1, {
        ("data_assets_versioned", V1_PIPE),
        ("experiment_tracking_used", "diabetes/training/train_aml.py"),
        ("shared_tracking_server", "diabetes/training/train_aml.py"),
        ("model_registry_used", "diabetes/register/register_model.py"),
        ("model_serving_present", "ml_service/util/deploy.py"),
        ("pipeline_defined", V1_PIPE),
        ("training_in_pipeline", V1_PIPE),
        ("validation_gate_present", "diabetes/evaluate/evaluate_model.py"),
    }),
    ("azureml-v2", px.AZUREML_V2, {
        ("alert_rules_defined", V2 + "monitor/monitor.yml"),
        ("drift_detection_used", V2 + "monitor/monitor.yml"),
        ("data_assets_versioned", V2 + "train/data.yml"),
        # its first step, prep_data, reads the raw data in
        ("ingestion_in_pipeline", V2 + "train/pipeline.yml"),
        ("model_registry_used", V2 + "train/run_pipeline.py"),
        ("model_serving_present", V2 + "deploy/online/online-deployment.yml"),
        ("model_serving_present", V2 + "deploy/online/online-endpoint.yml"),
        ("progressive_delivery_configured", V2 + "deploy/online/online-endpoint.yml"),
        ("pipeline_defined", V2 + "train/pipeline.yml"),
        ("pipeline_defined", V2 + "train/run_pipeline.py"),
        ("training_in_pipeline", V2 + "train/pipeline.yml"),
        ("training_in_pipeline", V2 + "train/run_pipeline.py"),
        ("training_scheduled", V2 + "train/pipeline.yml"),
    }),
    ("vertex-tfx", px.VERTEX_TFX, {
        ("alert_rules_defined", "src/monitoring/create_job.py"),
        ("drift_detection_used", "src/monitoring/create_job.py"),
        ("experiment_tracking_used", "src/experiments/log_run.py"),
        ("shared_tracking_server", "src/experiments/log_run.py"),
        ("model_registry_used", "src/tfx_pipelines/components.py"),
        ("model_serving_present", "build/utils.py"),
        ("progressive_delivery_configured", "build/utils.py"),
        ("pipeline_defined", "build/run_pipeline.py"),
        ("pipeline_defined", TFX),
        ("training_in_pipeline", "build/run_pipeline.py"),
        ("training_in_pipeline", TFX),
        ("training_scheduled", "build/run_pipeline.py"),
        ("ingestion_in_pipeline", TFX),
        ("data_validation_in_pipeline", TFX),
        ("deployment_in_pipeline", TFX),
        ("validation_gate_present", TFX),
    }),
    ("sagemaker", px.SAGEMAKER, {
        ("data_quality_tracked", "monitoring/schedule.py"),
        ("drift_detection_used", "monitoring/schedule.py"),
        ("model_registry_used", SM),
        ("model_registry_used", "deploy/endpoint.py"),  # deploys a registered package
        ("model_serving_present", "deploy/endpoint.py"),
        ("prediction_logging_present", "deploy/endpoint.py"),
        ("pipeline_defined", SM),
        ("training_in_pipeline", SM),
        ("validation_gate_present", SM),
    }),
    ("databricks", px.DATABRICKS, {
        ("alert_triggers_retraining", DB + "monitoring-resource.yml"),
        ("data_quality_tracked", DB + "monitoring-resource.yml"),
        ("drift_detection_used", DB + "monitoring-resource.yml"),
        ("deployment_in_pipeline", DB + "model-workflow-resource.yml"),
        ("experiment_tracking_used", "taxi/training/notebooks/Train.py"),
        ("model_registry_used", DB + "ml-artifacts-resource.yml"),
        ("model_registry_used", "taxi/training/notebooks/Train.py"),
        ("model_serving_present", DB + "serving-resource.yml"),
        ("progressive_delivery_configured", DB + "serving-resource.yml"),
        ("champion_challenger_present", DB + "serving-resource.yml"),
        ("pipeline_defined", DB + "model-workflow-resource.yml"),
        ("pipeline_defined", DB + "monitoring-resource.yml"),
        ("shared_tracking_server", DB + "ml-artifacts-resource.yml"),
        ("training_in_pipeline", DB + "model-workflow-resource.yml"),
        # the retraining job's task runs the training job (run_job_task model_training_job)
        ("training_in_pipeline", DB + "monitoring-resource.yml"),
        ("training_scheduled", DB + "model-workflow-resource.yml"),
    }),
]


@pytest.mark.parametrize(("files", "expected"), [e[1:] for e in EXTRACTS],
                         ids=[e[0] for e in EXTRACTS])
def test_platform_extract_yields_exactly(make_repo: MakeRepo, files: px.Files,
                                         expected: Pairs) -> None:
    assert found(make_repo(files)) == expected


def test_findings_point_at_the_platform_call(make_repo: MakeRepo) -> None:
    root = make_repo({**px.AZUREML_V1, **px.VERTEX_TFX, **px.SAGEMAKER})
    assert lines_of(root, "validation_gate_present") == {
        "diabetes/evaluate/evaluate_model.py": "run.parent.cancel()",
        TFX: 'evaluator = Evaluator(model=trainer.outputs["model"], eval_config=eval_config)',
        SM: "step_cond = ConditionStep(name=\"CheckMSE\", conditions=[mse_ok], "
            "if_steps=[step_register],",
    }
    assert lines_of(root, "data_assets_versioned") == {
        V1_PIPE: 'data = data.register(workspace=ws, name="diabetes", create_new_version=True)',
    }
    assert lines_of(root, "drift_detection_used") == {
        "src/monitoring/create_job.py":
            'drift = model_monitoring.DriftDetectionConfig(drift_thresholds={"trip_miles": 0.3})',
        "monitoring/schedule.py":
            'monitor = DefaultModelMonitor(role=role, instance_count=1, '
            'instance_type="ml.m5.xlarge")',
    }


def test_schedule_yaml_is_attached_to_the_pipeline_it_runs(make_repo: MakeRepo) -> None:
    findings = REGISTRY["training_scheduled"].detect(RepoTree(make_repo(px.AZUREML_V2)))
    assert [(f.file, f.line) for f in findings] == [(V2 + "train/pipeline.yml", 1)]
    assert "cron 0 2 * * *" in findings[0].detail
    assert "mlops/azureml/train/schedule.yml" in findings[0].detail


# ------------------------------------------------------------------ near misses
NEAR_MISSES: list[tuple[str, px.Files]] = [
    # Azure ML v1: register without a new version; .log without a run; cancel on no metric
    ("aml-register-overwrites", {"d.py": "from azureml.core import Dataset\n"
                                         "ds.register(workspace=ws, name='d')\n"}),
    ("aml-log-without-run", {"t.py": "from azureml.core import Workspace\nimport logging\n"
                                     "log = logging.getLogger()\nlog.log(20, 'x')\n"}),
    ("aml-cancel-without-metric", {"e.py": "from azureml.core import Run\n"
                                           "run = Run.get_context()\n"
                                           "if run.id == 'offline':\n    run.parent.cancel()\n"}),
    ("aml-model-entity-is-not-registration",
     {"s.py": "from azure.ai.ml.entities import Model\nm = Model(path='outputs/model')\n"}),
    # files named like platform YAML, without the platform's $schema
    ("yaml-named-data", {"mlops/azureml/train/data.yml": "type: uri_file\nname: taxi\n"}),
    ("yaml-foreign-schema", {"ep.yml": "$schema: https://json.schemastore.org/x.schema.json\n"
                                       "traffic: {blue: 50, green: 50}\n"}),
    # one deployment takes all the traffic
    ("aml-endpoint-one-deployment", {"ep.yml": px.AZUREML_V2[
        "mlops/azureml/deploy/online/online-endpoint.yml"].replace("  green: 10\n", "")}),
    ("aml-cli-all-traffic-to-one", {".github/workflows/d.yml":
        "on: push\njobs:\n  d:\n    steps:\n"
        "      - run: az ml online-endpoint update -n ep --traffic \"blue=100\"\n"}),
    # a schedule that runs nothing, and one with no trigger
    ("aml-schedule-without-trigger", {
        "p.yml": px.AZUREML_V2["mlops/azureml/train/pipeline.yml"],
        "s.yml": "$schema: https://azuremlschemas.azureedge.net/latest/schedule.schema.json\n"
                 "name: s\ncreate_job: ./p.yml\n"}),
    # Vertex: a google import and a .deploy() of something else; storage uploads
    ("google-deploy-not-vertex", {"f.py": "from google.cloud import functions_v1\n"
                                          "app.deploy()\nbucket.upload(blob)\n"}),
    ("vertex-deploy-all-traffic", {"d.py": "from google.cloud import aiplatform\n"
                                           "endpoint.deploy(model=m, traffic_percentage=100)\n"}),
    ("tfx-evaluator-without-thresholds", {"p.py": "from tfx.v1.components import Evaluator\n"
                                                  "e = Evaluator(model=m, examples=x)\n"}),
    ("vertex-alert-config-alone", {"a.py": "from google.cloud.aiplatform import model_monitoring\n"
                                           "cfg = model_monitoring.ObjectiveConfig\n"}),
    # SageMaker: deploy/register of another library; condition on a parameter; capture alone
    ("sagemaker-foreign-deploy", {"d.py": "import sagemaker\nimport fabric\n"
                                          "app.deploy(stage='prod')\nplugin.register(name='x')\n"}),
    ("sagemaker-condition-on-parameter", {"p.py": (
        "from sagemaker.workflow.condition_step import ConditionStep\n"
        "from sagemaker.workflow.conditions import ConditionEquals\n"
        "c = ConditionEquals(left=mode, right='full')\n"
        "s = ConditionStep(name='c', conditions=[c], if_steps=[train])\n")}),
    ("sagemaker-capture-is-not-drift", {"c.py": "from sagemaker.model_monitor import "
                                                "DataCaptureConfig\nDataCaptureConfig(True)\n"}),
    ("boto3-other-client", {"b.py": "import boto3\ns3 = boto3.client('s3')\n"
                                    "s3.create_endpoint(Name='x')\n"}),
    # Databricks: no bundle section; resources not included; paused schedule; single route
    ("databricks-yml-without-bundle", {"databricks.yml": "resources:\n  registered_models:\n"
                                                         "    m: {name: m}\n"}),
    ("databricks-resources-outside-the-bundle", {
        "bundle/databricks.yml": "bundle: {name: x}\n",
        "other/resources/ml.yml": px.DATABRICKS["taxi/resources/ml-artifacts-resource.yml"]}),
    ("databricks-resources-of-other-kinds", {
        "databricks.yml": "bundle: {name: x}\n",
        "resources/ml.yml": "resources:\n  registered_models:\n    m: {name: m}\n"
                            "  buckets:\n    b: {name: b}\n"}),
    ("databricks-tracking-uri-file", {"t.py": "import mlflow\nmlflow.set_registry_uri('file:/r')\n"}),
    ("databricks-one-route", {"databricks.yml": "bundle: {name: x}\nresources:\n"
                                                "  model_serving_endpoints:\n    e:\n"
                                                "      config:\n        traffic_config:\n"
                                                "          routes: [{served_model_name: a}]\n"}),
]


# what a near miss still legitimately shows (everything else must stay silent)
STILL_FOUND: dict[str, Pairs] = {
    "aml-endpoint-one-deployment": {("model_serving_present", "ep.yml")},
    "vertex-deploy-all-traffic": {("model_serving_present", "d.py")},
    "aml-schedule-without-trigger": {("pipeline_defined", "p.yml"),
                                     ("ingestion_in_pipeline", "p.yml"),
                                     ("training_in_pipeline", "p.yml")},
    "databricks-one-route": {("model_serving_present", "databricks.yml")},
    "sagemaker-capture-is-not-drift": {("prediction_logging_present", "c.py")},
}


@pytest.mark.parametrize(("name", "files"), NEAR_MISSES, ids=[m[0] for m in NEAR_MISSES])
def test_platform_near_miss_is_not_credited(make_repo: MakeRepo, name: str,
                                            files: px.Files) -> None:
    assert found(make_repo(files)) == STILL_FOUND.get(name, set())


def test_paused_databricks_schedule_is_no_schedule(make_repo: MakeRepo) -> None:
    files = dict(px.DATABRICKS)
    key = DB + "model-workflow-resource.yml"
    files[key] = files[key].replace("timezone_id: UTC\n", "timezone_id: UTC\n"
                                    "        pause_status: PAUSED\n")
    pairs = found(make_repo(files), ("training_scheduled", "training_in_pipeline"))
    assert pairs == {("training_in_pipeline", key),
                     ("training_in_pipeline", DB + "monitoring-resource.yml")}


def test_databricks_file_arrival_trigger_is_an_event(make_repo: MakeRepo) -> None:
    files = dict(px.DATABRICKS)
    key = DB + "model-workflow-resource.yml"
    files[key] = files[key].replace(
        '      schedule:\n        quartz_cron_expression: "0 0 9 * * ?"\n        timezone_id: UTC\n',
        "      trigger:\n        file_arrival: {url: /Volumes/prod/taxi/landing/}\n")
    pairs = found(make_repo(files), ("training_scheduled", "training_triggered_by_event"))
    assert pairs == {("training_triggered_by_event", key)}


def test_monitoring_job_must_run_a_training_job(make_repo: MakeRepo) -> None:
    files = dict(px.DATABRICKS)
    key = DB + "monitoring-resource.yml"
    files[key] = files[key].replace("model_training_job.id", "batch_inference_job.id")
    files[DB + "batch-inference-resource.yml"] = (
        "resources:\n  jobs:\n    batch_inference_job:\n      tasks:\n"
        "        - task_key: batch_inference\n"
        "          notebook_task: {notebook_path: ../deployment/BatchInference.py}\n")
    assert found(make_repo(files), ("alert_triggers_retraining",)) == set()


def test_azureml_v1_datastore_schedule_is_a_data_trigger(make_repo: MakeRepo) -> None:
    pipe = px.AZUREML_V1[V1_PIPE] + (
        "from azureml.pipeline.core import Schedule\n"
        "Schedule.create(ws, name='on-new-data', pipeline_id=published.id,\n"
        "                datastore=store, path_on_datastore='training/')\n")
    pairs = found(make_repo({V1_PIPE: pipe}), ("training_scheduled",
                                                 "training_triggered_by_event"))
    assert pairs == {("training_triggered_by_event", V1_PIPE)}
    recurring = pipe.replace("datastore=store, path_on_datastore='training/'",
                             "recurrence=ScheduleRecurrence(frequency='Day', interval=1)")
    pairs = found(make_repo({V1_PIPE: recurring}), ("training_scheduled",
                                                      "training_triggered_by_event"))
    assert pairs == {("training_scheduled", V1_PIPE)}


def test_azure_cli_traffic_split_in_ci_is_progressive(make_repo: MakeRepo) -> None:
    root = make_repo({".github/workflows/d.yml": (
        "on: push\njobs:\n  d:\n    steps:\n"
        "      - run: az ml online-endpoint update -n ep --traffic \"blue=90 green=10\"\n")})
    assert found(root) == {("progressive_delivery_configured", ".github/workflows/d.yml")}


# ------------------------------------------------------------------ the Signature conditions
@pytest.mark.parametrize(("source", "hit"), [
    ("import sagemaker\nm.deploy(initial_instance_count=1)\n", True),
    ("import sagemaker\nm.deploy()\n", False),
    ("import sagemaker\nm.deploy(instance_count=1)\n", False),
])
def test_signature_keywords_decide_a_shared_method_name(make_repo: MakeRepo, source: str,
                                                        hit: bool) -> None:
    sig = Signature("S", ("sagemaker",), (".deploy",), ("initial_instance_count",))
    assert bool(find_usage(RepoTree(make_repo({"a.py": source})), "x", (sig,))) is hit


@pytest.mark.parametrize(("source", "hit"), [
    ("from azureml.core import Dataset\nd.register(ws, 'n', create_new_version=True)\n", True),
    ("from azureml.core import Dataset\nd.register(ws, 'n', create_new_version=False)\n", False),
    ("from azureml.core import Dataset\nd.register(ws, 'n', create_new_version=flag)\n", False),
])
def test_signature_keyword_constant(make_repo: MakeRepo, source: str, hit: bool) -> None:
    sig = Signature("A", ("azureml.core",), (".register",), ("create_new_version=True",))
    assert bool(find_usage(RepoTree(make_repo({"a.py": source})), "x", (sig,))) is hit


# boto3's usual style: the request is a mapping bound first, then spread into the call
_PACKAGE = ("import boto3\nsm = boto3.client('sagemaker')\n"
            "def register(group):\n    {bind}\n    return sm.create_model_package({spread})\n")


@pytest.mark.parametrize(("bind", "spread", "hit"), [
    ("request = {'ModelPackageGroupName': group, 'ModelApprovalStatus': 'Approved'}",
     "**request", True),
    ("request = dict(ModelPackageGroupName=group)", "**request", True),
    ("request = {'ModelPackageGroupName': group}", "ModelPackageGroupName=group", True),
    # near misses: another mapping spread, a mapping built at run time, the name rebound
    ("request = {'ModelApprovalStatus': 'Approved'}", "**request", False),
    ("request = build(group)", "**request", False),
    ("request = {'ModelPackageGroupName': group}\n    request = load()", "**request", False),
    ("other = {'ModelPackageGroupName': group}", "**request", False),
])
def test_keywords_spread_from_a_literal_mapping(make_repo: MakeRepo, bind: str, spread: str,
                                                hit: bool) -> None:
    sig = Signature("S", ("boto3",), (".create_model_package",), ("ModelPackageGroupName",))
    source = _PACKAGE.format(bind=bind, spread=spread)
    assert bool(find_usage(RepoTree(make_repo({"a.py": source})), "x", (sig,))) is hit


_REQ = "request = {'ModelPackageGroupName': g}\n"
_CALL = "sm.create_model_package(**request)\n"


@pytest.mark.parametrize(("source", "hit"), [
    ("request: dict = {'ModelPackageGroupName': g}\n" + _CALL, True),
    ("request = {'ModelApprovalStatus': 'Approved'}\nrequest['ModelPackageGroupName'] = g\n"
     + _CALL, True),
    ("def f(g):\n    " + _REQ + "    return sm.create_model_package(**request)\n", True),
    # near misses: the name bound again, or a key removed, before the call
    (_REQ + "for request in load():\n    " + _CALL, False),
    (_REQ + "request, other = load()\n" + _CALL, False),
    (_REQ + "request: dict = load()\n" + _CALL, False),
    (_REQ + "request = other = load()\n" + _CALL, False),
    (_REQ + "with open('r') as request:\n    " + _CALL, False),
    (_REQ + "if (request := load()):\n    " + _CALL, False),
    (_REQ + "request |= more\n" + _CALL, False),
    (_REQ + "del request['ModelPackageGroupName']\n" + _CALL, False),
    (_REQ + "request.pop('ModelPackageGroupName')\n" + _CALL, False),
    (_REQ + "from flask import request\n" + _CALL, False),
    (_REQ + "[sm.create_model_package(**request) for request in reqs]\n", False),
    # near misses: another scope's name of the same spelling
    ("def a(g):\n    " + _REQ + "    return request\ndef b(request):\n    " + _CALL, False),
    ("def a(g):\n    " + _REQ + "    return request\n" + _CALL, False),
    ("class A:\n    " + _REQ + _CALL, False),
    ("request = {'ModelPackageGroupName': g, **other}\n" + _CALL, False),
    ("request = dict(**other, ModelApprovalStatus='Approved')\n" + _CALL, False),
])
def test_a_spread_mapping_is_read_in_its_own_scope_only(source: str, hit: bool) -> None:
    from mlkaizen.evidence.parse.python_src import parse_python

    (call,) = [c for c in parse_python(source).calls if c.name == "sm.create_model_package"]
    assert ("ModelPackageGroupName" in call.keywords) is hit


def test_a_spread_constant_is_a_keyword_constant() -> None:
    from mlkaizen.evidence.parse.python_src import parse_python

    facts = parse_python("req = {'Status': 'Draft', 'Group': g, 'Status': 'Approved'}\n"
                         "c.f(**req)\nc.f(**req, **req)\n")
    for call in [c for c in facts.calls if c.name == "c.f"]:
        assert call.keywords == {"Status", "Group"}  # the last value of a repeated key
        assert call.constant("Status") == "'Approved'" and call.constant("Group") is None
    # near miss: a key that is no keyword makes the mapping data, not a request
    facts = parse_python("req = {'Status': 'Approved', 'not a name': 1}\nc.f(**req)\n")
    assert [c.keywords for c in facts.calls if c.name == "c.f"] == [frozenset()]


def test_signature_requires_a_companion_call(make_repo: MakeRepo) -> None:
    sig = Signature("A", ("azureml.core",), (".log",), requires=("azureml.core.Run.get_context",))
    with_run = "from azureml.core import Run\nrun = Run.get_context()\nrun.log('a', 1)\n"
    without = "from azureml.core import Run\nrun = make_run()\nrun.log('a', 1)\n"
    assert find_usage(RepoTree(make_repo({"a.py": with_run})), "x", (sig,))
    assert not find_usage(RepoTree(make_repo({"a.py": without})), "x", (sig,))


def test_shadow_and_side_by_side_versions_are_champion_challenger(make_repo: MakeRepo) -> None:
    endpoint = px.AZUREML_V2["mlops/azureml/deploy/online/online-endpoint.yml"]
    shadow = endpoint.replace("  green: 10\n", "").replace("blue: 90", "blue: 100") + (
        "mirror_traffic:\n  green: 10\n")
    assert found(make_repo({"ep.yml": shadow})) == {
        ("model_serving_present", "ep.yml"),
        ("progressive_delivery_configured", "ep.yml"),
        ("champion_challenger_present", "ep.yml"),
    }
    # two different models behind one endpoint share traffic, but no version challenges another
    serving = px.DATABRICKS["taxi/resources/serving-resource.yml"].replace(
        "entity_name: prod.taxi.taxi_model, entity_version: \"4\"",
        "entity_name: prod.taxi.tip_model, entity_version: \"1\"")
    files = {"databricks.yml": "bundle: {name: x}\ninclude: [serving.yml]\n",
             "serving.yml": serving}
    assert found(make_repo(files)) == {
        ("model_serving_present", "serving.yml"),
        ("progressive_delivery_configured", "serving.yml"),
    }


def test_eventbridge_schedule_on_a_sagemaker_pipeline(make_repo: MakeRepo) -> None:
    pipe = px.SAGEMAKER[SM] + (
        "import boto3\n"
        "events = boto3.client('events')\n"
        "events.put_rule(Name='weekly-retrain', ScheduleExpression='rate(7 days)')\n")
    pairs = found(make_repo({SM: pipe}), ("training_scheduled",))
    assert pairs == {("training_scheduled", SM)}
    no_schedule = pipe.replace("ScheduleExpression='rate(7 days)'", "EventPattern=pattern")
    assert found(make_repo({SM: no_schedule}), ("training_scheduled",)) == set()


def test_platform_evidence_reaches_the_practices(make_repo: MakeRepo) -> None:
    from mlkaizen import assess

    a = assess(make_repo({**px.AZUREML_V2, **px.DATABRICKS}))
    states = {p.id: p.state.value for p in a.practices}
    assert {k: states[k] for k in (
        "data.versioned", "data.shared-storage", "model.registry", "model.training-pipeline",
        "model.ct-triggers", "deployment.serving-interface", "deployment.progressive-delivery",
        "deployment.cicd", "operations.drift-alerts", "operations.alert-triggered-retraining",
    )} == {
        "data.versioned": "met",
        "data.shared-storage": "met",
        "model.registry": "met",
        "model.training-pipeline": "met",
        "model.ct-triggers": "met",
        "deployment.serving-interface": "met",
        "deployment.progressive-delivery": "met",
        "deployment.cicd": "partial",
        "operations.drift-alerts": "met",
        "operations.alert-triggered-retraining": "met",
    }


def test_sagemaker_session_client_registers_a_package_group(make_repo: MakeRepo) -> None:
    source = ("import sagemaker\nsession = sagemaker.Session()\n"
              "session.sagemaker_client.create_model_package_group(ModelPackageGroupName='g')\n")
    assert found(make_repo({"r.py": source})) == {("model_registry_used", "r.py")}
    other = source.replace("ModelPackageGroupName='g'", "Name='g'")
    assert found(make_repo({"r.py": other})) == set()
