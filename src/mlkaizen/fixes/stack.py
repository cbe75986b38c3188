"""The team's stack as far as the repository shows it: CI system, forge, experiment tracker or
ML platform, data-versioning tool, data-validation library, cloud, language. Fixes are offered
only where they fit it (a GitHub Actions workflow is no fix for an Azure Pipelines team)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from mlkaizen.engine.model import Assessment
from mlkaizen.evidence.tree import RepoTree

# declared dependencies (requirements, pyproject, environment.yml) -> (kind, tool, cloud)
PLATFORM_DEPENDENCIES: dict[str, tuple[str, str, str | None]] = {
    "azure-ai-ml": ("tracker", "Azure ML", "azure"),
    "azureml-core": ("tracker", "Azure ML", "azure"),
    "azureml-mlflow": ("tracker", "Azure ML", "azure"),
    "sagemaker": ("tracker", "SageMaker", "aws"),
    "google-cloud-aiplatform": ("tracker", "Vertex AI", "gcp"),
    "wandb": ("tracker", "Weights & Biases", None),
    "neptune": ("tracker", "Neptune", None),
    "comet-ml": ("tracker", "Comet", None),
    "clearml": ("tracker", "ClearML", None),
    "mlflow": ("tracker", "MLflow", None),
    "dvc": ("data", "DVC", None),
    "lakefs": ("data", "lakeFS", None),
    "lakefs-client": ("data", "lakeFS", None),
    "deltalake": ("data", "Delta Lake", None),
    "great-expectations": ("validation", "Great Expectations", None),
    "pandera": ("validation", "pandera", None),
    "tensorflow-data-validation": ("validation", "TFDV", None),
    "soda-core": ("validation", "Soda", None),
    "deepchecks": ("validation", "Deepchecks", None),
}
DEPENDENCY_FILES = ("requirements*.txt", "pyproject.toml", "environment.yml", "setup.cfg")
# findings whose `tool` names the team's tracker, data tool or validation library
TOOL_DETECTORS = {
    "experiment_tracking_used": "tracker",
    "lakefs_or_delta_versioning": "data",
    "dvc_tracks_data": "data",
    "git_lfs_tracks_data": "data",
    "data_validation_library_used": "validation",
}
CI_FILES = {
    "azure-pipelines.yml": "azure-pipelines",
    "azure-pipelines.yaml": "azure-pipelines",
    ".gitlab-ci.yml": "gitlab-ci",
    "Jenkinsfile": "jenkins",
    "bitbucket-pipelines.yml": "bitbucket",
    ".circleci/config.yml": "circleci",
}
FORGE_OF_CI = {
    "github-actions": "github",
    "gitlab-ci": "gitlab",
    "azure-pipelines": "azure-devops",
    "bitbucket": "bitbucket",
}


@dataclass
class Stack:
    ci: set[str] = field(default_factory=set)  # github-actions, gitlab-ci, azure-pipelines...
    trackers: set[str] = field(default_factory=set)  # MLflow, Azure ML, Weights & Biases...
    data_tools: set[str] = field(default_factory=set)  # DVC, Git LFS, lakeFS, Delta Lake
    validation: set[str] = field(default_factory=set)  # pandera, Great Expectations...
    clouds: set[str] = field(default_factory=set)  # azure, aws, gcp
    python: bool = False

    @property
    def forge(self) -> str | None:
        """Where the repository is hosted, as its CI tells (None: no CI to tell)."""
        forges = {FORGE_OF_CI[c] for c in self.ci if c in FORGE_OF_CI}
        if len(forges) == 1:
            return forges.pop()
        if "azure-devops" in forges:
            return "azure-devops"
        return sorted(forges)[0] if forges else None

    def foreign_ci(self, ours: str) -> str | None:
        """The CI system the repository uses instead of ``ours``, if any."""
        others = sorted(self.ci - {ours})
        return others[0] if others and ours not in self.ci else None


def gather_stack(a: Assessment, tree: RepoTree) -> Stack:
    stack = Stack(python=bool(tree.python_sources()))
    for f in a.findings:
        if f.detector == "ci_configured" and f.values.get("provider"):
            stack.ci.add(f.values["provider"])
        kind = TOOL_DETECTORS.get(f.detector)
        if kind is None or f.context.value == "tutorial":
            continue
        tool = f.values.get("tool") or ("DVC" if f.detector == "dvc_tracks_data" else "")
        if f.detector == "git_lfs_tracks_data":
            tool = "Git LFS"
        if tool:
            _add(stack, kind, tool)
    for rel, provider in CI_FILES.items():
        if rel in tree.sizes:
            stack.ci.add(provider)
    if any(f.startswith(".github/workflows/") for f in tree.files):
        stack.ci.add("github-actions")
    for rel in tree.glob(*DEPENDENCY_FILES):
        if "/" in rel:
            continue
        text = (tree.text(rel) or "").lower()
        for dep, (kind, tool, cloud) in PLATFORM_DEPENDENCIES.items():
            if re.search(rf"(?<![\w-]){re.escape(dep)}(?![\w-])", text):
                _add(stack, kind, tool)
                if cloud:
                    stack.clouds.add(cloud)
    if "azure-pipelines" in stack.ci:
        stack.clouds.add("azure")
    return stack


def _add(stack: Stack, kind: str, tool: str) -> None:
    {"tracker": stack.trackers, "data": stack.data_tools, "validation": stack.validation}[
        kind
    ].add(tool)
