"""What a changed path is, for the git-history source: a pure function of the path.

A path (relative to the repository, ``/``-separated, compared ignoring case) gets the set of
:class:`ChangeKind` its name and folders tell; most paths get none. The rules:

- training code: a source file (``.py``, ``.ipynb``, ``.r``, ``.scala``, ``.jl``; not
  ``.sql``) whose name says it trains (``train*.py``, ``trainer.py``, ``fit_*.py``,
  ``finetune.py``, ``retrain.py``) or lies in a training or network folder (``training/``,
  ``trainers/``, ``networks/``, ``modeling/``); ``model.py``, ``models/`` and ``fit.py``
  are not (an ORM's models, a schema, a fitting helper as often as a model);
- data pointer: ``*.dvc`` and ``dvc.lock`` (``.dvc/config``, ``.dvcignore``, ``dvc.yaml`` and
  ``.gitattributes`` are not pointers);
- params: ``params.*``, ``hparams*``/``hyperparameters*`` files, every config of a Hydra
  ``conf/`` folder, model/training/experiment configs in a ``config(s)/`` folder, ``MLmodel``;
- metrics: data files (json, yaml, csv, tsv) named for metrics, scores or evaluation, and
  every such file in a ``metrics/`` or ``dvclive/`` folder;
- CI: the pipelines :func:`mlkaizen.evidence.ci_files.named_provider` knows by path, plus
  Azure Pipelines, Cloud Build, Buildkite, Drone, Travis, CodeBuild and Tekton files;
- monitoring: config files (not docs, not code) in a monitoring, alerting or dashboards
  folder, or named for monitoring, drift, alerts, Evidently, whylogs, NannyML, Prometheus
  rules or Grafana dashboards.

Tests, docs and vendored folders (``tests/``, ``test_*.py``, ``conftest.py``, ``docs/``,
``node_modules/``...) are never training code, data pointers, params, metrics or
monitoring: a test that trains a toy model is not the team changing how its model is
trained. CI files count wherever they are.

:func:`schedule_file` tells the files where a changed schedule line counts: CI pipelines
and orchestrators' files (Airflow DAGs, Prefect and Dagster flows, Kubernetes CronJobs,
crontab, Terraform schedules).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from mlkaizen.evidence.ci_files import named_provider
from mlkaizen.evidence.facts.live import ChangeKind
from mlkaizen.evidence.listing import PRUNED_DIRS

CACHED = 1 << 16  # paths whose answers are kept
SOURCE_EXTS = frozenset({"py", "ipynb", "r", "scala", "jl"})
CONFIG_EXTS = frozenset({"yaml", "yml", "json", "toml", "jsonnet", "libsonnet", "rules"})
DATA_EXTS = frozenset({"json", "yaml", "yml", "csv", "tsv"})

_TRAIN_WORD = re.compile(r"^(?:re|pre)?train(?:ing|er|ers|s)?\d*$|^fine-?tun(?:e|ing)\d*$")
# `model.py`, `models/` and `fit.py` are left out: in most repositories they are an ORM's
# models, a schema or a fitting helper, not a training change; what trains says so
_TRAIN_DIRS = frozenset({"train", "training", "trainer", "trainers", "networks",
                         "architectures", "modeling", "modelling"})
_FIT_STEM = re.compile(r"^fit[_-][a-z0-9]")
_NOT_PROJECT_DIRS = frozenset({"test", "tests", "testing", "__tests__", "docs", "doc"})
_PARAMS_WORDS = frozenset({"params", "hparams", "hyperparams", "hyperparameters",
                           "hyperparameter", "sweep"})
_PARAMS_CONFIG_WORDS = frozenset({"model", "train", "training", "trainer", "experiment",
                                  "optimizer", "architecture"})
_CONFIG_DIRS = frozenset({"config", "configs", "cfg", "conf"})
_METRICS_WORDS = frozenset({"metrics", "scores", "evaluation"})
_METRICS_DIRS = frozenset({"metrics", "dvclive"})
_CI_EXTRA = re.compile(
    r"^(?:(?:.*/)?azure-pipelines[^/]*\.ya?ml|(?:.*/)?\.azure-pipelines/[^/]+\.ya?ml"
    r"|(?:.*/)?cloudbuild[^/]*\.(?:ya?ml|json)|\.buildkite/.+|\.drone\.ya?ml|\.travis\.ya?ml"
    r"|(?:.*/)?buildspec[^/]*\.ya?ml|\.tekton/[^/]+\.ya?ml|\.gitlab/ci/[^/]+\.ya?ml)$"
)


@dataclass(frozen=True)
class Family:
    """Files told by a folder or a word of their name, with an extension: what monitoring
    configs and orchestrator files look like."""

    dirs: frozenset[str]
    words: frozenset[str]
    exts: frozenset[str]
    names: frozenset[str] = frozenset()  # whole file names, whatever the extension

    def matches(self, path: str) -> bool:
        folders, name, stem, ext = split(path)
        if name in self.names:
            return True
        if ext not in self.exts:
            return False
        return bool(self.dirs & set(folders)) or bool(self.words & words_of(stem))


MONITORING = Family(
    dirs=frozenset({"monitoring", "monitor", "monitors", "alerts", "alerting", "observability",
                    "dashboards", "grafana", "prometheus", "evidently", "whylogs", "nannyml"}),
    words=frozenset({"monitoring", "monitor", "monitors", "drift", "alert", "alerts",
                     "alerting", "alertmanager", "evidently", "whylogs", "nannyml",
                     "prometheus", "grafana", "dashboard", "dashboards", "slo", "slos"}),
    exts=CONFIG_EXTS,
)
ORCHESTRATOR = Family(
    dirs=frozenset({"dags", "airflow", "prefect", "dagster", "kubeflow", "argo", "schedules",
                    "cron", "cronjobs", "workflows", "pipelines", "jobs"}),
    words=frozenset({"dag", "dags", "flow", "flows", "pipeline", "pipelines", "workflow",
                     "workflows", "job", "jobs", "schedule", "schedules", "cron", "cronjob",
                     "crontab", "cronworkflow", "retrain", "retraining", "deployment",
                     "prefect", "databricks", "serverless"}),
    exts=frozenset({"py", "yaml", "yml", "json", "toml", "tf", "cron"}),
    names=frozenset({"crontab"}),
)


def split(path: str) -> tuple[list[str], str, str, str]:
    """The folders, the file name, its stem and its extension, all lower case."""
    parts = path.lower().strip("/").split("/")
    name = parts[-1]
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem:  # no extension, or a dotfile such as `.gitlab-ci`
        stem, ext = name, ""
    return parts[:-1], name, stem, ext


def words_of(stem: str) -> set[str]:
    """The words of a file name's stem: split on punctuation and on camelCase humps."""
    return set(re.split(r"[^a-z0-9]+", stem)) - {""}


def _camel_words(path: str) -> set[str]:
    name = path.rstrip("/").rsplit("/", 1)[-1].rpartition(".")[0] or path
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    return words_of(spaced.lower())


def is_project_file(path: str) -> bool:
    """Not a test, not docs, not a vendored folder."""
    folders, name, stem, _ = split(path)
    if any(f in _NOT_PROJECT_DIRS or f in PRUNED_DIRS for f in folders):
        return False
    return not (name == "conftest.py" or stem.startswith("test_") or stem.endswith("_test"))


def is_ci(path: str) -> bool:
    return named_provider(path) is not None or bool(_CI_EXTRA.match(path.lower()))


def _training_code(path: str) -> bool:
    folders, _, stem, ext = split(path)
    if ext not in SOURCE_EXTS:
        return False
    words = words_of(stem) | _camel_words(path)
    if _FIT_STEM.match(stem) or any(_TRAIN_WORD.match(w) for w in words):
        return True
    return bool(_TRAIN_DIRS & set(folders))


def _params(path: str) -> bool:
    folders, name, stem, ext = split(path)
    if name == "mlmodel":
        return True
    if ext not in CONFIG_EXTS:
        return False
    words = words_of(stem)
    if stem == "params" or _PARAMS_WORDS & words or any(w.startswith("hparam") for w in words):
        return True
    if "conf" in folders:  # Hydra's config folder: every config in it is a run's settings
        return True
    return bool(_CONFIG_DIRS & set(folders)) and bool(_PARAMS_CONFIG_WORDS & words)


def _metrics(path: str) -> bool:
    folders, _, stem, ext = split(path)
    if ext not in DATA_EXTS:
        return False
    return bool(_METRICS_WORDS & words_of(stem)) or bool(_METRICS_DIRS & set(folders))


def _data_pointer(path: str) -> bool:
    _, name, _, ext = split(path)
    return name == "dvc.lock" or (ext == "dvc" and name != ".dvc")


@lru_cache(maxsize=CACHED)
def kinds_of(path: str) -> frozenset[ChangeKind]:
    """What a change to ``path`` is (never SCHEDULE or THRESHOLD: those need the diff).
    Answers are cached: a history names the same paths again and again."""
    kinds: set[ChangeKind] = set()
    if is_ci(path):
        return frozenset({ChangeKind.CI})
    if not is_project_file(path):
        return frozenset()
    if _training_code(path):
        kinds.add(ChangeKind.TRAINING_CODE)
    if _data_pointer(path):
        kinds.add(ChangeKind.DATA_POINTER)
    if MONITORING.matches(path):
        kinds.add(ChangeKind.MONITORING)
    elif _metrics(path):
        kinds.add(ChangeKind.METRICS)
    if _params(path) and ChangeKind.MONITORING not in kinds:
        kinds.add(ChangeKind.PARAMS)
    return frozenset(kinds)


@lru_cache(maxsize=CACHED)
def schedule_file(path: str) -> bool:
    """A file where a schedule line means a pipeline runs on a timer: a CI pipeline or an
    orchestrator's file (Airflow DAGs, Prefect/Dagster flows, Kubernetes CronJobs, crontab,
    Terraform schedules...)."""
    return is_ci(path) or (is_project_file(path) and ORCHESTRATOR.matches(path))
