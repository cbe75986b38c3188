"""What kind of repository this is: an ML project, or the source of an ML tool itself."""

from __future__ import annotations

import re

from mlkaizen.evidence.detectors.base import detector
from mlkaizen.evidence.detectors.libraries import TRAINING
from mlkaizen.evidence.findings import Finding, Outcome
from mlkaizen.evidence.parse.structured import load_toml
from mlkaizen.evidence.testcode import is_test_path
from mlkaizen.evidence.tree import RepoTree

ML_TOOLS = frozenset(
    """mlflow wandb dvc dvclive gto cml clearml neptune comet_ml aim great_expectations pandera
    evidently whylogs nannyml alibi_detect deepchecks feast kedro zenml metaflow prefect dagster
    airflow kfp bentoml seldon_core kserve mlserver ray sklearn scikit_learn torch tensorflow
    keras xgboost lightgbm catboost transformers datasets accelerate peft diffusers
    sentence_transformers flytekit optuna hydra lakefs deltalake sagemaker lightning
    pytorch_lightning jax flax onnx onnxruntime fastai spacy gensim statsmodels prophet
    tensorboard torchserve tritonclient mlem hopsworks hsfs tecton""".split()  # noqa: SIM905
)
TRAIN_CALLS = (
    ".fit",
    ".train",
    "transformers.Trainer",
    "lightning.Trainer",
    "pytorch_lightning.Trainer",
    "xgboost.train",
    "lightgbm.train",
    ".partial_fit",
    "sklearn.model_selection.cross_val_score",  # fits a model per fold
    "sklearn.model_selection.cross_validate",
)
_SETUP_NAME = re.compile(r"name\s*=\s*[\"']([\w.\-]+)[\"']")


def _declared_name(tree: RepoTree) -> tuple[str, str] | None:
    for rel in tree.named("pyproject.toml"):
        if rel == "pyproject.toml":
            doc = tree.parsed(rel, "toml", load_toml) or {}
            project = doc.get("project") or doc.get("tool", {}).get("poetry") or {}
            if isinstance(project, dict) and project.get("name"):
                return str(project["name"]), rel
    for rel in ("setup.cfg", "setup.py"):
        if rel in tree.sizes:
            match = _SETUP_NAME.search(tree.text(rel) or "")
            if match:
                return match.group(1), rel
    return None


# a CI step that uploads a distribution to a package index
_PUBLISH = re.compile(
    r"pypa/gh-action-pypi-publish|\btwine\s+upload\b|\b(?:poetry|flit|hatch|uv|pdm)\s+publish\b"
)


def _published_ml_library(tree: RepoTree, declared: tuple[str, str] | None) -> Finding | None:
    """A distribution that CI publishes to a package index and whose own package does ML:
    a library others install, whatever its name."""
    if declared is None or not tree.own_packages:
        return None
    from mlkaizen.evidence.detectors.documents import ci_pipelines

    publish = next(
        (
            (pipe.file, step.line)
            for pipe in ci_pipelines(tree)
            for job in pipe.jobs
            for step in job.steps
            if _PUBLISH.search(step.uses + "\n" + step.run)
        ),
        None,
    )
    if publish is None:
        return None
    own = tuple(p + "/" for p in tree.own_packages) + tuple(f"src/{p}/" for p in tree.own_packages)
    if not any(f.startswith(own) for f in tree.importing(TRAINING)):
        return None
    return tree.finding(
        "repo_is_ml_tool_source",
        declared[1],
        1,
        f"this repository is the source of the ML library {declared[0]!r}, published by CI "
        f"({publish[0]}:{publish[1]}); its own code is not counted as usage",
        Outcome.INFO,
        tool=declared[0],
    )


def _published(tree: RepoTree, package: str) -> bool:
    """The top-level package declares its version, as a published library does."""
    for init in (f"{package}/__init__.py", *(f"{d}/{package}/__init__.py" for d in _SRC_DIRS)):
        if init in tree.sizes and "__version__" in (tree.text(init) or ""):
            return True
    return False


_SRC_DIRS = ("src", "lib", "python")


@detector("repo_is_ml_tool_source")
def repo_is_ml_tool_source(tree: RepoTree) -> list[Finding]:
    """The repository is the source code of an ML/MLOps tool or library, not a project that
    uses one.

    Evidence: the distribution name is a known ML tool (``mlflow``, ``dvc``, ``evidently``...),
    or a top-level package of that name whose ``__init__.py`` declares a ``__version__`` (a
    published library; a project's own ``datasets/`` folder with an ``__init__.py`` is not);
    or the repository declares a distribution that its CI publishes to a package index
    (``twine upload``, the PyPI publish action, ``poetry publish``...) and whose own package
    imports ML libraries. Its own imports are then never credited as practices, and its stage
    is not the stage of the teams that use it.
    """
    declared = _declared_name(tree)
    normal = declared[0].lower().replace("-", "_") if declared else ""
    own = {p for p in tree.own_packages & ML_TOOLS if _published(tree, p)}
    hits = sorted(({normal} | own) & ML_TOOLS)
    if not hits:
        library = _published_ml_library(tree, declared)
        return [library] if library is not None else []
    where = declared[1] if declared and normal in hits else None
    return [
        tree.finding(
            "repo_is_ml_tool_source",
            where,
            1 if where else None,
            f"this repository is the source of {hits[0]!r}; its own code is not counted as usage",
            Outcome.INFO,
            tool=hits[0],
        )
    ]


@detector("training_code_present")
def training_code_present(tree: RepoTree) -> list[Finding]:
    """The repository contains model training code (``.fit``/``Trainer``/a train script).

    Used to tell "trained by hand" from "no training here at all".
    """
    out: list[Finding] = []
    for rel in tree.importing(TRAINING):
        if is_test_path(rel):
            continue
        text = tree.text(rel) or ""
        if "fit" not in text and "train" not in text:
            continue
        facts = tree.python(rel)
        calls = facts.find_calls(TRAIN_CALLS, include_decorators=False) if facts else []
        if calls:
            out.append(
                tree.finding(
                    "training_code_present", rel, calls[0].line, f"training: {calls[0].name}()"
                )
            )
        if len(out) >= 5:
            break
    return out


DETECTORS = [repo_is_ml_tool_source, training_code_present]
