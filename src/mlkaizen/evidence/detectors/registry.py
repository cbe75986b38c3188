"""Model registry and versioned model artifacts."""

from __future__ import annotations

from mlkaizen.evidence.detectors.base import detector
from mlkaizen.evidence.detectors.usage import find_usage
from mlkaizen.evidence.detectors.vocabulary import vocabulary
from mlkaizen.evidence.findings import Finding
from mlkaizen.evidence.tree import RepoTree

REGISTRIES = vocabulary().tools["registries"]


@detector("model_registry_used")
def model_registry_used(tree: RepoTree) -> list[Finding]:
    """Trained models are registered and versioned in a model registry.

    Tools: MLflow (``register_model``, ``registered_model_name=`` in ``log_model``, aliases),
    W&B ``link_model``, SageMaker/Vertex/Azure ML model registration, Hugging Face Hub
    ``push_to_hub``, ClearML ``OutputModel``, and GTO/DVC model artifacts (``artifacts:`` in
    ``dvc.yaml`` or ``artifacts.yaml``).
    """
    out = find_usage(tree, "model_registry_used", REGISTRIES)
    seen = {f.file for f in out}
    for rel in tree.importing({"mlflow"}):
        facts = tree.python(rel)
        if facts is None or rel in seen:
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
