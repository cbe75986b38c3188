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
# CI systems fixes can generate pipelines for, preferred in this order on a tie
GENERATED_CI = ("github-actions", "gitlab-ci", "azure-pipelines")
# platforms that version the data themselves, told by their files or code
AZURE_ML_DATA = re.compile(
    r"azuremlschemas\.azureedge\.net/\S*data\.schema\.json"  # a data asset (CLI v2)
    r"|\bDataset\.(?:Tabular|File)\.from_"  # a registered dataset (SDK v1)
    r"|from azure\.ai\.ml\.entities import[^\n]*\bData\b"  # a data asset (SDK v2)
)
# orchestrators that version the data every step reads and writes
ARTIFACT_VERSIONING = {"ZenML": "ZenML artifacts", "Metaflow": "Metaflow artifacts"}
DATABRICKS_BUNDLES = ("databricks.yml", "databricks.yaml", "databricks.yml.tmpl")
FORGE_OF_CI = {
    "github-actions": "github",
    "gitlab-ci": "gitlab",
    "azure-pipelines": "azure-devops",
    "bitbucket": "bitbucket",
}


@dataclass
class Stack:
    ci: set[str] = field(default_factory=set)  # github-actions, gitlab-ci, azure-pipelines...
    ci_files: dict[str, set[str]] = field(default_factory=dict)  # provider -> pipeline files
    trackers: set[str] = field(default_factory=set)  # MLflow, Azure ML, Weights & Biases...
    data_tools: set[str] = field(default_factory=set)  # DVC, Git LFS, lakeFS, Delta Lake
    validation: set[str] = field(default_factory=set)  # pandera, Great Expectations...
    clouds: set[str] = field(default_factory=set)  # azure, aws, gcp
    # orchestrators whose pipelines train (Airflow, Kubeflow Pipelines, Azure ML pipeline...)
    orchestrators: set[str] = field(default_factory=set)
    python: bool = False

    @property
    def primary_ci(self) -> str | None:
        """The CI system that builds the repository: the one with the most pipelines (a
        repository with many Azure pipelines and one GitHub code-scanning workflow builds with
        Azure Pipelines); on a tie, one fixes can generate for. None: no CI at all."""
        if not self.ci:
            return None

        def rank(ci: str) -> tuple[int, int]:
            generated = GENERATED_CI.index(ci) if ci in GENERATED_CI else len(GENERATED_CI)
            return (-len(self.ci_files.get(ci, ())), generated)

        return min(sorted(self.ci), key=rank)

    @property
    def forge(self) -> str | None:
        """Where the repository is hosted, as its main CI system tells (None: no CI to tell,
        or a CI system that runs on any forge)."""
        primary = self.primary_ci
        if primary in FORGE_OF_CI:
            return FORGE_OF_CI[primary]
        forges = sorted({FORGE_OF_CI[c] for c in self.ci if c in FORGE_OF_CI})
        return forges[0] if forges else None


def gather_stack(a: Assessment, tree: RepoTree) -> Stack:
    stack = Stack(python=bool(tree.python_sources()))
    for f in a.findings:
        if f.detector == "ci_configured" and f.values.get("provider"):
            _add_ci(stack, f.values["provider"], f.file)
        if f.context.value == "tutorial":
            continue
        if f.detector == "training_in_pipeline" and f.values.get("tool"):
            stack.orchestrators.add(f.values["tool"])
        if f.detector == "pipeline_defined" and f.values.get("tool") in ARTIFACT_VERSIONING:
            stack.data_tools.add(ARTIFACT_VERSIONING[f.values["tool"]])
        kind = TOOL_DETECTORS.get(f.detector)
        if kind is None:
            continue
        tool = f.values.get("tool") or ("DVC" if f.detector == "dvc_tracks_data" else "")
        if f.detector == "git_lfs_tracks_data":
            tool = "Git LFS"
        if tool:
            _add(stack, kind, tool)
    for rel, provider in CI_FILES.items():
        if rel in tree.sizes:
            _add_ci(stack, provider, rel)
    for rel in tree.files:
        if rel.startswith(".github/workflows/") and rel.endswith((".yml", ".yaml")):
            _add_ci(stack, "github-actions", rel)
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
    _platform_data(stack, tree)
    return stack


def _platform_data(stack: Stack, tree: RepoTree) -> None:
    """Data versioned by the ML platform: Azure ML data assets (or registered datasets),
    Delta tables of a Databricks asset bundle."""
    if any(rel.rsplit("/", 1)[-1] in DATABRICKS_BUNDLES for rel in tree.files):
        stack.data_tools.add("Delta Lake (Databricks)")
    if "Azure ML" not in stack.trackers and "azure" not in stack.clouds:
        return
    for rel in tree.with_suffix(".yml", ".yaml", ".py"):
        text = tree.text(rel) or ""
        if ("azureml" in text or "azure.ai.ml" in text) and AZURE_ML_DATA.search(text):
            stack.data_tools.add("Azure ML data assets")
            return


def _add_ci(stack: Stack, provider: str, file: str | None) -> None:
    stack.ci.add(provider)
    if file:
        stack.ci_files.setdefault(provider, set()).add(file)


def _add(stack: Stack, kind: str, tool: str) -> None:
    {"tracker": stack.trackers, "data": stack.data_tools, "validation": stack.validation}[
        kind
    ].add(tool)
