"""Model registry and versioned model artifacts."""

from __future__ import annotations

from mlkaizen.evidence.detectors.base import detector
from mlkaizen.evidence.detectors.platform_config import config_findings
from mlkaizen.evidence.detectors.usage import find_usage
from mlkaizen.evidence.detectors.vocabulary import vocabulary
from mlkaizen.evidence.findings import Finding
from mlkaizen.evidence.tree import RepoTree

REGISTRIES = vocabulary().tools["registries"]  # plugins' tools; the stack packs' come by themselves


@detector("model_registry_used")
def model_registry_used(tree: RepoTree) -> list[Finding]:
    """Trained models are registered and versioned in a model registry.

    Tools: MLflow (``register_model``, ``registered_model_name=`` in ``log_model``, aliases),
    W&B ``link_model``, Hugging Face Hub ``push_to_hub``, ClearML ``OutputModel``, GTO/DVC
    model artifacts (``artifacts:`` in ``dvc.yaml`` or ``artifacts.yaml``), and the ML
    platforms: SageMaker Model Registry (``RegisterModel``, ``model.register(
    model_package_group_name=...)``, ``create_model_package_group``, CDK
    ``CfnModelPackageGroup``), Vertex AI ``Model.upload`` or the pipeline components' model
    upload, Azure ML ``Model.register``/``run.register_model`` (SDK v1),
    ``ml_client.models.create_or_update`` (SDK v2) or a CLI v2 model YAML, and Databricks
    (``mlflow.set_registry_uri("databricks-uc")``, bundle ``registered_models``).
    Not evidence: a ``.register`` or ``.upload`` call not made the platform's way (another
    library's ``register``, a method with none of the platform's keywords).
    """
    out = find_usage(tree, "model_registry_used", REGISTRIES)
    out += config_findings(tree, "model_registry_used")
    seen = {f.file for f in out}
    for rel in tree.importing({"mlflow"}):
        facts = tree.python(rel)
        if facts is None or rel in seen:
            continue
        uc = [
            c
            for c in facts.find_calls(("mlflow.set_registry_uri",))
            if "databricks-uc" in c.str_args
        ]
        if uc:
            out.append(
                tree.finding(
                    "model_registry_used",
                    rel,
                    uc[0].line,
                    "Databricks Unity Catalog model registry",
                    tool="databricks",
                )
            )
            continue
        for call in facts.find_calls(("mlflow.",)):
            if call.name.endswith(".log_model") and "registered_model_name" in call.keywords:
                out.append(
                    tree.finding(
                        "model_registry_used",
                        rel,
                        call.line,
                        f"MLflow Model Registry: {call.name}(registered_model_name=...)",
                    )
                )
                break
    for rel in tree.named("dvc.yaml", "artifacts.yaml"):
        for doc in tree.yaml(rel) or []:
            arts = doc.get("artifacts") if isinstance(doc, dict) else None
            if isinstance(arts, dict) and arts:
                out.append(
                    tree.finding(
                        "model_registry_used",
                        rel,
                        getattr(arts, "line", 1),
                        f"DVC/GTO model artifacts: {', '.join(map(str, arts))}",
                    )
                )
    return out


DETECTORS = [model_registry_used]
