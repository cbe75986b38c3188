"""Mechanism: does a pipeline train a model? Judged from its steps' names and commands, the
identifiers of steps defined in code, or the pipeline file's own training calls."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from mlkaizen.evidence.detectors.libraries import TRAINING
from mlkaizen.evidence.detectors.project_kind import TRAIN_CALLS
from mlkaizen.evidence.detectors.step_kinds import TRAIN
from mlkaizen.evidence.tree import RepoTree

if TYPE_CHECKING:
    from mlkaizen.evidence.detectors.pipeline_model import OrchestratedPipeline

# words of a step's identifier that mean it trains; a split or a dataset named for
# training (``train_test_split``, ``TrainDataGen``, ``train_table``) does not
_TRAIN_WORDS = frozenset({"train", "training", "trainer", "retrain", "retraining", "finetune"})
_NOT_TRAINING_NEXT = frozenset(
    """test data dataset datasets set split table tables gen path dir uri file files size
    ratio frac fraction df x y""".split()  # noqa: SIM905
)
_IDENT = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
_CAMEL = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|[0-9]+")


def _identifier_trains(text: str) -> bool:
    for ident in _IDENT.findall(text):
        words = [w.lower() for part in ident.split("_") for w in _CAMEL.findall(part)]
        for i, word in enumerate(words):
            following = words[i + 1] if i + 1 < len(words) else ""
            if word in _TRAIN_WORDS and following not in _NOT_TRAINING_NEXT:
                return True
    return False


def training_step(tree: RepoTree, pipe: OrchestratedPipeline) -> tuple[str, int] | None:
    """The step of ``pipe`` that trains a model, as (label, line), or ``None``.

    A step trains when its name or command says so (``train``, ``fit_model``,
    ``TrainingStep``...); in a pipeline defined in code, also when a step's identifier has a
    training word (``custom_train_job``, ``TrainModelOp``), or when the pipeline's file itself
    fits a model through a training library (a Metaflow step calling ``cross_val_score``)."""
    for text, line in pipe.steps:
        if TRAIN.search(text):
            return text, line
    if not pipe.file.endswith((".py", ".ipynb")):
        return None
    for text, line in pipe.steps:
        if _identifier_trains(text):
            return text, line
    facts = tree.python(pipe.file)
    if facts is None or not {n.split(".")[0] for n in facts.imports} & TRAINING:
        return None
    calls = facts.find_calls(TRAIN_CALLS, include_decorators=False)
    return (f"{calls[0].name}()", calls[0].line) if calls else None
