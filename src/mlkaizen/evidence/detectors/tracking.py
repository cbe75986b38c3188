"""Experiment tracking: runs, params and metrics logged to a tracking tool."""

from __future__ import annotations

import re

from mlkaizen.evidence.detectors.base import detector
from mlkaizen.evidence.detectors.platform_config import config_findings
from mlkaizen.evidence.detectors.text_search import search_files
from mlkaizen.evidence.detectors.usage import find_usage
from mlkaizen.evidence.detectors.vocabulary import vocabulary
from mlkaizen.evidence.findings import Finding
from mlkaizen.evidence.tree import RepoTree

TRACKERS = vocabulary().tools["trackers"]  # plugins' tools; the stack packs' come by themselves
_HF_ARGS = (
    "transformers.TrainingArguments",
    "transformers.Seq2SeqTrainingArguments",
    "trl.SFTConfig",
    "trl.DPOConfig",
)
_SHARED_URI = re.compile(r"MLFLOW_TRACKING_URI\s*[:=]\s*[\"']?(https?|databricks)[^\s\"']*")


@detector("experiment_tracking_used")
def experiment_tracking_used(tree: RepoTree) -> list[Finding]:
    """Training code logs runs to an experiment tracker.

    Tools: MLflow, Weights & Biases, ClearML, Neptune, Comet, DVCLive, Aim, TensorBoard,
    Lightning loggers, Ray callbacks, SageMaker Experiments, Vertex AI Experiments
    (``aiplatform.start_run``/``log_metrics``), Azure ML SDK v1 runs (``run.log`` on
    ``Run.get_context()``), and Hugging Face ``Trainer`` arguments with ``report_to=`` a tracker.
    Evidence: the tracker imported *and* called (``mlflow.log_metric``, ``wandb.init``,
    ``Task.init``...). An import alone, or a mention in docs, is not tracking; nor is a
    ``.log`` call in a file that never gets an Azure ML run.
    """
    out = find_usage(tree, "experiment_tracking_used", TRACKERS)
    for rel in tree.importing({"transformers", "trl"}):
        facts = tree.python(rel)
        for call in facts.find_calls(_HF_ARGS, include_decorators=False) if facts else []:
            target = (call.constant("report_to") or "").strip("'\"").lower()
            if target and target not in ("none", "[]"):
                out.append(
                    tree.finding(
                        "experiment_tracking_used",
                        rel,
                        call.line,
                        f"Hugging Face Trainer reports to {target}",
                    )
                )
                break
    out.extend(_configured_loggers(tree))
    return out


# a tracker's logger class instantiated from configuration: Hydra ``_target_``, Lightning
# CLI ``class_path``
_LOGGER_TARGET = re.compile(
    r"(?m)^[ \t]*(?:_target_|class_path)\s*:\s*[\"']?((?:lightning\.pytorch|pytorch_lightning|"
    r"lightning)\.loggers\.[\w.]*(?:MLFlow|Wandb|Comet|Neptune|TensorBoard|DVCLive|Aim|CSV)"
    r"\w*Logger|dvclive\.lightning\.DVCLiveLogger|aim\.pytorch_lightning\.AimLogger)"
)


def _configured_loggers(tree: RepoTree) -> list[Finding]:
    """Experiment loggers chosen in YAML configuration (``configs/logger/mlflow.yaml`` with
    ``_target_: lightning.pytorch.loggers.MLFlowLogger``), one finding per file. A CSV
    logger writes local files only: not a tracker."""
    out: list[Finding] = []
    for rel in tree.with_suffix(".yaml", ".yml"):
        text = tree.text(rel) or ""
        if "Logger" not in text:
            continue
        match = next(
            (m for m in _LOGGER_TARGET.finditer(text) if not m.group(1).endswith("CSVLogger")),
            None,
        )
        if match is not None:
            out.append(
                tree.finding(
                    "experiment_tracking_used",
                    rel,
                    text.count("\n", 0, match.start()) + 1,
                    f"logger configured: {match.group(1)}",
                    tool=match.group(1).rsplit(".", 1)[-1],
                )
            )
    return out


@detector("shared_tracking_server")
def shared_tracking_server(tree: RepoTree) -> list[Finding]:
    """Runs go to a shared tracking server rather than a local folder.

    Evidence: ``mlflow.set_tracking_uri("http...")`` / ``databricks``, or
    ``MLFLOW_TRACKING_URI`` set to an http(s) or Databricks URI in CI, env or compose files;
    a tracker hosted by an ML platform (Azure ML SDK v1 runs, Vertex AI Experiments, SageMaker
    Experiments); or a Databricks bundle declaring a workspace experiment.
    Not evidence: ``set_tracking_uri("file:./mlruns")`` or a URI computed at run time.
    """
    out = config_findings(tree, "shared_tracking_server")
    for rel in tree.importing({"mlflow"}):
        facts = tree.python(rel)
        for call in facts.find_calls(("mlflow.set_tracking_uri",)) if facts else []:
            if any(a.startswith(("http", "databricks")) for a in call.str_args):
                out.append(
                    tree.finding(
                        "shared_tracking_server",
                        rel,
                        call.line,
                        "MLflow tracking URI: " + call.str_args[0][:80],
                    )
                )
    out += search_files(
        tree,
        "shared_tracking_server",
        tree.with_suffix(".yml", ".yaml", ".env", ".cfg", ".toml", "dockerfile"),
        _SHARED_URI,
        lambda m: "MLFLOW_TRACKING_URI points at a server",
    )
    return out


DETECTORS = [experiment_tracking_used, shared_tracking_server]
