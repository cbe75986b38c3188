"""Infrastructure as code, feature stores, SLOs and cost controls."""

from __future__ import annotations

from mlkaizen.evidence.detectors.base import detector
from mlkaizen.evidence.detectors.documents import k8s_objects, yaml_documents
from mlkaizen.evidence.detectors.platform_config import resources
from mlkaizen.evidence.detectors.text_search import any_of, search_files
from mlkaizen.evidence.findings import Finding
from mlkaizen.evidence.parse.yamlfile import mentions
from mlkaizen.evidence.tree import RepoTree
from mlkaizen.textfmt import counted

K8S_WORKLOADS = {
    "Deployment",
    "StatefulSet",
    "Service",
    "Job",
    "CronJob",
    "DaemonSet",
    "Ingress",
    "ConfigMap",
    "InferenceService",
    "SeldonDeployment",
    "Rollout",
}
_SLO_RESOURCES = any_of(
    "google_monitoring_slo",
    "datadog_service_level_objective",
    "newrelic_service_level",
    "aws_applicationsignals",
)
_BUDGETS = any_of(
    "aws_budgets_budget",
    "azurerm_consumption_budget",
    "google_billing_budget",
    "Microsoft.Consumption/budgets",
)
# the resources of an asset bundle that are infrastructure, not workflows (``jobs``,
# ``pipelines``), apps or dashboards
_BUNDLE_INFRA = frozenset(
    {
        "clusters",
        "sql_warehouses",
        "model_serving_endpoints",
        "registered_models",
        "models",
        "experiments",
        "schemas",
        "volumes",
        "quality_monitors",
        "secret_scopes",
        "database_instances",
        "database_catalogs",
        "synced_database_tables",
    }
)


@detector("infrastructure_as_code")
def infrastructure_as_code(tree: RepoTree) -> list[Finding]:
    """Infrastructure is declared as code: Terraform, Bicep/ARM, CloudFormation, Pulumi, CDK,
    Helm charts, Kubernetes manifests, Kustomize, Databricks asset bundles that declare
    infrastructure in ``databricks.yml`` and its resource files (clusters, SQL warehouses,
    serving endpoints, models, experiments, schemas, volumes, monitors; a bundle of jobs
    alone declares workflows, which ``pipeline_defined`` reads)."""
    out: list[Finding] = []  # files and templates of each IaC tool: the stack packs
    bundles = [
        r for r in resources(tree) if r.platform == "databricks" and r.kind in _BUNDLE_INFRA
    ]
    if bundles:
        out.append(
            tree.finding(
                "infrastructure_as_code",
                bundles[0].file,
                bundles[0].line,
                f"Databricks asset bundle ({counted(len(bundles), 'resource')} declared)",
                tool="databricks",
            )
        )
    manifests = [(r, d) for r, d in k8s_objects(tree) if d.get("kind") in K8S_WORKLOADS]
    if manifests:
        rel, doc = manifests[0]
        out.append(
            tree.finding(
                "infrastructure_as_code",
                rel,
                getattr(doc, "line", 1),
                f"Kubernetes manifests ({counted(len(manifests), 'object')})",
            )
        )
    return out


@detector("feature_store_used")
def feature_store_used(tree: RepoTree) -> list[Finding]:
    """Features are shared through a feature store (Feast, Hopsworks, Tecton, Databricks,
    SageMaker or Vertex AI feature stores)."""
    out: list[Finding] = []  # SDK calls: the stack packs
    for rel in tree.named("feature_store.yaml"):
        out.append(tree.finding("feature_store_used", rel, 1, "Feast feature repository"))
    return out


@detector("slos_defined")
def slos_defined(tree: RepoTree) -> list[Finding]:
    """Service level objectives are declared (OpenSLO, Sloth, Pyrra, cloud SLO resources)."""
    out: list[Finding] = []
    for rel, doc in k8s_objects(tree):
        api = str(doc.get("apiVersion"))
        if (
            "openslo" in api
            or "sloth" in api
            or "pyrra" in api
            or doc.get("kind") in ("SLO", "ServiceLevelObjective", "PrometheusServiceLevel")
        ):
            out.append(
                tree.finding(
                    "slos_defined", rel, getattr(doc, "line", 1), f"SLO: {doc.get('kind')}"
                )
            )
    out += search_files(
        tree,
        "slos_defined",
        tree.with_suffix(".tf"),
        _SLO_RESOURCES,
        lambda m: f"SLO resource {m.group(0)}",
    )
    return out


@detector("cost_tracking_configured")
def cost_tracking_configured(tree: RepoTree) -> list[Finding]:
    """Cloud or compute cost is tracked: budgets in IaC, Infracost, Kubecost, OpenCost."""
    out: list[Finding] = []
    out += search_files(
        tree,
        "cost_tracking_configured",
        tree.with_suffix(".tf", ".bicep"),
        _BUDGETS,
        lambda m: f"budget: {m.group(0)}",
    )
    for rel in tree.named("infracost.yml", "infracost.yaml", ".infracost.yml"):
        out.append(tree.finding("cost_tracking_configured", rel, 1, "Infracost"))
    for rel, doc in yaml_documents(tree):
        if (
            isinstance(doc, dict)
            and mentions(doc, "infracost", budget=20_000)
            and (rel.startswith((".github/", ".gitlab")))
        ):
            out.append(tree.finding("cost_tracking_configured", rel, 1, "Infracost in CI"))
    return out


DETECTORS = [infrastructure_as_code, feature_store_used, slos_defined, cost_tracking_configured]
