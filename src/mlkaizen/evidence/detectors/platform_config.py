"""Mechanism: cloud ML platform configuration read as typed resources.

* **Azure ML CLI v2** YAML, recognised by its ``$schema``
  (``https://azuremlschemas.azureedge.net/latest/<kind>.schema.json``), never by file name.
* **Databricks Asset Bundles**: a ``databricks.yml`` with a ``bundle`` section, plus the files
  its ``include`` globs name, read for ``resources`` (jobs, model serving endpoints,
  registered models, experiments, quality monitors).

Detectors ask :func:`config_findings` for the resources that show their fact; jobs and
schedules become pipelines in :mod:`.platform_jobs`.
"""

from __future__ import annotations

import fnmatch
import posixpath
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mlkaizen.evidence.detectors.documents import yaml_documents
from mlkaizen.evidence.findings import Finding
from mlkaizen.evidence.parse.yamlfile import as_dict, as_list, mentions
from mlkaizen.evidence.tree import RepoTree


@dataclass(frozen=True)
class Resource:
    """One platform resource: ``platform`` is ``azureml`` or ``databricks``; ``kind`` the
    Azure ML schema name (``managedOnlineDeployment``) or the bundle resource type
    (``model_serving_endpoints``)."""

    platform: str
    kind: str
    name: str
    file: str
    line: int
    body: dict[str, Any]
    included: bool = True  # a bundle resource file that the bundle's include list names


def resources(tree: RepoTree) -> list[Resource]:
    """Every Azure ML CLI v2 document and Databricks bundle resource (memoised)."""
    return tree.memo(
        "platform_resources", lambda: _azureml(tree) + _azureml_v1(tree) + _databricks(tree)
    )


# the CLI v2 preview's schema names, read as the names the CLI took since
_AZUREML_KIND_ALIASES = {"dataset": "data"}


def _azureml(tree: RepoTree) -> list[Resource]:
    out: list[Resource] = []
    for rel, doc in yaml_documents(tree):
        schema = str(doc.get("$schema", "")) if isinstance(doc, dict) else ""
        if "azureml" not in schema or not schema.endswith(".schema.json"):
            continue
        kind = schema.rsplit("/", 1)[-1].removesuffix(".schema.json")
        kind = _AZUREML_KIND_ALIASES.get(kind, kind)
        out.append(
            Resource("azureml", kind, str(doc.get("name", "")), rel, getattr(doc, "line", 1), doc)
        )
    return out


_BUNDLE_KINDS = frozenset(
    """jobs pipelines model_serving_endpoints registered_models models experiments
    quality_monitors schemas volumes clusters dashboards apps""".split()  # noqa: SIM905
)


def _bundle_files(tree: RepoTree) -> list[tuple[str, bool]]:
    """Each bundle's ``databricks.yml``, the files its ``include`` globs name, then the
    bundle folder's other resource files (a top-level ``resources`` of bundle kinds) that
    are defined but not included yet (e.g. a monitor to switch on later), as (file,
    included)."""
    files: list[str] = []
    extra: list[str] = []
    for rel in tree.named("databricks.yml", "databricks.yaml"):
        docs = [d for d in tree.yaml(rel) or [] if isinstance(d, dict) and "bundle" in d]
        if not docs:
            continue
        files.append(rel)
        folder = posixpath.dirname(rel)
        inside = [
            f
            for f in tree.with_suffix(".yml", ".yaml")
            if f != rel and (not folder or f.startswith(folder + "/"))
        ]
        for pattern in (p for d in docs for p in as_list(d.get("include"))):
            if not isinstance(pattern, str) or pattern.startswith(("/", "..")):
                continue
            full = posixpath.normpath(posixpath.join(folder, pattern))
            files += [f for f in inside if fnmatch.fnmatchcase(f, full) and f not in files]
        extra += [
            f for f in inside if f not in files and f not in extra and _declares_resources(tree, f)
        ]
    return [(f, True) for f in files] + [(f, False) for f in extra if f not in files]


def _declares_resources(tree: RepoTree, rel: str) -> bool:
    return any(
        isinstance(doc, dict)
        and isinstance(doc.get("resources"), dict)
        and set(map(str, doc["resources"])) <= _BUNDLE_KINDS
        for doc in tree.yaml(rel) or []
    )


_V1_COMPUTE = {"aks": "AKS web service", "aci": "ACI web service"}


def _azureml_v1(tree: RepoTree) -> list[Resource]:
    """Azure ML SDK v1 / CLI v1 web-service files (``az ml model deploy --ic --dc``): an
    inference config (``entryScript`` with a ``runtime``, ``condaFile`` or ``environment``)
    and a deployment config (``computeType: AKS|ACI``). Their schema has no ``$schema``."""
    out: list[Resource] = []
    for rel, doc in yaml_documents(tree) + _json_documents(tree):
        if not isinstance(doc, dict):
            continue
        line = getattr(doc, "line", 1)
        if "entryScript" in doc and {"runtime", "condaFile", "environment"} & set(doc):
            name = str(doc["entryScript"])
            out.append(Resource("azureml-v1", "inferenceConfig", name, rel, line, doc))
        compute = str(doc.get("computeType", "")).lower()
        if compute in _V1_COMPUTE:
            name = _V1_COMPUTE[compute]
            out.append(Resource("azureml-v1", "deploymentConfig", name, rel, line, doc))
    return out


def _json_documents(tree: RepoTree) -> list[tuple[str, Any]]:
    from mlkaizen.evidence.parse.structured import load_json

    out: list[tuple[str, Any]] = []
    for rel in tree.with_suffix(".json"):
        low = rel.rsplit("/", 1)[-1].lower()
        if "config" in low or "deploy" in low or "inference" in low:
            doc = tree.parsed(rel, "json", load_json)
            if isinstance(doc, dict):
                out.append((rel, doc))
    return out


def _databricks(tree: RepoTree) -> list[Resource]:
    out: list[Resource] = []
    for rel, included in _bundle_files(tree):
        for doc in tree.yaml(rel) or []:
            for kind, entries in as_dict(as_dict(doc).get("resources")).items():
                for name, body in as_dict(entries).items():
                    if isinstance(body, dict):
                        line = getattr(body, "line", 1)
                        out.append(
                            Resource("databricks", str(kind), str(name), rel, line, body, included)
                        )
    return out


# ---------------------------------------------------------------- what each resource shows
_ENDPOINTS = {
    "managedOnlineEndpoint",
    "managedOnlineDeployment",
    "kubernetesOnlineEndpoint",
    "kubernetesOnlineDeployment",
    "batchEndpoint",
    "batchDeployment",
}


def _traffic_split(r: Resource) -> str | None:
    """Traffic shared between model versions: an Azure ML endpoint's ``traffic`` or
    ``mirror_traffic`` over two deployments, or a Databricks endpoint's routes."""
    if r.platform == "azureml" and r.kind.endswith("OnlineEndpoint"):
        if as_dict(r.body.get("mirror_traffic")):
            return "mirrors traffic to a shadow deployment"
        split = as_dict(r.body.get("traffic"))
        if len(split) >= 2:
            return "splits traffic " + ", ".join(f"{k}={v}" for k, v in split.items())
    if r.platform == "databricks" and r.kind == "model_serving_endpoints":
        config = as_dict(r.body.get("config"))
        routes = as_list(as_dict(config.get("traffic_config")).get("routes"))
        if len(routes) >= 2:
            return f"routes traffic over {len(routes)} served models"
    return None


def _challenger(r: Resource) -> str | None:
    """A shadow deployment, or live traffic shared by two versions of the same model."""
    if r.platform == "azureml" and as_dict(r.body.get("mirror_traffic")):
        return "Azure ML endpoint mirrors live traffic to a shadow deployment"
    if r.platform == "databricks" and r.kind == "model_serving_endpoints":
        config = as_dict(r.body.get("config"))
        served = as_list(config.get("served_entities")) + as_list(config.get("served_models"))
        models: dict[str, set[str]] = {}
        for entity in (as_dict(e) for e in served):
            name = str(entity.get("entity_name") or entity.get("model_name") or "")
            models.setdefault(name, set()).add(
                str(entity.get("entity_version") or entity.get("model_version"))
            )
        if _traffic_split(r) and any(len(v) >= 2 for v in models.values()):
            return "Databricks endpoint serves two versions of one model side by side"
    return None


def _monitor(r: Resource) -> str | None:
    if r.platform == "databricks" and r.kind == "quality_monitors":
        return f"Databricks quality monitor {r.name!r}"
    if r.platform == "azureml" and r.kind == "schedule" and "create_monitor" in r.body:
        return f"Azure ML monitor schedule {r.name!r}"
    return None


def _alerts(r: Resource) -> str | None:
    monitor = as_dict(r.body.get("create_monitor"))
    if (
        r.platform == "azureml"
        and r.kind == "schedule"
        and as_dict(monitor.get("alert_notification"))
    ):
        return f"Azure ML monitor {r.name!r} alerts on signal breaches"
    if (
        r.platform == "databricks"
        and r.kind == "quality_monitors"
        and as_dict(r.body.get("notifications"))
    ):
        return f"Databricks quality monitor {r.name!r} notifies on failure"
    if r.platform == "databricks" and r.kind == "alerts" and r.body.get("query_text"):
        return f"Databricks SQL alert {r.name!r}"
    return None


_RULES: dict[str, Callable[[Resource], str | None]] = {
    "model_registry_used": lambda r: (
        f"Azure ML model asset {r.name!r}"
        if r.platform == "azureml" and r.kind == "model"
        else f"Databricks registered model {r.name!r}"
        if r.platform == "databricks" and r.kind in ("registered_models", "models")
        else None
    ),
    "model_serving_present": lambda r: (
        f"Azure ML {r.kind} {r.name!r}"
        if r.platform == "azureml" and r.kind in _ENDPOINTS
        else f"Azure ML (v1) {r.name} deployment config"
        if r.platform == "azureml-v1" and r.kind == "deploymentConfig"
        else f"Databricks serving endpoint {r.name!r}"
        if r.platform == "databricks" and r.kind == "model_serving_endpoints"
        else None
    ),
    "data_assets_versioned": lambda r: (
        f"Azure ML data asset {r.name!r}" if r.platform == "azureml" and r.kind == "data" else None
    ),
    "shared_tracking_server": lambda r: (
        f"Databricks workspace experiment {r.name!r}"
        if r.platform == "databricks" and r.kind == "experiments"
        else None
    ),
    "progressive_delivery_configured": _traffic_split,
    "champion_challenger_present": _challenger,
    "drift_detection_used": _monitor,
    "data_quality_tracked": lambda r: (
        _monitor(r)
        if r.platform == "databricks" or mentions(r.body.get("create_monitor"), "data_quality")
        else None
    ),
    "alert_rules_defined": _alerts,
}


def _app_insights(r: Resource) -> str | None:
    """A web service or online deployment that sends its telemetry (requests, latency,
    failures, logged inputs and outputs) to Application Insights."""
    v1 = r.platform == "azureml-v1" and r.kind == "deploymentConfig"
    if v1 and r.body.get("appInsightsEnabled") is True:
        return f"Azure ML {r.name} with Application Insights (appInsightsEnabled)"
    v2 = r.platform == "azureml" and r.kind.endswith("OnlineDeployment")
    if v2 and r.body.get("app_insights_enabled") is True:
        return f"Azure ML deployment {r.name!r} with Application Insights"
    return None


_RULES["service_metrics_exported"] = _app_insights
_RULES["model_packaged"] = lambda r: (
    f"Azure ML (v1) inference config: entry script {r.name}"
    if r.platform == "azureml-v1" and r.kind == "inferenceConfig"
    else None
)


def config_findings(tree: RepoTree, detector_id: str) -> list[Finding]:
    """Findings for ``detector_id`` from platform configuration (one per resource)."""
    rule = _RULES[detector_id]
    out: list[Finding] = []
    for r in resources(tree):
        detail = rule(r)
        if detail and not r.included:
            detail += " (defined in the bundle's folder, not yet in its include list)"
        if detail:
            out.append(tree.finding(detector_id, r.file, r.line, detail, tool=r.platform))
    return out
